"""Drawing who experiences an event in a step, at the cost of the events rather than of the people.

Person ``i`` with hazard ``h_i`` (per day) has an event during a step of ``dt`` days with
probability ``1 - exp(-h_i dt)``: the chance that a Poisson process of rate ``h_i`` fires at
least once. The superposition of these processes is one Poisson process of rate ``sum h_i``
whose events fall on person ``i`` with probability ``h_i / sum h``; so drawing the total number of
events, placing each by inverse sampling on the cumulative hazards, and keeping the people hit at
least once gives exactly the independent per-person draws, without one uniform per person.

Example:
    >>> import numpy as np
    >>> ids = np.arange(4)
    >>> hit = who_has_an_event(ids, np.array([0.0, 0.0, 50.0, 0.0]), 1.0, np.random.default_rng(1))
    >>> hit.tolist()
    [2]
"""

from __future__ import annotations

import numpy as np

__all__ = ["who_has_an_event"]


def who_has_an_event(
    ids: np.ndarray, hazard_per_day: np.ndarray, dt_days: float, rng: np.random.Generator
) -> np.ndarray:
    """The ``ids`` who have at least one event in a step (each with probability ``1 - exp(-h dt)``), sorted."""
    if ids.size == 0:
        return ids
    cumulative = np.cumsum(hazard_per_day * dt_days)
    total = float(cumulative[-1])
    if not total > 0:
        return ids[:0]
    events = rng.poisson(total)
    if events == 0:
        return ids[:0]
    hits = np.searchsorted(cumulative, rng.random(events) * total, side="right")
    return ids[np.unique(np.minimum(hits, ids.size - 1))]
