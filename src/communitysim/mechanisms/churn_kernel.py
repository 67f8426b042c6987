"""The churn step compiled (numba): every member's leave hazard and leave clock in one loop.

``churn.decide_leaves`` calls ``advance_leave_clocks``: the only implementation of the churn hazard
(``churn``'s formula) and of its division by the retention factor ``1 + attachment + ties``
(``retention``'s), computed member by member in a fixed order (no fast-math). Each member's clock
(``sampling.EventClocks``) is stepped in the loop itself, as in ``growth_kernel``: a compiled
function called from another file would go stale, because numba's on-disk cache of this file
does not see a change in the other one. ``tests/test_kernels.py`` keeps the numpy expressions
this loop replaced as its oracle: the same time series and clocks, bit for bit. Imported on the
first churn step, so that importing communitysim does not load numba; cached beside this file.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["advance_leave_clocks"]


@njit(cache=True)
def advance_leave_clocks(
    members: np.ndarray,
    affinity: np.ndarray,
    activity_factor: np.ndarray,
    base_rate_per_day: float,
    last_action_step: np.ndarray,
    first_active_step: int,
    inactive_factor: float,
    fatigue_stored: np.ndarray,
    fatigue_scale: float,
    fatigue_rate_per_day: float,
    bond_on: bool,
    bond_stored: np.ndarray,
    bond_scale: float,
    kept_on: bool,
    ties: np.ndarray,
    tie_effect: float,
    outraged_on: bool,
    outraged: np.ndarray,
    outraged_factor: float,
    dt_days: float,
    remaining: np.ndarray,
    leavers: np.ndarray,
) -> int:
    """Run the leave clocks of ``members`` for one step; write the leavers' ids to ``leavers``, return their number.

    ``base_rate_per_day`` is ``churn_rate_per_day / (1 - mean affinity)``; ``fatigue_rate_per_day``
    0 when nobody is tired; ``kept_on`` when attachment or ties keep members (``bond_on``: attachment
    has moved); ``ties`` everyone's word-of-mouth exposure when ``tie_effect``; ``outraged_on`` in a
    crisis. ``fatigue_stored`` x ``fatigue_scale`` is a ``FadingState``'s value (likewise the bond).
    """
    found = 0
    for k in range(members.size):
        i = members[k]
        hazard = 1.0 - affinity[i]
        hazard *= base_rate_per_day
        hazard *= activity_factor[i]
        if inactive_factor != 1.0 and last_action_step[i] < first_active_step:
            hazard *= inactive_factor
        if fatigue_rate_per_day != 0.0:
            hazard += fatigue_rate_per_day * (fatigue_stored[i] * fatigue_scale)
        if kept_on:
            factor = 1.0 + (bond_stored[i] * bond_scale if bond_on else 0.0)
            if tie_effect != 0.0:  # (numpy adds 0 x 0 otherwise: the same number)
                factor += tie_effect * ties[i]
            hazard *= 1.0 / factor
        if outraged_on and outraged[i]:
            hazard *= outraged_factor
        left = remaining[i] - hazard * dt_days  # the clock (sampling.EventClocks): threshold left
        remaining[i] = left
        if left <= 0.0:  # nothing left: the event fires
            leavers[found] = i
            found += 1
    return found
