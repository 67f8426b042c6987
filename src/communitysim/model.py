"""CommunityModel: the brand community as a Mesa model over member arrays.

Build, then run: construction validates the scenario, builds the audience graph and the member
arrays and records the initial state; ``run()`` steps to the horizon and returns a ``Result``.

**Step order** (written here once, documented in docs/MODEL.md, tested):

1. *posting*: the community manager (a Mesa agent) publishes the posts due this step;
2. *launch readiness*: the page's conversion factor from the posts published so far;
3. *first members*: once enough posts are up, the seeding strategy's invitations go out (once);
4. *joins*: non-members join by external visibility and word-of-mouth (on the state after 3);
5. *churn*: members leave (drawn on the same state as 4);
6. *apply*: joiners become members (taking on part of the activity norm), leavers leave;
7. *collect*: one row of ``kpis.COLUMNS``.

Randomness: one seed goes to Mesa's own generator (``rng=``); one root entropy drawn from it
feeds a separate stream per mechanism (``network``, ``population``, ``seeding``, ``growth``,
``churn``), keyed by name, so that changing one mechanism's policy does not reshuffle the others.

Example:
    >>> from communitysim import CommunityModel
    >>> model = CommunityModel({"audience": {"size": 300}, "days": 30}, seed=1)
    >>> result = model.run()
    >>> int(result.timeseries["members"].iloc[-1]) >= 0
    True
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from communitysim.kpis import COLUMNS
from communitysim.mechanisms import churn, growth, norm, posting, seeding
from communitysim.network import Network, build_network
from communitysim.population import MemberState, Population
from communitysim.result import Result
from communitysim.scenario import Scenario, load_scenario

__all__ = ["CommunityModel", "CommunityManager", "MemberView", "STREAMS"]

#: The random streams, one per mechanism.
STREAMS = ("network", "population", "seeding", "growth", "churn")


class CommunityManager(mesa.Agent):
    """The brand's community manager: the one actor acting with intent (posting, for now).

    Attributes:
        posts_published: brand posts published since day 0.
    """

    def __init__(self, model: CommunityModel):
        super().__init__(model)
        self.posts_published = 0

    def step(self) -> None:
        """Publish the posts due during the current step."""
        model: CommunityModel = self.model  # type: ignore[assignment]
        rate = model.params.strategy.posts_per_week
        self.posts_published += posting.posts_due(rate, model.day - model.params.dt_days, model.day)


class MemberView:
    """A light, live view of one person of the audience, for notebooks.

    Example:
        >>> from communitysim import CommunityModel
        >>> model = CommunityModel({"audience": {"size": 50}, "days": 5}, seed=1)
        >>> model.member(3).state.name in {"NON_MEMBER", "MEMBER", "FORMER"}
        True
    """

    def __init__(self, model: CommunityModel, person: int):
        if not 0 <= person < model.population.n:
            raise IndexError(f"person {person} is not in the audience (0..{model.population.n - 1})")
        self._model = model
        self.id = person

    state = property(lambda self: MemberState(int(self._model.population.state[self.id])))
    affinity = property(lambda self: float(self._model.population.affinity[self.id]))
    activity = property(lambda self: float(self._model.population.activity[self.id]))
    effective_activity = property(lambda self: float(self._model.population.effective_activity[self.id]))
    segment = property(lambda self: int(self._model.population.segment[self.id]))
    invited = property(lambda self: bool(self._model.population.invited[self.id]))
    degree = property(lambda self: int(self._model.network.degree[self.id]))

    @property
    def joined_day(self) -> float | None:
        """Day the person joined, or None."""
        step = int(self._model.population.joined_step[self.id])
        return None if step < 0 else step * self._model.params.dt_days

    @property
    def neighbours(self) -> list[int]:
        """Ids of the person's contacts."""
        return self._model.network.neighbours(self.id).tolist()

    def __repr__(self) -> str:
        return (
            f"MemberView(id={self.id}, state={self.state.name}, affinity={self.affinity:.2f}, "
            f"activity={self.activity:.2f}, degree={self.degree}, segment={self.segment})"
        )


def _stream(root_entropy: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(root_entropy, spawn_key=(zlib.crc32(name.encode()),)))


class CommunityModel(mesa.Model):
    """An online brand community growing over an audience network.

    Args:
        scenario: a Scenario, a path to a scenario YAML file, or a dict of fields.
        seed: the seed of Mesa's generator (None: fresh entropy; the seed used is in ``result.seed``).
        overrides: dotted paths to values, validated like the file (``{"seeding.size": 50}``).
        progress: show a tqdm progress bar during ``run()``.

    Attributes:
        params: the validated Scenario (Mesa's own ``model.scenario`` is left to Mesa).
        network: the audience graph (``network.to_networkx()`` for networkx).
        population: the member arrays.
        community_manager: the brand's CM agent.
        streams: one generator per mechanism.
        day: time at the end of the last step, in days.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | dict[str, Any],
        seed: int | None = None,
        overrides: dict[str, Any] | None = None,
        progress: bool = False,
    ):
        params = load_scenario(scenario, overrides)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(rng=seed)
        self.seed = seed
        self.params = params
        self.progress = progress
        root = int(self.rng.integers(2**63 - 1))
        self.streams = {name: _stream(root, name) for name in STREAMS}

        self.network: Network = build_network(params.audience.network, params.audience.size, self.streams["network"])
        self.population = Population.draw(params.audience, self.streams["population"], segment=self.network.segment)
        self.word_of_mouth = growth.WordOfMouth(self.network)
        self.community_manager = CommunityManager(self)

        self.day = 0.0
        self.counts = self.population.counts()
        self.members_before_step = 0
        self.last_joins = 0
        self.last_leaves = 0
        self._effective_activity_sum = 0.0
        self.invited_day: float | None = None
        self.readiness = seeding.readiness(0, params.launch)
        self._finished = False
        self._records = {c.name: np.zeros(params.n_steps + 1, dtype=c.dtype) for c in COLUMNS}
        self._collect()

    # --- state helpers -------------------------------------------------------------------------

    @property
    def activity_norm(self) -> float:
        """Members' mean effective activity (NaN with no members)."""
        members = self.counts["members"]
        return self._effective_activity_sum / members if members else float("nan")

    def member(self, person: int) -> MemberView:
        """A live view of one person."""
        return MemberView(self, person)

    def member_table(self) -> pd.DataFrame:
        """Everyone's attributes and state, one row per person."""
        pop = self.population
        return pd.DataFrame(
            {
                "state": pd.Categorical.from_codes(pop.state, [s.name.lower() for s in MemberState]),
                "affinity": pop.affinity,
                "activity": pop.activity,
                "effective_activity": pop.effective_activity,
                "segment": pop.segment,
                "degree": self.network.degree,
                "invited": pop.invited,
                "joined_day": np.where(pop.joined_step >= 0, pop.joined_step * self.params.dt_days, np.nan),
            }
        )

    def _admit(self, ids: np.ndarray, activity_factor: float = 1.0) -> None:
        if ids.size == 0:
            return
        pop = self.population
        effective = norm.newcomer_activity(
            pop.activity[ids] * activity_factor, self.activity_norm, self.params.community.norm_conformity_share
        )
        pop.state[ids] = MemberState.MEMBER
        pop.joined_step[ids] = self.steps
        pop.effective_activity[ids] = effective
        self.word_of_mouth.add(ids, effective)
        self._effective_activity_sum += float(effective.sum())
        self.counts["members"] += ids.size
        self.counts["non_members"] -= ids.size
        self.last_joins += ids.size

    def _remove(self, ids: np.ndarray) -> None:
        if ids.size == 0:
            return
        pop = self.population
        pop.state[ids] = MemberState.FORMER
        pop.left_step[ids] = self.steps
        self.word_of_mouth.remove(ids)
        self._effective_activity_sum -= float(pop.effective_activity[ids].sum())
        self.counts["members"] -= ids.size
        self.counts["former_members"] += ids.size
        self.last_leaves += ids.size

    def _collect(self) -> None:
        row = self.steps
        for column in COLUMNS:
            self._records[column.name][row] = column.read(self)

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one step of ``params.step_hours`` in the documented order."""
        if self.steps > self.params.n_steps:
            self.steps -= 1  # Mesa counted this call before we refuse it
            raise RuntimeError(f"the horizon of {self.params.days:g} days is reached; build a new model to go on")
        p = self.params
        dt = p.dt_days
        pop = self.population
        self.day = self.steps * dt
        self.members_before_step = self.counts["members"]
        self.last_joins = self.last_leaves = 0

        # 1. posting
        self.community_manager.step()
        posts = self.community_manager.posts_published
        # 2. launch readiness
        self.readiness = seeding.readiness(posts, p.launch)
        # 3. first members, once enough posts are up
        if self.invited_day is None and posts >= p.seeding.invite_after_posts:
            self.invited_day = self.day
            rng = self.streams["seeding"]
            invitation = seeding.STRATEGIES[p.seeding.strategy](self, p.seeding.size, rng)
            accepted, declined = seeding.answers(invitation, p.seeding.acceptance_share, self.readiness, rng)
            pop.invited[invitation.ids] = True
            if invitation.affinity is not None:
                pop.affinity[accepted] = invitation.affinity
            pop.affinity[declined] *= p.launch.declined_affinity_factor
            self._admit(accepted, invitation.activity_factor)
        # 4. joins and 5. churn, both drawn on the same state
        candidates = np.flatnonzero(pop.state == MemberState.NON_MEMBER)
        hazard = growth.join_hazard_per_day(
            self.word_of_mouth.exposure(candidates),
            pop.affinity[candidates],
            p.growth.external_rate_per_day,
            p.growth.word_of_mouth_rate_per_day,
            self.readiness,
            p.audience.affinity.mean,
        )
        joiners = growth.draw_joiners(candidates, growth.join_probability(hazard, dt), self.streams["growth"])
        leavers = churn.draw_leavers(
            np.flatnonzero(pop.state == MemberState.MEMBER) if p.growth.churn_rate_per_day else candidates[:0],
            pop.affinity,
            pop.effective_activity,
            p.growth.churn_rate_per_day,
            p.audience.affinity.mean,
            p.growth.churn_activity_exponent,
            dt,
            self.streams["churn"],
        )
        # 6. apply
        self._admit(joiners)
        self._remove(leavers)
        # 7. collect
        self._collect()

    def run(self) -> Result:
        """Step to the horizon and return the Result (a model runs once).

        Raises:
            RuntimeError: the model has already run.
        """
        if self._finished:
            raise RuntimeError("this model has already run; build a new CommunityModel to run again")
        remaining = self.params.n_steps - self.steps
        steps = range(remaining)
        if self.progress:
            from tqdm.auto import tqdm

            steps = tqdm(steps, desc=self.params.name, unit="step", leave=False)
        for _ in steps:
            self.step()
        self._finished = True
        return self.result()

    def result(self) -> Result:
        """The Result of the steps taken so far."""
        rows = self.steps + 1
        timeseries = pd.DataFrame({name: values[:rows].copy() for name, values in self._records.items()})
        return Result(scenario=self.params, seed=self.seed, timeseries=timeseries)
