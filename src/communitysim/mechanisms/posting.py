"""The community manager's posting strategy: when posts go out, of which type, and novelty wear-out.

**Schedules** are plain callables in the ``SCHEDULES`` registry, named by ``strategy.schedule``;
a user can register their own::

    schedule(strategy, day_start, day_end, rng) -> list[tuple[float, str]]   # (day published, type)

- ``steady``: ``strategy.posts_per_week`` spread evenly (post k at day ``7k / rate``, so
  ``floor(rate x day / 7)`` posts by ``day`` at any step length), each post's type drawn from
  ``strategy.content_mix``.
- ``weekdays``: the same weekly count, Monday to Friday only (day 0 is a Monday).
- ``calendar``: an editorial calendar, one post at each of ``strategy.calendar_days`` (a page's
  own history replayed by the calibration, or a planned week).

**Content types** (seed 001 III; DOMAIN.md s.1) differ in appeal, comment and share propensity,
member-to-member talk, lead value and side effects (``content.types``, by default
``CONTENT_TYPES_TABLE``; every figure is an assumption to calibrate):

- contests bring a join pull on people who do not care much about the brand (they churn later);
- promotional posts engage less; begging for likes lowers the affinity of those who see it
  ("erreur à éviter : supplier les fans", seed 001);
- debates and quizzes make people comment, debates make them answer each other.

**Novelty** (seed 000, "Continuité"): each post of a type multiplies that type's novelty by
``1 - content.novelty_wear_share``; novelty recovers toward 1 with a half-life of
``content.novelty_half_life_days``.
A post's appeal is multiplied by its type's novelty when published: repeating one type wears it out.

Example:
    >>> import numpy as np
    >>> from communitysim.mechanisms.posting import StrategyParams
    >>> posts = steady(StrategyParams(posts_per_week=7), 0.0, 3.0, np.random.default_rng(1))
    >>> [round(day, 2) for day, _ in posts]
    [1.0, 2.0, 3.0]
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Literal, get_args

import numpy as np
from pydantic import Field, field_validator

from communitysim.messages import number, t
from communitysim.params import Params, known_name, over_table, param, table
from communitysim.plugins import Registry

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "CONTENT_TYPES",
    "ContentTypeName",
    "StrategyParams",
    "ContentType",
    "ContentTypeParams",
    "ContentParams",
    "CONTENT_TYPES_TABLE",
    "NOVELTY_WEAR",
    "NOVELTY_HALF_LIFE_DAYS",
    "SCHEDULES",
    "Novelty",
    "posts_published_by",
    "RECENT_DAYS",
    "recent_rate_after",
    "calendar",
    "register_schedule",
    "steady",
    "weekdays",
    "publish_due_posts",
]


#: A content type's name (the keys of ``strategy.content_mix``).
ContentTypeName = Literal[
    "informational",
    "entertainment",
    "contest",
    "quiz_poll",
    "event",
    "promotional",
    "debate",
    "begging",
]
#: The content types a posting strategy mixes, in the table's order.
CONTENT_TYPES: tuple[str, ...] = get_args(ContentTypeName)


def _default_mix() -> dict[str, float]:
    return {"informational": 0.4, "entertainment": 0.3, "quiz_poll": 0.1, "event": 0.1, "promotional": 0.1}


class StrategyParams(Params):
    """The community manager's posting strategy: how often, what, how well, how responsive."""

    posts_per_week: float = param(
        5.0, "brand posts published per week", "posts per week", "DOMAIN.md s.5", ge=0, le=500
    )
    content_mix: dict[ContentTypeName, float] = Field(
        default_factory=_default_mix,
        description="share of posts of each content type; shares sum to 1",
        json_schema_extra={"unit": "share 0..1", "source": "seed 001 III"},
    )
    quality: float = param(0.6, "content quality", "share 0..1", "seed 000 (Contenu)", ge=0, le=1)
    reply_share: float = param(0.5, "share of member comments the CM replies to", "share 0..1", ge=0, le=1)
    reply_delay_hours: float = param(4.0, "mean delay of the CM's replies", "hours", "DOMAIN.md s.7", ge=0, le=720)
    schedule: str = param(
        "steady",
        "posting schedule: steady (even cadence), weekdays (no weekend posts), calendar (at calendar_days), "
        "or a registered name",
        "name",
    )
    calendar_days: list[float] = Field(
        default_factory=list,
        description="the days the posts go out with the calendar schedule (one per post; 0.5 is noon of day 0)",
        json_schema_extra={"unit": "days"},
        max_length=100_000,
    )

    @field_validator("calendar_days")
    @classmethod
    def _calendar_in_order(cls, days: list[float]) -> list[float]:
        bad = [d for d in days if not (0 <= d < 1e6)]
        if bad:
            raise ValueError(f"every day must be a number of days >= 0, got {bad[0]!r}")
        return sorted(days)

    @field_validator("schedule")
    @classmethod
    def _known_schedule(cls, value: str) -> str:
        return known_name(value, SCHEDULES, "scenario.error.schedule")

    @field_validator("content_mix")
    @classmethod
    def _mix_sums_to_one(cls, mix: dict[str, float]) -> dict[str, float]:
        if not mix:
            raise ValueError(t("scenario.error.mix_empty"))
        bad = [k for k, v in mix.items() if not (v >= 0)]
        if bad:
            raise ValueError(t("scenario.error.mix_negative", kind=bad[0]))
        total = sum(mix.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(t("scenario.error.mix_sum", total=number(total, None)))
        return mix


class ContentTypeParams(Params):
    """What a type of post does: multipliers relative to an average post (seed 001 III; magnitudes assumed)."""

    appeal: float = param(
        1.0, "chance of engaging with a view", "x average post", "seed 001 III; assumption", ge=0, le=100
    )
    comments: float = param(
        1.0, "propensity to comment rather than react", "x average post", "seed 001 III; assumption", ge=0, le=100
    )
    shares: float = param(1.0, "shareability", "x average post", "seed 001 III; assumption", ge=0, le=100)
    member_talk: float = param(
        1.0,
        "propensity of its comments to answer other members",
        "x average post",
        "seed 000; assumption",
        ge=0,
        le=100,
    )
    leads: float = param(
        1.0, "value of its engagements as qualified leads", "x average post", "seed 003; assumption", ge=0, le=100
    )
    affinity_per_view: float = param(
        0.0,
        "change in a member's affinity per view (negative: it annoys, as begging for likes does)",
        "affinity per view",
        "seed 001 ('supplier les fans'); assumption",
        ge=-1,
        le=1,
    )
    join_pull_per_day: float = param(
        0.0,
        "extra join hazard, independent of affinity, on people exposed while a post of the type is live",
        "per day",
        "seed 001 III (contests); assumption",
        ge=0,
        le=10,
    )


#: A content type's effects (the former name of :class:`ContentTypeParams`).
ContentType = ContentTypeParams

#: The content types' effects, one row per type: ``content.types``'s default (assumptions, to be calibrated).
CONTENT_TYPES_TABLE: dict[str, ContentTypeParams] = {
    "informational": ContentType(appeal=0.9, comments=0.8, shares=1.0, member_talk=0.8, leads=1.6),
    "entertainment": ContentType(appeal=1.4, comments=0.7, shares=1.8, member_talk=0.7, leads=0.5),
    "contest": ContentType(appeal=2.0, comments=2.0, shares=2.5, member_talk=0.3, leads=0.3, join_pull_per_day=0.02),
    "quiz_poll": ContentType(appeal=1.3, comments=1.8, shares=0.6, member_talk=1.0, leads=0.6),
    "event": ContentType(appeal=1.1, comments=1.0, shares=1.4, member_talk=1.0, leads=1.3),
    "promotional": ContentType(appeal=0.5, comments=0.5, shares=0.5, member_talk=0.5, leads=1.5),
    "debate": ContentType(appeal=1.1, comments=2.2, shares=0.8, member_talk=3.0, leads=0.8),
    "begging": ContentType(appeal=0.7, comments=0.5, shares=0.7, member_talk=0.3, leads=0.2, affinity_per_view=-0.01),
}


class ContentParams(Params):
    """How the content types differ, and how repeating one wears it out (novelty)."""

    types: Annotated[dict[ContentTypeName, ContentTypeParams], over_table(CONTENT_TYPES_TABLE)] = table(
        CONTENT_TYPES_TABLE,
        "each content type's effects; a file gives only what it changes "
        "(content: {types: {contest: {appeal: 2.5}}}), the rest stays as in the table",
        "x average post",
        "seed 001 III; assumption",
    )
    novelty_wear_share: float = param(
        0.15,
        "share of a type's novelty lost with each post of that type",
        "share 0..1",
        "seed 000 (Continuité); assumption",
        ge=0,
        le=1,
    )
    novelty_half_life_days: float = param(
        7.0,
        "half-life of a type's novelty recovering toward 1",
        "days",
        "seed 000 (Continuité); assumption",
        gt=0,
        le=3650,
    )


#: Share of a type's novelty lost with each post of that type (``content.novelty_wear_share``'s default).
NOVELTY_WEAR = ContentParams.model_fields["novelty_wear_share"].default
#: Half-life of novelty's recovery toward 1, in days (``content.novelty_half_life_days``'s default).
NOVELTY_HALF_LIFE_DAYS = ContentParams.model_fields["novelty_half_life_days"].default

Schedule = Callable[["StrategyParams", float, float, np.random.Generator], list[tuple[float, str]]]


def posts_published_by(posts_per_week: float, day: float) -> int:
    """Number of brand posts published at an even cadence from day 0 up to ``day`` (post k at ``7k / rate``)."""
    return math.floor(posts_per_week * day / 7.0 + 1e-9)


def _draw_types(strategy: StrategyParams, count: int, rng: np.random.Generator) -> list[str]:
    if count == 0:
        return []
    names = list(strategy.content_mix)
    shares = np.array([strategy.content_mix[n] for n in names], dtype=float)
    # rng.choice(len(names), size=count, p=shares / shares.sum()) without its checks: the same numbers
    cdf = np.cumsum(shares / shares.sum())
    cdf /= cdf[-1]
    picks = cdf.searchsorted(rng.random(count), side="right")
    return [names[i] for i in picks]


def steady(
    strategy: StrategyParams, day_start: float, day_end: float, rng: np.random.Generator
) -> list[tuple[float, str]]:
    """Posts at an even cadence: post k goes out at day ``7k / posts_per_week``; types drawn from the mix."""
    rate = strategy.posts_per_week
    if rate <= 0:
        return []
    ks = range(posts_published_by(rate, day_start) + 1, posts_published_by(rate, day_end) + 1)
    days = [7.0 * k / rate for k in ks]
    return list(zip(days, _draw_types(strategy, len(days), rng), strict=True))


def weekdays(
    strategy: StrategyParams, day_start: float, day_end: float, rng: np.random.Generator
) -> list[tuple[float, str]]:
    """The weekly count spread evenly over Monday to Friday (day 0 is a Monday); nothing at weekends."""
    per_working_day = strategy.posts_per_week / 5.0
    if per_working_day <= 0:
        return []

    def working(day: float) -> float:  # a clock that stops at weekends
        weeks, rest = divmod(day, 7.0)
        return weeks * 5.0 + min(rest, 5.0)

    ks = range(
        math.floor(working(day_start) * per_working_day + 1e-9) + 1,
        math.floor(working(day_end) * per_working_day + 1e-9) + 1,
    )
    days = []
    for k in ks:
        weeks, rest = divmod(k / per_working_day, 5.0)
        days.append(weeks * 7.0 + rest)
    return list(zip(days, _draw_types(strategy, len(days), rng), strict=True))


def calendar(
    strategy: StrategyParams, day_start: float, day_end: float, rng: np.random.Generator
) -> list[tuple[float, str]]:
    """The posts of an editorial calendar: one at each of ``strategy.calendar_days`` in the step; types from the mix.

    Example:
        >>> from communitysim.mechanisms.posting import StrategyParams
        >>> plan = StrategyParams(schedule="calendar", calendar_days=[0.5, 0.9, 2.25])
        >>> [day for day, _ in calendar(plan, 0.0, 1.0, np.random.default_rng(1))]
        [0.5, 0.9]
    """
    days = strategy.calendar_days
    due = days[bisect.bisect_right(days, day_start) : bisect.bisect_right(days, day_end)]
    return list(zip(due, _draw_types(strategy, len(due), rng), strict=True))


#: Posting schedules by name; ``strategy.schedule`` names one (or gives an import path
#: ``package.module:function``, which every sweep worker imports too).
SCHEDULES: Registry = Registry("strategy.schedule", {"steady": steady, "weekdays": weekdays, "calendar": calendar})


def register_schedule(name: str, schedule: Schedule | str) -> None:
    """Add a posting schedule under ``name`` (then usable as ``strategy.schedule: name``).

    ``schedule`` is a callable or its import path (``"mypkg.module:function"``): see
    :func:`communitysim.mechanisms.seeding.register_strategy` for what reaches a sweep's workers.

    Example:
        >>> register_schedule("silent", lambda strategy, start, end, rng: [])
        >>> "silent" in SCHEDULES
        True
    """
    SCHEDULES.register(name, schedule)


#: Time constant of the brand's recent posting rate, in days (an exponential 7-day average).
RECENT_DAYS = 7.0


def recent_rate_after(rate: float, posts: int, dt: float) -> float:
    """The recent posting rate (posts per day) after ``posts`` published over ``dt`` days.

    The one definition the model and the calibration read: ``rate x e^(-dt / RECENT_DAYS)`` plus
    the step's own rate weighted by the rest.

    Example:
        >>> round(float(recent_rate_after(1.0, 0, 7.0)), 3)  # a silent week: down to 1/e
        0.368
    """
    decay = np.exp(-dt / RECENT_DAYS)
    return rate * decay + posts * (1 - decay) / dt


class Novelty:
    """Each content type's novelty, 0..1: worn by repetition, recovering with time (``content`` parameters).

    Example:
        >>> novelty = Novelty()
        >>> novelty.use("debate", day=0.0), round(novelty.use("debate", day=0.0), 2)
        (1.0, 0.85)
    """

    def __init__(self, content: ContentParams | None = None) -> None:
        content = ContentParams() if content is None else content
        self.wear_share = content.novelty_wear_share
        self.half_life_days = content.novelty_half_life_days
        self.level = dict.fromkeys(CONTENT_TYPES, 1.0)
        self.updated = dict.fromkeys(CONTENT_TYPES, 0.0)

    def current(self, kind: str, day: float) -> float:
        """Novelty of ``kind`` at ``day`` (recovered since its last use)."""
        elapsed = max(0.0, day - self.updated[kind])
        return 1.0 - (1.0 - self.level[kind]) * 0.5 ** (elapsed / self.half_life_days)

    def use(self, kind: str, day: float) -> float:
        """Publish a post of ``kind`` at ``day``: return its novelty, then wear the type."""
        value = self.current(kind, day)
        self.level[kind] = value * (1.0 - self.wear_share)
        self.updated[kind] = day
        return value


# --- the step over the model's arrays (model.STEP) ------------------------------------------------


def publish_due_posts(model: CommunityModel) -> None:
    """Posting: the CM's schedule publishes the posts due this step, each with a content type drawn from the mix.

    Each post's appeal is its type's appeal times the type's novelty; the CM's recent posting rate
    follows (``recent_rate_after``).
    """
    cm = model.community_manager
    strategy = model.params.strategy
    due = SCHEDULES[strategy.schedule](strategy, model.day_start, model.day, model.step_rng("content"))
    days = [day for day, _ in due]
    kinds = [kind for _, kind in due]
    appeal = [model.params.content.types[k].appeal * cm.novelty.use(k, d) for d, k in due]
    cm.posts.publish(days, kinds, appeal, model.counts["members"])
    cm.posts_per_day_recent = recent_rate_after(cm.posts_per_day_recent, len(due), model.dt)
    cm.last_published = len(due)
