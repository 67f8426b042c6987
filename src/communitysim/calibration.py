"""Calibrate to your own community: read a page's export, fit the growth, save a scenario, forecast.

**Import** (:func:`read_export`): a CSV with a date and a followers column at least; optional
posts, reach, impressions, reactions, comments, shares and unfollows. Column names of the common
platform exports are recognised (``COLUMN_NAMES``); any other name is mapped explicitly
(``mapping={"followers": "Fans"}``). A bad file gets one line naming the file, the row and the
column; missing days are reported (``Export.gaps``), never filled.

**Fit** (:func:`fit_growth`): the Bass model with the page's starting point, ``F(0) = n0 / M``,

    dF/dt = (p + q F)(1 - F),   F(t) = (1 - c e^{-(p+q)t}) / (1 + (q/p) c e^{-(p+q)t}),
    c = (1 - F0) / (1 + (q/p) F0),

fitted by least squares on the cumulative adopters (followers, plus the cumulative unfollows
when the export has them: the model's churn then takes the unfollow rate). Uncertainty: a
residual bootstrap of the daily increments (Pearson residuals, so overdispersed real data widen
the intervals), refitted ``bootstrap`` times; percentile intervals. Goodness of fit: R² and RMSE.

**Scenario** (:meth:`GrowthFit.to_scenario`): ``p`` and ``q`` become the network-Bass rates on a
complete audience of ``M`` people (the model's analytic limit, ``bass_validation.yaml``), the
page's followers its first members; ``p`` is divided by the visibility the page's posting rhythm
adds (``feed.visibility_factor``), so that changing the rhythm in a forecast changes growth as the
model says it does.

Example:
    >>> import numpy as np, pandas as pd
    >>> days = np.arange(0, 120)
    >>> followers = bass_curve(days, p=0.002, q=0.06, market=5000, start=50)
    >>> fit = fit_growth(pd.DataFrame({"day": days, "followers": followers}), bootstrap=0)
    >>> round(fit.p, 4), round(fit.q, 3), round(fit.market)
    (0.002, 0.06, 5000)
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from communitysim.files import InputError, read_bounded
from communitysim.messages import number, percent, t
from communitysim.scenario import ScenarioError, frame

__all__ = [
    "COLUMN_NAMES",
    "NEUTRAL_RETENTION",
    "Export",
    "EngagementFit",
    "GrowthFit",
    "bass_curve",
    "bass_regression",
    "describe_export",
    "export_of_run",
    "fit_engagement",
    "fit_growth",
    "growth_band",
    "backtest",
    "Backtest",
    "read_export",
    "riccati_path",
]

#: Column names recognised in platform exports (lower-cased, spaces and punctuation kept).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "date (utc)", "jour", "publish time", "post date", "created time", "date de publication"),
    "followers": ("followers", "total followers", "lifetime total likes", "page likes", "total page likes",
                  "follower count", "abonnés", "fans"),
    "posts": ("posts", "posts published", "number of posts", "publications"),
    "reach": ("reach", "daily total reach", "accounts reached", "portée"),
    "impressions": ("impressions", "daily total impressions", "impressions (total)", "impressions (organic)"),
    "reactions": ("reactions", "likes", "reactions (total)", "réactions"),
    "comments": ("comments", "comments (total)", "replies", "commentaires"),
    "shares": ("shares", "reposts", "reposts (total)", "retweets", "partages"),
    "unfollows": ("unfollows", "daily unlikes", "unlikes", "lost followers", "désabonnements"),
}  # fmt: skip
COUNT_COLUMNS = tuple(name for name in COLUMN_NAMES if name != "date")
#: Largest export read (bytes): ten years of daily rows are under 1 MB.
#: Retention that leaves the churn rate as given and adds no word-of-mouth of its own: a calibrated
#: page's churn and q are what its export shows (bass_validation.yaml writes the same).
NEUTRAL_RETENTION = {"bond_per_reply": 0.0, "bond_per_member_answer": 0.0, "bond_per_view": 0.0, "tie_effect": 0.0,
                     "conversation_exposure": 0.0}  # fmt: skip

MAX_EXPORT_BYTES = 20_000_000
#: Largest count a cell may hold: above every platform's whole audience (a typo or an overflow).
MAX_COUNT = 1e12


@dataclass
class Export:
    """A page's history: one row per day present (``day`` counted from the first date), and its gaps.

    Attributes:
        data: columns ``date``, ``day`` and the counts found (``followers`` always).
        source: the file, for messages.
        gaps: (first missing date, number of missing days) for every hole in the dates.

    Engagement, reach and impressions of a per-post export are the posts' lifetime figures, counted
    on the day each post was published (what the platforms' post-level exports give).
    """

    data: pd.DataFrame
    source: str
    gaps: list[tuple[str, int]] = field(default_factory=list)
    #: posts aggregated when the file has one row per post (0: one row per day)
    per_post: int = 0
    #: (date, jump) of each re-based count: a sudden drop far beyond the page's small drops, the earlier
    #: counts shifted by as much (platforms re-base counts, e.g. from page likes to followers)
    rebased: list[tuple[str, float]] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days from the first to the last date."""
        return int(self.data["day"].iloc[-1])


#: Column names that mark a per-post export (one row per post): its rows are summed by day.
PER_POST_COLUMNS = ("post id", "post type", "type", "permalink", "post link", "link", "media type", "post")
#: A drop is a re-based count, not people leaving, beyond this share of the count and this many
#: times the page's median change per day.
REBASE_SHARE = 0.03
REBASE_TIMES = 10.0


def read_export(path: str | Path, mapping: dict[str, str] | None = None) -> Export:
    """Read a platform export (CSV), check it and report its gaps.

    Daily exports have one row per date, on every day or only on some (posting days, weeks, months,
    years): the dates present are kept with their spacing; an empty count is a missing value. A
    per-post export (a column of ``PER_POST_COLUMNS``; dates may repeat and carry hours) is summed by
    day: the day's last follower count, its posts, and its posts' reach and engagement.

    Args:
        path: the CSV file.
        mapping: our column name -> the file's column name, for names not recognised.

    Raises:
        ScenarioError: a missing file or column, an unreadable date, a negative or non-numeric
            count, a repeated date (one line naming the file, the row and the column).
    """
    path = Path(path)
    name = str(path)
    if not os.path.exists(path):
        raise ScenarioError(frame(name, t("cal.err.no_file")))
    try:  # bounded: a page's daily export is a few kB a year; a FIFO or a folder is refused unopened
        data = read_bounded(path, MAX_EXPORT_BYTES)
    except InputError as exc:
        raise ScenarioError(frame(name, str(exc))) from None
    try:
        raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(frame(name, t("cal.err.unreadable", detail=" ".join(str(exc).split())[:120]))) from None
    columns = _columns(raw, name, mapping or {})
    rows = []
    for index, record in raw.iterrows():
        row_number = int(index) + 2  # the header is row 1
        text = str(record[columns["date"]]).strip()
        date = pd.to_datetime(text, errors="coerce", dayfirst=_dayfirst(text))
        if not pd.isna(date) and date.tzinfo is not None:  # a time zone: the day where it was written
            date = date.tz_localize(None)
        if pd.isna(date) or not 1800 <= date.year <= 2200:  # "-1" is the year -1; Bass 1969 starts in 1948
            raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=columns["date"]),
                                      t("cal.err.date", text=repr(text[:40]))))  # fmt: skip
        row: dict[str, Any] = {"date": date.normalize(), "when": date}
        for ours, theirs in columns.items():
            if ours == "date":
                continue
            cell = str(record[theirs]).strip().replace(",", "").replace(" ", "")
            if cell == "":
                row[ours] = math.nan
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count", text=repr(cell)))) from None  # fmt: skip
            if not math.isfinite(value) or value < 0:
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count_negative", text=repr(cell[:40]))))  # fmt: skip
            if value > MAX_COUNT:  # a typo or an overflow: no page has a trillion followers
                raise ScenarioError(frame(name, t("cal.err.cell", row=row_number, column=theirs),
                                          t("cal.err.count_large", text=repr(cell[:40]), limit="10¹²")))  # fmt: skip
            row[ours] = value
        rows.append(row)
    if len(rows) < 3:
        raise ScenarioError(frame(name, t("cal.err.short", rows=len(rows))))
    data = pd.DataFrame(rows).sort_values("when", kind="stable").reset_index(drop=True)
    per_post = 0
    if _per_post(raw, mapping or {}):
        per_post = len(data)
        data = _by_day(data)
    data = data.drop(columns="when")
    repeated = data["date"].duplicated()
    if repeated.any():
        when = data.loc[repeated.idxmax(), "date"].date()
        raise ScenarioError(frame(name, t("cal.err.column", column=columns["date"]), t("cal.err.twice", date=when)))
    data.insert(1, "day", (data["date"] - data["date"].iloc[0]).dt.days.astype(int))
    steps = data["day"].diff().fillna(1).astype(int)
    gaps = [(str((data.loc[i, "date"] - pd.Timedelta(days=int(s) - 1)).date()), int(s) - 1)
            for i, s in steps.items() if s > 1]  # fmt: skip
    return Export(data, name, gaps, per_post, _rebase(data))


#: Beyond this many gaps, the export's dates are summed up in one line rather than listed.
LISTED_GAPS = 5


def describe_export(export: Export) -> list[str]:
    """What was read beyond the counts, one line each: per-post rows summed, gaps or irregular dates, re-basings."""
    lines = []
    if export.per_post:
        lines.append(t("cal.cli.per_post", posts=number(export.per_post), days=number(len(export.data))))
    if len(export.gaps) > LISTED_GAPS:
        spacing = np.diff(export.data["day"].to_numpy(dtype=float))
        lines.append(t("cal.cli.irregular", rows=number(len(export.data)), days=number(export.days),
                       spacing=number(float(np.median(spacing)), None),
                       longest=number(float(spacing.max()))))  # fmt: skip
    else:
        lines.extend(t("cal.cli.gap", days=missing, first=first) for first, missing in export.gaps)
    lines.extend(t("cal.cli.rebased", date=date, jump=number(jump, sign=True)) for date, jump in export.rebased)
    return lines


def _per_post(raw: pd.DataFrame, mapping: dict[str, str]) -> bool:
    lowered = {str(c).strip().lower() for c in raw.columns} - {c.strip().lower() for c in mapping.values()}
    return any(name in lowered for name in PER_POST_COLUMNS)


def _by_day(posts: pd.DataFrame) -> pd.DataFrame:
    """A per-post table summed by day: the day's last follower count, its posts and the posts' figures."""
    days = posts.groupby("date", sort=True)
    summed = [c for c in posts.columns if c not in ("date", "when", "followers", "posts")]
    table = days[summed].sum(min_count=1) if summed else pd.DataFrame(index=days.size().index)
    table.insert(0, "followers", days["followers"].last())  # the last count present on the day
    table.insert(1, "posts", days.size().astype(float))
    return table.reset_index().assign(when=lambda d: d["date"])


def _rebase(data: pd.DataFrame) -> list[tuple[str, float]]:
    """Find re-based counts and shift the earlier counts by the jump (in place); their dates and jumps."""
    present = data.index[data["followers"].notna()]
    values = data.loc[present, "followers"].to_numpy(dtype=float)
    spacing = np.diff(data.loc[present, "day"].to_numpy(dtype=float))
    if values.size < 3:
        return []
    per_day = np.diff(values) / spacing
    typical = float(np.median(per_day))
    spread = float(np.median(np.abs(per_day)))
    found = []
    for i in np.flatnonzero(per_day < 0):
        jump = (values[i + 1] - values[i]) - typical * spacing[i]  # beyond the usual growth of the interval
        earlier = present[: i + 1]
        if -jump > max(REBASE_SHARE * values[i], REBASE_TIMES * spread * spacing[i]) and (
            float(data.loc[earlier, "followers"].min()) + jump >= 0  # a re-base never makes a count negative
        ):
            data.loc[earlier, "followers"] = data.loc[earlier, "followers"] + jump
            found.append((str(data.loc[present[i + 1], "date"].date()), float(jump)))
    return found


def export_of_run(timeseries: pd.DataFrame, start: str = "2026-01-01") -> Export:
    """The export a page simulated in daily steps would give (its days after day 0): to test a calibration.

    Columns followers, posts, reach, reactions, comments, shares, one row per day from ``start``.
    """
    ts = timeseries.iloc[1:]
    data = pd.DataFrame({
        "date": pd.date_range(start, periods=len(ts)), "day": np.arange(len(ts)),
        "followers": ts["members"].to_numpy(), "posts": ts["posts"].to_numpy(), "reach": ts["reach"].to_numpy(),
        "reactions": (ts["engagements"] - ts["comments"] - ts["shares"]).to_numpy(),
        "comments": ts["comments"].to_numpy(), "shares": ts["shares"].to_numpy(),
    })  # fmt: skip
    return Export(data, "simulated")


def _dayfirst(text: str) -> bool:
    """European dates (25/11/2026) are day first; ISO dates are not."""
    return "/" in text and not text[:4].isdigit()


def _columns(raw: pd.DataFrame, name: str, mapping: dict[str, str]) -> dict[str, str]:
    unknown = set(mapping) - set(COLUMN_NAMES)
    if unknown:
        raise ScenarioError(frame("mapping", t("cal.err.mapping", field=repr(sorted(unknown)[0]),
                                                 fields=", ".join(COLUMN_NAMES))))  # fmt: skip
    lowered = {str(c).strip().lower(): c for c in raw.columns}
    found: dict[str, str] = {}
    for ours, names in COLUMN_NAMES.items():
        if ours in mapping:
            if mapping[ours] not in raw.columns:
                raise ScenarioError(frame(name, t("cal.err.mapped", column=repr(mapping[ours]), field=ours,
                                                  columns=", ".join(raw.columns))))  # fmt: skip
            found[ours] = mapping[ours]
            continue
        match = next((lowered[n] for n in names if n in lowered), None)
        if match is not None:
            found[ours] = match
    for required in ("date", "followers"):
        if required not in found:
            names = ", ".join(COLUMN_NAMES[required])
            raise ScenarioError(frame(name, t("cal.err.missing", field=required, names=names,
                                              columns=", ".join(map(str, raw.columns)))))  # fmt: skip
    return found


# --- the Bass fit -------------------------------------------------------------------------------


def bass_curve(days: np.ndarray | Sequence[float], p: float, q: float, market: float, start: float) -> np.ndarray:
    """Cumulative adopters of the Bass model from ``start`` adopters at day 0 in a market of ``market``."""
    t = np.asarray(days, dtype=float)
    f0 = min(max(start / market, 0.0), 1.0 - 1e-12)
    ratio = q / p
    c = (1.0 - f0) / (1.0 + ratio * f0)
    decay = c * np.exp(-(p + q) * t)
    return market * (1.0 - decay) / (1.0 + ratio * decay)


def bass_regression(sales: np.ndarray | Sequence[float]) -> tuple[float, float, float]:
    """Bass's (1969) own estimator: (p, q, m) per period from sales per period, by ordinary least squares.

    ``S_t = a + b Y_(t-1) + c Y_(t-1)^2`` (``Y``: cumulative sales before period t), then
    ``m = (-b - sqrt(b^2 - 4ac)) / 2c``, ``p = a / m``, ``q = -c m``: the discrete-time regression the
    paper fitted (its Table 1), for checking a fit against published figures.

    Example:
        >>> sales = np.diff(bass_curve(np.arange(0, 13), 0.02, 0.4, 1000, 0))
        >>> [round(v, 3) for v in bass_regression(sales)]  # yearly steps: p comes out high (time-interval bias)
        [0.029, 0.404, 957.922]
    """
    s = np.asarray(sales, dtype=float)
    before = np.concatenate([[0.0], np.cumsum(s)[:-1]])
    a, b, c = np.linalg.lstsq(np.column_stack([np.ones_like(s), before, before**2]), s, rcond=None)[0]
    market = (-b - math.sqrt(b * b - 4 * a * c)) / (2 * c)
    return float(a / market), float(-c * market), float(market)


def _sig(value: float | None, digits: int = 4) -> str:
    """A fitted value to ``digits`` significant digits, written the language's way."""
    return number(math.nan if value is None else float(f"{value:.{digits}g}"), None)


@dataclass
class GrowthFit:
    """A fitted Bass growth, with its bootstrap intervals and goodness of fit.

    Attributes:
        p, q: external and word-of-mouth rates, per day; ``market``: the audience size M (people).
        start: adopters at day 0; ``days``: the days fitted; ``observed``, ``fitted``: the curves.
        intervals: parameter -> (low, high) percentile interval; ``draws``: bootstrap (p, q, market) rows.
        r2, rmse: goodness of fit on the cumulative adopters.
        churn_rate_per_day: unfollows / followers per day (None without an unfollows column).
        posts_per_week: the page's mean posting rhythm (None without a posts column).
        confidence: the level of the intervals.
        visibility_share: ``feed.visibility_from_posts_share``, the share of p that the page's posting
            brings, read when the rhythm changed (None: not read, ``why`` says why); then ``p`` is the mean
            effective p over the export and ``base_p`` the ``growth.external_rate_per_day`` at the
            reference rhythm. ``draws`` then hold (p, q, market, base_p, visibility_share) rows.
    """

    p: float
    q: float
    market: float
    start: float
    days: np.ndarray
    observed: np.ndarray
    fitted: np.ndarray
    intervals: dict[str, tuple[float, float]]
    draws: np.ndarray
    r2: float
    rmse: float
    churn_rate_per_day: float | None = None
    posts_per_week: float | None = None
    confidence: float = 0.95
    visibility_share: float | None = None
    base_p: float | None = None
    why: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        level = percent(self.confidence)
        lines = [t("cal.fit.growth", days=len(self.days), r2=number(self.r2, 3), rmse=number(self.rmse, 1))]
        for name, value, unit in (
            ("p", self.p, t("cal.fit.per_day")),
            ("q", self.q, t("cal.fit.per_day")),
            ("market", self.market, t("cal.fit.people")),
        ):
            low, high = self.intervals.get(name, (math.nan, math.nan))
            lines.append(t("cal.fit.param", name=t("cal.fit.market") if name == "market" else name,
                           value=_sig(value), unit=unit, level=level, low=_sig(low), high=_sig(high)))  # fmt: skip
        if self.churn_rate_per_day is not None:
            lines.append(t("cal.fit.churn", value=_sig(self.churn_rate_per_day)))
        if self.visibility_share is not None:
            low, high = self.intervals.get("visibility_share", (math.nan, math.nan))
            lines.append(t("cal.fit.visibility", share=number(self.visibility_share, 2), level=level,
                           low=number(low, 2), high=number(high, 2), posts=number(REFERENCE_POSTS_PER_WEEK, None),
                           p=_sig(self.base_p)))  # fmt: skip
        for name, reason in self.why.items():
            lines.append(t("cal.fit.unread_market" if name == "market" else "cal.fit.not_read", name=name,
                           reason=reason))  # fmt: skip
        return "\n".join(lines)

    def to_scenario(
        self,
        name: str = "my_page",
        description: str = "",
        posts_per_week: float | None = None,
        engagement: EngagementFit | None = None,
    ) -> dict:
        """The fitted community as scenario fields (complete audience, the page's followers as first members).

        The audience is the market less those who already unfollowed (former members do not come back
        in the model), so the people still to win are the market less every adopter so far.

        Shares and member conversations add no word-of-mouth of their own (``engagement.share_exposure``
        and ``retention.conversation_exposure`` 0): the fitted q already holds all of it. Likewise the
        fitted churn is the page's observed churn, which already holds whatever keeps its members:
        retention does not divide it again (``NEUTRAL_RETENTION``). With ``engagement``, the engagement
        level and mix matched to the export.
        """
        from communitysim.mechanisms.feed import visibility_factor
        from communitysim.scenario import MAX_AUDIENCE, Scenario

        if self.market > MAX_AUDIENCE:
            raise ScenarioError(t("cal.err.ceiling", market=_sig(self.market, 3), limit=number(MAX_AUDIENCE)))
        defaults = Scenario()
        rhythm = posts_per_week if posts_per_week is not None else self.posts_per_week
        rhythm = defaults.strategy.posts_per_week if rhythm is None else rhythm
        boost = visibility_factor(rhythm / 7.0, defaults.feed.reference_posts_per_week,
                                  defaults.feed.visibility_from_posts_share)  # fmt: skip
        external = self.p / boost if self.base_p is None else self.base_p
        feed = dict(engagement.fields().get("feed", {})) if engagement else {}
        if self.visibility_share is not None:
            feed["visibility_from_posts_share"] = self.visibility_share
        followers = round(float(self.observed[-1] - self._cumulative_unfollows))
        still_in_reach = max(math.ceil(float(self.market - self._cumulative_unfollows)), followers)
        return {
            "name": name,
            "description": description or f"Calibrated from a page's export ({len(self.days)} days).",
            "days": 90,
            "step_hours": 24,
            "audience": {"size": still_in_reach, "network": {"kind": "complete"},
                         "affinity": {"mean": 0.5, "spread": 0.0}, "activity": {"distribution": "constant"}},
            "growth": {"external_rate_per_day": float(external), "word_of_mouth_rate_per_day": float(self.q),
                       "churn_rate_per_day": float(self.churn_rate_per_day or 0.0)},
            "community": {"norm_conformity_share": 0.0},
            "seeding": {"strategy": "random", "size": followers, "acceptance_share": 1.0, "invite_after_posts": 0},
            "launch": {"posts_ready": 0, "unready_conversion_share": 1.0},
            "strategy": {"posts_per_week": float(rhythm)},
            "engagement": {"share_exposure": 0.0, **(engagement.fields()["engagement"] if engagement else {})},
            "retention": dict(NEUTRAL_RETENTION),
            **({"feed": feed} if feed else {}),
        }  # fmt: skip

    _cumulative_unfollows: float = 0.0
    unfollowed: np.ndarray | None = None  # cumulative unfollows per day fitted (None: no unfollows column)
    #: (a, b, c) of ``dn/dt = a + b n + c n²`` for the fit, or for each bootstrap draw: the growth band's curves
    coefficients: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    #: variance of the Pearson residuals of the increments (1: Poisson-like joins): the band's day-to-day noise
    dispersion: float = 0.0
    #: the least market the export allows when it cannot read the market (None: read)
    market_floor: float | None = None

    @property
    def followers(self) -> np.ndarray:
        """The observed followers (adopters minus the cumulative unfollows)."""
        return self.observed - (self.unfollowed if self.unfollowed is not None else 0.0)


def _fit_once(
    days: np.ndarray, adopters: np.ndarray, near: tuple[float, float, float] | None = None
) -> tuple[float, float, float]:
    """Least squares of the Bass curve (log-parameters), from a few starting points (or from ``near``)."""
    from scipy.optimize import least_squares

    start, last = float(adopters[0]), float(adopters[-1])
    scale = max(last, 1.0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        p, q, market = np.exp(theta[0]), np.exp(theta[1]), last + np.exp(theta[2])
        return (bass_curve(days, p, q, market, start) - adopters) / scale

    starts = ((1e-3, 0.05, 1.0), (1e-2, 0.1, 0.5), (1e-4, 0.02, 3.0), (3e-3, 0.3, 0.2))
    if near is not None:
        starts = ((near[0], near[1], max(near[2] - last, 1.0) / max(last, 1.0)),)
    # p and q within the scenario's bounds, the market below a thousand times the model's ceiling
    low, high = np.log([1e-12, 1e-12, 1e-6]), np.log([10.0, 100.0, 1e10])
    best = None
    for p0, q0, extra in starts:
        theta0 = np.clip(np.log([p0, q0, max(extra * last, 1.0)]), low + 1e-9, high - 1e-9)
        found = least_squares(residuals, theta0, bounds=(low, high), method="trf", x_scale="jac", max_nfev=2000)
        if best is None or found.cost < best.cost:
            best = found
    assert best is not None
    p, q = float(np.exp(best.x[0])), float(np.exp(best.x[1]))
    return p, q, float(last + np.exp(best.x[2]))


# --- established pages: the Bass curve read from the page's starting point ----------------------

#: A page is "established" when it starts with at least this share of its last count: the Bass fit
#: is then made in (initial growth, word-of-mouth share, share of the market reached at the start),
#: which stays finite as the market grows without bound (nearly linear growth).
ESTABLISHED_SHARE = 0.1
#: A page first fitted from a small start whose market comes out beyond this many times its last
#: count has no ceiling in sight: it is fitted as an established page (which says so).
UNREAD_SHARE = 1e-3
#: The market is "not read" when its 95% interval goes beyond this multiple of the page's last count
#: (or beyond the model's ``MAX_AUDIENCE``); the scenario then takes at most this multiple, an
#: assumption the output states (over the next months such a ceiling changes growth by a few percent).
UNREAD_MARKET_MULTIPLE = 10.0


def riccati_path(days: np.ndarray | Sequence[float], start: float, a: float, b: float, c: float) -> np.ndarray:
    """Adopters at ``days`` when ``dn/dt = a + b n + c n²`` from ``start`` at day 0 (Bass: a = pM, b = q - p, c = -q/M).

    Written so that it never overflows: finite for an endless market (``c`` 0) and for ``p + q`` 0.

    Example:
        >>> t = np.arange(0.0, 200.0, 7.0)
        >>> p, q, m = 0.002, 0.05, 5000.0
        >>> bool(np.allclose(riccati_path(t, 50, p * m, q - p, -q / m), bass_curve(t, p, q, m, 50)))
        True
    """
    t = np.asarray(days, dtype=float)
    slope = a + b * start + c * start * start  # dn/dt at the start
    lam = b + 2.0 * c * start
    k = math.sqrt(max(lam * lam - 4.0 * c * slope, 0.0))
    decay = np.exp(-k * t)
    phi = -np.expm1(-k * t) / k if k > 0 else t  # (1 - e^{-kt}) / k
    return start + slope * phi / ((k - lam) * phi / 2.0 + decay)


def _established_coefficients(
    r0: float, w: float, u: float, n0: float
) -> tuple[float, float, float, float, float, float]:
    """(p, q, market, a, b, c) from initial growth ``r0``, its word-of-mouth share ``w``, share reached ``u``."""
    q = w * r0 / (n0 * (1.0 - u))
    p = (1.0 - w) * r0 * u / (n0 * (1.0 - u))
    market = n0 / u if u > 0 else math.inf
    return p, q, market, (1.0 - w) * r0 / (1.0 - u), q - p, -q * u / n0


def _fit_established(
    days: np.ndarray, adopters: np.ndarray, near: tuple[float, float, float] | None = None
) -> tuple[float, float, float]:
    """Least squares of the Bass curve of an established page: (initial growth per day, w, u), bounded."""
    from scipy.optimize import least_squares

    n0 = float(adopters[0])
    span = max(float(days[-1]), 1.0)
    scale = max(float(adopters[-1] - n0), 1.0)
    rate = max(float(adopters[-1] - n0) / span, 1e-9)

    def residuals(theta: np.ndarray) -> np.ndarray:
        _, _, _, a, b, c = _established_coefficients(math.exp(theta[0]), theta[1], theta[2], n0)
        return (riccati_path(days, n0, a, b, c) - adopters) / scale

    low, high = [math.log(rate) - 12, 0.0, 0.0], [math.log(rate) + 6, 1.0, 0.99]
    starts = [near] if near is not None else [(rate, w, u) for w in (0.1, 0.5, 0.9) for u in (0.02, 0.3, 0.8)]
    best = None
    for r0, w, u in starts:
        theta0 = np.clip([math.log(max(r0, 1e-300)), w, u], low, high)
        found = least_squares(residuals, theta0, bounds=(low, high), x_scale="jac", max_nfev=200)
        if best is None or found.cost < best.cost:
            best = found
    assert best is not None
    return float(math.exp(best.x[0])), float(best.x[1]), float(best.x[2])


#: The cadence at which posting gives the scenario's p (``feed.reference_posts_per_week``'s default).
REFERENCE_POSTS_PER_WEEK = 5.0


def bass_path(days: np.ndarray, p_by_day: np.ndarray, q: float, market: float, start: float) -> np.ndarray:
    """Cumulative adopters at ``days`` when p changes from day to day (``p_by_day[d]``: from day d to d + 1).

    Bass exactly within each day, from where the day before ended.

    Example:
        >>> t = np.arange(30.0)
        >>> bool(np.allclose(bass_path(t, np.full(29, 0.01), 0.2, 1000, 5), bass_curve(t, 0.01, 0.2, 1000, 5)))
        True
    """
    grid = np.empty(int(days[-1]) + 1)
    adopters = grid[0] = start
    for day, p_day in enumerate(p_by_day[: grid.size - 1]):  # plain floats: a few microseconds a day
        p = max(float(p_day), 1e-12)  # a day without visibility (all of p from posting, and no posts)
        ratio, f0 = q / p, min(adopters / market, 1.0 - 1e-12)
        decay = (1.0 - f0) / (1.0 + ratio * f0) * math.exp(-(p + q))
        adopters = grid[day + 1] = market * (1.0 - decay) / (1.0 + ratio * decay)
    return grid[days.astype(int)]


def _rhythm_factor(days: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray | None, str]:
    """``sqrt(rate / reference) - 1`` for each day's growth, from the recent posting rate.

    The model's visibility (``feed.visibility_factor``) is ``1 + share x`` this. None, with the reason,
    when the rhythm did not change enough to read the share.
    """
    grid = np.full(int(days[-1] - days[0]) + 1, np.nan)
    grid[(days - days[0]).astype(int)] = posts
    known = ~np.isnan(grid)
    rate = recent_rate(np.where(known, grid, np.nanmean(grid)))
    spread = rhythm_spread(rate)  # silent spells then posting (infinite): the widest change
    if spread < MIN_RHYTHM_RATIO:
        return None, t("cal.why.rhythm", spread=number(spread, 2), needed=number(MIN_RHYTHM_RATIO, None))
    return np.sqrt(rate[1:] / (REFERENCE_POSTS_PER_WEEK / 7.0)) - 1.0, ""


def _fit_path(
    days: np.ndarray,
    adopters: np.ndarray,
    factor: np.ndarray,
    start: tuple[float, float, float] | None = None,
    near: tuple[float, float, float, float] | None = None,
) -> tuple[float, float, float, float]:
    """Least squares of the Bass path with ``p_d = base_p (1 + share x factor_d)``: (base_p, q, market, share)."""
    from scipy.optimize import least_squares

    first, last = float(adopters[0]), float(adopters[-1])
    scale = max(last, 1.0)

    def residuals(theta: np.ndarray) -> np.ndarray:
        base_p, q, market = math.exp(theta[0]), math.exp(theta[1]), last + math.exp(theta[2])
        return (bass_path(days, base_p * (1 + theta[3] * factor), q, market, first) - adopters) / scale

    if near is not None:
        starts = [near]
    else:
        p, q, market = start
        starts = [(p / float(np.mean(1 + share * factor)), q, market, share) for share in (0.1, 0.5, 0.9)]
    best = None
    for base_p, q, market, share in starts:
        theta0 = [math.log(base_p), math.log(q), math.log(max(market - last, 1.0)), share]
        found = least_squares(residuals, theta0, bounds=([-30, -30, -30, 0.0], [5, 5, 40, 1.0]), x_scale="jac")
        if best is None or found.cost < best.cost:
            best = found
    assert best is not None
    theta = best.x
    return float(math.exp(theta[0])), float(math.exp(theta[1])), float(last + math.exp(theta[2])), float(theta[3])


def fit_growth(data: pd.DataFrame | Export, bootstrap: int = 200, seed: int = 1, confidence: float = 0.95) -> GrowthFit:
    """Fit the Bass growth to a page's followers, with bootstrap intervals.

    The dates present and their spacing are used as they are (daily, posting days, weekly, yearly
    rows); rows without a follower count are left out. A page that starts with at least
    ``ESTABLISHED_SHARE`` of its last count, or whose classic fit finds no ceiling in sight, is fitted
    as an established page (see :func:`_fit_established`); when its market cannot be read (growth
    not slowing down), ``why["market"]`` says so, ``market_floor`` is the least market the data allow
    and the scenario's ``market`` is at most ``UNREAD_MARKET_MULTIPLE`` times the last count.

    Args:
        data: an :class:`Export`, or a table with ``day`` and ``followers`` (optional ``unfollows``, ``posts``).
        bootstrap: resamples for the intervals (0: none).
        seed: the bootstrap's seed (a numpy Generator of its own; no global state).
        confidence: the level of the percentile intervals.

    Raises:
        ScenarioError: fewer than 3 follower counts, or no growth to fit (all equal, only going down).
    """
    table = data.data if isinstance(data, Export) else data
    source = data.source if isinstance(data, Export) else "data"
    table = table[table["followers"].notna()].reset_index(drop=True)
    _check_growth(table["followers"].to_numpy(dtype=float), source)
    days = table["day"].to_numpy(dtype=float)
    followers = table["followers"].to_numpy(dtype=float)
    unfollows = 0.0
    adopters = followers.copy()
    churn = None
    cumulative_lost = None
    if "unfollows" in table and table["unfollows"].notna().any():
        lost = np.nan_to_num(table["unfollows"].to_numpy(dtype=float))
        lost[0] = 0.0  # the first day's unfollows happened before the start
        cumulative = np.cumsum(lost)
        cumulative_lost = cumulative
        adopters = followers + cumulative
        unfollows = float(cumulative[-1])
        follower_days = float(np.sum(followers[:-1] * np.diff(days)))
        churn = float(cumulative[-1] / follower_days) if follower_days > 0 else None
    posts = None
    factor = None  # the visibility factor's ingredient per day: sqrt(recent rate / reference) - 1
    why: dict[str, str] = {}
    established = adopters[0] > 0 and adopters[0] >= ESTABLISHED_SHARE * adopters[-1]
    if "posts" in table and table["posts"].notna().any():
        posts = float(np.nansum(table["posts"].to_numpy(dtype=float)) / max(days[-1] - days[0] + 1, 1) * 7)
        factor, reason = _rhythm_factor(days, table["posts"].to_numpy(dtype=float))
        if established and factor is not None:
            factor, reason = None, t("cal.why.established_visibility")
        if reason:
            why["visibility_share"] = reason
    days = days - days[0]
    n0 = float(adopters[0])
    shape = (0.0, 0.0, 0.0)  # established pages: (initial growth per day, its word-of-mouth share, share reached)
    if not established:
        p, q, market = _fit_once(days, adopters)
        fitted = bass_curve(days, p, q, market, n0)
        # no ceiling in sight (still exponential or linear): the bounded fit, which says so
        established = factor is None and n0 > 0 and market * UNREAD_SHARE >= float(adopters[-1])
    if established:
        shape = _fit_established(days, adopters)
        p, q, market, *abc = _established_coefficients(*shape, n0)
        fitted = riccati_path(days, n0, *abc)
    base_p = share = None
    if factor is not None:
        base_p, q, market, share = _fit_path(days, adopters, factor, start=(p, q, market))
        fitted = bass_path(days, base_p * (1 + share * factor), q, market, n0)
        p = float(base_p * np.mean(1 + share * factor))
    residual = adopters - fitted
    total = np.sum((adopters - adopters.mean()) ** 2)
    r2 = float(1 - np.sum(residual**2) / total) if total > 0 else math.nan
    rmse = float(np.sqrt(np.mean(residual**2)))
    increments_fit = np.diff(fitted)
    scale = np.sqrt(np.maximum(increments_fit, 1e-9))
    pearson = (np.diff(adopters) - increments_fit) / scale
    dispersion = float(np.mean((pearson - pearson.mean()) ** 2)) if pearson.size else 0.0
    pearson = pearson - pearson.mean()
    draws = np.empty((0, 3))
    coefficients = np.array([_coefficients(p, q, market, shape, n0, established)])
    intervals: dict[str, tuple[float, float]] = {}
    tail = (1 - confidence) / 2 * 100
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        rows, shapes = [], []
        riccati = factor is None  # dn/dt = a + b n + c n²: each day's joins follow from the count reached
        if riccati:  # one-step-ahead residuals, from the observed count of the day before
            a, b, c = coefficients[0]
            gaps = np.diff(days)
            step = _riccati_step(adopters[:-1], gaps, a, b, c) - adopters[:-1]
            ahead = (np.diff(adopters) - step) / np.sqrt(np.maximum(step, 1e-9))
            ahead = ahead - ahead.mean()
        for _ in range(bootstrap):
            if riccati:
                curve = _markov_path(n0, gaps, (a, b, c), rng.choice(ahead, size=ahead.size, replace=True))
            else:
                resampled = increments_fit + rng.choice(pearson, size=pearson.size, replace=True) * scale
                curve = n0 + np.concatenate([[0.0], np.cumsum(resampled)])
            if established:
                found = _fit_established(days, curve, near=shape)
                shapes.append(found)
                rows.append(_established_coefficients(*found, n0)[:3])
            elif factor is None:
                rows.append(_fit_once(days, curve, near=(p, q, market)))
            else:
                found = _fit_path(days, curve, factor, near=(base_p, q, market, share))
                rows.append((found[0] * np.mean(1 + found[3] * factor), *found[1:3], found[0], found[3]))
        draws = np.array(rows)
        if established:
            coefficients = np.array([_established_coefficients(*s, n0)[3:] for s in shapes])
        else:
            coefficients = np.array([_coefficients(*row[:3], shape, n0, False) for row in rows])
        names = ("p", "q", "market") if factor is None else ("p", "q", "market", "base_p", "visibility_share")
        for column, name in enumerate(names):
            low, high = np.percentile(draws[:, column], [tail, 100 - tail])
            intervals[name] = (float(low), float(high))
    floor = None
    if established:
        from communitysim.scenario import MAX_AUDIENCE

        reached = [s[2] for s in shapes] if bootstrap > 0 else [shape[2]]
        last, top = float(adopters[-1]), n0 / max(min(float(np.percentile(reached, tail)), shape[2]), 1e-300)
        if top > UNREAD_MARKET_MULTIPLE * last or market > MAX_AUDIENCE:  # the market is not read
            floor = n0 / max(float(np.percentile(reached, 100 - tail)), 1e-300)
            market = min(float(MAX_AUDIENCE), UNREAD_MARKET_MULTIPLE * last, max(floor, market))
            p, q = _established_coefficients(shape[0], shape[1], n0 / market, n0)[:2]
            intervals["market"] = (floor, math.inf)
            why["market"] = t("cal.why.market", floor=_sig(floor, 3), market=_sig(market, 3),
                              times=number(UNREAD_MARKET_MULTIPLE, None))  # fmt: skip
    result = GrowthFit(p, q, market, n0, days, adopters, fitted, intervals, draws, r2, rmse,
                       churn, posts, confidence, share, base_p, why)  # fmt: skip
    result._cumulative_unfollows = unfollows
    result.unfollowed = cumulative_lost
    result.coefficients = coefficients
    result.dispersion = dispersion
    result.market_floor = floor
    return result


def _riccati_step(start: np.ndarray, gaps: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """:func:`riccati_path` after ``gaps`` days from each ``start`` (elementwise)."""
    start = np.asarray(start, dtype=float)
    slope = a + b * start + c * start * start
    lam = b + 2.0 * c * start
    k = np.sqrt(np.maximum(lam * lam - 4.0 * c * slope, 0.0))
    kt = k * gaps
    phi = np.where(k > 0, -np.expm1(-kt) / np.where(k > 0, k, 1.0), gaps)
    return start + slope * phi / ((k - lam) * phi / 2.0 + np.exp(-kt))


def _markov_path(n0: float, gaps: np.ndarray, abc: tuple[float, float, float], shocks: np.ndarray) -> np.ndarray:
    """A bootstrap path: each period's joins expected from the count the path has reached, plus a resampled shock.

    The joins of a growing community feed its word-of-mouth, so an early surplus moves the whole
    curve; resampling shocks around the fitted curve (as if each day were independent of the days
    before) leaves that out and gives intervals for ``p`` that are too narrow (a model-based
    bootstrap for a Markov process: Freedman 1984; Efron and Tibshirani 1993, s.8.5).
    """
    path = np.empty(gaps.size + 1)
    path[0] = n = n0
    for i, gap in enumerate(gaps):
        expected = float(_riccati_step(np.array([n]), np.array([gap]), *abc)[0])
        n = expected + shocks[i] * math.sqrt(max(expected - n, 1e-9))
        path[i + 1] = n
    return path


def _coefficients(
    p: float, q: float, market: float, shape: tuple[float, float, float], n0: float, established: bool
) -> tuple[float, float, float]:
    """(a, b, c) of ``dn/dt = a + b n + c n²`` for a Bass curve."""
    if established:
        return _established_coefficients(*shape, n0)[3:]
    return p * market, q - p, -q / market


def _check_growth(followers: np.ndarray, source: str) -> None:
    """One line when the follower counts cannot be fitted: too few, all equal, or never growing."""
    if followers.size < 3:
        raise ScenarioError(frame(source, t("cal.err.short", rows=followers.size)))
    if np.all(followers == followers[0]):
        raise ScenarioError(frame(source, t("cal.err.flat", value=number(followers[0]))))
    if followers[-1] <= followers[0] or not np.any(np.diff(followers) > 0):
        raise ScenarioError(frame(source, t("cal.err.falling", first=number(followers[0]),
                                            last=number(followers[-1]))))  # fmt: skip


# --- the scenario and the forecast --------------------------------------------------------------


#: The first line of a scenario file the calibration wrote (the lab may replace only those).
CALIBRATED_MARK = "# written by communitysim calibrate"


def scenario_text(fields: dict[str, Any]) -> str:
    """Validate scenario fields and give them as the YAML text ``save_scenario`` writes.

    Raises:
        ScenarioError: fields the tools would refuse (nothing is written).
    """
    import yaml

    from communitysim.scenario import load_scenario

    load_scenario(fields)  # never write a scenario the tools would refuse
    return CALIBRATED_MARK + "\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)


def save_scenario(fields: dict[str, Any], path: str | Path) -> Path:
    """Validate scenario fields and write them as YAML, atomically (the file every tool reads)."""
    from communitysim.files import atomic_write_bytes

    text = scenario_text(fields)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


#: Model runs of a bigger audience are made on a copy scaled down to this many people (audience and
#: first members divided by one factor, counts multiplied back): on the complete, even audience a
#: calibration builds, joining and leaving depend on shares only, so the mean path is the same and
#: the runs take seconds whatever the page's size (chance, drawn on fewer people, is a little wider).
RUN_AUDIENCE_LIMIT = 20_000
#: ... keeping at least this many first members (fewer would make joining lumpy).
RUN_MIN_MEMBERS = 200


def _scaled_down(fields: dict[str, Any]) -> float:
    """Scale a calibrated scenario's audience down towards ``RUN_AUDIENCE_LIMIT`` (in place); the factor."""
    size = fields["audience"]["size"]
    factor = min(size / RUN_AUDIENCE_LIMIT, fields["seeding"]["size"] / RUN_MIN_MEMBERS)
    if factor <= 1:
        return 1.0
    fields["audience"]["size"] = math.ceil(size / factor)
    fields["seeding"]["size"] = max(1, round(fields["seeding"]["size"] / factor))
    return factor


def forecast(
    fit: GrowthFit,
    days: int = 90,
    strategies: dict[str, dict[str, Any]] | None = None,
    replications: int = 20,
    seed: int = 1,
    level: float = 0.9,
) -> pd.DataFrame:
    """Members over the next ``days`` under the current strategy and alternatives, with bands.

    Each replication draws its growth parameters from the bootstrap (parameter uncertainty) and
    runs the model with its own seed (chance), so the band holds both. An audience beyond
    ``RUN_AUDIENCE_LIMIT`` people is run scaled down (see ``_scaled_down``).

    Args:
        fit: the growth fit.
        days: the horizon from the export's last day.
        strategies: name -> overrides (default: the current strategy only).
        replications: runs per strategy.
        seed: the master seed (replication seeds spawned as in sweeps).
        level: the central band's level (0.9: the 5th to the 95th percentile).

    Returns:
        One row per strategy and day: ``strategy``, ``day``, ``low``, ``median``, ``high``.
    """
    import communitysim as cs
    from communitysim.scenario import MAX_AUDIENCE
    from communitysim.sweeps import replication_seeds

    strategies = strategies or {"current": {}}
    seeds = replication_seeds(seed, replications)
    ceiling = fit.market if fit.market_floor is not None else float(MAX_AUDIENCE)
    names = ("p", "q", "market") if fit.visibility_share is None else ("p", "q", "market", "base_p", "visibility_share")
    draws = fit.draws if len(fit.draws) else np.array([[getattr(fit, name) for name in names]])
    rows = []
    for name, overrides in strategies.items():
        curves = []
        for replication, run_seed in enumerate(seeds):
            drawn = dict(zip(names, map(float, draws[replication % len(draws)]), strict=True))
            drawn["market"] = max(drawn["market"], float(fit.observed[-1]))
            if drawn["market"] > ceiling:  # the draw's growth, a, b = pM, q - p kept, under the scenario's ceiling
                a, b, _ = fit.coefficients[replication % len(fit.coefficients)]
                drawn.update(market=ceiling, p=a / ceiling, q=max(b + a / ceiling, 0.0))
            varied = dataclasses.replace(fit, **drawn)
            fields = varied.to_scenario()
            fields["days"] = days
            followers = fields["seeding"]["size"]
            factor = _scaled_down(fields)
            result = cs.run(fields, seed=run_seed, overrides=overrides)
            members = result.timeseries["members"].to_numpy(dtype=float) * factor
            members[0] = followers  # day 0 is the export's last day: the page's followers
            curves.append(members)
        block = np.vstack(curves)
        tail = (1 - level) / 2
        low, median, high = np.quantile(block, [tail, 0.5, 1 - tail], axis=0)
        rows.append(pd.DataFrame({"strategy": name, "day": np.arange(block.shape[1], dtype=float), "low": low,
                                  "median": median, "high": high}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def growth_band(fit: GrowthFit, days: int | np.ndarray, level: float = 0.95, seed: int = 1) -> pd.DataFrame:
    """The followers ahead from the fitted curves alone (no model run): a fast band for any audience.

    Each bootstrap draw's Bass curve (:attr:`GrowthFit.coefficients`) continues from the export's last
    count (the fit's uncertainty); day-to-day chance is added as in the export: normal joins around
    each day's expected joins with the variance ``dispersion x joins`` (the Pearson residuals' spread).
    Unfollows, when the export has them, go on at the fitted churn.

    Args:
        fit: the growth fit.
        days: the horizon in days from the export's last day, or the days ahead wanted (floats).
        level: the central band's level (0.95: the 2.5th to the 97.5th percentile).
        seed: the chance's seed.

    Returns:
        One row per day ahead: ``day``, ``low``, ``median``, ``high``.
    """
    ahead = np.arange(int(days) + 1, dtype=float) if np.ndim(days) == 0 else np.asarray(days, dtype=float)
    grid = np.arange(math.ceil(ahead.max()) + 1, dtype=float)
    rng = np.random.default_rng(seed)
    last = float(fit.observed[-1])
    lost = float(fit.unfollowed[-1]) if fit.unfollowed is not None else 0.0
    followers = last - lost
    curves = []
    for draw in range(max(len(fit.coefficients), 100)):
        a, b, c = fit.coefficients[draw % len(fit.coefficients)]
        path = riccati_path(grid, last, a, b, c)
        joins = np.maximum(np.diff(path), 0.0)
        chance = rng.standard_normal(joins.size) * np.sqrt(max(fit.dispersion, 0.0) * joins)
        path = last + np.concatenate([[0.0], np.cumsum(joins + chance)])
        churned = (fit.churn_rate_per_day or 0.0) * followers * grid
        curves.append(np.interp(ahead, grid, path - lost - churned))
    tail = (1 - level) / 2
    low, median, high = np.quantile(np.vstack(curves), [tail, 0.5, 1 - tail], axis=0)
    return pd.DataFrame({"day": ahead, "low": low, "median": median, "high": high})


@dataclass
class Backtest:
    """A calibration checked on the dates it did not see: fitted on the first dates, forecast on the rest.

    Attributes:
        fit: the growth fit on the first dates.
        days, actual: the held-out days (from the first date) and their follower counts.
        band: :func:`growth_band` at the held-out days (``day`` counted from the last fitted date).
        level: the band's level; ``fitted_until``: the last fitted date's day.
    """

    fit: GrowthFit
    days: np.ndarray
    actual: np.ndarray
    band: pd.DataFrame
    level: float
    fitted_until: float

    @property
    def final_error(self) -> float:
        """(forecast median - actual) / actual on the last date."""
        return float(self.band["median"].iloc[-1] / self.actual[-1] - 1)

    @property
    def mape(self) -> float:
        """Mean absolute percentage error of the median over the held-out dates."""
        return float(np.mean(np.abs(self.band["median"].to_numpy() / self.actual - 1)))

    @property
    def inside(self) -> np.ndarray:
        """For each held-out date: is the actual count inside the band?"""
        return (self.band["low"].to_numpy() <= self.actual) & (self.actual <= self.band["high"].to_numpy())

    def __str__(self) -> str:
        return t("cal.backtest", fitted=len(self.fit.days), held=len(self.days),
                 days=number(self.days[-1] - self.fitted_until, None),
                 actual=number(self.actual[-1]), median=number(self.band["median"].iloc[-1]),
                 level=percent(self.level), low=number(self.band["low"].iloc[-1]),
                 high=number(self.band["high"].iloc[-1]), error=percent(self.final_error, 1),
                 mape=percent(self.mape, 1), inside=number(int(self.inside.sum())),
                 final=t("cal.backtest.in") if self.inside[-1] else t("cal.backtest.out"))  # fmt: skip


def backtest(
    data: pd.DataFrame | Export, holdout: float = 0.25, bootstrap: int = 200, seed: int = 1, level: float = 0.95
) -> Backtest:
    """Fit on the first ``1 - holdout`` of the dates with a follower count, forecast the rest with its band.

    Example:
        >>> days = np.arange(0, 200, 3)
        >>> table = pd.DataFrame({"day": days, "followers": 40000 + 300 * days})
        >>> check = backtest(table, bootstrap=20)
        >>> bool(abs(check.final_error) < 0.001), bool(check.mape < 0.001)  # a straight line is forecast straight
        (True, True)

    Raises:
        ScenarioError: ``holdout`` not within (0, 1), or too few dates on either side.
    """
    table = data.data if isinstance(data, Export) else data
    source = data.source if isinstance(data, Export) else "data"
    if not 0 < holdout < 1:
        raise ScenarioError(frame("--holdout", t("cal.err.holdout", value=holdout)))
    counted = table[table["followers"].notna()].reset_index(drop=True)
    cut = round(len(counted) * (1 - holdout))
    if cut < 3 or cut >= len(counted):
        raise ScenarioError(frame(source, t("cal.err.holdout_rows", rows=len(counted))))
    first, rest = counted.iloc[:cut], counted.iloc[cut:]
    fit = fit_growth(Export(first, source) if isinstance(data, Export) else first, bootstrap=bootstrap, seed=seed)
    until = float(first["day"].iloc[-1])
    band = growth_band(fit, rest["day"].to_numpy(dtype=float) - until, level=level, seed=seed)
    return Backtest(fit, rest["day"].to_numpy(dtype=float), rest["followers"].to_numpy(dtype=float), band, level,
                    until)  # fmt: skip


def plot_fit(fit: GrowthFit, ahead: pd.DataFrame | None = None, engagement: EngagementFit | None = None):
    """The followers: the export, the fitted curve over it, and the forecast bands after it.

    With ``engagement``, a second panel: the export's daily engagements and the calibrated runs' mean
    over the same days (the engagement fit's goodness of fit).
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 4 if engagement is None else 6.5), layout="constrained")
    axes = figure.subplots(1 if engagement is None else 2, 1, squeeze=False)[:, 0]
    growth = axes[0]
    lost = fit.unfollowed if fit.unfollowed is not None else 0.0
    growth.plot(fit.days, fit.followers, ".", color="#444", markersize=3, label=t("plot.fit.export"))
    growth.plot(fit.days, fit.fitted - lost, color="C0", label=t("plot.fit.fit", r2=number(fit.r2, 3)))
    if ahead is not None:
        offset = float(fit.days[-1])
        for index, (name, block) in enumerate(ahead.groupby("strategy", sort=False)):
            x = offset + block["day"].to_numpy()
            colour = f"C{index + 1}"
            growth.fill_between(x, block["low"], block["high"], color=colour, alpha=0.2)
            growth.plot(x, block["median"], color=colour, label=t("plot.fit.forecast", strategy=name))
    growth.set(xlabel=t("plot.day"), ylabel=t("plot.fit.followers"), title=t("plot.fit.title"))
    growth.legend(fontsize="small")
    if engagement is not None and len(engagement.days):
        panel = axes[1]
        panel.plot(engagement.days, engagement.observed, ".", color="#444", markersize=3, label=t("plot.fit.export"))
        panel.plot(engagement.days, engagement.fitted, color="C0",
                   label=t("plot.fit.engagement_model", r2=number(engagement.r2, 2)))  # fmt: skip
        panel.set(xlabel=t("plot.day"), ylabel=t("plot.fit.engagements"), title=t("plot.fit.engagement_title"))
        panel.legend(fontsize="small")
    return figure


# --- engagement level, decay and posting response ----------------------------------------------


#: Rounds of the engagement match at most, and the relative gaps at which it stops (level and reach;
#: the decay and the posting response, read by a noisier regression).
MATCH_ROUNDS = 8
MATCH_TOLERANCE = 0.03
SHAPE_TOLERANCE = 0.1
#: The post half-lives the match may reach (hours); beyond, the decay is not read from the export.
HALF_LIFE_BOUNDS = (0.1, 336.0)
#: Days after a post that the engagement regression follows (the stretched tail beyond is negligible).
LAG_DAYS = 14
#: The posting must vary this much for its effect to be read: daily posts' coefficient of variation
#: (post decay), ratio of the 90th to the 10th percentile of the recent posting rate (posting response).
MIN_DAILY_VARIATION = 0.2
MIN_RHYTHM_RATIO = 1.5


def lag_weights(half_life_hours: float, stretch: float, lags: int = LAG_DAYS) -> np.ndarray:
    """Share of a post's engagement on the day it is published (lag 0) and each day after.

    The post decays as ``engagement.post_share_reached``; its time of day is unknown, so it is taken
    uniform over the day (row ``d`` of an export covers the day ending at ``d``).

    Example:
        >>> [round(float(w), 2) for w in lag_weights(3.2, 0.5)[:3]]  # a Facebook-like post: most of it the same day
        [0.69, 0.21, 0.05]
    """
    from communitysim.mechanisms.engagement import post_share_reached

    offset = (np.arange(24) + 0.5) / 24  # hour of publication in the day, as a share of the day
    age = np.arange(lags)[:, None] + 1 - offset
    return (
        post_share_reached(age, half_life_hours, stretch) - post_share_reached(age - 1, half_life_hours, stretch)
    ).mean(axis=1)


def recent_rate(posts: np.ndarray) -> np.ndarray:
    """The model's recent posting rate (7-day moving average, posts per day) after each day's posts."""
    from communitysim.model import CommunityManager

    decay = math.exp(-1.0 / CommunityManager.RECENT_DAYS)
    rate = np.empty(posts.size)
    current = float(np.mean(posts[:7])) if posts.size else 0.0
    for day, count in enumerate(posts):
        current = current * decay + count * (1 - decay)
        rate[day] = current
    return rate


def rhythm_spread(rate: np.ndarray) -> float:
    """How much the recent posting rate changed: its 90th percentile over its 10th.

    Infinite when the quietest days had no posting at all; 1 when the page (almost) never posted.
    """
    low, high = np.quantile(rate, [0.1, 0.9])
    if high <= 0:
        return 1.0
    return float(high / low) if low > 0 else math.inf


@dataclass
class ResponseEstimate:
    """The engagement regression of a daily history: the summaries the model is matched on.

    ``engagements_d = level x followers_d x attention(rate_d) x sum_k w_k(half_life) x posts_(d-k)``
    (``w``: :func:`lag_weights`; attention at the default appetite), by weighted least squares
    (Poisson-like weights): ``half_life_hours`` reads the decay. ``response_ratio`` reads the posting
    response: the mean engagement per post and follower on the busiest third of the days (by the
    recent posting rate) over the quietest third, whose mean rates are ``busy_rate`` and ``quiet_rate``.
    A summary is None when the posting did not vary enough to read it (``why`` says so).
    """

    level: float
    half_life_hours: float | None
    response_ratio: float | None = None
    quiet_rate: float = math.nan
    busy_rate: float = math.nan
    why: dict[str, str] = field(default_factory=dict)
    predicted: np.ndarray | None = None
    rows: np.ndarray | None = None
    thirds: tuple[np.ndarray, ...] = ()  # engagements and drive of the quietest, then the busiest days


def estimate_response(
    posts: np.ndarray,
    engagements: np.ndarray,
    followers: np.ndarray,
    defaults: tuple[float, float, float],
    read: tuple[bool, bool] | None = None,
) -> ResponseEstimate:
    """Read the decay and the posting response of consecutive days (a missing day is left out with the days it feeds).

    Args:
        posts: brand posts per day (consecutive days; NaN: a missing day).
        engagements: engagements per day.
        followers: followers per day.
        defaults: (half-life in hours, decay stretch, appetite in posts per day): the model's values
            used for what is not read.
        read: (decay, response) to read, or None to decide from the variation of the posting.
    """
    from scipy.optimize import least_squares

    from communitysim.mechanisms.feed import attention

    half_life0, stretch, appetite0 = defaults
    known = ~np.isnan(posts)
    filled = np.where(known, posts, np.nanmean(posts) if known.any() else 0.0)
    rate = recent_rate(filled)
    lagged = np.concatenate([np.full(LAG_DAYS - 1, np.mean(filled[:7])), filled])
    window = np.lib.stride_tricks.sliding_window_view(lagged, LAG_DAYS)[:, ::-1]  # row d: posts of d, d-1, ...
    missing_near = np.convolve(~known, np.ones(3), mode="full")[: posts.size] > 0  # the day or the 2 before
    rows = ~missing_near & ~np.isnan(engagements) & ~np.isnan(followers) & (np.arange(posts.size) >= 2)
    why: dict[str, str] = {}
    if read is None:
        mean = float(np.mean(filled[rows])) if rows.any() else 0.0
        variation = float(np.std(filled[rows]) / mean) if mean > 0 else 0.0
        spread = rhythm_spread(rate[rows]) if rows.any() else math.inf
        read = (variation >= MIN_DAILY_VARIATION, MIN_RHYTHM_RATIO <= spread < math.inf)
        if not read[0]:
            why["post_half_life_hours"] = t("cal.why.same_posts", variation=number(variation, 2))
        if not read[1]:
            why["appetite_posts_per_day"] = t("cal.why.rhythm", spread=number(spread, 2),
                                              needed=number(MIN_RHYTHM_RATIO, None))  # fmt: skip
    y, n = engagements[rows], followers[rows]
    worth = attention(rate[rows], appetite0)  # the level's slow changes with the rhythm

    def predict(theta: np.ndarray) -> np.ndarray:
        half_life = math.exp(theta[1]) if read[0] else half_life0
        return math.exp(theta[0]) * n * worth * (window[rows] @ lag_weights(half_life, stretch))

    def residuals(theta: np.ndarray) -> np.ndarray:
        expected = predict(theta)
        return (y - expected) / np.sqrt(np.maximum(expected, 0.0) + 1.0)

    scale = float(np.sum(y) / max(np.sum(n * worth * (window[rows] @ lag_weights(half_life0, stretch))), 1e-12))
    theta0 = [math.log(max(scale, 1e-12))] + [math.log(half_life0)] * read[0]
    low, high = [-40.0] + [math.log(0.1)] * read[0], [10.0] + [math.log(24 * 14)] * read[0]
    theta = least_squares(residuals, np.clip(theta0, low, high), bounds=(low, high), x_scale="jac").x
    half_life = math.exp(theta[1]) if read[0] else None
    estimate = ResponseEstimate(math.exp(theta[0]), half_life, why=why, predicted=predict(theta), rows=rows)
    if read[1]:
        drive = n * (window[rows] @ lag_weights(half_life or half_life0, stretch))
        quiet_cut, busy_cut = np.quantile(rate[rows], [1 / 3, 2 / 3])
        quiet, busy = (rate[rows] <= quiet_cut) & (drive > 0), (rate[rows] >= busy_cut) & (drive > 0)
        estimate.quiet_rate, estimate.busy_rate = float(rate[rows][quiet].mean()), float(rate[rows][busy].mean())
        estimate.response_ratio = float((y[busy].sum() / drive[busy].sum()) / (y[quiet].sum() / drive[quiet].sum()))
        estimate.thirds = (y[quiet], drive[quiet], y[busy], drive[busy])
    return estimate


#: Appetites tried to read the posting response (posts per day), and runs per appetite.
APPETITE_GRID = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
APPETITE_RUNS = 2


def attention_ratio(appetite: float | np.ndarray, quiet_rate: float, busy_rate: float) -> float | np.ndarray:
    """What attention alone makes of the response ratio: ``(1 + quiet / appetite) / (1 + busy / appetite)``."""
    return (1 + quiet_rate / np.asarray(appetite)) / (1 + busy_rate / np.asarray(appetite))


def appetite_for(ratio: float, curve: tuple[float, float], quiet_rate: float, busy_rate: float) -> float:
    """The appetite at which the calibrated model's line ``ratio = a + b x attention_ratio`` gives ``ratio``.

    Bounded to the grid tried (``APPETITE_GRID``): beyond it the export cannot tell appetites apart.

    Example:
        >>> round(appetite_for(float(attention_ratio(1.5, 0.4, 1.4)), (0.0, 1.0), 0.4, 1.4), 3)
        1.5
    """
    a, b = curve
    x = (ratio - a) / b  # the attention ratio wanted
    low, high = (
        attention_ratio(APPETITE_GRID[0], quiet_rate, busy_rate),
        attention_ratio(APPETITE_GRID[-1], quiet_rate, busy_rate),
    )
    if x <= low:
        return APPETITE_GRID[0]
    if x >= high:
        return APPETITE_GRID[-1]
    return float((quiet_rate - x * busy_rate) / (x - 1))


def _daily(export: Export) -> pd.DataFrame:
    """The export on consecutive days (missing days as NaN rows), with ``engagements``."""
    data = export.data
    parts = [c for c in ("reactions", "comments", "shares") if c in data]
    table = data.assign(engagements=data[parts].sum(axis=1, min_count=1))
    return table.set_index("day").reindex(np.arange(int(data["day"].iloc[-1]) + 1)).reset_index()


@dataclass
class EngagementFit:
    """The engagement matched to the export (moments matched by seeded runs of the fitted scenario).

    Attributes:
        per_view: ``engagement.per_view`` that gives the page's engagement rate per post by followers.
        comment_share, share_share: ``engagement.comment_share`` and ``share_share`` that give the export's mix
            of comments and shares among engagements (None: no such column).
        organic_reach_share: ``feed.organic_reach_share`` that gives the page's daily reach (None: no reach column).
        observed_rate, model_rate: engagements per post per follower, in the export and in the calibrated model.
        post_half_life_hours: ``engagement.post_half_life_hours``, the decay of a post's engagement (None: not read).
        appetite_posts_per_day: ``feed.appetite_posts_per_day``, the posting response (None: not read).
        intervals: parameter -> (low, high) bootstrap interval, for the decay and the response.
        why: parameter -> why it could not be read from this export (the model's default is kept).
        confidence: the level of the intervals.
        days, observed, fitted: the export's daily engagements (NaN: a missing day) and the mean of the
            calibrated runs over the same days; ``r2``: their R² (days present), the goodness of fit.
    """

    per_view: float
    comment_share: float | None
    share_share: float | None
    organic_reach_share: float | None
    observed_rate: float
    model_rate: float
    post_half_life_hours: float | None = None
    appetite_posts_per_day: float | None = None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    confidence: float = 0.95
    days: np.ndarray = field(default_factory=lambda: np.zeros(0))
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0))
    fitted: np.ndarray = field(default_factory=lambda: np.zeros(0))
    r2: float = math.nan

    def __str__(self) -> str:
        lines = [t("cal.fit.engagement", observed=percent(self.observed_rate, 3), model=percent(self.model_rate, 3),
                   r2=number(self.r2, 2))]  # fmt: skip
        for section, values in self.fields().items():
            for name, value in values.items():
                low, high = self.intervals.get(name, (None, None))
                if low is None:
                    lines.append(t("cal.fit.field", name=f"{section}.{name}", value=_sig(value)))
                else:
                    lines.append(t("cal.fit.field_band", name=f"{section}.{name}", value=_sig(value),
                                   level=percent(self.confidence), low=_sig(low), high=_sig(high)))  # fmt: skip
        for name, reason in self.why.items():
            lines.append(t("cal.fit.not_read", name=name, reason=reason))
        return "\n".join(lines)

    def fields(self) -> dict[str, dict[str, float]]:
        """The scenario fields it sets."""
        engagement = {"per_view": self.per_view}
        if self.comment_share is not None:
            engagement["comment_share"] = self.comment_share
        if self.share_share is not None:
            engagement["share_share"] = self.share_share
        if self.post_half_life_hours is not None:
            engagement["post_half_life_hours"] = self.post_half_life_hours
        feed = {}
        if self.organic_reach_share is not None:
            feed["organic_reach_share"] = self.organic_reach_share
        if self.appetite_posts_per_day is not None:
            feed["appetite_posts_per_day"] = self.appetite_posts_per_day
        out: dict[str, dict[str, float]] = {"engagement": engagement}
        if feed:
            out["feed"] = feed
        return out


def _engagement_moments(table: pd.DataFrame, members: str) -> tuple[float, float]:
    """(engagements per post per follower, reach per follower per day) of a daily table.

    Over all days, not the posting days only: a post's engagement and reach spill into the next day
    depending on its hour, which an export does not give.
    """
    followers = table[members].clip(lower=1.0)
    posts = float(table["posts"].sum())
    rate = float(table["engagements"].sum() / posts / followers.mean()) if posts else math.nan
    reach = float((table["reach"] / followers).mean()) if "reach" in table and len(table) else math.nan
    return rate, reach


def _calendar(posts: np.ndarray) -> list[float]:
    """The days of the posts of a daily count (row d is the day ending at d).

    An export has no posting hours: the n-th post goes out at the hour ``frac(0.5 + n x golden ratio)``
    of its day, so the hours are spread evenly over the day across posts (as the engagement regression
    assumes), without a random draw.
    """
    days, published = [], 0
    for day, count in enumerate(np.nan_to_num(posts).round().astype(int)):
        hours = sorted((0.5 + (published + j) * 0.6180339887498949) % 1.0 for j in range(count))
        days.extend(day - 1 + hour for hour in hours)
        published += count
    return [d for d in days if d > 0]


def fit_engagement(
    export: Export,
    growth: GrowthFit,
    seeds: Sequence[int] = (1, 2, 3),
    bootstrap: int = 100,
    seed: int = 1,
    confidence: float = 0.95,
) -> EngagementFit:
    """Match the model's engagement level, mix, reach, decay and posting response to the export's.

    Needs a posts column and at least one of reactions, comments, shares. The fitted scenario is run
    over the export's own days, posting on the export's days (the ``calendar`` schedule).

    1. **Posting response** (when the rhythm changed enough): the model is run at each appetite of
       ``APPETITE_GRID`` (``APPETITE_RUNS`` seeds each); the response ratio it gives (see
       :class:`ResponseEstimate`) is regressed on what attention alone predicts, and the line is inverted
       at the export's ratio: ``feed.appetite_posts_per_day``.
    2. **Level, mix, reach, decay**: ``feed.organic_reach_share`` (with a reach column),
       ``engagement.per_view``, the comment and share shares and ``engagement.post_half_life_hours``
       (when the daily posts vary) are moved until, averaged over ``seeds``, the model's reach,
       engagement rate per post by followers and mix match the export's within ``MATCH_TOLERANCE`` and
       the half-life read by :func:`estimate_response` within ``SHAPE_TOLERANCE`` (at most
       ``MATCH_ROUNDS`` rounds; per_view by a secant step, since engagement breeds engagement).

    What the export cannot tell keeps the model's default, and ``why`` says so. Intervals: for the
    half-life, a bootstrap of the regression's Pearson residuals on the export (the normal interval
    in logs around the fitted half-life, the resamples' spread); for the
    appetite, the days of each third resampled, the ratio's percentile interval carried through the
    inverted line.

    Raises:
        ScenarioError: the export has no posts or no engagement column.
    """
    import communitysim as cs
    from communitysim.scenario import Scenario

    data = export.data
    parts = [c for c in ("reactions", "comments", "shares") if c in data]
    if "posts" not in data or not parts:
        raise ScenarioError(frame(export.source, t("cal.err.engagement", columns=", ".join(data.columns[2:]))))
    daily = _daily(export).tail(365).reset_index(drop=True)  # at most a year of history is replayed
    table = daily.dropna(subset=["posts", "engagements"])
    observed_rate, observed_reach = _engagement_moments(table, "followers")
    if not observed_rate > 0:
        raise ScenarioError(frame(export.source, t("cal.err.nothing")))
    total = float(table["engagements"].sum())
    observed_comments = float(table["comments"].sum() / total) if "comments" in table and total else None
    observed_shares = float(table["shares"].sum() / total) if "shares" in table and total else None
    defaults = Scenario()
    stretch = defaults.engagement.post_decay_stretch
    model_defaults = (defaults.engagement.post_half_life_hours, stretch, defaults.feed.appetite_posts_per_day)
    series = [daily[c].to_numpy(dtype=float) for c in ("posts", "engagements", "followers")]
    observed = estimate_response(*series, model_defaults)
    if export.per_post:  # lifetime figures on the posting day: nothing on the days after a post
        if observed.half_life_hours is not None:
            observed = estimate_response(*series, model_defaults, (False, observed.response_ratio is not None))
        observed.why["post_half_life_hours"] = t("cal.why.lifetime")
    read = (observed.half_life_hours is not None, observed.response_ratio is not None)
    why = dict(observed.why)
    fit = EngagementFit(
        per_view=defaults.engagement.per_view,
        comment_share=defaults.engagement.comment_share if observed_comments is not None else None,
        share_share=defaults.engagement.share_share if observed_shares is not None else None,
        organic_reach_share=defaults.feed.organic_reach_share if not math.isnan(observed_reach) else None,
        observed_rate=observed_rate,
        model_rate=math.nan,
        post_half_life_hours=observed.half_life_hours,
        confidence=confidence,
    )

    scale = [1.0]

    def runs(trial: EngagementFit, run_seeds: Sequence[int]) -> list[pd.DataFrame]:
        fields = growth.to_scenario(engagement=trial)
        fields["days"] = len(daily) - 1
        fields["audience"]["size"] = math.ceil(growth.market)  # the export's start: nobody had left yet
        fields["seeding"]["size"] = max(1, round(float(series[2][0])))
        scale[0] = _scaled_down(fields)  # the moments matched are per follower: the same at any scale
        fields["strategy"].update(schedule="calendar", calendar_days=_calendar(series[0]),
                                  posts_per_week=float(np.nanmean(series[0][:7])) * 7)  # fmt: skip
        return [cs.run(fields, seed=run_seed).timeseries for run_seed in run_seeds]

    def summaries(tables: list[pd.DataFrame], appetite: float) -> list[ResponseEstimate]:
        return [estimate_response(*(ts[c].to_numpy(dtype=float)[1:] for c in ("posts", "engagements", "members")),
                                  (fit.post_half_life_hours or model_defaults[0], stretch, appetite), read)
                for ts in tables]  # fmt: skip

    curve = None
    if read[1]:  # 1. the posting response
        x, y = [], []
        for appetite in APPETITE_GRID:
            trial = dataclasses.replace(fit, appetite_posts_per_day=appetite)
            for found in summaries(runs(trial, range(100, 100 + APPETITE_RUNS)), appetite):
                x.append(float(attention_ratio(appetite, observed.quiet_rate, observed.busy_rate)))
                y.append(found.response_ratio)
        finite = np.isfinite(y)
        slope, intercept = np.polyfit(np.array(x)[finite], np.array(y)[finite], 1) if finite.sum() > 2 else (0, 0)
        if slope > 0:
            curve = (float(intercept), float(slope))
            fit.appetite_posts_per_day = appetite_for(observed.response_ratio, curve, observed.quiet_rate,
                                                      observed.busy_rate)  # fmt: skip
        else:
            why["appetite_posts_per_day"] = t("cal.why.noise")
    tried: tuple[float, float] | None = None  # the last (per_view, model rate)
    for _ in range(MATCH_ROUNDS):  # 2. level, mix, reach, decay
        tables = runs(fit, seeds)
        rates, reaches, mixes = [], [], []
        for ts in tables:
            rate, reach = _engagement_moments(ts.iloc[1:], "members")
            rates.append(rate)
            reaches.append(reach)
            done = float(ts["engagements"].sum())
            mixes.append((ts["comments"].sum() / done, ts["shares"].sum() / done) if done else (math.nan, math.nan))
        fit.model_rate, model_reach = float(np.nanmean(rates)), float(np.nanmean(reaches))
        model_comments, model_shares = np.nanmean(np.array(mixes), axis=0)
        model_half_life = None
        if read[0]:
            found = summaries(tables, fit.appetite_posts_per_day or model_defaults[2])
            model_half_life = float(np.exp(np.mean(np.log([f.half_life_hours for f in found]))))
        matched = abs(fit.model_rate / observed_rate - 1) < MATCH_TOLERANCE
        if fit.organic_reach_share is not None:
            matched &= abs(model_reach / observed_reach - 1) < MATCH_TOLERANCE
        if model_half_life is not None:
            matched &= abs(model_half_life / observed.half_life_hours - 1) < SHAPE_TOLERANCE
        if matched:
            break  # the parameters just run match: stop with them
        if fit.organic_reach_share is not None and model_reach > 0:
            fit.organic_reach_share = float(min(1.0, fit.organic_reach_share * observed_reach / model_reach))
        if fit.model_rate > 0:
            elasticity = 1.0
            if tried and fit.per_view != tried[0]:
                elasticity = math.log(fit.model_rate / tried[1]) / math.log(fit.per_view / tried[0])
                elasticity = min(max(elasticity, 1.0), 4.0) if math.isfinite(elasticity) else 1.0
            tried = (fit.per_view, fit.model_rate)
            fit.per_view = float(min(1.0, fit.per_view * (observed_rate / fit.model_rate) ** (1 / elasticity)))
        if fit.comment_share is not None and model_comments > 0:  # the parameter is a baseline member's share
            fit.comment_share = float(min(1.0, fit.comment_share * observed_comments / model_comments))
        if fit.share_share is not None and model_shares > 0:
            fit.share_share = float(min(1.0, fit.share_share * observed_shares / model_shares))
        if model_half_life is not None:
            half_life = fit.post_half_life_hours * observed.half_life_hours / model_half_life
            if not HALF_LIFE_BOUNDS[0] < half_life < HALF_LIFE_BOUNDS[1]:  # no decay explains the days after posts
                read = (False, read[1])
                fit.post_half_life_hours = None
                why["post_half_life_hours"] = t("cal.why.late_hours", low=number(HALF_LIFE_BOUNDS[0], None),
                                                high=number(HALF_LIFE_BOUNDS[1], None))  # fmt: skip
            else:
                fit.post_half_life_hours = float(half_life)
    fit.why = why
    fit.days = daily["day"].to_numpy(dtype=float)
    fit.observed = series[1]
    fit.fitted = np.mean([ts["engagements"].to_numpy(dtype=float) for ts in tables], axis=0) * scale[0]
    present = ~np.isnan(fit.observed) & (fit.days > 0)
    spread = np.sum((fit.observed[present] - fit.observed[present].mean()) ** 2)
    fit.r2 = float(1 - np.sum((fit.observed[present] - fit.fitted[present]) ** 2) / spread) if spread > 0 else math.nan
    fit.intervals = _response_intervals(series, observed, read, fit, curve, model_defaults, bootstrap, seed)
    return fit


def _response_intervals(
    series: list[np.ndarray],
    observed: ResponseEstimate,
    read: tuple[bool, bool],
    fit: EngagementFit,
    curve: tuple[float, float] | None,
    defaults: tuple[float, float, float],
    bootstrap: int,
    seed: int,
) -> dict[str, tuple[float, float]]:
    """Bootstrap intervals of the decay and the appetite (Pearson residuals of the regression, resampled)."""
    if bootstrap <= 0 or not any(read) or observed.predicted is None:
        return {}
    posts, engagements, followers = series
    rows, expected = observed.rows, observed.predicted
    scale = np.sqrt(expected + 1.0)
    pearson = (engagements[rows] - expected) / scale
    pearson -= pearson.mean()
    rng = np.random.default_rng(seed)
    start = (observed.half_life_hours or defaults[0], defaults[1], defaults[2])
    tail = (1 - fit.confidence) / 2 * 100
    intervals = {}
    if read[0] and fit.post_half_life_hours is not None:  # the regression's Pearson residuals resampled
        draws = []
        for _ in range(bootstrap):
            resampled = engagements.copy()
            resampled[rows] = np.maximum(expected + rng.choice(pearson, pearson.size) * scale, 0.0)
            draws.append(estimate_response(posts, resampled, followers, start, (True, False)))
        # the normal interval in logs: the resamples' spread around the estimate (their centre is biased
        # by the regression's misfit, so percentile intervals sit off the estimate: measured)
        half_width = NormalDist().inv_cdf(1 - tail / 100) * float(np.std(np.log([d.half_life_hours for d in draws])))
        intervals["post_half_life_hours"] = (fit.post_half_life_hours * math.exp(-half_width),
                                             fit.post_half_life_hours * math.exp(half_width))  # fmt: skip
    if curve is not None:  # the days of each third resampled
        y_quiet, drive_quiet, y_busy, drive_busy = observed.thirds
        ratios = []
        for _ in range(bootstrap):
            quiet = rng.integers(0, y_quiet.size, y_quiet.size)
            busy = rng.integers(0, y_busy.size, y_busy.size)
            ratios.append(
                (y_busy[busy].sum() / drive_busy[busy].sum()) / (y_quiet[quiet].sum() / drive_quiet[quiet].sum())
            )
        low, high = np.percentile(ratios, [tail, 100 - tail])
        ends = sorted(appetite_for(r, curve, observed.quiet_rate, observed.busy_rate) for r in (low, high))
        intervals["appetite_posts_per_day"] = (ends[0], ends[1])
    return intervals
