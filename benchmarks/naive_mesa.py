"""The slow reference: the same growth rule as communitysim, written the naive per-agent Mesa way.

This module exists only to be timed against communitysim (``benchmarks/bench_growth.py``). Every
person is a ``mesa.Agent`` holding a Python list of its neighbour agents; each step the model calls
``self.agents.shuffle_do("step")`` and every non-member counts its member neighbours in a Python
loop, computes the hazard ``h = p + q x (member neighbours / neighbours)`` per day (constant
activity and affinity: the ``bass_validation`` rule), turns it into the probability
``1 - exp(-h x dt)`` and joins with ``model.rng.random() < prob``. There is no churn, no
seeding and no launch readiness.

It is deliberately not optimised and not exactly communitysim's model: agents update in place in
random order (asynchronous), so a person who joined earlier in a step already counts for the
neighbours who act after them. That does not change the cost per agent-step, which is all it is
used for. The audience graph is built with communitysim's own builder, so both codes run on the
same kind of graph.

Example:
    >>> model = NaiveBassModel(200, p=0.005, q=0.1, dt_days=1.0, seed=1)
    >>> model.step()
    >>> 0 <= model.members() <= 200
    True
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from communitysim.network import Network, build_network
from communitysim.scenario import NetworkParams

__all__ = ["NaiveBassModel", "Person", "reference_network"]


def reference_network(n: int, seed: int) -> Network:
    """The audience graph both codes run on: Watts-Strogatz, mean degree 10, 10 % rewiring."""
    params = NetworkParams(kind="watts_strogatz", mean_degree=10, rewiring=0.1)
    return build_network(params, n, np.random.default_rng(seed))


class Person(mesa.Agent):
    """One person of the audience: a member or not, with a list of neighbour agents."""

    def __init__(self, model: NaiveBassModel):
        super().__init__(model)
        self.member = False
        self.neighbours: list[Person] = []

    def step(self) -> None:
        """Join with probability ``1 - exp(-(p + q x member share) x dt)`` if not yet a member."""
        if self.member or not self.neighbours:
            return
        model: NaiveBassModel = self.model  # type: ignore[assignment]
        member_neighbours = 0
        for other in self.neighbours:
            if other.member:
                member_neighbours += 1
        hazard = model.p + model.q * member_neighbours / len(self.neighbours)
        prob = 1.0 - math.exp(-hazard * model.dt_days)
        if model.rng.random() < prob:
            self.member = True


class NaiveBassModel(mesa.Model):
    """Network Bass diffusion with one Mesa agent per person (the slow reference).

    Args:
        n: audience size.
        p: external rate per day.
        q: word-of-mouth rate per day.
        dt_days: step length in days.
        seed: seed of Mesa's generator and of the graph.
        network: the audience graph (default: ``reference_network(n, seed)``).
    """

    def __init__(self, n: int, p: float, q: float, dt_days: float = 1.0, seed: int = 1, network: Network | None = None):
        super().__init__(rng=seed)
        self.p, self.q, self.dt_days = p, q, dt_days
        self.network = network if network is not None else reference_network(n, seed)
        people = [Person(self) for _ in range(n)]  # registered in self.agents by Mesa
        for i, person in enumerate(people):
            person.neighbours = [people[j] for j in self.network.neighbours(i).tolist()]
        self.people = people

    def step(self) -> None:
        """Every person acts once, in random order."""
        self.agents.shuffle_do("step")

    def members(self) -> int:
        """Number of members now."""
        return sum(1 for person in self.people if person.member)
