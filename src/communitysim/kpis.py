"""Every KPI, defined once: the time-series columns a model records, and the KPIs read from them.

Two layers, both here and nowhere else:

- ``COLUMNS``: what the model records at the end of each step (a pure function of the model's
  state each); row 0 is the state at day 0, before the first step.
- ``KPIS``: KPI values at a given day, pure functions of the time series (testable on a
  hand-made DataFrame). ``docs/KPIS.md`` gives the same formulas in words.

The scorecard checks a scenario's SMART objectives (seed 001, II.3) against the KPIs.

Example:
    >>> import pandas as pd
    >>> ts = pd.DataFrame({"day": [0.0, 1.0, 2.0], "members": [0, 10, 12],
    ...                    "new_members": [0, 10, 3], "churned": [0, 0, 1]})
    >>> kpi_value(ts, "members", day=2), kpi_value(ts, "new_members", day=2)
    (12.0, 13.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel
    from communitysim.scenario import Objective

__all__ = [
    "Column",
    "COLUMNS",
    "KPI",
    "KPIS",
    "LOWER_IS_BETTER",
    "kpi_value",
    "final_kpis",
    "scorecard",
    "growth_rate_per_day",
    "mention_sentiment_between",
    "negative_share_between",
    "negative_share_window",
]


# --- time-series columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A time-series column: its name, unit, meaning and how to read it off the model."""

    name: str
    unit: str
    description: str
    read: Callable[[CommunityModel], float]
    dtype: str = "float64"


def growth_rate_per_day(members_before: float, members_after: float, dt_days: float) -> float:
    """Net growth over a step as a share of the members at its start, per day (0 with no members)."""
    if members_before <= 0:
        return 0.0
    return (members_after - members_before) / members_before / dt_days


def _mentions(m: CommunityModel) -> float:
    """Visible brand mentions in the step: members' comments, ordinary mentions, the bad buzz's visible mentions."""
    background = m.counts["members"] * m.params.crisis_dynamics.background_mentions_per_member_per_day * m.dt
    return m.last.comments + background + m.bad_buzz.last.negative_mentions


def _negative_mentions(m: CommunityModel) -> float:
    """Visible negative brand mentions in the step (moderated comments are hidden)."""
    return m.last.negative + m.bad_buzz.last.negative_mentions


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


COLUMNS: tuple[Column, ...] = (
    Column("step", "step", "step number (0: the initial state)", lambda m: m.steps, "int64"),
    Column("day", "day", "time at the end of the step", lambda m: m.day),
    Column("members", "people", "current members (stock)", lambda m: m.counts["members"], "int64"),
    Column("non_members", "people", "people who never joined (stock)", lambda m: m.counts["non_members"], "int64"),
    Column(
        "former_members", "people", "people who joined then left (stock)", lambda m: m.counts["former_members"], "int64"
    ),
    Column(
        "new_members", "people per step", "people who joined during the step (flow)", lambda m: m.last_joins, "int64"
    ),
    Column("churned", "people per step", "members who left during the step (flow)", lambda m: m.last_leaves, "int64"),
    Column(
        "growth_rate",
        "share per day",
        "(members after - members before) / members before / step length",
        lambda m: growth_rate_per_day(m.members_before_step, m.counts["members"], m.dt),
    ),
    Column("share_members", "share 0..1", "members / audience size", lambda m: m.counts["members"] / m.population.n),
    Column(
        "activity_norm",
        "x mean activity",
        "members' mean effective activity (NaN: no members)",
        lambda m: m.activity_norm,
    ),
    Column(
        "cum_posts",
        "posts",
        "brand posts published so far (cumulative)",
        lambda m: m.community_manager.posts_published,
        "int64",
    ),
    Column("readiness", "share 0..1", "launch readiness: the page's conversion factor", lambda m: m.readiness),
    # content, feed and engagement (per step unless said otherwise)
    Column("posts", "posts per step", "brand posts published during the step", lambda m: m.last.posts, "int64"),
    Column(
        "post_equivalents",
        "posts per step",
        "share of the live posts' lifetime engagement falling in the step",
        lambda m: m.last.post_weight,
    ),
    Column("reach", "people per step", "members who saw at least one brand post", lambda m: m.last.reach, "int64"),
    Column("impressions", "views per step", "views of brand posts by members", lambda m: m.last.impressions, "int64"),
    Column(
        "engagements", "per step", "reactions + comments + shares by members", lambda m: m.last.engagements, "int64"
    ),
    Column(
        "comments", "per step", "comments by members (to the brand or to members)", lambda m: m.last.comments, "int64"
    ),
    Column("shares", "per step", "shares by members", lambda m: m.last.shares, "int64"),
    Column(
        "engagement_rate_reach",
        "engagements per person reached",
        "engagements / reach (can pass 1: one person may react, comment and share)",
        lambda m: _ratio(m.last.engagements, m.last.reach),
    ),
    Column(
        "engagement_rate_followers",
        "share 0..1 per post",
        "engagements / (post_equivalents x members)",
        lambda m: _ratio(m.last.engagements, m.last.post_weight * m.counts["members"]),
    ),
    Column(
        "active_members",
        "people",
        "members with an action in the last engagement.inactive_days (stock)",
        lambda m: m.active_now,
        "int64",
    ),
    Column(
        "active_ratio",
        "share 0..1",
        "active_members / members",
        lambda m: _ratio(m.active_now, m.counts["members"]),
    ),
    Column(
        "member_interactions",
        "per step",
        "comments answering another member",
        lambda m: m.last.member_interactions,
        "int64",
    ),
    Column("comments_to_brand", "per step", "comments addressed to the brand", lambda m: m.last.to_brand, "int64"),
    Column("replies", "per step", "the CM's replies", lambda m: m.last.replies, "int64"),
    Column(
        "response_rate", "share 0..1", "replies / comments_to_brand", lambda m: _ratio(m.last.replies, m.last.to_brand)
    ),
    Column("response_time_h", "hours", "mean delay of the step's replies", lambda m: m.last.response_time_h),
    Column("positive_comments", "per step", "comments expected positive", lambda m: m.last.positive),
    Column("negative_comments", "per step", "comments expected negative", lambda m: m.last.negative),
    Column(
        "sentiment",
        "-100..100",
        "net sentiment of brand mentions: 100 x (positive_comments - negative_mentions) / mentions",
        lambda m: 100 * _ratio(m.last.positive - _negative_mentions(m), _mentions(m)),
    ),
    # crises and e-reputation
    Column("outraged", "people", "people spreading the bad buzz (stock)", lambda m: m.bad_buzz.last.outraged, "int64"),
    Column(
        "negative_reach",
        "people",
        "people who have heard the bad buzz, members or not (cumulative)",
        lambda m: int(m.bad_buzz.heard.sum()) if m.bad_buzz.active else 0,
        "int64",
    ),
    Column("mentions", "per step", "visible brand mentions: comments + the bad buzz's mentions", _mentions),
    Column("negative_mentions", "per step", "visible negative brand mentions", _negative_mentions),
    Column(
        "negative_share",
        "share 0..1",
        "negative_mentions / mentions",
        lambda m: _ratio(_negative_mentions(m), _mentions(m)),
    ),
    Column("hidden_comments", "per step", "negative comments hidden by moderation", lambda m: m.bad_buzz.last.hidden),
    Column(
        "crisis_hours",
        "hours",
        "hours since the first crisis went public (NaN before)",
        lambda m: float("nan") if m.crisis_started_day is None else 24.0 * (m.day - m.crisis_started_day),
    ),
    Column(
        "crisis_statements",
        "statements",
        "crisis statements made so far (cumulative)",
        lambda m: m.bad_buzz.last.responses,
        "int64",
    ),
    Column("leads", "people per step", "members who became qualified leads", lambda m: m.last.leads, "int64"),
    Column(
        "lurkers",
        "people",
        "members with no comment in the last 30 days",
        lambda m: m.participation_now["lurkers"],
        "int64",
    ),
    Column(
        "contributors",
        "people",
        "members with 1 to creator_comments_30d - 1 comments in the last 30 days",
        lambda m: m.participation_now["contributors"],
        "int64",
    ),
    Column(
        "creators",
        "people",
        "members with at least engagement.creator_comments_30d comments in the last 30 days",
        lambda m: m.participation_now["creators"],
        "int64",
    ),
    Column("mean_engagement", "x baseline", "members' mean engagement state", lambda m: m.mean_engagement_now),
    Column("mean_fatigue", "fatigue units", "members' mean fatigue", lambda m: m.mean_fatigue_now),
)


# --- KPIs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KPI:
    """A KPI: name, unit, formula in words, and its value at a day from the time series."""

    name: str
    unit: str
    formula: str
    value: Callable[[pd.DataFrame, float], float]


def _rows_until(ts: pd.DataFrame, day: float) -> pd.DataFrame:
    return ts[ts["day"] <= day + 1e-9]


def _stock(column: str) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        return float(rows[column].iloc[-1]) if len(rows) else float("nan")

    return value


def _cumulative(column: str) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        return float(_rows_until(ts, day)[column].sum())

    return value


def _trailing_mean(column: str, window_days: float) -> Callable[[pd.DataFrame, float], float]:
    """Time-weighted mean of a per-day rate over the steps ending in ``(day - window, day]``."""

    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        step_days = rows["day"].diff()
        keep = (rows["day"] > day - window_days + 1e-9) & (rows["step"] > 0)
        weights = step_days[keep]
        return float((rows.loc[keep, column] * weights).sum() / weights.sum()) if keep.any() else float("nan")

    return value


def _window_sum(column: str, window_days: float = 30.0) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        return float(rows.loc[rows["day"] > day - window_days + 1e-9, column].sum())

    return value


def _window_ratio(
    numerator: str | Callable[[pd.DataFrame], pd.Series],
    denominator: str | Callable[[pd.DataFrame], pd.Series],
    window_days: float | None = 30.0,
    scale: float = 1.0,
) -> Callable[[pd.DataFrame, float], float]:
    """Sum of numerator / sum of denominator over the last ``window_days`` (None: since day 0)."""

    def column(rows: pd.DataFrame, spec: str | Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
        return rows[spec] if isinstance(spec, str) else spec(rows)

    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        if window_days is not None:
            rows = rows[rows["day"] > day - window_days + 1e-9]
        den = float(column(rows, denominator).sum())
        return scale * float(column(rows, numerator).sum()) / den if den else float("nan")

    return value


def _share_of_members(column: str) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        if not len(rows):
            return float("nan")
        members = float(rows["members"].iloc[-1])
        return float(rows[column].iloc[-1]) / members if members else float("nan")

    return value


def _churn_rate(window_days: float = 30.0) -> Callable[[pd.DataFrame, float], float]:
    """Members who left in the window / everyone who was a member in it (members at its start + joiners)."""

    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        if not len(rows):
            return float("nan")
        inside = rows["day"] > day - window_days + 1e-9
        before = rows.loc[~inside, "members"]
        present = (float(before.iloc[-1]) if len(before) else 0.0) + float(rows.loc[inside, "new_members"].sum())
        return float(rows.loc[inside, "churned"].sum()) / present if present else float("nan")

    return value


#: Recovery: the negative share back within this (absolute share) of its pre-crisis mean.
RECOVERY_MARGIN = 0.05
#: The crisis curve (peak, time to peak, recovery) follows the negative share over this many hours.
PEAK_WINDOW_HOURS = 6


def negative_share_window(rows: pd.DataFrame) -> pd.Series:
    """Negative share of mentions over the ``PEAK_WINDOW_HOURS`` ending at each row (time-based window)."""
    index = pd.to_timedelta(rows["day"], unit="D")
    negative = rows["negative_mentions"].set_axis(index).rolling(f"{PEAK_WINDOW_HOURS}h").sum()
    mentions = rows["mentions"].set_axis(index).rolling(f"{PEAK_WINDOW_HOURS}h").sum()
    return (negative / mentions.where(mentions > 0)).set_axis(rows.index)


def _window_rows(ts: pd.DataFrame, after_day: float, until_day: float) -> pd.DataFrame:
    return ts[(ts["day"] > after_day + 1e-9) & (ts["day"] <= until_day + 1e-9)]


def negative_share_between(ts: pd.DataFrame, after_day: float, until_day: float) -> float:
    """Negative share of the brand's mentions over the steps ending in ``(after_day, until_day]`` (NaN: none).

    The crisis exercises' "6-hour negative share" is this over the last ``PEAK_WINDOW_HOURS``.

    Example:
        >>> ts = pd.DataFrame({"day": [1.0, 2.0], "mentions": [10.0, 30.0], "negative_mentions": [5.0, 3.0]})
        >>> negative_share_between(ts, 0.0, 2.0), negative_share_between(ts, 1.0, 2.0)
        (0.2, 0.1)
    """
    rows = _window_rows(ts, after_day, until_day)
    mentions = float(rows["mentions"].sum())
    return float(rows["negative_mentions"].sum()) / mentions if mentions else float("nan")


def mention_sentiment_between(ts: pd.DataFrame, after_day: float, until_day: float) -> float:
    """Net sentiment of the brand's mentions, -100..100, over ``(after_day, until_day]``: what the crisis feed shows.

    100 x (positive comments - negative mentions) / mentions, summed over the window (NaN without mentions).

    Example:
        >>> ts = pd.DataFrame({"day": [1.0], "mentions": [10.0], "negative_mentions": [4.0],
        ...                    "positive_comments": [1.0]})
        >>> mention_sentiment_between(ts, 0.0, 1.0)
        -30.0
    """
    rows = _window_rows(ts, after_day, until_day)
    mentions = float(rows["mentions"].sum())
    net = float(rows["positive_comments"].sum() - rows["negative_mentions"].sum())
    return max(-100.0, min(100.0, 100.0 * net / mentions)) if mentions else float("nan")


def _crisis_curve(ts: pd.DataFrame, day: float) -> tuple[float, float, float]:
    """(peak negative share, hours to peak, hours to recover) of the first crisis, up to ``day``."""
    rows = _rows_until(ts, day)
    during = rows["crisis_hours"].notna()
    if not during.any():
        return 0.0, float("nan"), float("nan")
    share = negative_share_window(rows)
    start = float(rows.loc[during, "day"].iloc[0] - rows.loc[during, "crisis_hours"].iloc[0] / 24.0)
    before = rows[(rows["day"] <= start + 1e-9) & (rows["day"] > start - 7 - 1e-9) & (rows["step"] > 0)]
    mentions = before["mentions"].sum()
    baseline = float(before["negative_mentions"].sum() / mentions) if mentions > 0 else 0.0
    measured = share[during]
    curve = measured.fillna(0.0)
    peak_row = curve.idxmax()
    peak = float(curve[peak_row])
    hours = rows["crisis_hours"]
    # recovery: after the peak (never at it), on a window where the brand is mentioned at all (silence is
    # not recovery), and only from a peak that left the normal range (nothing to recover from otherwise)
    after = measured.loc[peak_row:].iloc[1:]
    back = after[after <= baseline + RECOVERY_MARGIN]
    recovered = len(back) and peak > baseline + RECOVERY_MARGIN
    recover = float(hours[back.index[0]]) if recovered else float("nan")
    return peak, float(hours[peak_row]), recover


def _first_statement_hours(ts: pd.DataFrame, day: float) -> float:
    rows = _rows_until(ts, day)
    made = rows.index[rows["crisis_statements"] > 0]
    if not len(made) or rows["crisis_hours"].isna().all():
        return float("nan")
    row = rows.index.get_loc(made[0])
    start_of_step = float(rows["day"].iloc[row - 1]) if row > 0 else 0.0
    first = rows["crisis_hours"].notna().idxmax()
    crisis_start = float(rows.loc[first, "day"] - rows.loc[first, "crisis_hours"] / 24.0)
    return 24.0 * (start_of_step - crisis_start)


KPIS: dict[str, KPI] = {
    kpi.name: kpi
    for kpi in (
        KPI("day", "day", "the day the KPIs are read at", lambda ts, day: float(day)),
        KPI("members", "people", "members at that day", _stock("members")),
        KPI("share_members", "share 0..1", "members / audience size at that day", _stock("share_members")),
        KPI(
            "new_members",
            "people",
            "people who joined from day 0 to that day (first members included)",
            _cumulative("new_members"),
        ),
        KPI("churned", "people", "members who left from day 0 to that day", _cumulative("churned")),
        KPI(
            "churn_rate",
            "share 0..1 per 30 days",
            "members who left in the last 30 days / (members 30 days before + people who joined since): the share "
            "of the members of the last 30 days who left",
            _churn_rate(),
        ),
        KPI(
            "growth_rate",
            "share per day",
            "mean over the 7 days before that day of the step growth rate "
            "(net growth / members at step start / step length)",
            _trailing_mean("growth_rate", 7.0),
        ),
        KPI(
            "activity_norm", "x mean activity", "members' mean effective activity at that day", _stock("activity_norm")
        ),
        KPI("posts", "posts", "brand posts published from day 0 to that day", _cumulative("posts")),
        KPI("impressions", "views", "views of brand posts by members, from day 0", _cumulative("impressions")),
        KPI(
            "reach",
            "people per day",
            "sum of the steps' reach over the last 30 days / 30 (people reached per day)",
            lambda ts, day: _window_sum("reach")(ts, day) / 30.0,
        ),
        KPI("engagements", "engagements", "reactions + comments + shares from day 0", _cumulative("engagements")),
        KPI(
            "engagements_per_post",
            "engagements per post",
            "engagements / post_equivalents, from day 0 (per-post engagement)",
            _window_ratio("engagements", "post_equivalents", None),
        ),
        KPI(
            "engagement_rate_followers",
            "share 0..1 per post",
            "engagements / sum of (post_equivalents x members), over the last 30 days: engagement rate per post by "
            "followers",
            _window_ratio("engagements", lambda r: r["post_equivalents"] * r["members"]),
        ),
        KPI(
            "engagement_rate_reach",
            "engagements per person reached",
            "engagements / reach, over the last 30 days (can pass 1: one person may react, comment and share)",
            _window_ratio("engagements", "reach"),
        ),
        KPI("active_members", "people", "members with an action in the last 30 days", _stock("active_members")),
        KPI("active_ratio", "share 0..1", "active_members / members at that day", _stock("active_ratio")),
        KPI(
            "member_interactions",
            "comments",
            "comments answering another member, from day 0",
            _cumulative("member_interactions"),
        ),
        KPI(
            "member_to_member_ratio",
            "share 0..1",
            "member_interactions / comments, over the last 30 days: the share of members' comments that answer "
            "another member (the brand's replies are in neither term, so neglect cannot raise it)",
            _window_ratio("member_interactions", "comments"),
        ),
        KPI(
            "response_rate",
            "share 0..1",
            "replies / comments_to_brand, over the last 30 days",
            _window_ratio("replies", "comments_to_brand"),
        ),
        KPI(
            "response_time_h",
            "hours",
            "mean reply delay over the last 30 days (weighted by replies)",
            _window_ratio(lambda r: r["response_time_h"].fillna(0) * r["replies"], "replies"),
        ),
        KPI(
            "sentiment",
            "-100..100",
            "net sentiment of brand mentions (the column's definition): 100 x (positive_comments - negative_mentions)"
            " / mentions, over the last 30 days (mentions include members' ordinary mentions, so it is defined"
            " without comments; NaN only without members)",
            _window_ratio(lambda r: r["positive_comments"] - r["negative_mentions"], "mentions", scale=100.0),
        ),
        KPI("leads", "people", "qualified leads from day 0", _cumulative("leads")),
        KPI(
            "negative_share",
            "share 0..1",
            "negative_mentions / mentions over the 24 hours before that day",
            _window_ratio("negative_mentions", "mentions", window_days=1.0),
        ),
        KPI(
            "peak_negative_share",
            "share 0..1",
            "highest 6-hour negative share from the first crisis to that day (0 without a crisis)",
            lambda ts, day: _crisis_curve(ts, day)[0],
        ),
        KPI(
            "hours_to_peak",
            "hours",
            "hours from the first crisis going public to the peak of the 6-hour negative share",
            lambda ts, day: _crisis_curve(ts, day)[1],
        ),
        KPI(
            "hours_to_recover",
            "hours",
            f"hours from the first crisis to the first time after the peak that the 6-hour negative share is back "
            f"within {RECOVERY_MARGIN} of its mean over the 7 days before the crisis (NaN: not yet)",
            lambda ts, day: _crisis_curve(ts, day)[2],
        ),
        KPI("negative_reach", "people", "people who heard the bad buzz, members or not", _stock("negative_reach")),
        KPI(
            "members_lost",
            "people",
            "members_no_crisis - members: members lost to the crises against the same seed without them",
            lambda ts, day: (
                _stock("members_no_crisis")(ts, day) - _stock("members")(ts, day) if "members_no_crisis" in ts else 0.0
            ),
        ),
        KPI(
            "crisis_response_h",
            "hours",
            "hours from the first crisis going public to the brand's first statement",
            lambda ts, day: _first_statement_hours(ts, day),
        ),
        KPI("lurkers", "people", "members with no comment in the last 30 days", _stock("lurkers")),
        KPI("contributors", "people", "members with a few comments in the last 30 days", _stock("contributors")),
        KPI("creators", "people", "members with many comments in the last 30 days", _stock("creators")),
        KPI("lurker_share", "share 0..1", "lurkers / members", _share_of_members("lurkers")),
        KPI("contributor_share", "share 0..1", "contributors / members", _share_of_members("contributors")),
        KPI("creator_share", "share 0..1", "creators / members", _share_of_members("creators")),
    )
}


#: KPIs where less is better (a sweep's ``best`` minimises them); every other KPI is better higher.
LOWER_IS_BETTER = frozenset(
    {
        "churned",
        "churn_rate",
        "response_time_h",
        "negative_share",
        "peak_negative_share",
        "hours_to_recover",
        "negative_reach",
        "members_lost",
        "crisis_response_h",
        "lurker_share",
    }
)


def kpi_value(ts: pd.DataFrame, kpi: str, day: float) -> float:
    """Value of KPI ``kpi`` at ``day`` from a time series with at least the columns it reads."""
    try:
        definition = KPIS[kpi]
    except KeyError:
        raise ValueError(f"unknown KPI {kpi!r}; expected one of: {', '.join(KPIS)}") from None
    return definition.value(ts, day)


def final_kpis(ts: pd.DataFrame) -> dict[str, float]:
    """Every KPI at the last day of the time series."""
    last = float(ts["day"].iloc[-1])
    return {name: kpi_value(ts, name, last) for name in KPIS}


def scorecard(ts: pd.DataFrame, objectives: Sequence[Objective]) -> pd.DataFrame:
    """The objectives against the KPIs achieved: one row per objective.

    Columns: ``kpi``, ``by_day``, ``direction``, ``target``, ``achieved``, ``gap`` (achieved -
    target), ``passed`` and ``beyond`` (the objective's day is after the run's last day: a shorter
    run than the objective needs; then nothing is achieved and it is not passed).
    """
    rows: list[dict[str, Any]] = []
    last = float(ts["day"].iloc[-1]) if len(ts) else 0.0
    for objective in objectives:
        beyond = objective.by_day > last + 1e-9
        achieved = float("nan") if beyond else kpi_value(ts, objective.kpi, objective.by_day)
        if beyond:
            passed = False
        elif objective.direction == "at_least":
            passed = bool(achieved >= objective.target)
        else:
            passed = bool(achieved <= objective.target)
        rows.append(
            {
                "kpi": objective.kpi,
                "by_day": objective.by_day,
                "direction": objective.direction,
                "target": objective.target,
                "achieved": achieved,
                "gap": achieved - objective.target if np.isfinite(achieved) else float("nan"),
                "passed": passed,
                "beyond": beyond,
            }
        )
    columns = ["kpi", "by_day", "direction", "target", "achieved", "gap", "passed", "beyond"]
    return pd.DataFrame(rows, columns=columns)
