"""Engagement: its level, the decay of a post's reach and the response to the posting rhythm, matched by the model."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from communitysim.calibration.export import Export
from communitysim.calibration.growth import MIN_RHYTHM_RATIO, GrowthFit, _scaled_down, _sig, recent_rate, rhythm_spread
from communitysim.messages import number, percent, t
from communitysim.scenario import ScenarioError, frame

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
