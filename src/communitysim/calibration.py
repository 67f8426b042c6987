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
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from communitysim.scenario import ScenarioError

__all__ = [
    "COLUMN_NAMES",
    "Export",
    "EngagementFit",
    "GrowthFit",
    "bass_curve",
    "fit_engagement",
    "fit_growth",
    "read_export",
]

#: Column names recognised in platform exports (lower-cased, spaces and punctuation kept).
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "date (utc)", "jour"),
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


@dataclass
class Export:
    """A page's history: one row per day present (``day`` counted from the first date), and its gaps.

    Attributes:
        data: columns ``date``, ``day`` and the counts found (``followers`` always).
        source: the file, for messages.
        gaps: (first missing date, number of missing days) for every hole in the dates.
    """

    data: pd.DataFrame
    source: str
    gaps: list[tuple[str, int]] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Days from the first to the last date."""
        return int(self.data["day"].iloc[-1])


def read_export(path: str | Path, mapping: dict[str, str] | None = None) -> Export:
    """Read a platform export (CSV), check it and report its gaps.

    Args:
        path: the CSV file.
        mapping: our column name -> the file's column name, for names not recognised.

    Raises:
        ScenarioError: a missing file or column, an unreadable date, a negative or non-numeric
            count, a repeated date (one line naming the file, the row and the column).
    """
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise ScenarioError(f"{name}: no such file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{name}: not a readable CSV file ({' '.join(str(exc).split())[:120]})") from None
    columns = _columns(raw, name, mapping or {})
    rows = []
    for index, record in raw.iterrows():
        row_number = int(index) + 2  # the header is row 1
        text = str(record[columns["date"]]).strip()
        date = pd.to_datetime(text, errors="coerce", dayfirst=_dayfirst(text))
        if pd.isna(date):
            raise ScenarioError(f"{name}: row {row_number}, column {columns['date']}: cannot read {text!r} as a date")
        row: dict[str, Any] = {"date": date.normalize()}
        for ours, theirs in columns.items():
            if ours == "date":
                continue
            cell = str(record[theirs]).strip().replace(",", "").replace(" ", "")
            if cell == "" and ours != "followers":
                row[ours] = math.nan
                continue
            try:
                value = float(cell)
            except ValueError:
                raise ScenarioError(
                    f"{name}: row {row_number}, column {theirs}: expected a count, got {cell!r}"
                ) from None
            if not math.isfinite(value) or value < 0:
                raise ScenarioError(f"{name}: row {row_number}, column {theirs}: expected a count >= 0, got {cell!r}")
            row[ours] = value
        rows.append(row)
    if len(rows) < 3:
        raise ScenarioError(f"{name}: expected at least 3 days of data, got {len(rows)}")
    data = pd.DataFrame(rows).sort_values("date", kind="stable").reset_index(drop=True)
    repeated = data["date"].duplicated()
    if repeated.any():
        when = data.loc[repeated.idxmax(), "date"].date()
        raise ScenarioError(f"{name}: column {columns['date']}: the date {when} appears twice")
    data.insert(1, "day", (data["date"] - data["date"].iloc[0]).dt.days.astype(int))
    steps = data["day"].diff().fillna(1).astype(int)
    gaps = [(str((data.loc[i, "date"] - pd.Timedelta(days=int(s) - 1)).date()), int(s) - 1)
            for i, s in steps.items() if s > 1]  # fmt: skip
    return Export(data, name, gaps)


def _dayfirst(text: str) -> bool:
    """European dates (25/11/2026) are day first; ISO dates are not."""
    return "/" in text and not text[:4].isdigit()


def _columns(raw: pd.DataFrame, name: str, mapping: dict[str, str]) -> dict[str, str]:
    unknown = set(mapping) - set(COLUMN_NAMES)
    if unknown:
        raise ScenarioError(
            f"mapping: unknown field {sorted(unknown)[0]!r}; expected some of: {', '.join(COLUMN_NAMES)}"
        )
    lowered = {str(c).strip().lower(): c for c in raw.columns}
    found: dict[str, str] = {}
    for ours, names in COLUMN_NAMES.items():
        if ours in mapping:
            if mapping[ours] not in raw.columns:
                raise ScenarioError(
                    f"{name}: no column {mapping[ours]!r} (mapped to {ours}); the file has: {', '.join(raw.columns)}"
                )
            found[ours] = mapping[ours]
            continue
        match = next((lowered[n] for n in names if n in lowered), None)
        if match is not None:
            found[ours] = match
    for required in ("date", "followers"):
        if required not in found:
            raise ScenarioError(
                f"{name}: no {required} column; expected one of: {', '.join(COLUMN_NAMES[required])} "
                f"(or map it: --map {required}=COLUMN); the file has: {', '.join(map(str, raw.columns))}"
            )
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

    def __str__(self) -> str:
        level = f"{self.confidence:.0%}"
        lines = [f"Bass growth fitted on {len(self.days)} days (R² {self.r2:.3f}, RMSE {self.rmse:,.1f} people):"]
        for name, value, unit in (
            ("p", self.p, "per day"),
            ("q", self.q, "per day"),
            ("market", self.market, "people"),
        ):
            low, high = self.intervals.get(name, (math.nan, math.nan))
            lines.append(f"  {name:<7} {value:.4g} {unit} ({level} interval {low:.4g} to {high:.4g})")
        if self.churn_rate_per_day is not None:
            lines.append(f"  churn   {self.churn_rate_per_day:.4g} per day (unfollows / followers)")
        return "\n".join(lines)

    def to_scenario(
        self,
        name: str = "my_page",
        description: str = "",
        posts_per_week: float | None = None,
        engagement: EngagementFit | None = None,
    ) -> dict:
        """The fitted community as scenario fields (complete audience, the page's followers as first members).

        Shares add no word-of-mouth of their own (``engagement.share_exposure`` 0): the fitted q
        already holds all of it. With ``engagement``, the engagement level and mix matched to the export.
        """
        from communitysim.mechanisms.feed import visibility_factor
        from communitysim.scenario import MAX_AUDIENCE, Scenario

        if self.market > MAX_AUDIENCE:
            raise ScenarioError(
                f"the fitted audience within reach ({self.market:.3g} people) is beyond the model's {MAX_AUDIENCE:,}: "
                "the growth has not started to slow down yet, so its ceiling is not known; export more days"
            )
        defaults = Scenario()
        rhythm = posts_per_week if posts_per_week is not None else self.posts_per_week
        rhythm = defaults.strategy.posts_per_week if rhythm is None else rhythm
        boost = visibility_factor(rhythm / 7.0, defaults.feed.reference_posts_per_week,
                                  defaults.feed.visibility_from_posts_share)  # fmt: skip
        followers = round(float(self.observed[-1] - self._cumulative_unfollows))
        return {
            "name": name,
            "description": description or f"Calibrated from a page's export ({len(self.days)} days).",
            "days": 90,
            "step_hours": 24,
            "audience": {"size": math.ceil(float(self.market)), "network": {"kind": "complete"},
                         "affinity": {"mean": 0.5, "spread": 0.0}, "activity": {"distribution": "constant"}},
            "growth": {"external_rate_per_day": float(self.p / boost), "word_of_mouth_rate_per_day": float(self.q),
                       "churn_rate_per_day": float(self.churn_rate_per_day or 0.0)},
            "community": {"norm_conformity_share": 0.0},
            "seeding": {"strategy": "random", "size": followers, "acceptance_share": 1.0, "invite_after_posts": 0},
            "launch": {"posts_ready": 0, "unready_conversion_share": 1.0},
            "strategy": {"posts_per_week": float(rhythm)},
            "engagement": {"share_exposure": 0.0, **(engagement.fields()["engagement"] if engagement else {})},
            **({"feed": engagement.fields()["feed"]} if engagement and "feed" in engagement.fields() else {}),
        }  # fmt: skip

    _cumulative_unfollows: float = 0.0
    unfollowed: np.ndarray | None = None  # cumulative unfollows per day fitted (None: no unfollows column)

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
    best = None
    for p0, q0, extra in starts:
        theta0 = np.log([p0, q0, max(extra * last, 1.0)])
        found = least_squares(residuals, theta0, method="trf", x_scale="jac", max_nfev=2000)
        if best is None or found.cost < best.cost:
            best = found
    assert best is not None
    p, q = float(np.exp(best.x[0])), float(np.exp(best.x[1]))
    return p, q, float(last + np.exp(best.x[2]))


def fit_growth(data: pd.DataFrame | Export, bootstrap: int = 200, seed: int = 1, confidence: float = 0.95) -> GrowthFit:
    """Fit the Bass growth to a page's followers, with bootstrap intervals.

    Args:
        data: an :class:`Export`, or a table with ``day`` and ``followers`` (optional ``unfollows``, ``posts``).
        bootstrap: resamples for the intervals (0: none).
        seed: the bootstrap's seed (a numpy Generator of its own; no global state).
        confidence: the level of the percentile intervals.
    """
    table = data.data if isinstance(data, Export) else data
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
    if "posts" in table and table["posts"].notna().any():
        posts = float(np.nansum(table["posts"].to_numpy(dtype=float)) / max(days[-1] - days[0] + 1, 1) * 7)
    days = days - days[0]
    p, q, market = _fit_once(days, adopters)
    fitted = bass_curve(days, p, q, market, adopters[0])
    residual = adopters - fitted
    total = np.sum((adopters - adopters.mean()) ** 2)
    r2 = float(1 - np.sum(residual**2) / total) if total > 0 else math.nan
    rmse = float(np.sqrt(np.mean(residual**2)))
    draws = np.empty((0, 3))
    intervals: dict[str, tuple[float, float]] = {}
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        increments_fit = np.diff(fitted)
        increments = np.diff(adopters)
        scale = np.sqrt(np.maximum(increments_fit, 1e-9))
        pearson = (increments - increments_fit) / scale
        pearson = pearson - pearson.mean()
        rows = []
        for _ in range(bootstrap):
            resampled = increments_fit + rng.choice(pearson, size=pearson.size, replace=True) * scale
            curve = adopters[0] + np.concatenate([[0.0], np.cumsum(resampled)])
            rows.append(_fit_once(days, curve, near=(p, q, market)))
        draws = np.array(rows)
        tail = (1 - confidence) / 2 * 100
        for column, name in enumerate(("p", "q", "market")):
            low, high = np.percentile(draws[:, column], [tail, 100 - tail])
            intervals[name] = (float(low), float(high))
    result = GrowthFit(p, q, market, float(adopters[0]), days, adopters, fitted, intervals, draws, r2, rmse,
                       churn, posts, confidence)  # fmt: skip
    result._cumulative_unfollows = unfollows
    result.unfollowed = cumulative_lost
    return result


# --- the scenario and the forecast --------------------------------------------------------------


def save_scenario(fields: dict[str, Any], path: str | Path) -> Path:
    """Validate scenario fields and write them as YAML, atomically (the file every tool reads)."""
    import yaml

    from communitysim.result import atomic_write_bytes
    from communitysim.scenario import load_scenario

    load_scenario(fields)  # never write a scenario the tools would refuse
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# written by communitysim calibrate\n" + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True)
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


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
    runs the model with its own seed (chance), so the band holds both.

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
    from communitysim.sweeps import replication_seeds

    strategies = strategies or {"current": {}}
    seeds = replication_seeds(seed, replications)
    draws = fit.draws if len(fit.draws) else np.array([[fit.p, fit.q, fit.market]])
    rows = []
    for name, overrides in strategies.items():
        curves = []
        for replication, run_seed in enumerate(seeds):
            p, q, market = draws[replication % len(draws)]
            varied = dataclasses.replace(fit, p=p, q=q, market=max(market, fit.observed[-1]))
            fields = varied.to_scenario()
            fields["days"] = days
            result = cs.run(fields, seed=run_seed, overrides=overrides)
            members = result.timeseries["members"].to_numpy(dtype=float)
            members[0] = fields["seeding"]["size"]  # day 0 is the export's last day: the page's followers
            curves.append(members)
        block = np.vstack(curves)
        tail = (1 - level) / 2
        low, median, high = np.quantile(block, [tail, 0.5, 1 - tail], axis=0)
        rows.append(pd.DataFrame({"strategy": name, "day": np.arange(block.shape[1], dtype=float), "low": low,
                                  "median": median, "high": high}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def plot_fit(fit: GrowthFit, ahead: pd.DataFrame | None = None):
    """The followers: the export, the fitted curve over it, and the forecast bands after it."""
    from matplotlib.figure import Figure

    from communitysim.ui.messages import number, t

    figure = Figure(figsize=(7.5, 4), layout="constrained")
    axes = figure.subplots()
    lost = fit.unfollowed if fit.unfollowed is not None else 0.0
    axes.plot(fit.days, fit.followers, ".", color="#444", markersize=3, label=t("plot.fit.export"))
    axes.plot(fit.days, fit.fitted - lost, color="C0", label=t("plot.fit.fit", r2=number(fit.r2, 3)))
    if ahead is not None:
        offset = float(fit.days[-1])
        for number, (name, block) in enumerate(ahead.groupby("strategy", sort=False)):
            x = offset + block["day"].to_numpy()
            colour = f"C{number + 1}"
            axes.fill_between(x, block["low"], block["high"], color=colour, alpha=0.2)
            axes.plot(x, block["median"], color=colour, label=t("plot.fit.forecast", strategy=name))
    axes.set(xlabel=t("plot.day"), ylabel=t("plot.fit.followers"), title=t("plot.fit.title"))
    axes.legend(fontsize="small")
    return figure


# --- engagement level ---------------------------------------------------------------------------


#: Rounds of the engagement match at most, and the relative gap at which it stops.
MATCH_ROUNDS = 8
MATCH_TOLERANCE = 0.03


@dataclass
class EngagementFit:
    """The engagement level matched to the export (moments matched by seeded runs of the fitted scenario).

    Attributes:
        per_view: ``engagement.per_view`` that gives the page's engagement rate per post by followers.
        comment_share, share_share: ``engagement.comment_share`` and ``share_share`` that give the export's mix
            of comments and shares among engagements (None: no such column).
        organic_reach_share: ``feed.organic_reach_share`` that gives the page's daily reach (None: no reach column).
        observed_rate, model_rate: engagements per post per follower, in the export and in the calibrated model.
    """

    per_view: float
    comment_share: float | None
    share_share: float | None
    organic_reach_share: float | None
    observed_rate: float
    model_rate: float

    def __str__(self) -> str:
        lines = [f"Engagement matched: {self.observed_rate:.3%} engagements per post per follower in the export, "
                 f"{self.model_rate:.3%} in the model"]  # fmt: skip
        for name, value in self.fields()["engagement"].items():
            lines.append(f"  engagement.{name} = {value:.4g}")
        for name, value in self.fields().get("feed", {}).items():
            lines.append(f"  feed.{name} = {value:.4g}")
        return "\n".join(lines)

    def fields(self) -> dict[str, dict[str, float]]:
        """The scenario fields it sets."""
        engagement = {"per_view": self.per_view}
        if self.comment_share is not None:
            engagement["comment_share"] = self.comment_share
        if self.share_share is not None:
            engagement["share_share"] = self.share_share
        out: dict[str, dict[str, float]] = {"engagement": engagement}
        if self.organic_reach_share is not None:
            out["feed"] = {"organic_reach_share": self.organic_reach_share}
        return out


def _engagement_moments(table: pd.DataFrame, members: str) -> tuple[float, float]:
    """(engagements per post per follower, reach per follower on posting days) of a daily table."""
    posted = table[table["posts"] > 0]
    followers = posted[members].clip(lower=1.0)
    rate = float(posted["engagements"].sum() / posted["posts"].sum() / followers.mean()) if len(posted) else math.nan
    reach = float((posted["reach"] / followers).mean()) if "reach" in posted and len(posted) else math.nan
    return rate, reach


def fit_engagement(
    export: Export, growth: GrowthFit, seeds: Sequence[int] = (1, 2, 3), days: int = 30
) -> EngagementFit:
    """Match the model's engagement level (and reach) to the export's, by seeded runs of the fitted scenario.

    Needs a posts column and at least one of reactions, comments, shares. ``feed.organic_reach_share``
    (with a reach column), ``engagement.per_view`` and the comment and share shares are scaled until
    the model's reach, engagement rate per post by followers and mix match the export's within
    ``MATCH_TOLERANCE`` (at most ``MATCH_ROUNDS`` rounds, averaged over ``seeds``; each moment is
    close to proportional to its parameter; ``model_rate`` is the rate of the parameters returned,
    unless the rounds ran out).

    Raises:
        ScenarioError: the export has no posts or no engagement column.
    """
    import communitysim as cs
    from communitysim.scenario import Scenario

    data = export.data
    parts = [c for c in ("reactions", "comments", "shares") if c in data]
    if "posts" not in data or not parts:
        raise ScenarioError(
            f"{export.source}: the engagement fit needs a posts column and reactions, comments or shares; "
            f"the file has: {', '.join(data.columns[2:])}"
        )
    table = data.assign(engagements=data[parts].fillna(0).sum(axis=1))
    observed_rate, observed_reach = _engagement_moments(table, "followers")
    total = float(table["engagements"].sum())
    observed_comments = float(table["comments"].sum() / total) if "comments" in table and total else None
    observed_shares = float(table["shares"].sum() / total) if "shares" in table and total else None
    defaults = Scenario()
    comment_share_param = defaults.engagement.comment_share
    share_share_param = defaults.engagement.share_share
    comment_share = comment_share_param if observed_comments is not None else None
    share_share = share_share_param if observed_shares is not None else None
    per_view = defaults.engagement.per_view
    reach_share = defaults.feed.organic_reach_share if not math.isnan(observed_reach) else None
    model_rate = math.nan
    for _ in range(MATCH_ROUNDS):
        trial = EngagementFit(per_view, comment_share, share_share, reach_share, observed_rate, math.nan)
        fields = growth.to_scenario(engagement=trial)
        fields["days"] = days
        rates, reaches, mixes = [], [], []
        for seed in seeds:
            ts = cs.run(fields, seed=seed).timeseries.iloc[1:]
            rate, reach = _engagement_moments(ts, "members")
            rates.append(rate)
            reaches.append(reach)
            done = float(ts["engagements"].sum())
            mixes.append((ts["comments"].sum() / done, ts["shares"].sum() / done) if done else (math.nan, math.nan))
        model_rate, model_reach = float(np.nanmean(rates)), float(np.nanmean(reaches))
        model_comments, model_shares = np.nanmean(np.array(mixes), axis=0)
        if abs(model_rate / observed_rate - 1) < MATCH_TOLERANCE and (
            reach_share is None or abs(model_reach / observed_reach - 1) < MATCH_TOLERANCE
        ):
            break  # the parameters just run match: stop with them
        if reach_share is not None and model_reach > 0:
            reach_share = float(min(1.0, reach_share * observed_reach / model_reach))
        if model_rate > 0:
            per_view = float(min(1.0, per_view * observed_rate / model_rate))
        if comment_share is not None and model_comments > 0:  # the parameter is a baseline member's share
            comment_target = float(min(1.0, comment_share_param * observed_comments / model_comments))
            comment_share_param = comment_target
            comment_share = comment_share_param
        if share_share is not None and model_shares > 0:
            share_share_param = float(min(1.0, share_share_param * observed_shares / model_shares))
            share_share = share_share_param
    return EngagementFit(per_view, comment_share, share_share, reach_share, observed_rate, model_rate)
