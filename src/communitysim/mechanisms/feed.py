"""Feed and attention: what members see of the brand's posts, and how much of it they can take.

- **Organic reach**: a member sees a given post with probability
  ``v_i = min(1, feed.organic_reach_share x effective_activity_i)``; views in a step are
  ``Poisson(v_i x W)`` where ``W`` is the number of post-equivalents live in the step (a post's
  weight is the share of its lifetime engagement falling in the step, engagement module).
- **Limited attention**: the brand's posts compete for the same member's attention, so a view is
  worth ``attention = 1 / (1 + n / feed.appetite_posts_per_day)`` with ``n`` the brand's recent
  posts per day: each extra post gets less (DOMAIN.md s.6: at 2 posts a day each gets about
  60-80% of what it gets at 1 a day).
- **Fatigue, per member, from the posts each one saw**: posting beyond the appetite tires the
  members who see it (a brand that floods the feed). A member who saw ``V_i`` posts in a step gains
  ``V_i x max(0, 1 - appetite / n) x feed.fatigue_per_excess_post / feed.organic_reach_share``
  (the share of the posts that lie beyond the appetite, each worth the parameter for a member of
  mean activity, who sees a share ``organic_reach_share`` of the posts: on average such a member
  gains ``fatigue_per_excess_post x (n - appetite)`` a day); fatigue fades with
  ``feed.fatigue_half_life_days``; members who join later start rested, and members who see more
  of the brand's posts tire more. Fatigue divides engagement by ``1 + F_i`` and adds
  ``feed.fatigue_unfollow_rate_per_day x F_i`` to the unfollow hazard: over-posting loses members.
- **Visibility**: the brand's posting feeds its external visibility ``p``:
  ``p_eff = p x (1 - s + s x sqrt(n / n_ref))``, ``s = feed.visibility_from_posts_share``,
  ``n_ref = feed.reference_posts_per_week / 7``.

**Platform presets** (``platform:``) set organic reach, appetite, engagement per view and the
post half-life so that the default engagement rate per post by followers lands in the platform's
published band (DOMAIN.md s.4-5). Fields given in the file win over the preset.

Example:
    >>> round(attention(posts_per_day=1.0, appetite_posts_per_day=1.0), 2)
    0.5
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from communitysim.params import Params, param
from communitysim.population import FadingState

if TYPE_CHECKING:
    from communitysim.model import CommunityModel

__all__ = [
    "FeedParams",
    "Platform",
    "PLATFORM_TABLE",
    "PLATFORMS",
    "ENGAGEMENT_BANDS",
    "attention",
    "view_propensity",
    "excess_share",
    "fatigue_gain",
    "decay_fatigue",
    "tire_viewers",
    "rest",
    "visibility_factor",
]


class FeedParams(Params):
    """What members see of the brand's posts: organic reach, limited attention, fatigue.

    The defaults (``platform: generic``) describe a community group, whose members see much more
    of the brand's posts than the followers of a brand page; the platform presets describe pages.
    """

    organic_reach_share: float = param(
        0.3,
        "share of followers of mean activity who see a given brand post in their feed",
        "share 0..1",
        "DOMAIN.md s.5 (platform presets)",
        gt=0,
        le=1,
    )
    appetite_posts_per_day: float = param(
        1.5,
        "brand posts a member can attend to per day before attention is split (limited attention)",
        "posts per day",
        "DOMAIN.md s.6",
        gt=0,
        le=100,
    )
    fatigue_per_excess_post: float = param(
        0.02,
        "fatigue a member of mean activity gains per day for each post per day beyond the appetite (each member in"
        " proportion to the brand's posts they saw)",
        "fatigue units per post",
        ge=0,
        le=10,
    )
    fatigue_half_life_days: float = param(7.0, "half-life of fatigue", "days", gt=0, le=365)
    fatigue_unfollow_rate_per_day: float = param(
        0.005, "extra unfollow hazard per unit of fatigue (over-posting)", "per day", "DOMAIN.md s.6", ge=0, le=10
    )
    visibility_from_posts_share: float = param(
        0.5,
        "share of external visibility that comes from the brand's posting (the rest from its presence)",
        "share 0..1",
        ge=0,
        le=1,
    )
    reference_posts_per_week: float = param(
        5.0,
        "cadence at which posting gives the scenario's external visibility p",
        "posts per week",
        "DOMAIN.md s.5",
        ge=0.01,  # one post in two years; a subnormal cadence divided the visibility by zero
        le=500,
    )


class Platform(NamedTuple):
    """One platform's preset for brand pages, and the published band it is checked against."""

    organic_reach_share: float  # feed.organic_reach_share (assumption, see below)
    appetite_posts_per_day: float  # feed.appetite_posts_per_day (assumption)
    per_view: float  # engagement.per_view (assumption)
    post_half_life_hours: float  # engagement.post_half_life_hours (DOMAIN.md s.4)
    band: tuple[float, float]  # median engagement rate per post by followers, share 0..1 (DOMAIN.md s.5)


#: Per-platform defaults. Engagement bands per post by followers are DOMAIN.md s.5 (Rival IQ 2023-2024;
#: LinkedIn has no figure there: its band is an assumption); half-lives DOMAIN.md s.4 (Bitly 2011,
#: Pfeffer et al. 2023); reach, appetite and engagement per view are assumptions chosen so that the
#: default scenario's engagement rate lands in the band (tested).
PLATFORM_TABLE: dict[str, Platform] = {
    "facebook": Platform(0.055, 1.5, 0.016, 3.2, (0.0005, 0.001)),
    "instagram": Platform(0.09, 1.0, 0.08, 6.0, (0.004, 0.006)),
    "x": Platform(0.03, 3.0, 0.013, 1.3, (0.0002, 0.0005)),
    "tiktok": Platform(0.25, 2.0, 0.1, 12.0, (0.02, 0.06)),
    "linkedin": Platform(0.08, 1.0, 0.09, 8.0, (0.003, 0.008)),
}
#: The presets as scenario sections (``platform:`` fills these fields unless the file gives them).
PLATFORMS: dict[str, dict[str, dict[str, float]]] = {
    name: {
        "feed": {"organic_reach_share": row.organic_reach_share, "appetite_posts_per_day": row.appetite_posts_per_day},
        "engagement": {"per_view": row.per_view, "post_half_life_hours": row.post_half_life_hours},
    }
    for name, row in PLATFORM_TABLE.items()
}
#: Published bands of the median engagement rate per post by followers (share 0..1), DOMAIN.md s.5.
ENGAGEMENT_BANDS: dict[str, tuple[float, float]] = {name: row.band for name, row in PLATFORM_TABLE.items()}


def attention(posts_per_day: float, appetite_posts_per_day: float) -> float:
    """Worth of one view when the brand posts ``posts_per_day``: ``1 / (1 + n / appetite)``."""
    return 1.0 / (1.0 + posts_per_day / appetite_posts_per_day)


def view_propensity(effective_activity: np.ndarray, organic_reach_share: float) -> np.ndarray:
    """Chance that a member sees a given post: ``min(1, reach x effective_activity)``."""
    return np.minimum(1.0, organic_reach_share * effective_activity)


def excess_share(posts_per_day: float, appetite_posts_per_day: float) -> float:
    """Share of the brand's posts beyond the appetite: ``max(0, 1 - appetite / n)`` (0 when not posting)."""
    if posts_per_day <= appetite_posts_per_day:
        return 0.0
    return 1.0 - appetite_posts_per_day / posts_per_day


def fatigue_gain(
    views: np.ndarray,
    posts_per_day: float,
    appetite_posts_per_day: float,
    per_excess_post: float,
    organic_reach_share: float,
) -> np.ndarray:
    """Fatigue each member gains from the ``views`` (brand posts seen this step) beyond the appetite.

    Of a brand posting ``n`` posts a day, a share ``1 - appetite / n`` is beyond the appetite; a
    member who saw ``V`` posts saw on average that share of excess posts, and each excess post seen
    adds ``per_excess_post / organic_reach_share``: a member of mean activity, who sees a share
    ``organic_reach_share`` of the posts, then gains ``per_excess_post x (n - appetite)`` a day on
    average, and one who sees twice as many posts gains twice as much.

    Example:
        >>> fatigue_gain(np.array([0, 2, 4]), 3.0, 1.5, 0.02, 0.1).round(3).tolist()
        [0.0, 0.2, 0.4]
    """
    share = excess_share(posts_per_day, appetite_posts_per_day)
    return views * (share * per_excess_post / organic_reach_share)


def decay_fatigue(fatigue: FadingState, dt_days: float, half_life_days: float) -> None:
    """Let everyone's fatigue fade by one step of ``dt_days`` (half-life ``half_life_days``; lazily)."""
    fatigue.fade(0.5 ** (dt_days / half_life_days))


def visibility_factor(posts_per_day: float, reference_posts_per_week: float, share_from_posts: float) -> float:
    """Multiplier of the external visibility p from the brand's recent posting."""
    reference = reference_posts_per_week / 7.0
    return 1.0 - share_from_posts + share_from_posts * math.sqrt(max(0.0, posts_per_day) / reference)


def tire_viewers(model: CommunityModel, viewers: np.ndarray, views: np.ndarray) -> None:
    """Members who saw the brand's posts beyond the appetite tire, each by the posts they saw (``fatigue_gain``)."""
    p = model.params.feed
    rate = model.community_manager.posts_per_day_recent
    if not (p.fatigue_per_excess_post and viewers.size and rate > p.appetite_posts_per_day):
        return
    gain = fatigue_gain(views, rate, p.appetite_posts_per_day, p.fatigue_per_excess_post, p.organic_reach_share)
    model.population.fatigue.add(viewers, gain)
    model.fatigue_ceiling += float(gain.max())  # an upper bound of anyone's fatigue


def rest(model: CommunityModel) -> None:
    """Everyone's fatigue fades over the step; below 1e-12 for all (the bound), everyone is rested."""
    half_life = model.params.feed.fatigue_half_life_days
    decay_fatigue(model.population.fatigue, model.dt, half_life)
    model.fatigue_ceiling *= 0.5 ** (model.dt / half_life)
    if model.fatigue_ceiling < 1e-12:
        model.population.fatigue.clear()
        model.fatigue_ceiling = 0.0
