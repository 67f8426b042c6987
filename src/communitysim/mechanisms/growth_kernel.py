"""The join step compiled (numba): every non-member's join hazard and join clock in one loop.

``growth.decide_joins`` calls ``advance_join_clocks``: the only implementation of the join hazard
(``growth``'s formula, with this step's exposure from shares and talk, the contests' pull and the
outraged kept out), computed person by person in a fixed order (no fast-math). Each person's clock
(``sampling.EventClocks``) is stepped in the loop itself, as in ``churn_kernel``: a compiled
function called from another file would go stale, because numba's on-disk cache of this file
does not see a change in the other one. ``tests/test_kernels.py`` keeps the numpy expressions
this loop replaced as its oracle: the same time series and clocks, bit for bit. Imported on the
first step; cached beside this file.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["advance_join_clocks"]


@njit(cache=True)
def advance_join_clocks(
    candidates: np.ndarray,
    remaining: np.ndarray,
    dt_days: float,
    joiners: np.ndarray,
    outraged_on: bool,
    outraged: np.ndarray,
    exposure: np.ndarray,
    talk_ids: np.ndarray,
    talk_values: np.ndarray,
    talk_dense: np.ndarray,
    affinity: np.ndarray,
    word_of_mouth_rate_per_day: float,
    external_rate_per_day: float,
    readiness_over_mean_affinity: float,
    pull_per_day: float,
) -> int:
    """Run the join clocks of ``candidates`` (sorted) for one step; write the joiners to ``joiners``, return how many.

    ``exposure``: everyone's word-of-mouth exposure; this step's talk is ``talk_values`` at
    ``talk_ids`` (sorted) or, on a complete graph, ``talk_dense`` for everyone (empty otherwise);
    ``pull_per_day``: the contests' pull times readiness (0: none).
    """
    found = 0
    next_talk = 0
    dense = talk_dense.size > 0
    for k in range(candidates.size):
        i = candidates[k]
        heard = exposure[i]
        if dense:
            heard += talk_dense[i]
        else:
            while next_talk < talk_ids.size and talk_ids[next_talk] < i:
                next_talk += 1
            if next_talk < talk_ids.size and talk_ids[next_talk] == i:
                heard += talk_values[next_talk]
        hazard = word_of_mouth_rate_per_day * heard
        hazard += external_rate_per_day
        hazard *= readiness_over_mean_affinity
        hazard *= affinity[i]
        if pull_per_day != 0.0:
            hazard += pull_per_day
        if outraged_on and outraged[i]:
            hazard *= 0.0
        left = remaining[i] - hazard * dt_days  # the clock (sampling.EventClocks): threshold left
        remaining[i] = left
        if left <= 0.0:  # nothing left: the event fires
            joiners[found] = i
            found += 1
    return found
