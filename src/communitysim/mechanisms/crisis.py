"""Crises and e-reputation: bad buzz spreading over the social graph, and the CM's responses (SCCT).

**Crisis events** (``Crisis``: a type, a start day, a severity, an origin, a response) are scheduled
in the scenario's ``crises:`` or injected while a model runs (``model.inject(Crisis(...))``). Each
type has a cluster of Situational Crisis Communication Theory (Coombs 2007; DOMAIN.md s.7):
*victim* (false rumour), *accidental* (product recall, service outage, data leak, influencer
callout as a challenge), *preventable* (offensive post, employee misconduct). A crisis history
moves the cluster one step towards preventable.

**Bad buzz** spreads like a rumour over the same graph (Maki-Thompson-like): a person hears it
with hazard ``hear_rate x (sum of a_j over outraged contacts j) / degree_i``, with
``a_j = (degree_j / mean degree)^amplification_exponent`` (central people amplify); on hearing,
they take it up and spread it (outraged) with probability

    p_i = outrage_share x severity x m x susceptibility_i      (capped at 1)

``susceptibility_i = (1 - affinity_i) / (1 - mean affinity)`` (fans defend the brand), ``m`` the
response and moderation multiplier; otherwise they just know. Outraged people calm down with
hazard ``calm x r``. Hearing costs affinity (e-reputation: non-members who heard are less likely
to join). It starts with a few outraged people inside the community (members) or outside it
(non-members; for an influencer callout, the most connected ones). Outraged members post
negative mentions, engage less and churn more; the outraged do not join. Without a response it
peaks within hours and fades over days (DOMAIN.md s.7).

**Responses** take effect at ``start + delay_hours``. A strategy's *fit* to the cluster
(``crisis_dynamics.response_fit``, by default ``RESPONSE_FIT``, from SCCT's guidelines: deny fits
rumours, diminish accidental crises, rebuild preventable ones; mismatches are worse than silence)
sets ``m = exp(-spread_effect x fit)`` and ``r = exp(calm_effect x fit)``, and shifts by
``response_affinity_shift x fit`` the affinity of those who hear the story with the response, but
only ``response_heard_before_share`` of it for those who heard before (their opinion is formed): the
later the response, the more people heard without it, so late responses are worse; a fitting
response softens a loss but never turns it into a gain (a mismatch adds to it). Follow-up updates
strengthen the fit. Moderation hides a share of the negative comments on the page; beyond a
threshold it backfires (the spread rises). Disclosing first (stealing thunder) lowers the severity
and counts as an immediate response.

**Lasting damage heals, or not.** The affinity a person lost on hearing the story (their *scar*)
heals with half-life ``damage_half_life_days`` down to a lasting share of it,

    lasting = lasting_share_by_cluster[cluster] x min(1, load / lasting_load_days) x exp(-lasting_response_effect x fit)

(capped at 1), where ``load`` is the storm's outraged person-days per person of the audience (its
volume times its length) and ``fit`` the response made (0 without one): short, small storms and
matched responses heal; long, loud ones, product and social failures and mismatched responses
leave a lasting scar (Hansen, Kupfer and Hennig-Thurau 2018; DOMAIN.md s.11).

Example:
    >>> cluster_of("false_rumour"), cluster_of("data_leak", history=True)
    ('victim', 'preventable')
    >>> fit = RESPONSE_FIT["preventable"]
    >>> fit["rebuild"] > fit["silence"] > fit["deny"]
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Literal, get_args

import numpy as np
from pydantic import Field

from communitysim.mechanisms.growth import WordOfMouth
from communitysim.params import Params, over_table, param, table
from communitysim.population import MemberState
from communitysim.sampling import PersonalUniforms

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel
    from communitysim.network import Network

__all__ = [
    "CrisisType",
    "ResponseStrategy",
    "ResponseParams",
    "CrisisParams",
    "CrisisDynamicsParams",
    "CRISIS_TYPES",
    "RESPONSE_FIT",
    "CLUSTERS",
    "ClusterName",
    "LASTING_BY_CLUSTER",
    "Crisis",
    "Response",
    "cluster_of",
    "BadBuzz",
    "CrisisTally",
    "start_due_crises",
    "spread_bad_buzz",
    "next_step_days",
    "inject",
    "respond",
    "escalate",
    "CounterfactualTwin",
]


CrisisType = Literal[
    "offensive_post",
    "product_recall",
    "service_outage",
    "data_leak",
    "employee_misconduct",
    "false_rumour",
    "influencer_callout",
]
ResponseStrategy = Literal["silence", "deny", "diminish", "apologize", "rebuild", "bolster", "correct", "humour"]
#: A response's fit to a crisis cluster, -1 (harmful) .. 1 (the matched response).
Fit = Annotated[float, Field(ge=-1, le=1)]
#: A share, 0..1.
Share = Annotated[float, Field(ge=0, le=1)]


class ResponseParams(Params):
    """The CM's response to a crisis (SCCT, Coombs 2007; DOMAIN.md s.7)."""

    strategy: ResponseStrategy = param(
        "silence",
        "silence, deny, diminish (excuse/justify), apologize, rebuild (apologize and compensate), bolster "
        "(remind past good deeds), correct (misinformation, with evidence), humour",
        "name",
        "Coombs 2007; DOMAIN.md s.7",
    )
    delay_hours: float = param(
        4.0, "hours from the crisis going public to the brand's first statement", "hours", "DOMAIN.md s.7", ge=0, le=720
    )
    updates_per_day: float = param(
        0.0, "follow-up updates per day after the first statement", "updates per day", ge=0, le=24
    )
    moderation_share: float = param(
        0.0, "share of negative comments on the page hidden or deleted", "share 0..1", ge=0, le=1
    )
    disclose_first: bool = param(
        False,
        "steal thunder: the brand discloses the problem itself before it goes public",
        "yes/no",
        "Arpan and Roskos-Ewoldsen 2005",
    )


class CrisisParams(Params):
    """One crisis event: what, when, how bad, where it starts, and the CM's response."""

    type: CrisisType = param(
        "offensive_post",
        "offensive_post, product_recall, service_outage, data_leak, employee_misconduct, false_rumour, "
        "influencer_callout (each has its SCCT cluster)",
        "name",
        "Coombs 2007",
    )
    start_day: float = param(0.0, "when the crisis goes public (injected: a day already past means now)", "day", ge=0)
    severity: float = param(0.5, "how grave the trigger is", "share 0..1", gt=0, le=1)
    origin: Literal["type", "inside", "outside"] = param(
        "type", "where the bad buzz starts: inside the community, outside it, or the type's usual origin", "name"
    )
    history: bool = param(
        False,
        "the brand had similar crises before (SCCT: raises the attributed responsibility)",
        "yes/no",
        "Coombs 2007",
    )
    response: ResponseParams = ResponseParams()


#: A crisis cluster of Situational Crisis Communication Theory (Coombs 2007).
ClusterName = Literal["victim", "accidental", "preventable"]
CLUSTERS: tuple[str, ...] = get_args(ClusterName)

#: Share of the damage a crisis of each cluster leaves for good at full load, without a response
#: (``crisis_dynamics.lasting_share_by_cluster``'s default;
#: assumption; ranked as Hansen et al. 2018 found: product or service failures and social failures
#: last, a rumour the brand is the victim of less).
LASTING_BY_CLUSTER: dict[str, float] = {"victim": 0.2, "accidental": 0.6, "preventable": 0.8}

#: Each crisis type: its SCCT cluster and where its bad buzz usually starts (Coombs 2007).
CRISIS_TYPES: dict[str, tuple[str, str]] = {
    "offensive_post": ("preventable", "inside"),
    "employee_misconduct": ("preventable", "outside"),
    "product_recall": ("accidental", "outside"),
    "service_outage": ("accidental", "inside"),
    "data_leak": ("accidental", "outside"),
    "influencer_callout": ("accidental", "outside"),
    "false_rumour": ("victim", "outside"),
}

#: Fit of each response strategy to each cluster, -1 (harmful) .. 1 (the matched response); silence is 0.
#: From SCCT's guidelines (Coombs 2007; DOMAIN.md s.7); the magnitudes are assumptions
#: (``crisis_dynamics.response_fit``'s default).
RESPONSE_FIT: dict[str, dict[str, float]] = {
    "victim": {
        "silence": 0.0, "deny": 0.6, "correct": 0.8, "diminish": 0.2, "apologize": 0.1, "rebuild": 0.1,
        "bolster": 0.3, "humour": 0.2,
    },
    "accidental": {
        "silence": 0.0, "deny": -0.6, "correct": 0.3, "diminish": 0.6, "apologize": 0.5, "rebuild": 0.5,
        "bolster": 0.1, "humour": -0.3,
    },
    "preventable": {
        "silence": 0.0, "deny": -1.0, "correct": -0.2, "diminish": -0.4, "apologize": 0.6, "rebuild": 0.9,
        "bolster": -0.2, "humour": -0.8,
    },
}  # fmt: skip


class CrisisDynamicsParams(Params):
    """How bad buzz spreads and fades, and what it does (DOMAIN.md s.7; many figures are assumptions)."""

    outrage_share: float = param(
        0.35,
        "share of the people hearing the bad buzz who take it up and spread it, at severity 1 and mean "
        "affinity (the others just know)",
        "share 0..1",
        "DOMAIN.md s.7 (rumour-spreading models)",
        ge=0,
        le=1,
    )
    calm_rate_per_day: float = param(
        0.7,
        "hazard of an outraged person calming down (half-life about a day)",
        "per day",
        "DOMAIN.md s.7 (assumption: half-life about a day)",
        gt=0,
        le=100,
    )
    hear_rate_per_day: float = param(
        200.0,
        "hazard of hearing the bad buzz per unit of (amplified) share of outraged contacts: firestorms build "
        "within hours",
        "per day",
        "DOMAIN.md s.7 (Pfeffer et al. 2014)",
        ge=0,
        le=1000,
    )
    amplification_exponent: float = param(
        0.5, "central people amplify: a spreader weighs (degree / mean degree)^exponent", "dimensionless", ge=0, le=3
    )
    seed_share: float = param(
        0.01,
        "share of the origin's people outraged at the start, at severity 1 (at least seed_min_people)",
        "share 0..1",
        ge=0,
        le=1,
    )
    seed_min_people: int = param(
        3, "fewest people outraged at the start, whatever the severity (assumption)", "people", ge=1, le=1000
    )
    mentions_per_day: float = param(
        1.0, "negative brand mentions an outraged person makes per day", "mentions per day", ge=0, le=100
    )
    background_mentions_per_member_per_day: float = param(
        0.05,
        "ordinary (not negative) brand mentions per member per day, beside comments",
        "mentions per day",
        ge=0,
        le=100,
    )
    heard_affinity_loss: float = param(
        0.15, "affinity lost on hearing the bad buzz, at severity 1 (e-reputation)", "share 0..1", ge=0, le=1
    )
    outraged_engagement_factor: float = param(
        0.3, "engagement of an outraged member relative to a calm one", "x", ge=0, le=1
    )
    outraged_churn_factor: float = param(5.0, "churn hazard multiplier of an outraged member", "x", ge=1, le=100)
    response_spread_effect: float = param(
        1.5,
        "a response of fit f multiplies the outrage share by exp(-effect x f)",
        "dimensionless",
        "Coombs 2007",
        ge=0,
        le=10,
    )
    response_calm_effect: float = param(
        1.0,
        "a response of fit f multiplies the calm rate by exp(effect x f)",
        "dimensionless",
        "Coombs 2007",
        ge=0,
        le=10,
    )
    response_affinity_shift: float = param(
        0.1,
        "affinity change, per unit of response fit, of people who hear the story with the brand's response",
        "share 0..1",
        ge=0,
        le=1,
    )
    response_heard_before_share: float = param(
        0.3,
        "share of that change reaching the people who heard before the response (their opinion is formed: late "
        "responses are worse; assumption)",
        "share 0..1",
        "DOMAIN.md s.7 (respond within the first hours)",
        ge=0,
        le=1,
    )
    damage_half_life_days: float = param(
        14.0,
        "half-life of the affinity lost on hearing the story, down to its lasting share (short-term drops fade "
        "within weeks; assumption)",
        "days",
        "DOMAIN.md s.11 (Hansen, Kupfer and Hennig-Thurau 2018: 58% short-term, 40% long-term drops)",
        gt=0,
        le=3650,
    )
    lasting_load_days: float = param(
        0.5,
        "outrage load (outraged person-days per person of the audience) at which a crisis leaves its cluster's "
        "full lasting share of the damage (the share grows in proportion below it; assumption)",
        "days",
        "DOMAIN.md s.11 (Hansen et al. 2018: large volumes and long storms last)",
        gt=0,
        le=1000,
    )
    lasting_share_by_cluster: Annotated[dict[ClusterName, Share], over_table(LASTING_BY_CLUSTER)] = table(
        LASTING_BY_CLUSTER,
        "share of the damage a crisis of each cluster leaves for good at full load, without a response",
        "share 0..1",
        "DOMAIN.md s.11 (Hansen et al. 2018: the ranking); assumption",
    )
    lasting_response_effect: float = param(
        1.5,
        "a response of fit f multiplies the lasting share by exp(-effect x f) (a mismatch, f < 0, makes it last)",
        "dimensionless",
        "Coombs 2007; assumption",
        ge=0,
        le=10,
    )
    response_fit: Annotated[dict[ClusterName, dict[ResponseStrategy, Fit]], over_table(RESPONSE_FIT)] = table(
        RESPONSE_FIT,
        "fit of each response strategy to each crisis cluster, -1 (harmful) .. 1 (the matched response), silence "
        "0; a file gives only the figures it changes (response_fit: {victim: {deny: 0.5}})",
        "fit -1..1",
        "Coombs 2007 (SCCT's guidelines); magnitudes assumed",
    )
    update_effect: float = param(
        0.25,
        "each follow-up update per day strengthens the response's fit by this share (up to max_updates_per_day)",
        "share",
        ge=0,
        le=1,
    )
    max_updates_per_day: float = param(
        4.0,
        "follow-up updates per day beyond which more add nothing to the response's fit (assumption)",
        "updates per day",
        ge=0,
        le=24,
    )
    disclose_fit_bonus: float = param(
        0.2,
        "fit added to the response when the brand disclosed first (the credibility of having told first)",
        "fit",
        "Arpan and Roskos-Ewoldsen 2005; assumption",
        ge=0,
        le=1,
    )
    max_fit: float = param(
        1.5, "largest fit, either way, once updates and disclosure are counted (assumption)", "fit", ge=0, le=10
    )
    thunder_severity_factor: float = param(
        0.6,
        "severity kept when the brand discloses first (stealing thunder)",
        "x",
        "Arpan and Roskos-Ewoldsen 2005 (moderate, noisy effect)",
        ge=0,
        le=1,
    )
    moderation_backlash_threshold: float = param(
        0.3, "moderation share beyond which hiding comments backfires", "share 0..1", ge=0, le=1
    )
    moderation_backlash: float = param(
        4.0,
        "outrage multiplier added per unit of moderation beyond the threshold (Streisand effect)",
        "x",
        ge=0,
        le=100,
    )
    step_hours: float = param(
        1.0,
        "step length while a crisis is active (at least 6 minutes: shorter steps only slow the run down)",
        "hours",
        "DOMAIN.md s.7",
        ge=0.1,
        le=24,
    )
    window_days: float = param(
        5.0,
        "how long after a crisis starts the clock stays at crisis resolution",
        "days",
        "DOMAIN.md s.7 (back near baseline in 3-7 days)",
        gt=0,
        le=365,
    )


#: A crisis as it is scheduled or injected (the scenario's ``crises:`` items).
Crisis = CrisisParams
#: The CM's response to a crisis.
Response = ResponseParams


def cluster_of(crisis_type: str, history: bool = False) -> str:
    """SCCT cluster of a crisis type; a crisis history moves it one step towards preventable."""
    cluster = CRISIS_TYPES[crisis_type][0]
    if history:
        cluster = CLUSTERS[min(CLUSTERS.index(cluster) + 1, len(CLUSTERS) - 1)]
    return cluster


def best_response(cluster: str, response_fit: Mapping[str, Mapping[str, float]] = RESPONSE_FIT) -> str:
    """The response strategy with the highest SCCT fit for a crisis cluster (``response_fit``, by default SCCT's).

    Example:
        >>> best_response("preventable"), best_response("victim")
        ('rebuild', 'correct')
    """
    fits = response_fit[cluster]
    return max(fits, key=fits.__getitem__)


@dataclass
class ActiveCrisis:
    """A crisis under way, with its response once made."""

    params: CrisisParams
    cluster: str
    severity: float
    response: ResponseParams
    response_day: float  # when the CM acts: statement (unless silence) and moderation
    responded: bool = False  # a statement has gone out


@dataclass
class CrisisTally:
    """What the bad buzz did during a step."""

    outraged: int = 0
    heard_total: int = 0
    negative_mentions: float = 0.0  # outraged people's mentions, after moderation of those on the page
    hidden: float = 0.0  # negative comments hidden by moderation
    on_page: float = 0.0  # outraged members' comments on the brand's page, hidden ones included
    responses: int = 0  # statements made so far (cumulative)


@dataclass
class BadBuzz:
    """The outrage contagion and the crises driving it."""

    network: Network
    dynamics: CrisisDynamicsParams
    outraged: np.ndarray = field(init=False)
    calmed: np.ndarray = field(init=False)
    heard: np.ndarray = field(init=False)
    crises: list[ActiveCrisis] = field(default_factory=list)
    effects_on: bool = True  # False: the crises' clock without their effects (the counterfactual twin)

    def __post_init__(self) -> None:
        n = self.network.n
        self.outraged = np.zeros(n, dtype=bool)
        self.calmed = np.zeros(n, dtype=bool)
        self.heard = np.zeros(n, dtype=bool)
        degree = self.network.degree.astype(float)
        mean = degree.mean() if degree.size else 1.0
        self.amplification = (np.maximum(degree, 1.0) / max(mean, 1e-12)) ** self.dynamics.amplification_exponent
        self.pressure = WordOfMouth(self.network)
        self.last = CrisisTally()
        self.response_shift = 0.0  # affinity change of those who hear with the latest response
        self.scar = np.zeros(n)  # affinity each person lost to the story and has not recovered
        self.loss = np.zeros(n)  # affinity each person lost on hearing (the scar's start)
        self.load = 0.0  # outraged person-days per person of the audience, over every crisis so far
        self.waves = 0  # waves seeded so far (first waves and escalations): keys each wave's generator
        self.hear_left: np.ndarray | None = None  # each person's hearing clock: threshold left (``step``)
        self.calm_left: np.ndarray | None = None  # each person's calming clock, run while outraged

    @property
    def active(self) -> bool:
        """True while some crisis has started."""
        return bool(self.crises)

    def current(self) -> ActiveCrisis | None:
        """The latest crisis (it sets the spread and the response)."""
        return self.crises[-1] if self.crises else None

    def start(
        self, crisis: CrisisParams, day: float, state: np.ndarray, affinity: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Start a crisis now: seed the first outraged people."""
        response = crisis.response
        severity = crisis.severity
        if response.disclose_first:
            severity *= self.dynamics.thunder_severity_factor
        response_day = day if response.disclose_first else day + response.delay_hours / 24.0
        active = ActiveCrisis(crisis, cluster_of(crisis.type, crisis.history), severity, response, response_day)
        self.crises.append(active)
        self.response_shift = 0.0  # nobody hears this crisis with a response yet
        self._wave(crisis, severity, state, affinity, rng)

    def escalate(self, severity: float, state: np.ndarray, affinity: np.ndarray, rng: np.random.Generator) -> None:
        """A new wave of the current crisis (a journalist's piece, an influencer's post).

        More people outraged at once, seeded like the first wave with ``severity``; the crisis, its
        cluster and its response stay.
        """
        crisis = self.current()
        if crisis is None:
            raise RuntimeError("there is no crisis to escalate")
        self._wave(crisis.params, severity, state, affinity, rng)

    def _wave(
        self, crisis: CrisisParams, severity: float, state: np.ndarray, affinity: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Seed the outraged people of a wave: ``severity x seed_share`` of the pool, fond of the brand least."""
        self.waves += 1  # counted with or without effects: a wave's generator is keyed by its step and number
        if not self.effects_on:
            return
        origin = CRISIS_TYPES[crisis.type][1] if crisis.origin == "type" else crisis.origin
        pool = np.flatnonzero(state == 1) if origin == "inside" else np.flatnonzero(state != 1)
        pool = pool[~self.outraged[pool] & ~self.calmed[pool]]
        if pool.size == 0:
            return
        count = min(
            pool.size, max(self.dynamics.seed_min_people, round(severity * self.dynamics.seed_share * pool.size))
        )
        if crisis.type == "influencer_callout":
            order = np.lexsort((rng.random(pool.size), -self.network.degree[pool]))
            first = pool[order[:count]]
        else:
            weights = 1.0 - affinity[pool] + 1e-9
            first = rng.choice(pool, size=count, replace=False, p=weights / weights.sum())
        self._outrage(first, affinity, severity)

    def respond(self, response: ResponseParams, day: float) -> None:
        """The CM's statement on the latest crisis, made now (replaces a planned one)."""
        crisis = self.current()
        if crisis is None:
            raise RuntimeError("there is no crisis to respond to")
        crisis.response = response
        crisis.response_day = day
        crisis.responded = False

    def fit(self, crisis: ActiveCrisis, day: float) -> float:
        """The response's fit now (0 before it is made)."""
        if day + 1e-9 < crisis.response_day:
            return 0.0
        d = self.dynamics
        fit = d.response_fit[crisis.cluster][crisis.response.strategy]
        fit *= 1.0 + d.update_effect * min(crisis.response.updates_per_day, d.max_updates_per_day)
        if crisis.response.disclose_first:
            fit += d.disclose_fit_bonus  # credibility of having told first
        return max(-d.max_fit, min(d.max_fit, fit))

    def _outrage(self, ids: np.ndarray, affinity: np.ndarray, severity: float) -> None:
        self.outraged[ids] = True
        self.pressure.add(ids, self.amplification[ids])
        self._hear(ids, affinity, severity)

    def _hear(self, ids: np.ndarray, affinity: np.ndarray, severity: float) -> None:
        new = ids[~self.heard[ids]]
        self.heard[new] = True
        # with the response, if made: a fitting one softens the loss (never into a gain), a mismatch adds to it
        self._shift(new, min(0.0, self.response_shift - self.dynamics.heard_affinity_loss * severity), affinity)

    def _shift(self, ids: np.ndarray, change: float, affinity: np.ndarray) -> None:
        """Move the affinity of ``ids`` by ``change``: a loss is a scar; a gain mends scars, never more.

        So more people hearing the story is never good news for the brand, whatever its response:
        a larger storm (a moderation backlash, a new wave) costs affinity in every crisis.
        """
        before = affinity[ids]
        if change >= 0:
            gain = np.minimum(change, self.scar[ids])
            affinity[ids] = np.minimum(before + gain, 1.0)
            self.scar[ids] -= gain
            return
        after = np.maximum(before + change, 0.0)
        affinity[ids] = after
        self.scar[ids] += before - after
        self.loss[ids] += before - after

    def lasting_share(self) -> float:
        """Share of each person's loss that stays for good, given the storm so far (module docstring)."""
        crisis = self.current()
        if crisis is None:
            return 0.0
        d = self.dynamics
        fit = self.fit(crisis, math.inf) if crisis.responded else 0.0
        share = d.lasting_share_by_cluster[crisis.cluster] * min(1.0, self.load / d.lasting_load_days)
        return min(1.0, share * math.exp(-d.lasting_response_effect * fit))

    def heal(self, dt: float, affinity: np.ndarray) -> None:
        """Scars fade by one step towards their lasting share; the affinity comes back with them."""
        floor = self.lasting_share() * self.loss
        healing = np.maximum(self.scar - floor, 0.0) * -math.expm1(
            -math.log(2.0) * dt / self.dynamics.damage_half_life_days
        )
        hurt = np.flatnonzero(healing > 0)
        self.scar[hurt] -= healing[hurt]
        affinity[hurt] = np.minimum(affinity[hurt] + healing[hurt], 1.0)

    def moderation(self, day: float) -> float:
        """Share of negative page comments hidden now (from the CM's first action on the latest crisis)."""
        crisis = self.current()
        if crisis is None or day + 1e-9 < crisis.response_day:
            return 0.0
        return crisis.response.moderation_share

    def step(
        self,
        day_start: float,
        dt: float,
        is_member: np.ndarray,
        affinity: np.ndarray,
        mean_affinity: float,
        draws: PersonalUniforms,
    ) -> CrisisTally:
        """Advance the bad buzz by one step of ``dt`` days starting at ``day_start``.

        Each person's own randomness for the run (``draws``: ``sampling.PersonalUniforms``, common
        random numbers): hearing and calming down are clocks, a fixed threshold ``T ~ Exponential(1)``
        per person against the hazard integrated over the steps (as ``sampling.EventClocks``), so a
        lever that lowers someone's exposure can only delay their hearing; taking up the outrage on
        hearing is one uniform per person (each hears once).
        """
        tally = self.last = CrisisTally()
        crisis = self.current()
        acting = crisis is not None and day_start + 1e-9 >= crisis.response_day
        if acting and not crisis.responded and crisis.response.strategy != "silence":
            crisis.responded = True
            if self.effects_on:  # those who heard already take less of it: late responses are worse
                self.response_shift = self.dynamics.response_affinity_shift * self.fit(crisis, day_start)
                self._shift(np.flatnonzero(self.heard), self.response_shift * self.dynamics.response_heard_before_share,
                            affinity)  # fmt: skip
        tally.responses = sum(c.responded for c in self.crises)
        if crisis is None or not self.effects_on:
            return tally
        d = self.dynamics
        fit = self.fit(crisis, day_start)
        moderation = self.moderation(day_start)
        backlash = 1.0 + d.moderation_backlash * max(0.0, moderation - d.moderation_backlash_threshold)
        outrage = d.outrage_share * crisis.severity * math.exp(-d.response_spread_effect * fit) * backlash
        calm = d.calm_rate_per_day * math.exp(d.response_calm_effect * fit)
        # hearing, and taking it up, on the state at the start of the step
        share = self.pressure.exposure_of_everyone()
        listeners = np.flatnonzero((share > 0) & ~self.heard)
        if self.hear_left is None:  # the clocks start at the first crisis step
            everyone = np.arange(self.network.n)
            self.hear_left = -np.log1p(-draws.child("hear").of(everyone))
            self.calm_left = -np.log1p(-draws.child("calm").of(everyone))
        self.hear_left[listeners] -= d.hear_rate_per_day * share[listeners] * dt
        hear = listeners[self.hear_left[listeners] <= 0.0]
        susceptibility = (1.0 - affinity[hear]) / (1.0 - mean_affinity)
        newly = hear[draws.child("outrage").of(hear) < outrage * susceptibility]
        outraged_now = np.flatnonzero(self.outraged)
        self.calm_left[outraged_now] -= calm * dt
        calming = outraged_now[self.calm_left[outraged_now] <= 0.0]
        # apply
        self._outrage(newly, affinity, crisis.severity)
        self._hear(hear, affinity, crisis.severity)
        self.outraged[calming] = False
        self.calmed[calming] = True
        self.pressure.remove(calming)
        tally.outraged = int(self.outraged.sum())
        tally.heard_total = int(self.heard.sum())
        self.load += tally.outraged * dt / max(self.network.n, 1)
        self.heal(dt, affinity)
        on_page = int(np.count_nonzero(self.outraged & is_member)) * d.mentions_per_day * dt
        elsewhere = (tally.outraged * d.mentions_per_day * dt) - on_page
        tally.on_page = on_page
        tally.hidden = on_page * moderation
        tally.negative_mentions = on_page - tally.hidden + elsewhere
        return tally


# --- the steps over the model's arrays (model.STEP), the crisis clock and the moves of an exercise ---


def start_due_crises(model: CommunityModel, now: float | None = None) -> None:
    """Crisis events: crises whose start has come (scheduled or injected) go public.

    Their first outraged people are drawn (``BadBuzz.start``).

    Args:
        model: the model.
        now: the day it happens; the step's start by default (an exercise makes the crises due at
            hour 0 public before its first step).
    """
    now = model.day_start if now is None else now
    pop = model.population
    while model.crises_due and model.crises_due[0].start_day <= now + 1e-9:
        event = model.crises_due.pop(0)
        model.bad_buzz.start(event, now, pop.state, pop.affinity, model.step_rng("crisis", model.bad_buzz.waves))
        if model.crisis_started_day is None:
            model.crisis_started_day = now


def spread_bad_buzz(model: CommunityModel) -> None:
    """Bad buzz: the CM's crisis response takes effect when its time has come; the outrage spreads and calms.

    People hear the bad buzz from outraged contacts and some take it up; the outraged calm down
    (``BadBuzz.step``).
    """
    if not model.bad_buzz.active:
        return
    pop = model.population
    model.bad_buzz.step(
        model.day_start,
        model.dt,
        pop.state == MemberState.MEMBER,
        pop.affinity,
        model.params.audience.affinity.mean,
        model.personal_draws("crisis", per_step=False),
    )


def next_step_days(model: CommunityModel) -> float:
    """Length of the model's next step in days: the crisis clock.

    ``step_hours``, except within ``crisis_dynamics.window_days`` of a crisis start, where it is
    ``crisis_dynamics.step_hours``; a step never straddles a scheduled crisis start or the horizon.
    """
    p = model.params
    now = model.day
    dt = p.dt_days
    window = p.crisis_dynamics.window_days
    starts = [c.params.start_day for c in model.bad_buzz.crises] + [c.start_day for c in model.crises_due]
    if any(start - 1e-9 <= now < start + window - 1e-9 for start in starts):
        dt = p.crisis_dynamics.step_hours / 24.0
    upcoming = [start for start in starts if start > now + 1e-9]
    if upcoming:
        dt = min(dt, min(upcoming) - now)
    return min(dt, p.days - now)


def inject(model: CommunityModel, event: CrisisParams) -> None:
    """Start a crisis while the model runs (a ``start_day`` in the past means now); logged for the twin."""
    if not isinstance(event, CrisisParams):
        raise TypeError("inject takes a Crisis (communitysim.mechanisms.crisis.Crisis)")
    start = max(event.start_day, model.day)
    if start >= model.params.days:
        raise ValueError(f"crisis start_day {start:g} is not before the horizon ({model.params.days:g} days)")
    event = event.model_copy(update={"start_day": start})
    model.crisis_log.append((model.day, "inject", event))
    model.crises_due = sorted([*model.crises_due, event], key=lambda c: c.start_day)
    if start <= model.day + 1e-9:
        start_due_crises(model, model.day)


def respond(model: CommunityModel, response: ResponseParams) -> None:
    """The CM's statement on the latest crisis, made now (replaces the one planned); logged for the twin."""
    model.crisis_log.append((model.day, "respond", response))
    model.bad_buzz.respond(response, model.day)


def escalate(model: CommunityModel, severity: float) -> None:
    """A new wave of outrage in the current crisis, now (its response stays); logged for the twin."""
    if not (isinstance(severity, int | float) and 0 < severity <= 1):
        raise ValueError(f"escalation severity: expected a share in (0, 1], got {severity!r}")
    if not model.bad_buzz.active:
        raise RuntimeError("there is no crisis to escalate")
    model.crisis_log.append((model.day, "escalate", float(severity)))
    pop = model.population
    rng = model.step_rng("crisis", model.bad_buzz.waves)
    model.bad_buzz.escalate(float(severity), pop.state, pop.affinity, rng)


class CounterfactualTwin:
    """The same run without the crises' effects: same seed, same crisis clock and moves (``members_lost``).

    The twin is a model of the same class built with ``crisis_effects=False``; ``catch_up`` replays
    the moves of the model's ``crisis_log`` at the days they were made and steps the twin up to the
    model's day (common random numbers: the two runs differ only by the crises' effects).
    """

    def __init__(self, model: CommunityModel):
        # the same audience graph, shared rather than built again (at 10^6 people the build's
        # temporaries, on top of the running model, were the run's peak memory)
        self.model = type(model)(model.params, seed=model.seed, crisis_effects=False, shared_network=model.network)
        self.replayed = 0  # crisis_log entries replayed so far

    def catch_up(self, model: CommunityModel) -> CommunityModel:
        """Bring the twin up to ``model``'s day and return it."""
        twin = self.model
        while True:
            while self.replayed < len(model.crisis_log) and model.crisis_log[self.replayed][0] <= twin.day + 1e-9:
                _, kind, what = model.crisis_log[self.replayed]
                twin.start_due_crises()  # as the model had, when the entry was logged
                getattr(twin, kind)(what)  # inject, respond, act or escalate, as logged
                self.replayed += 1
            if twin.day >= model.day - 1e-9:
                return twin
            twin.step()
