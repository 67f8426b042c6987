"""One crisis exercise: the model run to the crisis, the clock, the CM's moves, the comparisons.

A ``CrisisSession`` is what the solo crisis exercise (notebook 04) and each classroom team
(``classroom.TeamRun``, which keeps its moves in the SQLite store) play: the scenario's model with
the planned response set to silence (the learner decides), run to the moment the crisis goes public
(hour 0, ``start_due_crises``). From there every move is logged, then applied: ``advance`` steps the
clock (timed injects with an effect start when the clock passes their hour), ``decide`` makes a
statement (``CommunityModel.respond``; the written words are read by ``read_statement``), ``act``
takes a CM action beyond the statement, ``note`` pins an observer's note, ``set_intensity`` sets the
storm's intensity. Replaying the moves gives the same state, bit for bit; ``comparison`` replays them
without the decisions (``silence``) or with the best matched response at hour 1 instead (``best``).

Example:
    >>> from communitysim.files import shipped
    >>> session = CrisisSession(shipped("scenarios") / "crisis_offensive_post.yaml", seed=7,
    ...                         overrides={"audience.size": 300, "seeding.size": 150})
    >>> session.hour, session.model.bad_buzz.active
    (0.0, True)
    >>> _ = session.advance(6)
    >>> words = "We are deeply sorry for this post. We removed it and will review how it was approved."
    >>> _ = session.decide("rebuild", statement=words)
    >>> session.decisions[0][1]["reading"]["strategy"]
    'rebuild'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, get_args

import pandas as pd

import communitysim as cs
from communitysim.crisis_feed.statements import read_statement
from communitysim.kpis import PEAK_WINDOW_HOURS, kpi_value, mention_sentiment_between, negative_share_between
from communitysim.mechanisms.cm_actions import CM_ACTIONS, escalation_factor
from communitysim.mechanisms.crisis import Crisis, Response, best_response, cluster_of
from communitysim.messages import language, number, percent, t
from communitysim.scenario import ResponseStrategy, pydantic_message

__all__ = [
    "BEST_DELAY_HOURS",
    "COMPARED_KPIS",
    "EFFECT_HOURS",
    "INTENSITIES",
    "LEARNER_START",
    "LIVE_KPIS",
    "MAX_TEXT_CHARS",
    "STRATEGIES",
    "TONES",
    "Applied",
    "CrisisSession",
    "ExerciseError",
    "Move",
]

#: The response strategies a learner chooses from, in the order of the menus (the scenario's own list).
STRATEGIES: tuple[str, ...] = get_args(ResponseStrategy)
#: Tones of a statement (the learner's menu, what the reader finds; logged and reported, the model reads the strategy).
TONES = ("empathetic", "factual", "firm", "light")
#: The learner decides the response: the scenario's planned one becomes silence, no moderation, no updates.
LEARNER_START = {
    "crises.0.response.strategy": "silence",
    "crises.0.response.moderation_share": 0.0,
    "crises.0.response.updates_per_day": 0.0,
}
#: Delay of the best matched response in the comparison runs, hours (the earliest a learner can respond).
BEST_DELAY_HOURS = 1.0
#: KPIs compared across runs (dashboard, reports: the learner, silence, the best matched response).
COMPARED_KPIS = ("peak_negative_share", "hours_to_recover", "members_lost", "negative_reach")
#: KPIs on the solo exercise's live panel (after the hours since the crisis and the 6-hour negative share).
LIVE_KPIS = (
    "negative_share",
    "peak_negative_share",
    "hours_to_peak",
    "hours_to_recover",
    "negative_reach",
    "members",
    "members_lost",
    "crisis_response_h",
)
#: Hours after a decision at which its effect is read (the 6-hour negative share before and after).
EFFECT_HOURS = 6.0
#: Storm intensities the facilitator sets per team: the factor on the crisis's severity from that hour on
#: (more or fewer people outraged each hour, and more or less affinity lost by those who hear of it; the
#: feed's counts follow). Facilitator's levels, an assumption, as Conducttr's live intensity per team.
INTENSITIES = {"calm": 0.5, "normal": 1.0, "strong": 1.5, "extreme": 2.0}
#: Longest text a team or a trainer types (a rationale, an inject's title or body), in characters.
MAX_TEXT_CHARS = 5_000


class ExerciseError(ValueError):
    """A mistake in an exercise (a move after the horizon, a bad decision, a paused class...): one line."""


@dataclass
class Applied:
    """What happened in an exercise, for its timeline: the crisis, injects, decisions, actions, notes."""

    hour: float
    kind: str
    title: str
    details: str
    rationale: str = ""


@dataclass(frozen=True)
class Move:
    """One logged move of an exercise (``advance``, ``decision`` or ``inject``; a classroom ``Event`` alike)."""

    kind: str
    hour: float
    payload: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


class CrisisSession:
    """One exercise's model, kept in step with its moves (replayed: the same moves give the same state).

    Args:
        scenario: a crisis scenario (a path, a dict or a ``Scenario``).
        seed: the seed of the model.
        overrides: overrides of the scenario (the learner's start, silence, is applied on top).
        injects: the timed injects (objects with ``hour``, ``kind``, ``title``, ``body``, ``effect``).

    Raises:
        ExerciseError: the scenario has no crisis.
    """

    def __init__(
        self,
        scenario: Any,
        seed: int,
        overrides: dict[str, Any] | None = None,
        injects: list[Any] | tuple[Any, ...] = (),
    ):
        self.scenario, self.seed, self.overrides = scenario, seed, dict(overrides or {})
        if not cs.load_scenario(scenario, self.overrides).crises:
            raise ExerciseError(t("crisis.error.no_crisis", scenario=getattr(scenario, "name", scenario)))
        self.model = cs.CommunityModel(scenario, seed=seed, overrides={**self.overrides, **LEARNER_START})
        crisis = self.model.params.crises[0]
        self.start_day = float(crisis.start_day)
        while self.model.day < self.start_day - 1e-9 and self.model.day < self.model.params.days - 1e-9:
            self.model.step()
        self.model.start_due_crises()  # public at hour 0: the learner can respond, an inject can escalate
        self.cluster = cluster_of(crisis.type, crisis.history)
        self.best_strategy = best_response(self.cluster, self.model.params.crisis_dynamics.response_fit)
        self.injects = list(injects)
        self.timed = [i for i in self.injects if i.hour is not None]
        self.timed_done = 0
        self.timeline: list[Applied] = []
        self.decisions: list[tuple[float, dict[str, Any]]] = []
        self.actions: list[tuple[float, str]] = []  # CM actions beyond the statement
        self.intensity = "normal"
        self.moves: list[Move] = []  # this session's own log (a classroom team's is in the store)
        self.applied_seq = 0
        self._crises_seen = len(self.model.bad_buzz.crises)
        self._pass_timed_injects()

    # --- the clock ------------------------------------------------------------------------------

    @property
    def hour(self) -> float:
        """Hours since the crisis went public."""
        return round(24.0 * (self.model.day - self.start_day), 6)

    @property
    def horizon_hour(self) -> float:
        """The scenario's last hour."""
        return round(24.0 * (self.model.params.days - self.start_day), 6)

    @property
    def finished(self) -> bool:
        """Whether the clock reached the horizon."""
        return self.hour >= self.horizon_hour - 1e-6

    def step_to(self, hour: float) -> None:
        """Step the model to ``hour`` (never past the horizon), passing the timed injects on the way."""
        target = self.start_day + hour / 24.0
        while self.model.day < target - 1e-9 and self.model.day < self.model.params.days - 1e-9:
            self.model.step()
            self._note_new_crises()
            if self.timed_done < len(self.timed) and self.hour >= self.timed[self.timed_done].hour - 1e-9:
                self._pass_timed_injects()

    def _note_new_crises(self) -> None:
        """Timeline entries for the scenario's later crises, when they go public."""
        crises = self.model.bad_buzz.crises
        for active in crises[self._crises_seen :]:
            hour = round(24.0 * (active.params.start_day - self.start_day), 1)
            words = {"type": t(f"crisis.type.{active.params.type}"), "cluster": t(f"crisis.cluster.{active.cluster}"),
                     "severity": number(active.params.severity, None)}  # fmt: skip
            self.timeline.append(Applied(hour, "crisis", t("crisis.event.another"),
                                         t("crisis.event.public_details", **words)))  # fmt: skip
        self._crises_seen = len(crises)

    def _pass_timed_injects(self) -> None:
        while self.timed_done < len(self.timed) and self.timed[self.timed_done].hour <= self.hour + 1e-9:
            inject = self.timed[self.timed_done]
            self.timed_done += 1
            self._inject(inject, self.hour)

    def _inject(self, inject: Any, hour: float) -> None:
        effect = inject.effect or {}
        if "escalate" in effect:
            self.model.escalate(float(effect["escalate"]["severity"]) * escalation_factor(self.model))
        if "crisis" in effect:
            self.model.inject(Crisis(**{**effect["crisis"], "start_day": self.model.day}))
            self.model.bad_buzz.current().severity *= INTENSITIES[self.intensity]  # type: ignore[union-attr]
            self._crises_seen = len(self.model.bad_buzz.crises)  # the inject says it
        self.timeline.append(Applied(hour, inject.kind, inject.title, inject.body))

    def next_inject_hour(self) -> float | None:
        """The hour of the next timed inject still to come (None: no more)."""
        later = [i.hour for i in self.timed[self.timed_done :] if i.hour > self.hour + 1e-9]
        return min(later) if later else None

    # --- moves: logged, then applied ------------------------------------------------------------

    def _log(self, kind: str, hour: float, payload: dict[str, Any]) -> Move:
        """Keep a move in the session's log (a classroom team writes it to the store)."""
        move = Move(kind, float(hour), payload, seq=len(self.moves) + 1)
        self.moves.append(move)
        return move

    def _ready(self) -> None:
        """Before a learner's move (a classroom team first receives its injects; a paused class refuses)."""

    def _sync(self) -> None:
        """Before a facilitator's move (a classroom team first reads what other kernels logged)."""

    def _open_clock(self) -> None:
        if self.finished:
            raise ExerciseError(t("crisis.error.horizon", days=number(self.model.params.days, None)))

    def _record(self, kind: str, payload: dict[str, Any], hour: float | None = None) -> Move:
        move = self._log(kind, self.hour if hour is None else hour, payload)
        self._apply(move)
        return move

    def _apply(self, move: Any) -> None:
        payload = move.payload
        if move.kind == "advance":
            self.step_to(move.hour)
        elif move.kind == "decision" and "note" in payload:  # an observer's note: the model is not touched
            self.timeline.append(Applied(move.hour, "note", str(payload.get("about", "")), str(payload["note"])))
        elif move.kind == "decision" and "action" in payload:  # a CM action beyond the statement
            self.step_to(move.hour)
            self.model.act(payload["action"])
            self.actions.append((move.hour, payload["action"]))
            self.timeline.append(Applied(move.hour, "action", t("class.event.action"),
                                         t(f"class.action.{payload['action']}")))  # fmt: skip
        elif move.kind == "decision":
            self.step_to(move.hour)
            response = Response(strategy=payload["strategy"], moderation_share=payload.get("moderation_share", 0.0),
                                updates_per_day=payload.get("updates_per_day", 0.0))  # fmt: skip
            self.model.respond(response)
            self.decisions.append((move.hour, payload))
            details = t("class.decision_details", strategy=t(f"crisis.strategy.{response.strategy}"),
                        tone=t(f"class.tone.{payload.get('tone', 'factual')}"),
                        moderation=percent(response.moderation_share),
                        updates=number(response.updates_per_day, None))  # fmt: skip
            self.timeline.append(Applied(move.hour, "decision", t("class.event.decision"), details,
                                         str(payload.get("rationale", ""))))  # fmt: skip
        elif move.kind == "inject" and "intensity" in payload:  # set by the facilitator
            self.step_to(move.hour)
            level = str(payload["intensity"])
            crisis = self.model.bad_buzz.current()
            if crisis is not None:
                crisis.severity *= INTENSITIES[level] / INTENSITIES[self.intensity]
            self.intensity = level
            self.timeline.append(Applied(move.hour, "intensity", t("class.event.intensity"),
                                         t(f"class.intensity.{level}")))  # fmt: skip
        self.applied_seq = move.seq

    def advance(self, hours: float, stop_at_inject: bool = False) -> Any | None:
        """Move the clock ``hours`` forward (logged first, then stepped; never past the horizon).

        With ``stop_at_inject``, the clock stops at the next timed inject on the way (the learner
        reads it before going on); returns that inject, or None when the clock went the whole way.
        """
        if not (isinstance(hours, int | float) and math.isfinite(hours) and hours > 0):
            raise ExerciseError(t("crisis.error.hours", hours=hours))
        self._ready()
        self._open_clock()
        target = min(self.hour + hours, self.horizon_hour)
        stop = self.next_inject_hour() if stop_at_inject else None
        stopped = stop is not None and stop < target - 1e-9
        if stopped:
            target = stop  # type: ignore[assignment]
        self._record("advance", {}, hour=target)
        if stopped or (stop is not None and abs(stop - target) < 1e-9):
            return self.timed[self.timed_done - 1]
        return None

    def decide(
        self, strategy: str, tone: str = "factual", moderation_share: float = 0.0, updates_per_day: float = 0.0,
        rationale: str = "", statement: str = "",
    ) -> Move:  # fmt: skip
        """Log a decision, then make the statement now.

        ``statement``: the words the learner wrote; they are logged with what the reader found in
        them (``read_statement``), and ``strategy`` is the one the learner confirmed or corrected.
        """
        try:
            Response(strategy=strategy, moderation_share=moderation_share, updates_per_day=updates_per_day)
        except ValueError as exc:  # pydantic's ValidationError: name the first field
            first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ("decision",), "msg": str(exc)}  # type: ignore[attr-defined]
            field_path = ".".join(map(str, first["loc"]))
            raise ExerciseError(t("class.error.decision", field=field_path, message=pydantic_message(first))) from None
        if tone not in TONES:
            raise ExerciseError(t("class.error.tone", allowed=", ".join(TONES), tone=repr(tone)))
        if len(str(rationale)) > MAX_TEXT_CHARS:  # it goes into every report: bounded, not a book
            raise ExerciseError(t("class.error.too_long", where=t("class.rationale"), limit=number(MAX_TEXT_CHARS)))
        self._ready()
        self._open_clock()
        payload = {"strategy": strategy, "tone": tone, "moderation_share": float(moderation_share),
                   "updates_per_day": float(updates_per_day), "rationale": str(rationale)}  # fmt: skip
        if statement.strip():
            crisis_type = self.model.bad_buzz.current().params.type  # type: ignore[union-attr]
            payload["statement"] = statement.strip()
            payload["reading"] = read_statement(statement, language(), crisis_type).as_payload()
        return self._record("decision", payload)

    def act(self, action: str) -> Move:
        """Log a CM action beyond the statement (delete the post, pause the posts...), then take it now."""
        if action not in CM_ACTIONS:
            raise ExerciseError(t("class.error.action", allowed=", ".join(CM_ACTIONS), action=repr(action)))
        self._ready()
        self._open_clock()
        return self._record("decision", {"action": action})

    def note(self, text: str, about: str, hour: float | None = None) -> Move:
        """An observer's note pinned to an inject (``about``, its title); the model is not touched."""
        if not text.strip():
            raise ExerciseError(t("debrief.error.empty_note"))
        self._sync()
        return self._record("decision", {"note": text.strip(), "about": about}, hour=hour)

    def set_intensity(self, level: str) -> Move:
        """Set the storm's intensity (``INTENSITIES``) from now on (logged, replayed by the comparisons too).

        The comparison runs (silence, the best response) replay it, so the learner is compared with
        the storm they had.
        """
        if level not in INTENSITIES:
            raise ExerciseError(t("class.error.intensity", allowed=", ".join(INTENSITIES), level=repr(level)))
        self._sync()
        return self._record("inject", {"intensity": level})

    def finish(self) -> None:
        """Run the clock to the horizon."""
        if not self.finished:
            self.advance(self.horizon_hour - self.hour)

    # --- the comparisons ------------------------------------------------------------------------

    def _fresh(self) -> CrisisSession:
        """The same exercise at hour 0, with no move yet."""
        return CrisisSession(self.scenario, self.seed, self.overrides, self.injects)

    def _moves(self) -> list[Any]:
        """Every move of the log."""
        return list(self.moves)

    def replay(self, moves: list[Any], keep: str = "all") -> CrisisSession:
        """Apply ``moves`` to this fresh exercise and run it to the horizon; returns it.

        ``keep``: ``all`` (the moves), ``silence`` (without the decisions) or ``best`` (the best
        matched response at hour ``BEST_DELAY_HOURS`` instead of the decisions).
        """
        if keep != "all":
            moves = [m for m in moves if m.kind != "decision"]
        responded = keep != "best"
        for move in moves:
            if not responded and move.hour >= BEST_DELAY_HOURS - 1e-9:
                self.step_to(BEST_DELAY_HOURS)
                self.model.respond(Response(strategy=self.best_strategy))
                responded = True
            self._apply(move)
        if not responded:
            self.step_to(BEST_DELAY_HOURS)
            self.model.respond(Response(strategy=self.best_strategy))
        self.step_to(self.horizon_hour)
        return self

    def comparison(self, keep: str = "all") -> CrisisSession:
        """This exercise replayed to the horizon (``replay``'s ``keep``), on the same seed, injects and storm."""
        return self._fresh().replay(self._moves(), keep)

    # --- what the learner and the facilitator read ----------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """The time series so far."""
        return self.model.result().timeseries

    def kpis(self) -> dict[str, float]:
        """The compared KPIs now, plus the hour and the number of decisions."""
        ts = self.timeseries()
        values = {name: kpi_value(ts, name, self.model.day) for name in COMPARED_KPIS}
        return {"hour": self.hour, "decisions": float(len(self.decisions)), **values}

    def negative_share_6h(self, hour: float) -> float:
        """The negative share over the ``PEAK_WINDOW_HOURS`` before ``hour`` (NaN without mentions)."""
        day = self.start_day + hour / 24.0
        return negative_share_between(self.timeseries(), day - PEAK_WINDOW_HOURS / 24.0, day)

    def live_kpis(self, ts: pd.DataFrame | None = None) -> dict[str, float]:
        """The live KPIs now: hours since the crisis, the 6-hour negative share, then ``LIVE_KPIS``.

        Bounded and consistent with one another: the peak is never below the 6-hour share now
        (that share is part of the crisis so far), members lost are never negative, recovery only
        comes after the peak; the net sentiment follows the feed (the mentions of the last 6 hours).
        """
        ts = self.timeseries() if ts is None else ts
        day, now, window = self.model.day, self.hour, PEAK_WINDOW_HOURS / 24.0
        values = {"hours": now, "negative_share_6h": negative_share_between(ts, day - window, day)}
        values.update({name: kpi_value(ts, name, day) for name in LIVE_KPIS})
        share = values["negative_share_6h"]
        if not math.isnan(share) and share > values["peak_negative_share"]:
            values["peak_negative_share"], values["hours_to_peak"] = share, now
        values["outraged"] = float(self.model.bad_buzz.last.outraged)
        values["mention_sentiment_6h"] = mention_sentiment_between(ts, day - window, day)
        return values
