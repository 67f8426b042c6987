"""The community manager's replies: how many comments get an answer, how fast, and what it does.

The CM answers each comment addressed to the brand with probability ``strategy.reply_share``,
after a delay drawn from an exponential with mean ``strategy.reply_delay_hours``. A reply after
``d`` hours is worth ``1 / (1 + d / replies.speed_scale_hours)`` of an instant one (DOMAIN.md
s.7: a reply within minutes is worth far more than one after an hour); its mean worth over the
delays is ``speed_value``. Each reply raises the member's affinity by ``replies.affinity_gain``
and engagement by ``replies.engagement_gain`` (times that worth); each comment left unanswered
lowers affinity by ``replies.unanswered_affinity_loss``.

Example:
    >>> speed_value(0.0, 1.0), round(speed_value(1.0, 1.0), 3)
    (1.0, 0.596)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import exp1

from communitysim.params import Params, param
from communitysim.sampling import PersonalUniforms

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["RepliesParams", "speed_value", "reply", "reply_to_commenters"]


class RepliesParams(Params):
    """Effects of the CM's replies on the members who commented (DOMAIN.md s.7)."""

    speed_scale_hours: float = param(
        1.0, "reply delay at which a reply is worth half of an instant one", "hours", "DOMAIN.md s.7", gt=0, le=720
    )
    affinity_gain: float = param(0.02, "affinity gained by a member from one instant reply", "share 0..1", ge=0, le=1)
    engagement_gain: float = param(
        0.5, "engagement gained by a member from one instant reply", "engagement units", ge=0, le=10
    )
    unanswered_affinity_loss: float = param(
        0.003, "affinity lost for each comment to the brand left unanswered", "share 0..1", ge=0, le=1
    )


def speed_value(mean_delay_hours: float, speed_scale_hours: float) -> float:
    """Mean worth ``E[1 / (1 + D / s)]`` of replies with delays ``D ~ Exponential(mean)``."""
    if mean_delay_hours <= 0:
        return 1.0
    x = speed_scale_hours / mean_delay_hours
    if x > 500:  # e^x E1(x) ~ 1/x - 1/x^2 for large x
        return 1.0 - 1.0 / x
    return float(x * math.exp(x) * exp1(x))


def reply(
    commenters: np.ndarray,
    to_brand: np.ndarray,
    reply_share: float,
    mean_delay_hours: float,
    draws: PersonalUniforms,
) -> tuple[np.ndarray, float]:
    """Draw the replies to each commenter's comments to the brand.

    ``draws``: the replies' uniforms at this step (``sampling.PersonalUniforms``): each commenter's
    replies are drawn by inversion from their own uniform; the ``j``-th reply's delay is
    exponential, ``-mean x log(1 - u_j)`` from the uniform numbered ``j``.

    Example:
        >>> import numpy as np
        >>> from communitysim.sampling import PersonalUniforms
        >>> replied, delay = reply(np.arange(3), np.array([2, 0, 5]), 1.0, 4.0, PersonalUniforms(1).child("replies", 2))
        >>> replied.tolist(), delay > 0
        ([2, 0, 5], True)

    Returns:
        Replies per commenter, and the mean delay of the step's replies in hours (NaN if none).
    """
    replied = draws.child("replied").binomial(commenters, to_brand, reply_share)
    total = int(replied.sum())
    if total == 0:
        return replied, float("nan")
    if mean_delay_hours <= 0:
        return replied, 0.0
    delays = -np.log1p(-draws.child("delays").of(np.arange(total)))  # exponential of mean 1
    return replied, float(delays.mean()) * mean_delay_hours


# --- the step's replies over the model's arrays (the feed step, model.STEP) -----------------------


def reply_to_commenters(model: CommunityModel, commenters: np.ndarray, to_brand: np.ndarray) -> np.ndarray:
    """The CM answers the comments addressed to the brand; the answered think better of it, the ignored worse.

    ``to_brand``: per commenter, their comments to the brand this step. Records the step's comments
    to the brand, replies and mean delay in ``model.last``.

    Returns:
        Replies per commenter.
    """
    p = model.params
    pop = model.population
    tally = model.last
    share, delay_hours = p.strategy.reply_share, p.strategy.reply_delay_hours
    replied, delay = reply(commenters, to_brand, share, delay_hours, model.personal_draws("replies"))
    tally.to_brand, tally.replies, tally.response_time_h = int(to_brand.sum()), int(replied.sum()), delay
    worth = speed_value(p.strategy.reply_delay_hours, p.replies.speed_scale_hours)
    pop.affinity[commenters] = np.clip(
        pop.affinity[commenters]
        + p.replies.affinity_gain * worth * replied
        - p.replies.unanswered_affinity_loss * (to_brand - replied),
        0.0,
        1.0,
    )
    pop.engagement.add(commenters, p.replies.engagement_gain * worth * replied)
    return replied
