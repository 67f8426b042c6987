"""CommunityModel: the brand community as a Mesa model over member arrays.

Build, then run: construction validates the scenario, builds the audience graph and the member
arrays and records the initial state; ``run()`` steps to the horizon and returns a ``Result``.

**Step order** (written here once, documented in docs/MODEL.md, tested):

1. *crisis events*: crises whose start has come go public (scheduled or injected);
2. *posting*: the community manager (a Mesa agent) publishes the posts due this step;
3. *launch readiness*: the page's conversion factor from the posts published so far;
4. *first members*: once enough posts are up, the seeding strategy's invitations go out (once);
5. *bad buzz*: the CM's crisis response takes effect; the outrage spreads and calms;
6. *feed and engagement*: members see the live posts, engage, comment, share, answer each other;
   the CM replies; engagement and fatigue decay; leads are drawn;
7. *joins*: non-members join by external visibility, word-of-mouth and shares (on the state after 6);
8. *churn*: members leave (drawn on the same state as 7);
9. *apply*: joiners become members (taking on part of the activity norm), leavers leave;
10. *collect*: one row of ``kpis.COLUMNS``.

Randomness: one seed goes to Mesa's own generator (``rng=``); one root entropy drawn from it
feeds a separate stream per mechanism (``STREAMS``), keyed by name, so that changing one
mechanism's policy does not reshuffle the others. Joining, leaving and answering an invitation
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
)
from communitysim.network import Network, build_network
from communitysim.population import MemberState, Population
from communitysim.result import Result
from communitysim.sampling import EventClocks
from communitysim.scenario import Scenario, check_seed, load_scenario

__all__ = ["CommunityModel", "CommunityManager", "MemberView", "StepTally", "STREAMS", "PARTICIPATION_DAYS"]

#: The random streams, one per mechanism.
STREAMS = (
    "network",
    "population",
    "seeding",
    "growth",
    "churn",
    "content",
    "engagement",
    "conversation",
    "replies",
    "leads",
    "crisis",
)


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
        self.posts = engagement.LivePosts(params.engagement.post_half_life_hours, params.engagement.post_decay_stretch)
        self.novelty = posting.Novelty()
        self.posts_per_day_recent = params.strategy.posts_per_week / 7.0
        self.last_published = 0

    @property
    def posts_published(self) -> int:
        """Brand posts published since day 0."""
        return self.posts.count

    def step(self) -> None:
        """Publish the posts the schedule has for the current step."""
        model: CommunityModel = self.model  # type: ignore[assignment]
        strategy = model.params.strategy
        dt = model.dt
        due = posting.SCHEDULES[strategy.schedule](strategy, model.day_start, model.day, model.streams["content"])
        days = [day for day, _ in due]
        kinds = [kind for _, kind in due]
        appeal = [posting.CONTENT_TYPES_TABLE[k].appeal * self.novelty.use(k, d) for d, k in due]
        self.posts.publish(days, kinds, appeal, model.counts["members"])
        self.posts_per_day_recent = posting.recent_rate_after(self.posts_per_day_recent, len(due), dt)
        self.last_published = len(due)


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


#: Days of comments counted for participation (lurkers, contributors, creators).
PARTICIPATION_DAYS = 30


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
        self.streams = {name: _stream(root, name) for name in STREAMS}

        self.network: Network = build_network(params.audience.network, params.audience.size, self.streams["network"])
        self.population = Population.draw(params.audience, self.streams["population"], segment=self.network.segment)
        # each person's own draws for joining, leaving and answering an invitation (common random numbers)
        self.join_clocks = EventClocks(params.audience.size, self.streams["growth"])
        self.leave_clocks = EventClocks(params.audience.size, self.streams["churn"])
        self._acceptance_draws = self.streams["seeding"].random(params.audience.size)
        self.word_of_mouth = growth.WordOfMouth(self.network)
        self.bad_buzz = crisis.BadBuzz(self.network, params.crisis_dynamics, effects_on=crisis_effects)
        self._crises_due = sorted(params.crises, key=lambda c: c.start_day)
        self.crisis_log: list[tuple[float, str, Any]] = []  # (day, "inject" | "respond" | "act" | ..., what)
        self._twin: CommunityModel | None = None  # the same run without the crises' effects (members_lost)
        self._twin_log = 0  # crisis_log entries the twin has replayed
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
        self._view_propensity = np.zeros(params.audience.size)
        self._churn_activity_factor = np.ones(params.audience.size)
        self._fatigue_ceiling = 0.0  # an upper bound of anyone's fatigue: 0 means nobody is tired
        self._engagement_moved = False  # no engagement state has left its baseline yet
        self._bond_moved = False  # no member has any attachment yet
        self._members_in_step = np.zeros(0, dtype=np.int64)
        self._members: np.ndarray | None = None  # current members' ids, recomputed when membership changes
        self._non_members: np.ndarray | None = None  # likewise for people who never joined
        capacity = params.n_steps + 2
        self._step_day = np.zeros(capacity)  # day at the end of each step (row 0: day 0)
        self._last_action_count = np.zeros(capacity, dtype=np.int64)  # members by step of their last action
        # comments in each of the last 30 days (a ring of day buckets) and their running sum
        self._comment_days = np.zeros((PARTICIPATION_DAYS, params.audience.size), dtype=np.int16)
        self.comments_30d = np.zeros(params.audience.size, dtype=np.int32)
        self._bucket_day = 0
        self._buckets_used: set[int] = set()
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

    def _admit(self, ids: np.ndarray, activity_factor: float = 1.0, base: bool = False) -> None:
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
        self._view_propensity[ids] = feed.view_propensity(effective, self.params.feed.organic_reach_share)
        self._churn_activity_factor[ids] = churn.activity_factor(effective, self.params.growth.churn_activity_exponent)
        self._mark_actions(ids, step=0 if base else None)  # joining is an action (the base's: before day 0)
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

    def _mark_actions(self, ids: np.ndarray, step: int | None = None) -> None:
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
        comments = self.comments_30d[self.members_now() if members is None else members]
        creators = int(np.count_nonzero(comments >= self.params.engagement.creator_comments_30d))
        lurkers = int(comments.size - np.count_nonzero(comments))
        return {"lurkers": lurkers, "contributors": comments.size - lurkers - creators, "creators": creators}

    def active_members(self) -> int:
        """Members with an action (joining included) during the run, in the last ``engagement.inactive_days``.

        An established page's first members (invited before any post) joined before day 0: their
        joining counts for the churn rule's inactivity (step 0) but not as an action in the run.
        """
        first = max(1, self._first_active_step())
        return int(self._last_action_count[first : self.steps + 1].sum())

    def _first_active_step(self) -> int:
        """The first step whose end is within the last ``engagement.inactive_days``."""
        since = self.day - self.params.engagement.inactive_days
        return int(np.searchsorted(self._step_day[: self.steps + 1], since + 1e-9, side="right"))

    def day_of_step(self, step: int) -> float:
        """Day at the end of step ``step``."""
        return float(self._step_day[step])

    def _roll_comment_days(self) -> None:
        """Empty the day buckets of the days that have just begun (keeps the last 30 days)."""
        today = int(np.floor(self.day_start + 1e-9))
        while self._bucket_day < today:
            self._bucket_day += 1
            index = self._bucket_day % PARTICIPATION_DAYS
            if index in self._buckets_used:
                bucket = self._comment_days[index]
                self.comments_30d -= bucket
                bucket[:] = 0
                self._buckets_used.discard(index)

    def _collect(self) -> None:
        members = self.members_now()
        pop = self.population
        if self._buckets_used:
            self.participation_now = self.participation(members)
        else:  # nobody commented in the last 30 days
            self.participation_now = {"lurkers": members.size, "contributors": 0, "creators": 0}
        self.active_now = self.active_members()
        nobody = float("nan")
        moved, tired = self._engagement_moved, self._fatigue_ceiling > 0
        self.mean_engagement_now = float(pop.engagement[members].mean()) if moved and members.size else 1.0
        self.mean_fatigue_now = float(pop.fatigue[members].mean()) if tired and members.size else 0.0
        if not members.size:
            self.mean_engagement_now = self.mean_fatigue_now = nobody
        for column in COLUMNS:
            self._records[column.name].append(column.read(self))

    # --- the step ------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one step of ``params.step_hours`` in the documented order."""
        if self.day >= self.params.days - 1e-9:
            self.steps -= 1  # Mesa counted this call before we refuse it
            raise RuntimeError(f"the horizon of {self.params.days:g} days is reached; build a new model to go on")
        p = self.params
        pop = self.population
        self.dt = dt = self._next_step_days()
        self.day_start = self.day
        self.day = round(self.day_start + dt, 9)  # keeps the clock on its grid (no drift from adding 1/24)
        self._grow_buffers()
        self._step_day[self.steps] = self.day
        self.members_before_step = self.counts["members"]
        self.last_joins = self.last_leaves = 0

        # 1. crisis events due
        self._start_due_crises()
        # 2. posting
        self.community_manager.step()
        posts = self.community_manager.posts_published
        # 3. launch readiness
        self.readiness = seeding.readiness(posts, p.launch)
        # 4. first members, once enough posts are up
        if self.invited_day is None and posts >= p.seeding.invite_after_posts:
            self.invited_day = self.day
            rng = self.streams["seeding"]
            invitation = seeding.STRATEGIES[p.seeding.strategy](self, p.seeding.size, rng)
            accepted, declined = seeding.answers(
                invitation, p.seeding.acceptance_share, self.readiness, rng, self._acceptance_draws
            )
            pop.invited[invitation.ids] = True
            if invitation.affinity is not None:
                pop.affinity[accepted] = invitation.affinity
            pop.affinity[declined] *= p.launch.declined_affinity_factor
            self._admit(accepted, invitation.activity_factor, base=p.seeding.invite_after_posts == 0)
        # 5. bad buzz: outrage spreads and calms; the CM's crisis response takes effect
        if self.bad_buzz.active:
            self.bad_buzz.step(
                self.day_start,
                dt,
                pop.state == MemberState.MEMBER,
                pop.affinity,
                p.audience.affinity.mean,
                self.streams["crisis"],
            )
        # 6. feed and engagement
        share_sums = self._feed_and_engagement()
        # 7. joins and 8. churn, both drawn on the same state
        candidates = self.non_members_now()
        exposure = self.word_of_mouth.exposure(candidates)
        if share_sums is not None:
            exposure = exposure + share_sums[candidates]
        visibility = feed.visibility_factor(
            self.community_manager.posts_per_day_recent,
            p.feed.reference_posts_per_week,
            p.feed.visibility_from_posts_share,
        )
        hazard = growth.join_hazard_per_day(
            exposure,
            pop.affinity[candidates],
            p.growth.external_rate_per_day * visibility,
            p.growth.word_of_mouth_rate_per_day,
            self.readiness,
            p.audience.affinity.mean,
        )
        if self.last.join_pull_per_day:
            hazard = hazard + self.last.join_pull_per_day * self.readiness
        if self.bad_buzz.active:  # the outraged do not join
            hazard[self.bad_buzz.outraged[candidates]] = 0.0
        joiners = growth.draw_joiners(candidates, hazard, dt, self.join_clocks)
        leavers = candidates[:0]
        if (
            p.growth.churn_rate_per_day
            or (p.feed.fatigue_unfollow_rate_per_day and self._fatigue_ceiling > 0)
            or self.bad_buzz.active
        ):
            members = self._members_in_step  # the state of step 4: joins and leaves apply at step 7
            leave_hazard = churn.churn_hazard_per_day(
                pop.affinity[members],
                self._churn_activity_factor[members],
                p.growth.churn_rate_per_day,
                p.audience.affinity.mean,
                inactive=pop.last_action_step[members] < self._first_active_step(),
                inactive_factor=p.engagement.inactive_churn_factor,
                fatigue=pop.fatigue[members],
                fatigue_rate_per_day=p.feed.fatigue_unfollow_rate_per_day,
            )
            r = p.retention
            if self._bond_moved or r.tie_effect:
                bond = pop.bond[members] if self._bond_moved else np.zeros(members.size)
                ties = self.word_of_mouth.exposure(members) if r.tie_effect else 0.0
                leave_hazard *= retention.retention_factor(bond, ties, r.tie_effect)
            if self.bad_buzz.active:
                leave_hazard[self.bad_buzz.outraged[members]] *= p.crisis_dynamics.outraged_churn_factor
            leavers = churn.draw_leavers(members, leave_hazard, dt, self.leave_clocks)
        # 9. apply
        self._admit(joiners)
        self._remove(leavers)
        # 10. collect
        self._collect()

    def _feed_and_engagement(self) -> np.ndarray | None:
        """Step 4: members see the live posts and engage; the CM replies.

        Returns the word-of-mouth exposure from shares and member talk (None: none this step).
        """
        p = self.params
        dt = self.dt
        pop = self.population
        cm = self.community_manager
        tally = self.last = StepTally(posts=cm.last_published)
        live = cm.posts.step(self.day_start, self.day, dt)
        tally.post_weight = live.weight
        tally.join_pull_per_day = live.join_pull_per_day
        members = self._members_in_step = self.members_now()
        rate = cm.posts_per_day_recent
        if self._engagement_moved:
            engagement.decay_engagement(pop.engagement, dt, p.engagement.member_half_life_days)
        if self._bond_moved:
            retention.decay_bond(pop.bond, dt, p.retention.bond_half_life_days)
        if self._fatigue_ceiling > 0:
            feed.decay_fatigue(pop.fatigue, dt, p.feed.fatigue_half_life_days)
            self._fatigue_ceiling *= 0.5 ** (dt / p.feed.fatigue_half_life_days)
            if self._fatigue_ceiling < 1e-12:
                pop.fatigue[:] = 0.0  # everyone has rested
                self._fatigue_ceiling = 0.0
        self._roll_comment_days()
        terms = engagement.ViewTerms(
            p.engagement.per_view,
            p.strategy.quality,
            p.audience.affinity.mean,
            feed.attention(rate, p.feed.appetite_posts_per_day),
            p.engagement.comment_share,
            p.engagement.share_share,
            dampened=(self.bad_buzz.outraged, p.crisis_dynamics.outraged_engagement_factor)
            if self.bad_buzz.active
            else None,
        )
        acts, viewers, views = engagement.engage(
            members, self._view_propensity, pop, live, terms, self.streams["engagement"]
        )
        if p.feed.fatigue_per_excess_post and viewers.size and rate > p.feed.appetite_posts_per_day:
            gain = feed.fatigue_gain(
                views, rate, p.feed.appetite_posts_per_day, p.feed.fatigue_per_excess_post, p.feed.organic_reach_share
            )
            pop.fatigue[viewers] += gain
            self._fatigue_ceiling += float(gain.max())  # an upper bound of anyone's fatigue
        tally.reach, tally.impressions = acts.reach, acts.views_total
        member_share = conversation.member_reply_share(
            p.conversation.member_reply_share,
            live.member_talk,
            p.conversation.reply_culture_boost,
            p.strategy.reply_share,
        )
        speed = retention.reply_speed(
            replies.speed_value(p.strategy.reply_delay_hours, p.replies.speed_scale_hours),
            p.retention.reply_speed_share,
        )
        if p.retention.bond_per_view and viewers.size:  # value from what they saw: content and care
            r = p.retention
            value = retention.view_value(p.strategy.quality, p.strategy.reply_share * speed, member_share, r.seen_care)
            worth = r.bond_per_view * value * feed.attention(rate, p.feed.appetite_posts_per_day)
            pop.bond[viewers] += worth * views / (1.0 + pop.fatigue[viewers])
            self._bond_moved = True
        if live.affinity_per_view and viewers.size:  # begging annoys those who see it
            pop.affinity[viewers] = np.clip(pop.affinity[viewers] + live.affinity_per_view * views, 0.0, 1.0)
        ids = acts.ids
        if ids.size == 0:
            return None
        tally.engagements = int(acts.engagements.sum())
        tally.comments = int(acts.comments.sum())
        tally.shares = int(acts.shares.sum())
        cm.posts.attribute(live, tally.engagements)
        self._mark_actions(ids)
        pop.engagement[ids] += p.engagement.gain_per_action * acts.engagements
        self._engagement_moved = True
        index = self._bucket_day % PARTICIPATION_DAYS
        self._comment_days[index, ids] += acts.comments.astype(np.int16)
        self._buckets_used.add(index)
        self.comments_30d[ids] += acts.comments
        # sentiment of the comments (expected counts from affinity)
        aff = pop.affinity[ids]
        tally.positive = float(acts.comments @ (p.engagement.positive_comment_share * aff))
        negative = p.engagement.negative_comment_share * (1.0 - aff)
        if self.bad_buzz.active:  # outraged members' comments are negative
            negative = np.where(self.bad_buzz.outraged[ids], 1.0, negative)
        tally.negative = float(acts.comments @ negative) * (1.0 - self.bad_buzz.moderation(self.day_start))
        # member-to-member talk
        commented = acts.comments > 0
        commenters, comments = ids[commented], acts.comments[commented]
        to_members, answered = conversation.answers(commenters, comments, member_share, self.streams["conversation"])
        tally.member_interactions = int(to_members.sum())
        np.add.at(pop.engagement, answered, p.engagement.gain_per_reply_received)
        if p.retention.bond_per_member_answer and answered.size:  # receiving communication
            np.add.at(pop.bond, answered, p.retention.bond_per_member_answer)
            self._bond_moved = True
        # the CM's replies to comments addressed to the brand
        to_brand = comments - to_members
        replied, delay = replies.reply(
            to_brand, p.strategy.reply_share, p.strategy.reply_delay_hours, self.streams["replies"]
        )
        tally.to_brand, tally.replies, tally.response_time_h = int(to_brand.sum()), int(replied.sum()), delay
        worth = replies.speed_value(p.strategy.reply_delay_hours, p.replies.speed_scale_hours)
        pop.affinity[commenters] = np.clip(
            pop.affinity[commenters]
            + p.replies.affinity_gain * worth * replied
            - p.replies.unanswered_affinity_loss * (to_brand - replied),
            0.0,
            1.0,
        )
        pop.engagement[commenters] += p.replies.engagement_gain * worth * replied
        np.minimum(pop.engagement, p.engagement.max_engagement, out=pop.engagement)
        if p.retention.bond_per_reply and tally.replies:  # a reply keeps people (Joyce and Kraut 2006)
            pop.bond[commenters] += p.retention.bond_per_reply * speed * replied
            self._bond_moved = True
        if self._bond_moved:
            np.minimum(pop.bond, p.retention.max_bond, out=pop.bond)
        # leads
        open_ids = ~pop.is_lead[ids]
        candidates = ids[open_ids]
        chance = leads.lead_probability(
            acts.engagements[open_ids],
            pop.affinity[candidates],
            p.leads.rate_per_engagement,
            live.leads,
            p.audience.affinity.mean,
        )
        new_leads = candidates[self.streams["leads"].random(candidates.size) < chance]
        pop.is_lead[new_leads] = True
        tally.leads = int(new_leads.size)
        # shares and conversations between members expose the authors' contacts (word-of-mouth for this step)
        spread = p.engagement.share_exposure * acts.shares.astype(float)
        if p.retention.conversation_exposure and commenters.size:
            spread[commented] += p.retention.conversation_exposure * to_members
        talking = spread > 0
        if not talking.any():
            return None
        return self.word_of_mouth.neighbour_share(ids[talking], spread[talking])

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
            self._twin = CommunityModel(self.params, seed=self.seed, crisis_effects=False)
            self._twin_log = 0
        twin = self._twin
        while True:
            while self._twin_log < len(self.crisis_log) and self.crisis_log[self._twin_log][0] <= twin.day + 1e-9:
                _, kind, what = self.crisis_log[self._twin_log]
                twin.start_due_crises()  # as this model had, when the entry was logged
                getattr(twin, kind)(what)  # inject, respond, act or escalate, as logged
                self._twin_log += 1
            if twin.day >= self.day - 1e-9:
                return twin
            twin.step()

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
        if not isinstance(event, crisis.Crisis):
            raise TypeError("inject takes a Crisis (communitysim.mechanisms.crisis.Crisis)")
        start = max(event.start_day, self.day)
        if start >= self.params.days:
            raise ValueError(f"crisis start_day {start:g} is not before the horizon ({self.params.days:g} days)")
        event = event.model_copy(update={"start_day": start})
        self.crisis_log.append((self.day, "inject", event))
        self._crises_due = sorted([*self._crises_due, event], key=lambda c: c.start_day)
        if start <= self.day + 1e-9:
            self._start_due_crises(self.day)

    def respond(self, response: crisis.Response) -> None:
        """The CM's statement on the latest crisis, made now (replaces the one planned)."""
        self.crisis_log.append((self.day, "respond", response))
        self.bad_buzz.respond(response, self.day)

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
        if not (isinstance(severity, int | float) and 0 < severity <= 1):
            raise ValueError(f"escalation severity: expected a share in (0, 1], got {severity!r}")
        if not self.bad_buzz.active:
            raise RuntimeError("there is no crisis to escalate")
        self.crisis_log.append((self.day, "escalate", float(severity)))
        pop = self.population
        self.bad_buzz.escalate(float(severity), pop.state, pop.affinity, self.streams["crisis"])

    def start_due_crises(self) -> None:
        """Make public now the crises due by now (a step does it at its start; an exercise at hour 0)."""
        self._start_due_crises(self.day)

    def _start_due_crises(self, now: float | None = None) -> None:
        now = self.day_start if now is None else now
        while self._crises_due and self._crises_due[0].start_day <= now + 1e-9:
            event = self._crises_due.pop(0)
            pop = self.population
            self.bad_buzz.start(event, now, pop.state, pop.affinity, self.streams["crisis"])
            if self.crisis_started_day is None:
                self.crisis_started_day = now

    # --- the clock -----------------------------------------------------------------------------

    def _next_step_days(self) -> float:
        """Length of the next step in days.

        ``step_hours``, except within ``crisis_dynamics.window_days`` of a crisis start, where it is
        ``crisis_dynamics.step_hours``; a step never straddles a scheduled crisis start or the horizon.
        """
        p = self.params
        now = self.day
        dt = p.dt_days
        window = p.crisis_dynamics.window_days
        starts = [c.params.start_day for c in self.bad_buzz.crises] + [c.start_day for c in self._crises_due]
        if any(start - 1e-9 <= now < start + window - 1e-9 for start in starts):
            dt = p.crisis_dynamics.step_hours / 24.0
        upcoming = [start for start in starts if start > now + 1e-9]
        if upcoming:
            dt = min(dt, min(upcoming) - now)
        return min(dt, p.days - now)

    def _grow_buffers(self) -> None:
        """Make room in the per-step buffers for the current step."""
        if self.steps < self._step_day.size:
            return
        size = 2 * self._step_day.size
        self._step_day = np.concatenate([self._step_day, np.zeros(size - self._step_day.size)])
        extra = np.zeros(size - self._last_action_count.size, dtype=np.int64)
        self._last_action_count = np.concatenate([self._last_action_count, extra])
