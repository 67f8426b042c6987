"""CommunityModel: the brand community as a Mesa model over member arrays.

Build, then run: construction validates the scenario, builds the audience graph and the member
arrays and records the initial state; ``run()`` steps to the horizon and returns a ``Result``.

**Step order**: ``STEP``, the tuple of step functions that ``CommunityModel.step`` calls on the
model after advancing the clock, in order (docs/MODEL.md section 3 lists them, generated from it).
Joins and leaves are drawn on the same state and applied together.

Randomness: one seed goes to Mesa's own generator (``rng=``); one root entropy drawn from it
keys everything else: a generator per name for building the audience, the people, their clocks and
the first invitation (``STREAMS``), and the step's draws, keyed by person and step
(``personal_draws``) or by step (``step_rng``), so that changing one mechanism's policy does not
reshuffle the others. Joining, leaving and answering an invitation
draw on each person's own randomness, drawn once at construction (``sampling.EventClocks``: a
fixed exponential threshold against the integrated hazard), so two runs on one seed differ only
where a lever changed someone's hazard (common random numbers, as in Starsim).

Example:
    >>> from communitysim import CommunityModel
    >>> model = CommunityModel({"audience": {"size": 300}, "days": 30}, seed=1)
    >>> result = model.run()
    >>> int(result.timeseries["members"].iloc[-1]) >= 0
    True
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from communitysim.kpis import COLUMNS
from communitysim.mechanisms import (
    churn,
    conversation,
    crisis,
    engagement,
    feed,
    growth,
    leads,
    norm,
    posting,
    replies,
    retention,
    seeding,
    sentiment,
)
from communitysim.mechanisms.participation import PARTICIPATION_DAYS, RecentComments
from communitysim.network import Network, build_network
from communitysim.population import MemberState, Population
from communitysim.result import Result
from communitysim.sampling import EventClocks, LazyGenerator, PersonalUniforms
from communitysim.scenario import Scenario, check_seed, load_scenario

__all__ = [
    "CommunityModel",
    "CommunityManager",
    "MemberView",
    "StepTally",
    "STEP",
    "STREAMS",
    "PARTICIPATION_DAYS",
    "step_order",
]

#: The generators drawn from while the model is built and its first members invited (the step's other
#: draws are keyed by person and step: ``personal_draws``, ``step_rng``).
STREAMS = ("network", "population", "seeding", "growth", "churn")


class CommunityManager(mesa.Agent):
    """The brand's community manager: the one actor acting with intent (posting and replying).

    Attributes:
        posts: every post published so far and the live ones (``engagement.LivePosts``).
        novelty: each content type's novelty.
        posts_per_day_recent: the brand's recent posting rate (``posting.recent_rate_after``), posts per day.
    """

    def __init__(self, model: CommunityModel):
        super().__init__(model)
        params = model.params
        self.posts = engagement.LivePosts(
            params.engagement.post_half_life_hours, params.engagement.post_decay_stretch, params.content.types
        )
        self.novelty = posting.Novelty(params.content)
        self.posts_per_day_recent = params.strategy.posts_per_week / 7.0
        self.last_published = 0

    @property
    def posts_published(self) -> int:
        """Brand posts published since day 0."""
        return self.posts.count

    def step(self) -> None:
        """Publish the posts the schedule has for the current step (``posting.publish_due_posts``)."""
        posting.publish_due_posts(self.model)


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
        return None if step < 0 else self._model.day_of_step(step)

    @property
    def neighbours(self) -> list[int]:
        """Ids of the person's contacts."""
        return self._model.network.neighbours(self.id).tolist()

    def __repr__(self) -> str:
        return (
            f"MemberView(id={self.id}, state={self.state.name}, affinity={self.affinity:.2f}, "
            f"activity={self.activity:.2f}, degree={self.degree}, segment={self.segment})"
        )


@dataclass
class StepTally:
    """What happened during the last step (read by ``kpis.COLUMNS``)."""

    posts: int = 0
    post_weight: float = 0.0
    join_pull_per_day: float = 0.0
    reach: int = 0
    impressions: int = 0
    engagements: int = 0
    comments: int = 0
    shares: int = 0
    member_interactions: int = 0
    to_brand: int = 0
    replies: int = 0
    response_time_h: float = float("nan")
    positive: float = 0.0
    negative: float = 0.0
    leads: int = 0


def _stream(root_entropy: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(root_entropy, spawn_key=(zlib.crc32(name.encode()),)))


class CommunityModel(mesa.Model):
    """An online brand community growing over an audience network.

    Args:
        scenario: a Scenario, a path to a scenario YAML file, or a dict of fields.
        seed: the seed of Mesa's generator (None: fresh entropy; the seed used is in ``result.seed``).
        overrides: dotted paths to values, validated like the file (``{"seeding.size": 50}``).
        progress: show a tqdm progress bar during ``run()``.
        crisis_effects: False runs the crises' clock without their effects (the counterfactual twin
            that ``members_lost`` is measured against).
        shared_network: the audience already built from these parameters and seed, used as it is
            rather than built again (the twin shares its model's: the graph is never changed).

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
        crisis_effects: bool = True,
        shared_network: Network | None = None,
    ):
        params = load_scenario(scenario, overrides)
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        seed = check_seed(seed)
        super().__init__(rng=seed)
        self.seed = seed
        self.params = params
        self.progress = progress
        root = int(self.rng.integers(2**63 - 1))
        self.run_key = root  # keys the counter-based draws (``personal_draws``, ``step_generator``)
        self.streams = {name: _stream(root, name) for name in STREAMS}
        self._personal = PersonalUniforms(root)
        self._stream_draws: dict[str, PersonalUniforms] = {}

        if shared_network is not None and shared_network.n != params.audience.size:
            raise ValueError(f"shared_network has {shared_network.n} people, the audience {params.audience.size}")
        if shared_network is None:
            shared_network = build_network(params.audience.network, params.audience.size, self.streams["network"])
        self.network: Network = shared_network
        self.population = Population.draw(params.audience, self.streams["population"], segment=self.network.segment)
        # each person's own draws for joining, leaving and answering an invitation (common random numbers)
        self.join_clocks = EventClocks(params.audience.size, self.streams["growth"])
        self.leave_clocks = EventClocks(params.audience.size, self.streams["churn"])
        self.acceptance_draws = self.streams["seeding"].random(params.audience.size)
        self.word_of_mouth = growth.WordOfMouth(self.network)
        self.bad_buzz = crisis.BadBuzz(self.network, params.crisis_dynamics, effects_on=crisis_effects)
        self.crises_due = sorted(params.crises, key=lambda c: c.start_day)
        self.crisis_log: list[tuple[float, str, Any]] = []  # (day, "inject" | "respond" | "act" | ..., what)
        self._twin: crisis.CounterfactualTwin | None = None  # the same run without the crises' effects
        self.community_manager = CommunityManager(self)

        self.day = 0.0  # end of the current step
        self.day_start = 0.0  # start of the current step
        self.dt = params.dt_days  # length of the current step, in days
        self.counts = self.population.counts()
        self.members_before_step = 0
        self.last_joins = 0
        self.last_leaves = 0
        self.last = StepTally()
        self._effective_activity_sum = 0.0
        # per-member factors fixed when they join
        self.view_propensity = np.zeros(params.audience.size)
        self.churn_activity_factor = np.ones(params.audience.size)
        self.fatigue_ceiling = 0.0  # an upper bound of anyone's fatigue: 0 means nobody is tired
        self.engagement_moved = False  # no engagement state has left its baseline yet
        self.bond_moved = False  # no member has any attachment yet
        self.bond_raised: list[np.ndarray] = []  # people whose attachment rose since the last cap
        # this step's word-of-mouth exposure from shares and talk (only where not zero on a sparse graph)
        self.talk_exposure: growth.SparseExposure | np.ndarray | None = None
        self.joiners = self.leavers = _NOBODY  # this step's draws, applied together
        self._members: np.ndarray | None = None  # current members' ids, recomputed when membership changes
        self._non_members: np.ndarray | None = None  # likewise for people who never joined
        capacity = params.n_steps + 2
        self._step_day = np.zeros(capacity)  # day at the end of each step (row 0: day 0)
        self._last_action_count = np.zeros(capacity, dtype=np.int64)  # members by step of their last action
        self.recent_comments = RecentComments(params.audience.size)  # for lurkers, contributors, creators
        self.invited_day: float | None = None
        self.crisis_started_day: float | None = None
        self.readiness = seeding.readiness(0, params.launch)
        self._finished = False
        self._records: dict[str, list[Any]] = {c.name: [] for c in COLUMNS}
        self._collect()

    # --- state helpers -------------------------------------------------------------------------

    @property
    def activity_norm(self) -> float:
        """Members' mean effective activity (NaN with no members)."""
        members = self.counts["members"]
        return self._effective_activity_sum / members if members else float("nan")

    def personal_draws(self, stream: str, per_step: bool = True) -> PersonalUniforms:
        """Each person's uniforms for ``stream`` at this step, or for the run (``sampling.PersonalUniforms``)."""
        draws = self._stream_draws.get(stream)
        if draws is None:  # the stream's key mixed once a run, then the step's each step (the same keys)
            draws = self._stream_draws[stream] = self._personal.child(stream)
        return draws.child(self.steps) if per_step else draws

    def step_rng(self, stream: str, index: int = 0) -> np.random.Generator:
        """A generator for ``stream``'s draws that are not per person, at this step (``sampling.step_generator``)."""
        return LazyGenerator(self.run_key, stream, self.steps, index)  # type: ignore[return-value]  # built on first use

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
                "joined_day": np.where(pop.joined_step >= 0, self._step_day[pop.joined_step], np.nan),
                "left_day": np.where(pop.left_step >= 0, self._step_day[pop.left_step], np.nan),
            }
        )

    def admit(self, ids: np.ndarray, activity_factor: float = 1.0, base: bool = False) -> None:
        """Make ``ids`` members now (``base``: an established page's members at day 0, who did not act in the run)."""
        if ids.size == 0:
            return
        pop = self.population
        effective = norm.newcomer_activity(
            pop.activity[ids] * activity_factor, self.activity_norm, self.params.community.norm_conformity_share
        )
        pop.state[ids] = MemberState.MEMBER
        pop.joined_step[ids] = self.steps
        pop.effective_activity[ids] = effective
        self.view_propensity[ids] = feed.view_propensity(effective, self.params.feed.organic_reach_share)
        self.churn_activity_factor[ids] = churn.activity_factor(effective, self.params.growth.churn_activity_exponent)
        self.mark_actions(ids, step=0 if base else None)  # joining is an action (the base's: before day 0)
        self._members = self._non_members = None
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
        self._members = None
        self._last_action_count -= np.bincount(pop.last_action_step[ids], minlength=self._last_action_count.size)
        self.word_of_mouth.remove(ids)
        self._effective_activity_sum -= float(pop.effective_activity[ids].sum())
        self.counts["members"] -= ids.size
        self.counts["former_members"] += ids.size
        self.last_leaves += ids.size

    def non_members_now(self) -> np.ndarray:
        """Ids of the people who never joined (kept until membership changes)."""
        if self._non_members is None:
            self._non_members = np.flatnonzero(self.population.state == MemberState.NON_MEMBER)
        return self._non_members

    def members_now(self) -> np.ndarray:
        """Ids of the current members (kept until membership changes)."""
        if self._members is None:
            self._members = np.flatnonzero(self.population.state == MemberState.MEMBER)
        return self._members

    def mark_actions(self, ids: np.ndarray, step: int | None = None) -> None:
        """Members ``ids`` act now (or at ``step``): move them in the histogram of last actions."""
        step = self.steps if step is None else step
        last = self.population.last_action_step
        known = last[ids]
        known = known[known >= 0]
        if known.size:
            self._last_action_count -= np.bincount(known, minlength=self._last_action_count.size)
        last[ids] = step
        self._last_action_count[step] += ids.size

    def participation(self, members: np.ndarray | None = None) -> dict[str, int]:
        """Members by comments over the last 30 days: lurkers (0), contributors, creators (threshold)."""
        members = self.members_now() if members is None else members
        return self.recent_comments.levels(members, self.params.engagement.creator_comments_30d)

    def active_members(self) -> int:
        """Members with an action (joining included) during the run, in the last ``engagement.inactive_days``.

        An established page's first members (invited before any post) joined before day 0: their
        joining counts for the churn rule's inactivity (step 0) but not as an action in the run.
        """
        first = max(1, self.first_active_step())
        return int(self._last_action_count[first : self.steps + 1].sum())

    def first_active_step(self) -> int:
        """The first step whose end is within the last ``engagement.inactive_days``."""
        since = self.day - self.params.engagement.inactive_days
        return int(np.searchsorted(self._step_day[: self.steps + 1], since + 1e-9, side="right"))

    def day_of_step(self, step: int) -> float:
        """Day at the end of step ``step``."""
        return float(self._step_day[step])

    def _collect(self) -> None:
        members = self.members_now()
        pop = self.population
        if not self.recent_comments.empty:
            self.participation_now = self.participation(members)
        else:  # nobody commented in the last 30 days
            self.participation_now = {"lurkers": members.size, "contributors": 0, "creators": 0}
        self.active_now = self.active_members()
        nobody = float("nan")
        moved, tired = self.engagement_moved, self.fatigue_ceiling > 0
        self.mean_engagement_now = pop.engagement.mean(members) if moved and members.size else 1.0
        self.mean_fatigue_now = pop.fatigue.mean(members) if tired and members.size else 0.0
        if not members.size:
            self.mean_engagement_now = self.mean_fatigue_now = nobody
        for column in COLUMNS:
            self._records[column.name].append(column.read(self))

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the clock one step, then run each function of ``STEP`` in order."""
        self._advance_clock()
        for step_function in STEP:
            step_function(self)

    def _advance_clock(self) -> None:
        """Start the next step: its length, its start and end days, and the step's fresh counters."""
        if self.day >= self.params.days - 1e-9:
            self.steps -= 1  # Mesa counted this call before we refuse it
            raise RuntimeError(f"the horizon of {self.params.days:g} days is reached; build a new model to go on")
        self.dt = crisis.next_step_days(self)
        self.day_start = self.day
        self.day = round(self.day_start + self.dt, 9)  # keeps the clock on its grid (no drift from adding 1/24)
        self._grow_buffers()
        self._step_day[self.steps] = self.day
        self.members_before_step = self.counts["members"]
        self.last_joins = self.last_leaves = 0
        self.talk_exposure = None
        self.joiners = self.leavers = _NOBODY

    def run(self) -> Result:
        """Step to the horizon and return the Result (a model runs once).

        Raises:
            RuntimeError: the model has already run.
        """
        if self._finished:
            raise RuntimeError("this model has already run; build a new CommunityModel to run again")
        progress = None
        if self.progress:
            from tqdm.auto import tqdm

            from communitysim.messages import t

            progress = tqdm(total=float(self.params.days), desc=self.params.name, unit=t("plot.day"), leave=False)
        while self.day < self.params.days - 1e-9:
            before = self.day
            self.step()
            if progress is not None:
                progress.update(self.day - before)
        if progress is not None:
            progress.close()
        self._finished = True
        return self.result()

    def result(self) -> Result:
        """The Result of the steps taken so far.

        With crises, the time series also has ``members_no_crisis``: the members of the same seed
        and decisions without the crises' effects (common random numbers), for ``members_lost``.
        """
        timeseries = pd.DataFrame({c.name: np.asarray(self._records[c.name], dtype=c.dtype) for c in COLUMNS})
        if self.bad_buzz.active and self.bad_buzz.effects_on:
            twin = self._advance_twin()
            members = np.asarray(twin._records["members"], dtype=float)
            if members.size == len(timeseries):
                timeseries["members_no_crisis"] = members
            else:  # pragma: no cover - the twin's clock follows the same crisis starts
                timeseries["members_no_crisis"] = np.interp(timeseries["day"], twin._step_day[: members.size], members)
        return Result(scenario=self.params, seed=self.seed, timeseries=timeseries)

    def _advance_twin(self) -> CommunityModel:
        """The counterfactual twin (same seed, crises without effects), brought up to now."""
        if self._twin is None:
            self._twin = crisis.CounterfactualTwin(self)
        return self._twin.catch_up(self)

    # --- crises ---------------------------------------------------------------------------------

    def inject(self, event: crisis.Crisis) -> None:
        """Start a crisis while the model runs (a ``start_day`` in the past means now).

        Example:
            >>> from communitysim import CommunityModel
            >>> from communitysim.mechanisms.crisis import Crisis
            >>> model = CommunityModel({"audience": {"size": 300}, "days": 20}, seed=1)
            >>> for _ in range(5):
            ...     model.step()
            >>> model.inject(Crisis(type="service_outage", severity=0.8))
            >>> model.bad_buzz.active
            True
        """
        crisis.inject(self, event)

    def respond(self, response: crisis.Response) -> None:
        """The CM's statement on the latest crisis, made now (replaces the one planned)."""
        crisis.respond(self, response)

    def act(self, action: str) -> None:
        """A CM action beyond the statement on the current crisis, now (``mechanisms.cm_actions``)."""
        from communitysim.mechanisms import cm_actions

        cm_actions.act(self, action)
        self.crisis_log.append((self.day, "act", action))

    def escalate(self, severity: float) -> None:
        """A new wave of outrage in the current crisis, now (an escalation inject: its response stays).

        Example:
            >>> from communitysim import CommunityModel
            >>> from communitysim.mechanisms.crisis import Crisis
            >>> model = CommunityModel({"audience": {"size": 300}, "days": 20}, seed=1)
            >>> model.inject(Crisis(type="service_outage", severity=0.5, origin="outside"))
            >>> before = int(model.bad_buzz.outraged.sum())
            >>> model.escalate(0.5)
            >>> int(model.bad_buzz.outraged.sum()) > before
            True
        """
        crisis.escalate(self, severity)

    def start_due_crises(self) -> None:
        """Make public now the crises due by now (a step does it at its start; an exercise at hour 0)."""
        crisis.start_due_crises(self, self.day)

    # --- the clock -----------------------------------------------------------------------------

    def _grow_buffers(self) -> None:
        """Make room in the per-step buffers for the current step."""
        if self.steps < self._step_day.size:
            return
        size = 2 * self._step_day.size
        self._step_day = np.concatenate([self._step_day, np.zeros(size - self._step_day.size)])
        extra = np.zeros(size - self._last_action_count.size, dtype=np.int64)
        self._last_action_count = np.concatenate([self._last_action_count, extra])


# --- the steps: STEP is the step order, written once ----------------------------------------------

_NOBODY = np.zeros(0, dtype=np.int64)


def feed_and_engagement(model: CommunityModel) -> None:
    """Feed and engagement: members see the live posts, engage, comment, share and answer each other; the CM replies.

    Members' engagement, attachment and fatigue decay first; the outraged engage less; begging
    annoys; leads are drawn; shares and member talk expose the authors' contacts
    (``mechanisms/feed.py``, ``engagement.py``, ``sentiment.py``, ``conversation.py``, ``replies.py``,
    ``retention.py``, ``leads.py``, ``growth.py``).
    """
    p = model.params
    pop = model.population
    cm = model.community_manager
    tally = model.last = StepTally(posts=cm.last_published)
    live = cm.posts.step(model.day_start, model.day, model.dt)
    tally.post_weight = live.weight
    tally.join_pull_per_day = live.join_pull_per_day
    _decay_member_states(model)
    model.recent_comments.roll(model.day_start)
    attention = feed.attention(cm.posts_per_day_recent, p.feed.appetite_posts_per_day)
    terms = engagement.ViewTerms.of(
        p.engagement,
        p.strategy.quality,
        p.audience.affinity.mean,
        attention,
        dampened=(model.bad_buzz.outraged, p.crisis_dynamics.outraged_engagement_factor)
        if model.bad_buzz.active
        else None,
    )
    acts, viewers, views = engagement.engage(
        model.members_now(), model.view_propensity, pop, live, terms, model.personal_draws("engagement")
    )
    feed.tire_viewers(model, viewers, views)
    tally.reach, tally.impressions = acts.reach, acts.views_total
    member_share = conversation.member_reply_share(p.conversation, live.member_talk, p.strategy.reply_share)
    speed = retention.reply_speed(
        replies.speed_value(p.strategy.reply_delay_hours, p.replies.speed_scale_hours), p.retention.reply_speed_share
    )
    retention.bond_from_views(model, viewers, views, member_share, speed, attention)
    if live.affinity_per_view and viewers.size:  # begging annoys those who see it
        pop.affinity[viewers] = np.clip(pop.affinity[viewers] + live.affinity_per_view * views, 0.0, 1.0)
    if acts.ids.size == 0:
        return
    _record_actions(model, acts, live)
    sentiment.record_comment_sentiment(model, acts.ids, acts.comments)
    talk = conversation.talk(model, acts.ids, acts.comments, member_share)
    replied = replies.reply_to_commenters(model, talk.commenters, talk.to_brand)
    pop.engagement.cap(acts.ids, p.engagement.max_engagement)  # only those who acted were raised
    retention.bond_from_replies(model, talk.commenters, replied, speed)
    retention.cap_bond(model)
    leads.draw_leads(model, acts.ids, acts.engagements, live.leads)
    model.talk_exposure = growth.exposure_from_shares_and_talk(
        model, acts.ids, acts.shares, talk.commented, talk.to_members
    )


def _decay_member_states(model: CommunityModel) -> None:
    """Members' engagement, attachment and fatigue decay over the step (fatigue grows in ``feed.tire_viewers``)."""
    p = model.params
    pop = model.population
    dt = model.dt
    if model.engagement_moved:
        engagement.decay_engagement(pop.engagement, dt, p.engagement.member_half_life_days)
    if model.bond_moved:
        retention.decay_bond(pop.bond, dt, p.retention.bond_half_life_days)
    if model.fatigue_ceiling > 0:
        feed.rest(model)


def _record_actions(model: CommunityModel, acts: engagement.Engagements, live: engagement.StepPosts) -> None:
    """The step's engagements: counted, credited to the live posts, marked as the members' last actions.

    Each action lifts the member's engagement (``engagement.gain_per_action``); comments go to the
    participation window.
    """
    tally = model.last
    tally.engagements = int(acts.engagements.sum())
    tally.comments = int(acts.comments.sum())
    tally.shares = int(acts.shares.sum())
    model.community_manager.posts.attribute(live, tally.engagements)
    model.mark_actions(acts.ids)
    model.population.engagement.add(acts.ids, model.params.engagement.gain_per_action * acts.engagements)
    model.engagement_moved = True
    model.recent_comments.add(acts.ids, acts.comments)


def apply_joins_and_leaves(model: CommunityModel) -> None:
    """Apply: joiners become members (their effective activity set by the norm), leavers become former members.

    The word-of-mouth sums of their neighbours are updated (``mechanisms/norm.py``, ``growth.py``).
    """
    model.admit(model.joiners)
    model._remove(model.leavers)


def collect(model: CommunityModel) -> None:
    """Collect: one row of the time series (``kpis.COLUMNS``)."""
    model._collect()


#: The step order: ``CommunityModel.step`` advances the clock, then calls each of these on the model,
#: in this order. docs/MODEL.md (section 3) lists them, generated from this tuple
#: (``tools/update_step_order.py``; ``tests/test_docs.py`` checks it).
STEP = (
    crisis.start_due_crises,
    posting.publish_due_posts,
    seeding.update_readiness,
    seeding.invite_first_members,
    crisis.spread_bad_buzz,
    feed_and_engagement,
    growth.decide_joins,
    churn.decide_leaves,
    apply_joins_and_leaves,
    collect,
)


def step_order() -> list[tuple[str, str]]:
    """Each step of ``STEP``: its qualified name and its description (its docstring up to ``Args:``), for the docs.

    Example:
        >>> step_order()[0][0]
        'crisis.start_due_crises'
    """
    rows = []
    for function in STEP:
        module = function.__module__.removeprefix("communitysim.").removeprefix("mechanisms.")
        description = re.split(r"\n\s*(?:Args|Returns|Raises|Example):", function.__doc__ or "")[0]
        rows.append((f"{module}.{function.__name__}", " ".join(description.split()).replace("``", "`")))
    return rows
