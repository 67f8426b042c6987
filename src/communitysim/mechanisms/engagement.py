"""Engagement: posts' decay with age, members' engagement state, and who engages how.

**A post's engagement decays with its age** as a stretched exponential (Wu and Huberman 2007;
DOMAIN.md s.4): the share of its lifetime engagement reached by age ``a`` is
``K(a) = 1 - exp(-(a / tau)^beta)``, with ``tau`` set by the half-life (``K(h) = 1/2``). A post's
weight in a step is ``K(age at step end) - K(age at step start)``: the same post gives the same
total at any step length. ``LivePosts`` keeps the posts still gathering engagement.

**A member's engagement** ``E_i`` (baseline 1) decays back toward 1 with a half-life
(``engagement.member_half_life_days``) and is refreshed by their own actions and by replies they
receive (habit and conversation). It multiplies their chance to engage and, more than
proportionally (``sqrt(E)``), their share of comments: engagement breeds participation, which with
the heavy-tailed activity gives 90-9-1-like participation (measured, DOMAIN.md s.3).

**Engaging with a step's posts**: views ``~ Poisson(W x v_i)`` (feed module); each view is engaged
with probability

    e_i = per_view x appeal x quality_factor x E_i x affinity_i / mean_affinity x attention / (1 + F_i)

(capped at 1), where ``appeal`` is the live posts' mean appeal (content type x novelty) and
``quality_factor = quality_floor + quality_slope x quality`` (0.25 + 1.25 x quality by default: 1 at
quality 0.6). Engagements split into comments
(``comment_share x type comments x sqrt(E_i)``), shares (``share_share x type shares``) and
reactions. Begging posts lower the affinity of those who see them (seed 001).

Example:
    >>> round(float(post_share_reached(3.2 / 24, half_life_hours=3.2, stretch=0.5)), 3)
    0.5
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from communitysim.mechanisms.posting import CONTENT_TYPES, CONTENT_TYPES_TABLE, ContentTypeParams
from communitysim.params import Params, param
from communitysim.population import FadingState
from communitysim.sampling import PersonalUniforms

__all__ = [
    "EngagementParams",
    "post_share_reached",
    "LivePosts",
    "StepPosts",
    "quality_factor",
    "decay_engagement",
    "Engagements",
    "ViewTerms",
    "MemberArrays",
    "engage",
]


class EngagementParams(Params):
    """Engaging with posts: per-view chance, post and member decay, participation, shares."""

    per_view: float = param(
        0.05,
        "chance that a view by a member of mean affinity and engagement is engaged with, before attention and fatigue",
        "share 0..1",
        "DOMAIN.md s.5 (platform presets)",
        gt=0,
        le=1,
    )
    quality_floor: float = param(
        0.25,
        "engagement multiplier of content at quality 0 (quality_factor = quality_floor + quality_slope x quality)",
        "x",
        "assumption (1 at quality 0.6 with the slope; the quality lessons' band in docs/MODEL.md 7b)",
        ge=0,
        le=10,
    )
    quality_slope: float = param(
        1.25,
        "engagement multiplier gained per unit of content quality",
        "x per quality unit",
        "assumption (1 at quality 0.6 with the floor)",
        ge=0,
        le=10,
    )
    max_comment_chance: float = param(
        0.95, "cap on the chance that an engagement is a comment", "share 0..1", "assumption", gt=0, le=1
    )
    max_share_chance: float = param(
        0.95, "cap on the chance that an engagement (not a comment) is a share", "share 0..1", "assumption", gt=0, le=1
    )
    post_half_life_hours: float = param(
        3.2, "half-life of a post's engagement after publication", "hours", "DOMAIN.md s.4 (Bitly 2011)", gt=0, le=720
    )
    post_decay_stretch: float = param(
        0.5,
        "stretch exponent beta of the post decay exp(-(t/tau)^beta)",
        "dimensionless",
        "DOMAIN.md s.4 (Wu and Huberman 2007)",
        ge=0.05,  # below, ln(2)^(1/stretch) underflows to 0 (measured stretches are 0.3-1)
        le=2,
    )
    member_half_life_days: float = param(
        14.0, "half-life of a member's engagement back to its baseline 1", "days", gt=0, le=3650
    )
    gain_per_action: float = param(
        1.0, "engagement a member gains from each of their own actions (habit)", "engagement units", ge=0, le=10
    )
    gain_per_reply_received: float = param(
        1.0,
        "engagement gained from a reply by another member (conversation)",
        "engagement units",
        "seed 000 (value from member interactions)",
        ge=0,
        le=10,
    )
    max_engagement: float = param(20.0, "ceiling of a member's engagement", "x baseline", ge=1, le=100)
    comment_share: float = param(
        0.25,
        "share of engagements that are comments, for a member of baseline engagement",
        "share 0..1",
        "DOMAIN.md s.8",
        ge=0,
        le=1,
    )
    share_share: float = param(
        0.08,
        "share of engagements that are shares, for average shareability",
        "share 0..1",
        "DOMAIN.md s.8",
        ge=0,
        le=1,
    )
    share_exposure: float = param(
        20.0,
        "word-of-mouth exposure of a non-member per share by a contact, relative to a member contact",
        "x member contact",
        ge=0,
        le=100,
    )
    inactive_days: float = param(
        30.0,
        "days without any action after which a member counts as inactive",
        "days",
        "DOMAIN.md s.8",
        gt=0,
        le=365,
    )
    inactive_churn_factor: float = param(1.5, "churn hazard multiplier for inactive members", "x", ge=1, le=100)
    creator_comments_30d: int = param(
        8,
        "comments in the last 30 days from which a member counts as a creator (1 or more: contributor)",
        "comments",
        "DOMAIN.md s.3 (90-9-1)",
        ge=2,
        le=1000,
    )
    negative_comment_share: float = param(
        0.3,
        "share of a member's comments that are negative when their affinity is 0 (falls linearly to 0 at 1)",
        "share 0..1",
        ge=0,
        le=1,
    )
    positive_comment_share: float = param(
        0.6,
        "share of a member's comments that are positive when their affinity is 1 (rises linearly from 0)",
        "share 0..1",
        ge=0,
        le=1,
    )


_TYPE_INDEX = {name: i for i, name in enumerate(CONTENT_TYPES)}


def _type_table(types: Mapping[str, ContentTypeParams]) -> np.ndarray:
    """The content types' effects as an array, one row per type in ``CONTENT_TYPES``'s order."""
    return np.array(
        [
            [t.appeal, t.comments, t.shares, t.member_talk, t.leads, t.affinity_per_view, t.join_pull_per_day]
            for t in (types[name] for name in CONTENT_TYPES)
        ]
    )


#: A post is dropped once this share of its lifetime engagement is reached (the rest is given at once).
DONE_SHARE = 0.999


def post_share_reached(age_days: np.ndarray | float, half_life_hours: float, stretch: float) -> np.ndarray:
    """``K(a) = 1 - exp(-(a / tau)^beta)``: share of a post's lifetime engagement reached by age ``a`` (days)."""
    tau_days = half_life_hours / 24.0 / math.log(2.0) ** (1.0 / stretch)
    age = np.maximum(np.asarray(age_days, dtype=float), 0.0)
    return -np.expm1(-((age / tau_days) ** stretch))


def quality_factor(quality: float, floor: float, slope: float) -> float:
    """Engagement multiplier of content quality 0..1 (``engagement.quality_floor`` + ``quality_slope`` x quality)."""
    return floor + slope * quality


@dataclass
class StepPosts:
    """What the live posts bring in one step (weights are post-equivalents).

    Attributes:
        weight: ``W``, the post-equivalents of engagement falling in this step.
        appeal, comments, shares, member_talk, leads, affinity_per_view: weight-averaged type effects
            (appeal includes novelty and quality).
        join_pull_per_day: extra join hazard from live contests (per day).
        weights_by_post: each live post's weight in this step (for per-post engagement).
        live_ids: the ids of those posts.
    """

    weight: float
    appeal: float
    comments: float
    shares: float
    member_talk: float
    leads: float
    affinity_per_view: float
    join_pull_per_day: float
    weights_by_post: np.ndarray
    live_ids: np.ndarray

    @classmethod
    def quiet(cls, weights: np.ndarray, live_ids: np.ndarray) -> StepPosts:
        """A step in which no post gathers engagement (neutral type effects)."""
        return cls(0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, weights, live_ids)


class LivePosts:
    """The brand's posts still gathering engagement, and every post's engagement so far."""

    def __init__(
        self, half_life_hours: float, stretch: float, types: Mapping[str, ContentTypeParams] = CONTENT_TYPES_TABLE
    ):
        self.half_life_hours = half_life_hours
        self.stretch = stretch
        self.type_table = _type_table(types)  # the content types' effects (``content.types``)
        self.day = np.zeros(0)  # publication day of every post ever
        self.kind = np.zeros(0, dtype=np.int16)
        self.appeal = np.zeros(0)  # type appeal x novelty x quality
        self.engagements = np.zeros(0)  # engagements attributed so far
        self.followers = np.zeros(0)  # members when published
        self._live = np.zeros(0, dtype=np.int64)  # ids of posts still live

    @property
    def count(self) -> int:
        """Posts published so far."""
        return self.day.size

    def publish(self, days: list[float], kinds: list[str], appeal: list[float], followers: int) -> None:
        """Add posts published at ``days`` (with their types and appeal)."""
        if not days:
            return
        start = self.count
        self.day = np.concatenate([self.day, days])
        self.kind = np.concatenate([self.kind, [_TYPE_INDEX[k] for k in kinds]]).astype(np.int16)
        self.appeal = np.concatenate([self.appeal, appeal])
        self.engagements = np.concatenate([self.engagements, np.zeros(len(days))])
        self.followers = np.concatenate([self.followers, np.full(len(days), float(followers))])
        self._live = np.concatenate([self._live, np.arange(start, self.count)])

    def step(self, day_start: float, day_end: float, dt_days: float) -> StepPosts:
        """The live posts' weights in the step from ``day_start`` to ``day_end``; retire finished posts."""
        live = self._live
        if live.size == 0:
            return StepPosts.quiet(np.zeros(0), live)
        before = post_share_reached(day_start - self.day[live], self.half_life_hours, self.stretch)
        after = post_share_reached(day_end - self.day[live], self.half_life_hours, self.stretch)
        done = after >= DONE_SHARE
        after = np.where(done, 1.0, after)  # a retiring post gives its remainder now
        weights = after - before
        self._live = live[~done]
        total = float(weights.sum())
        if total <= 0:
            return StepPosts.quiet(weights, live)
        table = self.type_table[self.kind[live]]
        mean = (weights @ table) / total
        appeal = float(weights @ self.appeal[live]) / total
        return StepPosts(
            weight=total,
            appeal=appeal,
            comments=float(mean[1]),
            shares=float(mean[2]),
            member_talk=float(mean[3]),
            leads=float(mean[4]),
            affinity_per_view=float(mean[5]),
            join_pull_per_day=float(weights @ table[:, 6]) / dt_days,
            weights_by_post=weights,
            live_ids=live,
        )

    def attribute(self, step: StepPosts, engagements: float) -> None:
        """Share a step's engagements among the posts live in it, by weight x appeal."""
        if engagements <= 0 or step.live_ids.size == 0:
            return
        share = step.weights_by_post * self.appeal[step.live_ids]
        total = share.sum()
        if total > 0:
            self.engagements[step.live_ids] += engagements * share / total


def decay_engagement(engagement: FadingState, dt_days: float, half_life_days: float) -> None:
    """Move every engagement state back toward the baseline 1 by one step: ``1 + (E - 1) x kept`` (lazily)."""
    engagement.fade(0.5 ** (dt_days / half_life_days))


@dataclass
class Engagements:
    """Who engaged in a step and how (arrays aligned with ``ids``)."""

    ids: np.ndarray
    engagements: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    views_total: int
    reach: int


@dataclass(frozen=True)
class ViewTerms:
    """The terms of a view's chance to be engaged with that are the same for every member in a step.

    Attributes:
        per_view: ``engagement.per_view``, the chance for a member of mean affinity and engagement.
        quality: ``strategy.quality`` (0..1).
        mean_affinity: the audience's mean affinity (``audience.affinity.mean``).
        attention: worth of a view under limited attention (``feed.attention``).
        comment_share, share_share: ``engagement.comment_share`` and ``engagement.share_share``.
        quality_floor, quality_slope: ``engagement.quality_floor`` and ``engagement.quality_slope``.
        max_comment_chance, max_share_chance: ``engagement.max_comment_chance`` and ``max_share_chance``.
        dampened: ``(who, factor)``: people whose chance is multiplied by ``factor`` (a mask over
            everyone; e.g. outraged members engage less), or None.
    """

    per_view: float
    quality: float
    mean_affinity: float
    attention: float
    comment_share: float
    share_share: float
    quality_floor: float
    quality_slope: float
    max_comment_chance: float
    max_share_chance: float
    dampened: tuple[np.ndarray, float] | None = None

    @classmethod
    def of(
        cls, params: EngagementParams, quality: float, mean_affinity: float, attention: float, **kw: Any
    ) -> ViewTerms:
        """The terms from the scenario's ``engagement`` parameters, the strategy's quality and the step's attention."""
        return cls(
            params.per_view,
            quality,
            mean_affinity,
            attention,
            params.comment_share,
            params.share_share,
            params.quality_floor,
            params.quality_slope,
            params.max_comment_chance,
            params.max_share_chance,
            **kw,
        )

    def factor(self, posts: StepPosts) -> float:
        """The chance of a view by a member of mean affinity, engagement 1 and no fatigue, before the cap."""
        quality = quality_factor(self.quality, self.quality_floor, self.quality_slope)
        return self.per_view * posts.appeal * quality * self.attention / self.mean_affinity


class MemberArrays(Protocol):
    """The member states ``engage`` reads (a ``Population``): read by ids, ``state[ids]``."""

    engagement: FadingState | np.ndarray
    affinity: np.ndarray
    fatigue: FadingState | np.ndarray


def engage(
    members: np.ndarray,
    propensity: np.ndarray,
    people: MemberArrays,
    posts: StepPosts,
    terms: ViewTerms,
    draws: PersonalUniforms,
) -> tuple[Engagements, np.ndarray, np.ndarray]:
    """Draw the step's views and engagements of ``members``, who see a post with chance ``propensity``.

    Each member's views, engaged views, comments and shares are drawn by inversion from their own
    uniform for that decision at this step (``draws``: the engagement stream at the step, see
    ``sampling.PersonalUniforms``), so one member's counts do not depend on anyone else's: two runs on
    one seed differ only where a lever changed someone's chances (common random numbers).

    Returns:
        The engagements, and the ids and view counts of every member who saw something.

    Example:
        >>> import numpy as np
        >>> from types import SimpleNamespace
        >>> people = SimpleNamespace(engagement=np.ones(3), affinity=np.full(3, 0.5), fatigue=np.zeros(3))
        >>> posts = StepPosts.quiet(np.ones(1), np.arange(1))
        >>> terms = ViewTerms.of(EngagementParams(per_view=0.1, comment_share=0.1, share_share=0.05), 0.6, 0.5, 1.0)
        >>> draws = PersonalUniforms(1).child("engagement", 1)
        >>> acts, viewers, views = engage(np.arange(3), np.ones(3), people, posts, terms, draws)
        >>> acts.views_total  # a quiet step: nothing to see
        0
    """
    if posts.weight <= 0 or members.size == 0:
        empty = members[:0]
        zeros = np.zeros(0, dtype=np.int64)
        return Engagements(empty, zeros, zeros, zeros, 0, 0), empty, zeros
    views = draws.child("views").poisson(members, posts.weight * propensity[members])
    saw = views > 0
    viewers, views = members[saw], views[saw]
    chance = terms.factor(posts) * people.engagement[viewers] * people.affinity[viewers]
    chance /= 1.0 + people.fatigue[viewers]
    if terms.dampened is not None:
        who, factor = terms.dampened
        chance[who[viewers]] *= factor
    np.minimum(chance, 1.0, out=chance)
    count = draws.child("engaged").binomial(viewers, views, chance)
    acted = count > 0
    ids, count = viewers[acted], count[acted]
    comment_chance = np.minimum(terms.max_comment_chance, terms.comment_share * posts.comments * people.engagement[ids])
    comments = draws.child("comments").binomial(ids, count, comment_chance)
    share_chance = min(terms.max_share_chance, terms.share_share * posts.shares)
    shares = draws.child("shares").binomial(ids, count - comments, share_chance)
    return Engagements(ids, count, comments, shares, int(views.sum()), int(viewers.size)), viewers, views
