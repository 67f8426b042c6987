"""Sentiment of the members' comments: how many of a step's comments are positive and negative.

A comment by a member of affinity ``a`` is positive with probability
``engagement.positive_comment_share x a`` and negative with ``engagement.negative_comment_share x
(1 - a)``; during a bad buzz the outraged members' comments are all negative, and the share of
negative comments the CM's moderation hides (``BadBuzz.moderation``) is taken off. Counts are
expected values: no draw. ``kpis.COLUMNS`` reads them as ``positive_comments`` and
``negative_comments``.

Example:
    >>> import numpy as np
    >>> expected_sentiment(np.array([2, 1]), np.array([1.0, 0.5]), 0.6, 0.3)
    (1.5, 0.15)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["expected_sentiment", "record_comment_sentiment"]


def expected_sentiment(
    comments: np.ndarray,
    affinity: np.ndarray,
    positive_share: float,
    negative_share: float,
    outraged: np.ndarray | None = None,
) -> tuple[float, float]:
    """Expected positive and negative comments among ``comments`` by members of ``affinity``.

    The comments of the members marked ``outraged`` are all negative.
    """
    positive = float(comments @ (positive_share * affinity))
    negative = negative_share * (1.0 - affinity)
    if outraged is not None:
        negative = np.where(outraged, 1.0, negative)
    return positive, float(comments @ negative)


def record_comment_sentiment(model: CommunityModel, ids: np.ndarray, comments: np.ndarray) -> None:
    """The sentiment of this step's comments (``comments`` by members ``ids``) into ``model.last``, after moderation."""
    p = model.params.engagement
    bad_buzz = model.bad_buzz
    outraged = bad_buzz.outraged[ids] if bad_buzz.active else None
    positive, negative = expected_sentiment(
        comments, model.population.affinity[ids], p.positive_comment_share, p.negative_comment_share, outraged
    )
    model.last.positive = positive
    model.last.negative = negative * (1.0 - bad_buzz.moderation(model.day_start))
