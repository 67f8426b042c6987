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
(``RESPONSE_FIT``, from SCCT's guidelines: deny fits rumours, diminish accidental crises, rebuild
preventable ones; mismatches are worse than silence) sets ``m = exp(-spread_effect x fit)`` and
``r = exp(calm_effect x fit)``, and shifts by ``response_affinity_shift x fit`` the affinity of
those who hear the story with the response, but only ``response_heard_before_share`` of it for
those who heard before (their opinion is formed): the later the response, the more people heard
without it, so late responses are worse. Follow-up updates strengthen the fit. Moderation hides a share
of the negative comments on the page; beyond a threshold it backfires (the spread rises).
Disclosing first (stealing thunder) lowers the severity and counts as an immediate response.

Example:
    >>> cluster_of("false_rumour"), cluster_of("data_leak", history=True)
    ('victim', 'preventable')
    >>> fit = RESPONSE_FIT["preventable"]
    >>> fit["rebuild"] > fit["silence"] > fit["deny"]
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from communitysim.mechanisms.growth import WordOfMouth
from communitysim.scenario import CrisisDynamicsParams, CrisisParams, ResponseParams

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.network import Network

__all__ = ["CRISIS_TYPES", "RESPONSE_FIT", "CLUSTERS", "Crisis", "Response", "cluster_of", "BadBuzz", "CrisisTally"]

CLUSTERS = ("victim", "accidental", "preventable")

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
#: From SCCT's guidelines (Coombs 2007; DOMAIN.md s.7); the magnitudes are assumptions.
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


def best_response(cluster: str) -> str:
    """The response strategy with the highest SCCT fit for a crisis cluster (``RESPONSE_FIT``).

    Example:
        >>> best_response("preventable"), best_response("victim")
        ('rebuild', 'correct')
    """
    fits = RESPONSE_FIT[cluster]
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
        if not self.effects_on:
            return
        origin = CRISIS_TYPES[crisis.type][1] if crisis.origin == "type" else crisis.origin
        pool = np.flatnonzero(state == 1) if origin == "inside" else np.flatnonzero(state != 1)
        pool = pool[~self.outraged[pool] & ~self.calmed[pool]]
        if pool.size == 0:
            return
        count = min(pool.size, max(3, round(severity * self.dynamics.seed_share * pool.size)))
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
        fit = RESPONSE_FIT[crisis.cluster][crisis.response.strategy]
        fit *= 1.0 + self.dynamics.update_effect * min(crisis.response.updates_per_day, 4.0)
        if crisis.response.disclose_first:
            fit += 0.2  # credibility of having told first
        return max(-1.5, min(1.5, fit))

    def _outrage(self, ids: np.ndarray, affinity: np.ndarray, severity: float) -> None:
        self.outraged[ids] = True
        self.pressure.add(ids, self.amplification[ids])
        self._hear(ids, affinity, severity)

    def _hear(self, ids: np.ndarray, affinity: np.ndarray, severity: float) -> None:
        new = ids[~self.heard[ids]]
        self.heard[new] = True
        change = self.response_shift - self.dynamics.heard_affinity_loss * severity  # with the response, if made
        affinity[new] = np.clip(affinity[new] + change, 0.0, 1.0)

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
        rng: np.random.Generator,
    ) -> CrisisTally:
        """Advance the bad buzz by one step of ``dt`` days starting at ``day_start``."""
        tally = self.last = CrisisTally()
        crisis = self.current()
        acting = crisis is not None and day_start + 1e-9 >= crisis.response_day
        if acting and not crisis.responded and crisis.response.strategy != "silence":
            crisis.responded = True
            if self.effects_on:  # those who heard already take less of it: late responses are worse
                self.response_shift = self.dynamics.response_affinity_shift * self.fit(crisis, day_start)
                shift = self.response_shift * self.dynamics.response_heard_before_share
                affinity[self.heard] = np.clip(affinity[self.heard] + shift, 0.0, 1.0)
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
        hear = listeners[rng.random(listeners.size) < -np.expm1(-d.hear_rate_per_day * share[listeners] * dt)]
        susceptibility = (1.0 - affinity[hear]) / (1.0 - mean_affinity)
        newly = hear[rng.random(hear.size) < outrage * susceptibility]
        outraged_now = np.flatnonzero(self.outraged)
        calming = outraged_now[rng.random(outraged_now.size) < -np.expm1(-calm * dt)]
        # apply
        self._outrage(newly, affinity, crisis.severity)
        self._hear(hear, affinity, crisis.severity)
        self.outraged[calming] = False
        self.calmed[calming] = True
        self.pressure.remove(calming)
        tally.outraged = int(self.outraged.sum())
        tally.heard_total = int(self.heard.sum())
        on_page = int(np.count_nonzero(self.outraged & is_member)) * d.mentions_per_day * dt
        elsewhere = (tally.outraged * d.mentions_per_day * dt) - on_page
        tally.on_page = on_page
        tally.hidden = on_page * moderation
        tally.negative_mentions = on_page - tally.hidden + elsewhere
        return tally
