"""Members as arrays: one numpy array per attribute, indexed by person id (Starsim style).

Example:
    >>> import numpy as np
    >>> pop = Population.draw(AudienceParams(size=100), np.random.default_rng(0))
    >>> pop.n, int((pop.state == MemberState.NON_MEMBER).sum())
    (100, 100)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np
from pydantic import model_validator

from communitysim.messages import number, t
from communitysim.network import NetworkParams
from communitysim.params import Params, param

__all__ = [
    "MAX_AUDIENCE",
    "MIN_SPREAD",
    "AffinityParams",
    "ActivityParams",
    "AudienceParams",
    "MemberState",
    "FadingState",
    "Population",
    "draw_affinity",
    "draw_activity",
]


#: Largest audience a scenario may ask for (people); refused before any allocation.
MAX_AUDIENCE = 10_000_000


#: Smallest non-zero affinity spread: below it the Beta's parameters overflow (0 means everyone alike).
MIN_SPREAD = 1e-4


class AffinityParams(Params):
    """How much people like the brand, drawn from a Beta distribution."""

    mean: float = param(0.5, "mean affinity for the brand", "share 0..1", gt=0, lt=1)
    spread: float = param(
        0.15, "standard deviation of affinity (0: everyone alike, the Bass limit)", "share 0..1", ge=0, lt=0.5
    )

    @model_validator(mode="after")
    def _beta_feasible(self) -> AffinityParams:
        if 0 < self.spread < MIN_SPREAD:
            raise ValueError(t("scenario.error.spread_small", minimum=number(MIN_SPREAD, None)))
        if self.spread**2 >= self.mean * (1 - self.mean):
            limit = math.sqrt(self.mean * (1 - self.mean))
            raise ValueError(t("scenario.error.spread", limit=number(limit, 3)))
        return self


class ActivityParams(Params):
    """How active people are on the platform: heavy-tailed, mean 1."""

    distribution: Literal["pareto", "constant"] = param(
        "pareto",
        "pareto: heavy tail (participation inequality); constant: everyone 1 (Bass limit)",
        "name",
        "DOMAIN.md s.3 (power law of contributions, van Mierlo 2014)",
    )
    tail_index: float = param(2.0, "Pareto tail index alpha (smaller: heavier tail)", "dimensionless", gt=1, le=10)
    cap: float = param(
        20.0, "largest activity, as a multiple of the mean, before renormalising", "x mean", ge=1, le=1000
    )


class AudienceParams(Params):
    """The people the brand can reach."""

    size: int = param(5000, "number of people in the audience", "people", ge=2, le=MAX_AUDIENCE)
    network: NetworkParams = NetworkParams()
    affinity: AffinityParams = AffinityParams()
    activity: ActivityParams = ActivityParams()


class MemberState(IntEnum):
    """Where a person stands with the community."""

    NON_MEMBER = 0  # never joined
    MEMBER = 1
    FORMER = 2  # joined, then left (does not come back)


def draw_affinity(params: AffinityParams, n: int, rng: np.random.Generator) -> np.ndarray:
    """Affinity for the brand, 0..1, from a Beta with the given mean and standard deviation."""
    if params.spread == 0:
        return np.full(n, params.mean)
    m, s2 = params.mean, params.spread**2
    concentration = m * (1 - m) / s2 - 1
    return rng.beta(m * concentration, (1 - m) * concentration, n)


def draw_activity(params: ActivityParams, n: int, rng: np.random.Generator) -> np.ndarray:
    """Platform activity, mean 1: Pareto with tail index alpha, capped at ``cap`` x mean, renormalised."""
    if params.distribution == "constant":
        return np.ones(n)
    alpha = params.tail_index
    x_min = (alpha - 1) / alpha  # Pareto mean alpha x_min / (alpha - 1) = 1
    activity = x_min * (1.0 - rng.random(n)) ** (-1.0 / alpha)
    np.minimum(activity, params.cap, out=activity)
    return activity / activity.mean()


class FadingState:
    """A per-person state that fades toward a baseline, decayed lazily: ``value_i = baseline + stored_i x scale``.

    A step's decay of everyone is one multiplication of the shared ``scale`` (``fade``), not a pass
    over everyone; adding to some people divides by the scale once. Reading people (``state[ids]``)
    gives the values, equal to the eager computation (decay everyone, then add) up to rounding.
    When the scale gets tiny (after a few hundred half-lives) it is folded into the stored values.

    Example:
        >>> import numpy as np
        >>> engagement = FadingState(3, baseline=1.0)
        >>> engagement.add(np.array([0, 2]), np.array([2.0, 4.0]))
        >>> engagement.fade(0.5)
        >>> engagement[np.arange(3)].tolist()
        [2.0, 1.0, 3.0]
    """

    #: Below this scale the stored values take it in (one pass), so that they never underflow.
    FOLD_BELOW = 1e-100

    def __init__(self, n: int, baseline: float = 0.0):
        self.baseline = baseline
        self._stored = np.zeros(n)  # (value - baseline) / scale
        self._scale = 1.0

    @property
    def stored(self) -> np.ndarray:
        """The stored values, ``(value - baseline) / scale`` (read only: for compiled loops)."""
        return self._stored

    @property
    def scale(self) -> float:
        """The shared scale of the stored values."""
        return self._scale

    def __len__(self) -> int:
        return self._stored.size

    def __getitem__(self, ids: np.ndarray | slice | int) -> np.ndarray:
        """The values of people ``ids`` (a new array)."""
        values = self._stored[ids]
        if isinstance(ids, slice):  # a view: copy it (ids arrays give a new array)
            values = values.copy()
        if self._scale != 1.0:
            values *= self._scale
        if self.baseline:
            values += self.baseline
        return values

    def mean(self, ids: np.ndarray) -> float:
        """Mean value of people ``ids`` (the scale applied once, to the mean of the stored values)."""
        return self.baseline + float(self._stored[ids].mean()) * self._scale

    def values(self) -> np.ndarray:
        """Everyone's values (a new array)."""
        return self[:]

    def fade(self, kept: float) -> None:
        """Everyone's distance to the baseline times ``kept`` (one step's decay)."""
        self._scale *= kept
        if self._scale < self.FOLD_BELOW:
            self._stored *= self._scale
            self._scale = 1.0

    def add(self, ids: np.ndarray, amounts: np.ndarray | float) -> None:
        """Add ``amounts`` to people ``ids`` (distinct ids)."""
        self._stored[ids] += np.divide(amounts, self._scale)

    def add_at(self, ids: np.ndarray, amount: float) -> None:
        """Add ``amount`` once per entry of ``ids`` (ids may repeat)."""
        np.add.at(self._stored, ids, amount / self._scale)

    def cap(self, ids: np.ndarray, ceiling: float) -> None:
        """No value of people ``ids`` above ``ceiling`` (the others are not looked at)."""
        stored = self._stored[ids]
        np.minimum(stored, (ceiling - self.baseline) / self._scale, out=stored)
        self._stored[ids] = stored

    def clear(self) -> None:
        """Everyone back at the baseline."""
        self._stored[:] = 0.0
        self._scale = 1.0


@dataclass
class Population:
    """The audience's per-person state.

    Attributes:
        affinity: liking for the brand, share 0..1.
        activity: own platform activity, mean 1 over the audience.
        effective_activity: activity inside the community (set on joining: blended with the norm).
        segment: audience segment.
        state: MemberState of each person (int8).
        joined_step: step at which a person joined (-1: never).
        left_step: step at which a member left (-1: never).
        invited: True for people invited as first members.
        engagement: engagement state, baseline 1 (engagement module; a ``FadingState``).
        fatigue: fatigue from over-posting, 0 when rested (feed module; a ``FadingState``).
        last_action_step: step of the person's last action on the brand's posts (-1: never).
        is_lead: True once the person has become a qualified lead.
        bond: attachment built by what the member received, 0 when rested (retention module; a ``FadingState``).
    """

    affinity: np.ndarray
    activity: np.ndarray
    effective_activity: np.ndarray
    segment: np.ndarray
    state: np.ndarray
    joined_step: np.ndarray
    left_step: np.ndarray
    invited: np.ndarray
    engagement: FadingState
    fatigue: FadingState
    last_action_step: np.ndarray
    is_lead: np.ndarray
    bond: FadingState

    @property
    def n(self) -> int:
        """Audience size."""
        return self.state.size

    @classmethod
    def draw(cls, params: AudienceParams, rng: np.random.Generator, segment: np.ndarray | None = None) -> Population:
        """Draw a fresh audience in which nobody is a member yet."""
        n = params.size
        affinity = draw_affinity(params.affinity, n, rng)
        activity = draw_activity(params.activity, n, rng)
        return cls(
            affinity=affinity,
            activity=activity,
            effective_activity=np.zeros(n),
            segment=np.zeros(n, dtype=np.int16) if segment is None else segment,
            state=np.zeros(n, dtype=np.int8),
            joined_step=np.full(n, -1, dtype=np.int32),
            left_step=np.full(n, -1, dtype=np.int32),
            invited=np.zeros(n, dtype=bool),
            engagement=FadingState(n, baseline=1.0),
            fatigue=FadingState(n),
            last_action_step=np.full(n, -1, dtype=np.int32),
            is_lead=np.zeros(n, dtype=bool),
            bond=FadingState(n),
        )

    def is_member(self) -> np.ndarray:
        """Boolean mask of current members."""
        return self.state == MemberState.MEMBER

    def counts(self) -> dict[str, int]:
        """Number of people in each state."""
        c = np.bincount(self.state, minlength=3)
        return {"non_members": int(c[0]), "members": int(c[1]), "former_members": int(c[2])}
