"""Members leaving: a churn hazard per day, higher for members who like the brand less or are less active.

``hazard_i = churn_rate_per_day x (1 - affinity_i) / (1 - affinity.mean) x effective_activity_i ^ -g``
with ``g = growth.churn_activity_exponent``: a member of mean affinity and mean activity leaves at
``growth.churn_rate_per_day``; a lively community (a high activity norm) keeps its members longer.
Former members do not come back.

Example:
    >>> import numpy as np
    >>> churn_hazard_per_day(np.array([0.5, 0.75]), np.array([1.0, 4.0]), 0.01, 0.5, 0.5).tolist()
    [0.01, 0.0025]
"""

from __future__ import annotations

import numpy as np

__all__ = ["churn_hazard_per_day", "draw_leavers"]


def churn_hazard_per_day(
    affinity: np.ndarray,
    effective_activity: np.ndarray,
    rate_per_day: float,
    mean_affinity: float,
    activity_exponent: float,
) -> np.ndarray:
    """Churn hazard (per day) of members with the given affinities and effective activities."""
    hazard = rate_per_day * (1.0 - affinity) / (1.0 - mean_affinity)
    if activity_exponent:
        hazard = hazard * effective_activity**-activity_exponent
    return hazard


def draw_leavers(
    members: np.ndarray,
    affinity: np.ndarray,
    effective_activity: np.ndarray,
    rate_per_day: float,
    mean_affinity: float,
    activity_exponent: float,
    dt_days: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Ids of the ``members`` who leave during a step of ``dt_days``."""
    if rate_per_day == 0 or members.size == 0:
        return members[:0]
    hazard = churn_hazard_per_day(
        affinity[members], effective_activity[members], rate_per_day, mean_affinity, activity_exponent
    )
    prob = -np.expm1(-hazard * dt_days)
    return members[rng.random(members.size) < prob]
