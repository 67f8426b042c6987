"""The growth fit: the Bass model from the page's starting point, the posting rhythm's share of p, intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from communitysim.calibration.export import Export
from communitysim.mechanisms.posting import recent_rate_after
from communitysim.messages import number, percent, t
from communitysim.scenario import FeedParams, ScenarioError, frame

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.calibration.engagement import EngagementFit


#: The posting must vary this much for its effect on growth and engagement to be read: the ratio of
#: the 90th to the 10th percentile of the recent posting rate.
MIN_RHYTHM_RATIO = 1.5


def recent_rate(posts: np.ndarray) -> np.ndarray:
    """The model's recent posting rate (7-day moving average, posts per day) after each day's posts."""
    rate = np.empty(posts.size)
    current = float(np.mean(posts[:7])) if posts.size else 0.0
    for day, count in enumerate(posts):
        rate[day] = current = recent_rate_after(current, count, 1.0)
    return rate


def rhythm_spread(rate: np.ndarray) -> float:
    """How much the recent posting rate changed: its 90th percentile over its 10th.

    Infinite when the quietest days had no posting at all; 1 when the page (almost) never posted.
    """
    low, high = np.quantile(rate, [0.1, 0.9])
    if high <= 0:
        return 1.0
    return float(high / low) if low > 0 else math.inf


#: Retention that leaves the churn rate as given and adds no word-of-mouth of its own: a calibrated
#: page's churn and q are what its export shows (bass_validation.yaml writes the same).
NEUTRAL_RETENTION = {"bond_per_reply": 0.0, "bond_per_member_answer": 0.0, "bond_per_view": 0.0, "tie_effect": 0.0,
                     "conversation_exposure": 0.0}  # fmt: skip


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
        feed: the feed parameters the fit read the page against (its reference rhythm).
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
    feed: FeedParams = field(default_factory=FeedParams)

    @property
    def span_days(self) -> int:
        """Days from the first date fitted to the last (yearly data: about 365 a date)."""
        return round(float(self.days[-1] - self.days[0])) if len(self.days) else 0

    def __str__(self) -> str:
        level = percent(self.confidence)
        span = number(self.span_days)
        lines = [t("cal.fit.growth", dates=len(self.days), days=span, r2=number(self.r2, 3), rmse=number(self.rmse, 1))]
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
            reference = number(self.feed.reference_posts_per_week, None)
            lines.append(t("cal.fit.visibility", share=number(self.visibility_share, 2), level=level,
                           low=number(low, 2), high=number(high, 2), posts=reference, p=_sig(self.base_p)))  # fmt: skip
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
        boost = visibility_factor(rhythm / 7.0, self.feed.reference_posts_per_week,
                                  self.feed.visibility_from_posts_share)  # fmt: skip
        external = self.p / boost if self.base_p is None else self.base_p
        feed = dict(engagement.fields().get("feed", {})) if engagement else {}
        if self.visibility_share is not None:
            feed["visibility_from_posts_share"] = self.visibility_share
        if self.feed.reference_posts_per_week != defaults.feed.reference_posts_per_week:
            feed["reference_posts_per_week"] = self.feed.reference_posts_per_week  # base_p is p at this rhythm
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


def _rhythm_factor(
    days: np.ndarray, posts: np.ndarray, reference_posts_per_week: float
) -> tuple[np.ndarray | None, str]:
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
    return np.sqrt(rate[1:] / (reference_posts_per_week / 7.0)) - 1.0, ""


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


def fit_growth(
    data: pd.DataFrame | Export,
    bootstrap: int = 200,
    seed: int = 1,
    confidence: float = 0.95,
    feed: FeedParams | None = None,
) -> GrowthFit:
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
        feed: the feed parameters the visibility share is read against (``feed.reference_posts_per_week``,
            the one place the reference rhythm is held); default the scenario's defaults.

    Raises:
        ScenarioError: fewer than 3 follower counts, or no growth to fit (all equal, only going down).
    """
    feed = FeedParams() if feed is None else feed
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
        factor, reason = _rhythm_factor(days, table["posts"].to_numpy(dtype=float), feed.reference_posts_per_week)
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
                       churn, posts, confidence, share, base_p, why, feed)  # fmt: skip
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
