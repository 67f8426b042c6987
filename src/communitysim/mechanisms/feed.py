"""Feed and attention: what members see of the brand's posts, and how much of it they can take.

- **Organic reach**: a member sees a given post with probability
  ``v_i = min(1, feed.organic_reach_share x effective_activity_i)``; views in a step are
  ``Poisson(v_i x W)`` where ``W`` is the number of post-equivalents live in the step (a post's
  weight is the share of its lifetime engagement falling in the step, engagement module).
- **Limited attention**: the brand's posts compete for the same member's attention, so a view is
  worth ``attention = 1 / (1 + n / feed.appetite_posts_per_day)`` with ``n`` the brand's recent
  posts per day: each extra post gets less (DOMAIN.md s.6: at 2 posts a day each gets about
  60-80% of what it gets at 1 a day).
- **Fatigue**: posting beyond the appetite tires members (a brand that floods the feed):
  ``dF/dt = feed.fatigue_per_excess_post x max(0, n - appetite)``, decaying with
  ``feed.fatigue_half_life_days``; members who join later start rested. Fatigue divides engagement by ``1 + F`` and adds
  ``feed.fatigue_unfollow_rate_per_day x F`` to the unfollow hazard: over-posting loses members.
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

import numpy as np

from communitysim.params import Params, param

__all__ = [
    "FeedParams",
    "PLATFORMS",
    "ENGAGEMENT_BANDS",
    "attention",
    "view_propensity",
    "fatigue_step",
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
        0.02, "fatigue added per day by each post per day beyond the appetite", "fatigue units per post", ge=0, le=10
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
        gt=0,
        le=500,
    )


#: Per-platform defaults. Engagement bands per post by followers are DOMAIN.md s.5 (Rival IQ 2023-2024);
#: half-lives DOMAIN.md s.4 (Bitly 2011, Pfeffer et al. 2023); reach and appetite are assumptions
#: chosen so that the default scenario's engagement rate lands in the band (tested).
PLATFORMS: dict[str, dict[str, dict[str, float]]] = {
    "facebook": {
        "feed": {"organic_reach_share": 0.055, "appetite_posts_per_day": 1.5},
        "engagement": {"per_view": 0.016, "post_half_life_hours": 3.2},
    },
    "instagram": {
        "feed": {"organic_reach_share": 0.09, "appetite_posts_per_day": 1.0},
        "engagement": {"per_view": 0.08, "post_half_life_hours": 6.0},
    },
    "x": {
        "feed": {"organic_reach_share": 0.03, "appetite_posts_per_day": 3.0},
        "engagement": {"per_view": 0.013, "post_half_life_hours": 1.3},
    },
    "tiktok": {
        "feed": {"organic_reach_share": 0.25, "appetite_posts_per_day": 2.0},
        "engagement": {"per_view": 0.1, "post_half_life_hours": 12.0},
    },
    "linkedin": {
        "feed": {"organic_reach_share": 0.08, "appetite_posts_per_day": 1.0},
        "engagement": {"per_view": 0.09, "post_half_life_hours": 8.0},
    },
}

#: Published bands of the median engagement rate per post by followers (share 0..1), DOMAIN.md s.5.
#: LinkedIn has no figure in DOMAIN.md: its band is an assumption.
ENGAGEMENT_BANDS: dict[str, tuple[float, float]] = {
    "facebook": (0.0005, 0.001),
    "instagram": (0.004, 0.006),
    "x": (0.0002, 0.0005),
    "tiktok": (0.02, 0.06),
    "linkedin": (0.003, 0.008),
}


def attention(posts_per_day: float, appetite_posts_per_day: float) -> float:
    """Worth of one view when the brand posts ``posts_per_day``: ``1 / (1 + n / appetite)``."""
    return 1.0 / (1.0 + posts_per_day / appetite_posts_per_day)


def view_propensity(effective_activity: np.ndarray, organic_reach_share: float) -> np.ndarray:
    """Chance that a member sees a given post: ``min(1, reach x effective_activity)``."""
    return np.minimum(1.0, organic_reach_share * effective_activity)


def fatigue_step(
    fatigue: np.ndarray,
    posts_per_day: float,
    dt_days: float,
    appetite_posts_per_day: float,
    per_excess_post: float,
    half_life_days: float,
) -> None:
    """Advance everyone's fatigue by one step, in place: decay, then the step's posting beyond the appetite."""
    fatigue *= 0.5 ** (dt_days / half_life_days)
    excess = posts_per_day - appetite_posts_per_day
    if excess > 0 and per_excess_post > 0:
        fatigue += per_excess_post * excess * dt_days


def visibility_factor(posts_per_day: float, reference_posts_per_week: float, share_from_posts: float) -> float:
    """Multiplier of the external visibility p from the brand's recent posting."""
    reference = reference_posts_per_week / 7.0
    return 1.0 - share_from_posts + share_from_posts * math.sqrt(max(0.0, posts_per_day) / reference)
