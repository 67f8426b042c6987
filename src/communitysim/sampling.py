"""Drawing who experiences an event in a step, at the cost of the events rather than of the people.

Person ``i`` with hazard ``h_i`` (per day) has an event during a step of ``dt`` days with
probability ``1 - exp(-h_i dt)``: the chance that a Poisson process of rate ``h_i`` fires at
least once. The superposition of these processes is one Poisson process of rate ``sum h_i``
whose events fall on person ``i`` with probability ``h_i / sum h``; so drawing the total number of
events, placing each by inverse sampling on the cumulative hazards, and keeping the people hit at
least once gives exactly the independent per-person draws, without one uniform per person.
When events are many (more than ``DIRECT_DRAW_SHARE`` per person) the plain per-person draw is
cheaper and is used instead: the same distribution either way.

Example:
    >>> import numpy as np
    >>> ids = np.arange(4)
    >>> hit = who_has_an_event(ids, np.array([0.0, 0.0, 50.0, 0.0]), 1.0, np.random.default_rng(1))
    >>> hit.tolist()
    [2]
"""

from __future__ import annotations

import numpy as np

__all__ = ["DIRECT_DRAW_SHARE", "who_has_an_event", "poisson_counts", "EventClocks"]

#: Above this many expected events per person, drawing per person is cheaper than placing events.
DIRECT_DRAW_SHARE = 0.1


def who_has_an_event(
    ids: np.ndarray, hazard_per_day: np.ndarray, dt_days: float, rng: np.random.Generator
) -> np.ndarray:
    """The ``ids`` who have at least one event in a step (each with probability ``1 - exp(-h dt)``), sorted."""
    if ids.size == 0:
        return ids
    expected = hazard_per_day * dt_days
    cumulative = np.cumsum(expected)
    total = float(cumulative[-1])
    if total > DIRECT_DRAW_SHARE * ids.size:  # many events: one uniform per person is cheaper
        return ids[rng.random(ids.size) < -np.expm1(-expected)]
    if not total > 0:
        return ids[:0]
    events = rng.poisson(total)
    if events == 0:
        return ids[:0]
    hits = np.searchsorted(cumulative, rng.random(events) * total, side="right")
    return ids[np.unique(np.minimum(hits, ids.size - 1))]


def poisson_counts(ids: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Independent ``Poisson(rate_i)`` counts: the ids with a count above 0, and their counts.

    Few events (at most ``DIRECT_DRAW_SHARE`` per person): one Poisson total placed on the
    cumulative rates (superposition). Many: one Poisson draw per person, whatever the counts, so that
    two runs on one seed use the same random numbers for the same people (drawing the counts as
    arrivals, one exponential per event, was 11-14% faster but shifted every later draw when one
    person's count changed: paired comparisons drifted apart; tried and reverted, issue 20).

    Example:
        >>> import numpy as np
        >>> who, counts = poisson_counts(np.arange(3), np.array([0.0, 0.0, 3.0]), np.random.default_rng(2))
        >>> who.tolist(), bool(counts.sum() > 0)
        ([2], True)
    """
    total = float(rate.sum())
    if not total > 0:
        return ids[:0], np.zeros(0, dtype=np.int64)
    if total > DIRECT_DRAW_SHARE * ids.size:
        counts = rng.poisson(rate)  # one draw per person, whatever the counts: paired runs stay aligned
        seen = counts > 0
        return ids[seen], counts[seen]
    cumulative = np.cumsum(rate)
    total = float(cumulative[-1])
    hits = np.searchsorted(cumulative, rng.random(rng.poisson(total)) * total, side="right")
    who, counts = np.unique(np.minimum(hits, ids.size - 1), return_counts=True)
    return ids[who], counts


class EventClocks:
    """Each person's own clock for a one-off event (joining, leaving): common random numbers.

    Person ``i`` draws once a threshold ``T_i ~ Exponential(1)``; the event happens in the first
    step at which the hazard integrated since the clock started, ``sum of h_i x dt``, reaches
    ``T_i``. Given no event so far, the chance of one in a step is ``1 - exp(-h_i dt)``, as with a
    fresh draw each step; but the randomness belongs to the person, not to the order of the draws,
    so two runs on one seed that differ by a lever differ only where the lever changed someone's
    hazard (Starsim's common random numbers).

    Example:
        >>> import numpy as np
        >>> clocks = EventClocks(3, np.random.default_rng(1))
        >>> ids = np.arange(3)
        >>> clocks.advance(ids, np.array([0.0, 0.0, 1e6]), 1.0).tolist()
        [2]
    """

    def __init__(self, n: int, rng: np.random.Generator):
        self.remaining = rng.standard_exponential(n)

    def advance(self, ids: np.ndarray, hazard_per_day: np.ndarray, dt_days: float) -> np.ndarray:
        """Run the clocks of ``ids`` for a step of ``dt_days`` at ``hazard_per_day``; return those whose event fires."""
        if ids.size == 0:
            return ids
        left = self.remaining[ids] - hazard_per_day * dt_days
        self.remaining[ids] = left
        return ids[left <= 0.0]
