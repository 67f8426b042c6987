"""One step of a person's event clock, compiled (numba): shared by the join and churn kernels.

The rule of ``sampling.EventClocks``, for one person: the hazard integrated over the step is taken
from what is left of their exponential threshold, and the event fires when nothing is left.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["clock_fires"]


@njit(cache=True)
def clock_fires(remaining: np.ndarray, person: int, hazard_per_day: float, dt_days: float) -> bool:
    """Run ``person``'s clock for a step of ``dt_days`` at ``hazard_per_day``; True when their event fires."""
    left = remaining[person] - hazard_per_day * dt_days
    remaining[person] = left
    return left <= 0.0
