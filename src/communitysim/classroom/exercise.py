"""A team's simulation, rebuilt from the session and the team's log; the reports.

A team plays the brand's CM in its own model: the session's scenario and seed (the same for every
team, so teams are comparable), the planned response set to silence, run to the moment the crisis
goes public (hour 0). From there the team's log drives it: ``advance`` events step the clock to an
hour (timed injects with an effect start when the clock passes their hour), ``decision`` events make
a statement (``CommunityModel.respond``), ``inject`` events apply an on-demand inject the
facilitator released. Replaying the log gives the same state as the uninterrupted run, bit for bit:
a killed kernel loses nothing. Every action is logged (committed) first, then applied.

Example:
    >>> from communitysim.classroom.store import Store
    >>> store = Store(":memory:")
    >>> session = create_session(store, "Demo", "crisis_offensive_post.yaml", teams=["Red"],
    ...                          overrides={"audience.size": 300, "seeding.size": 150})
    >>> run = TeamRun(store, session, store.team(session, "Red"))
    >>> run.advance(6)
    >>> run.hour
    6.0
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

import communitysim as cs
from communitysim import files
from communitysim.classroom.store import ClassroomError, Event, Inject, Session, Store, Team
from communitysim.crisis_feed.statements import read_statement
from communitysim.files import atomic_write_bytes
from communitysim.kpis import kpi_value
from communitysim.mechanisms.cm_actions import CM_ACTIONS, escalation_factor
from communitysim.mechanisms.crisis import Crisis, Response, best_response, cluster_of
from communitysim.messages import language, number, percent, t
from communitysim.scenario import pydantic_message

__all__ = [
    "BEST_DELAY_HOURS",
    "COMPARED_KPIS",
    "LEARNER_START",
    "TONES",
    "TeamRun",
    "class_report_html",
    "create_session",
    "default_injects",
    "format_kpi",
    "replay",
    "report_path",
    "report_pdf",
    "team_report_html",
]

#: Longest text a team or a trainer types (a rationale, an inject's title or body), in characters.
MAX_TEXT_CHARS = 5_000
#: The learner decides the response: the scenario's planned one becomes silence, no moderation, no updates.
LEARNER_START = {
    "crises.0.response.strategy": "silence",
    "crises.0.response.moderation_share": 0.0,
    "crises.0.response.updates_per_day": 0.0,
}
#: Message tones a team picks for its statement (logged and reported; the model reads the strategy).
TONES = ("empathetic", "factual", "firm", "light")
#: Delay of the best matched response in the comparison runs, hours (the earliest a learner can respond).
BEST_DELAY_HOURS = 1.0
#: KPIs compared across runs (dashboard, reports: the learner, silence, the best matched response).
COMPARED_KPIS = ("peak_negative_share", "hours_to_recover", "members_lost", "negative_reach")
#: Hours after a decision at which its effect is read (the 6-hour negative share before and after).
EFFECT_HOURS = 6.0


#: The on-demand inject that escalates each crisis type (an offensive post does not get a product video).
ESCALATION_BY_TYPE = {
    "offensive_post": "screenshots",
    "employee_misconduct": "second_video",
    "product_recall": "viral_video",
    "service_outage": "viral_video",
    "data_leak": "data_for_sale",
    "influencer_callout": "viral_video",
    "false_rumour": "fake_screenshot",
}


def default_injects(crisis_type: str | None = None) -> list[dict[str, Any]]:
    """The master events list a session starts with: the trigger, two escalations, three on demand.

    The on-demand escalation matches the crisis type (``ESCALATION_BY_TYPE``; a customer's video
    without a type).

    Effects: ``{"escalate": {"severity": s}}`` (a new wave of the current crisis, its response kept)
    or ``{"crisis": {...}}`` (a new crisis, which then takes the responses); none: narrative only.
    """
    escalation = {"escalate": {"severity": 0.3}}
    injects = [
        {"hour": 0.0, "kind": "trigger", "effect": None, "key": "trigger"},
        {"hour": 3.0, "kind": "escalation", "effect": None, "key": "journalist"},
        {"hour": 8.0, "kind": "escalation", "effect": escalation, "key": "influencer"},
        {"hour": None, "kind": "on_demand", "effect": {"escalate": {"severity": 0.4}},
         "key": ESCALATION_BY_TYPE.get(crisis_type or "", "viral_video")},
        {"hour": None, "kind": "on_demand", "effect": None, "key": "competitor"},
        {"hour": None, "kind": "on_demand", "effect": None, "key": "employees"},
    ]  # fmt: skip
    return [
        {**{k: v for k, v in i.items() if k != "key"}, "kind": t(f"class.kind.{i['kind']}"),
         "title": t(f"class.inject.{i['key']}.title"), "body": t(f"class.inject.{i['key']}.body")}
        for i in injects
    ]  # fmt: skip


def validate_injects(items: Any, source: str | None = None) -> list[dict[str, Any]]:
    """Check a master events list (a list of {hour, kind, title, body, effect}); one-line errors.

    ``hour``: crisis hours of a timed inject, or null for an on-demand one; ``effect``: null,
    ``{escalate: {severity: s}}`` or ``{crisis: {type: ..., severity: ...}}``.

    Example:
        >>> validate_injects([{"hour": 2, "kind": "escalation", "title": "A call", "body": "..."}])[0]["hour"]
        2.0
    """
    source = source or t("class.error.events")
    if not isinstance(items, list):
        raise ClassroomError(t("class.error.injects_list", source=source, kind=type(items).__name__))
    checked = []
    for position, item in enumerate(items, start=1):
        where = t("class.error.inject", source=source, position=position)
        if not isinstance(item, dict):
            raise ClassroomError(t("class.error.inject_mapping", where=where))
        unknown = set(item) - {"hour", "kind", "title", "body", "effect"}
        if unknown:
            raise ClassroomError(t("class.error.inject_unknown", where=where, field=repr(sorted(unknown)[0])))
        hour = item.get("hour")
        if hour is not None and (
            isinstance(hour, bool) or not isinstance(hour, int | float) or not 0 <= hour < math.inf
        ):
            raise ClassroomError(t("class.error.inject_hour", where=where, hour=repr(hour)))
        for field in ("kind", "title", "body"):
            if not isinstance(item.get(field), str) or not item[field].strip():
                raise ClassroomError(
                    t("class.error.inject_text", where=where, field=field, value=repr(item.get(field))[:80])
                )
            if len(item[field]) > MAX_TEXT_CHARS:
                raise ClassroomError(t("class.error.too_long", where=f"{where}: {field}", limit=number(MAX_TEXT_CHARS)))
        effect = item.get("effect")
        if effect is not None:
            if not isinstance(effect, dict) or set(effect) - {"escalate", "crisis"} or not effect:
                raise ClassroomError(t("class.error.inject_effect", where=where))
            if "escalate" in effect:
                severity = (effect["escalate"] or {}).get("severity") if isinstance(effect["escalate"], dict) else None
                if isinstance(severity, bool) or not isinstance(severity, int | float) or not 0 < severity <= 1:
                    raise ClassroomError(t("class.error.inject_severity", where=where, severity=repr(severity)))
            if "crisis" in effect:
                try:
                    Crisis(**effect["crisis"])
                except (TypeError, ValueError) as exc:
                    message = " ".join(str(exc).split())[:200]
                    raise ClassroomError(t("class.error.inject_crisis", where=where, message=message)) from None
        checked.append({**item, "hour": None if hour is None else float(hour), "effect": effect})
    return checked


#: The fields of an inject, and the words of an effect, as the trainer's YAML names them (``class.field.*``).
INJECT_WORDS = ("hour", "kind", "title", "body", "effect", "escalate", "severity", "crisis")


def _words(lang: str | None = None) -> dict[str, str]:
    """English field name -> the language's (``hour`` -> ``heure`` in French)."""
    return {word: t(f"class.field.{word}", lang=lang) for word in INJECT_WORDS}


def _renamed(item: Any, names: dict[str, str]) -> Any:
    """An inject with the keys of its fields, of its effect and the severity renamed by ``names`` (from -> to).

    A crisis effect keeps the model's own field names, but its severity.
    """

    def keys(value: Any, level: tuple[str, ...]) -> Any:
        if not isinstance(value, dict):
            return value
        sources = {k for k, v in names.items() if k in level or v in level}
        return {(names[k] if isinstance(k, str) and k in sources else k): v for k, v in value.items()}

    item = keys(item, ("hour", "kind", "title", "body", "effect"))
    key = next((k for k in ("effect", names.get("effect")) if isinstance(item, dict) and k in item), None)
    if key is not None and isinstance(item[key], dict):
        effect = keys(item[key], ("escalate", "crisis"))
        item = {**item, key: {k: keys(v, ("severity",)) for k, v in effect.items()}}
    return item


def injects_yaml(injects: list[dict[str, Any]]) -> str:
    """A master events list as YAML text for trainers to edit: fields in their language, explained above."""
    import yaml

    words = _words()
    help_lines = "".join(f"# {line}\n" for line in t("class.events_help").splitlines())
    body = yaml.safe_dump([_renamed(i, words) for i in injects], allow_unicode=True, sort_keys=False, width=100)
    return help_lines + body


def parse_injects_yaml(text: str) -> list[dict[str, Any]]:
    """Read a trainer's master events list (fields in any shipped language) and check it; one-line errors."""
    import yaml

    from communitysim.files import load_yaml
    from communitysim.messages import LANGUAGES

    try:
        items = load_yaml(text, "events")  # guarded: an alias bomb is one line
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = t("class.error.events_where", line=mark.line + 1) if mark else ""
        raise ClassroomError(t("class.error.events_yaml", where=where)) from None
    back = {local: word for lang in LANGUAGES for word, local in _words(lang).items() if local != word}
    if isinstance(items, list):
        items = [_renamed(item, back) for item in items]
    return validate_injects(items)


def create_session(
    store: Store,
    name: str,
    scenario: str | Path,
    teams: list[str],
    seed: int = 7,
    overrides: dict[str, Any] | None = None,
    injects: list[dict[str, Any]] | None = None,
    pace_hours_per_minute: float | None = None,
    objectives: list[str] | None = None,
) -> Session:
    """Create an exercise session from a crisis scenario (a file name in ``scenarios/`` or a path).

    The scenario is validated and stored as given (with ``overrides`` applied), so the session
    runs the same model whatever happens to the file afterwards.
    """
    path = Path(scenario)
    if not path.is_file():
        path = files.scenario_dir() / scenario
    loaded = cs.load_scenario(path, {**(overrides or {}), **LEARNER_START}) if _has_crisis(path) else None
    if loaded is None:
        raise ClassroomError(t("class.error.not_crisis", path=path))
    given = loaded._given or loaded.model_dump(exclude_unset=True)
    return store.create_session(
        name, given, loaded.name, seed, teams,
        validate_injects(injects) if injects is not None else default_injects(loaded.crises[0].type),
        pace_hours_per_minute,
        objectives if objectives is not None else [t(f"crisis.objectives.{i}") for i in range(1, 5)],
    )  # fmt: skip


def _has_crisis(path: Path) -> bool:
    return bool(cs.load_scenario(path).crises)


@dataclass
class Applied:
    """What the replay saw: timed injects passed, decisions made, injects received (for the timeline)."""

    hour: float
    kind: str
    title: str
    details: str
    rationale: str = ""


class TeamRun:
    """One team's model, kept in step with its log (open it again after a crash: it replays).

    Args:
        store: the classroom database.
        session: the exercise session.
        team: the team (None: a run that only replays ``events``, as the comparisons do).
        events: the events to apply (default: the team's whole log).
    """

    def __init__(self, store: Store | None, session: Session, team: Team | None, events: list[Event] | None = None):
        if team is not None and team.session_id != session.id:
            raise ClassroomError(t("class.error.other_session", team=repr(team.name), session=repr(session.name)))
        self.store, self.session, self.team = store, session, team
        self.model = cs.CommunityModel(session.scenario, seed=session.seed)
        self.start_day = float(self.model.params.crises[0].start_day)
        while self.model.day < self.start_day - 1e-9:
            self.model.step()
        self.model.start_due_crises()  # public at hour 0: a team can respond, an inject can escalate
        crisis = self.model.params.crises[0]
        self.cluster = cluster_of(crisis.type, crisis.history)
        self.applied_seq = 0
        self.timed = store.injects(session, timed=True) if store is not None else []
        self.timed_done = 0
        self.timeline: list[Applied] = []
        self.decisions: list[tuple[float, dict[str, Any]]] = []
        self.actions: list[tuple[float, str]] = []  # CM actions beyond the statement
        self.received: set[int] = set()
        self._pass_timed_injects()
        for event in events if events is not None else (store.events(team) if store and team else []):
            self._apply(event)

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

    def _step_to(self, hour: float) -> None:
        target = self.start_day + hour / 24.0
        while self.model.day < target - 1e-9 and self.model.day < self.model.params.days - 1e-9:
            inject = self.timed[self.timed_done] if self.timed_done < len(self.timed) else None
            self.model.step()
            if inject is not None and self.hour >= inject.hour - 1e-9:
                self._pass_timed_injects()

    def _pass_timed_injects(self) -> None:
        while self.timed_done < len(self.timed) and self.timed[self.timed_done].hour <= self.hour + 1e-9:
            inject = self.timed[self.timed_done]
            self.timed_done += 1
            self._inject(inject, self.hour)

    def _inject(self, inject: Inject, hour: float) -> None:
        effect = inject.effect or {}
        if "escalate" in effect:
            self.model.escalate(float(effect["escalate"]["severity"]) * escalation_factor(self.model))
        if "crisis" in effect:
            self.model.inject(Crisis(**{**effect["crisis"], "start_day": self.model.day}))
        self.timeline.append(Applied(hour, inject.kind, inject.title, inject.body))

    # --- events ---------------------------------------------------------------------------------

    def _apply(self, event: Event) -> None:
        if event.kind == "advance":
            self._step_to(event.hour)
        elif event.kind == "decision" and "note" in event.payload:  # an observer's note: the model is not touched
            self.timeline.append(Applied(event.hour, "note", str(event.payload.get("about", "")),
                                         str(event.payload["note"])))  # fmt: skip
        elif event.kind == "decision" and "action" in event.payload:  # a CM action beyond the statement
            self._step_to(event.hour)
            self.model.act(event.payload["action"])
            self.actions.append((event.hour, event.payload["action"]))
            self.timeline.append(Applied(event.hour, "action", t("class.event.action"),
                                         t(f"class.action.{event.payload['action']}")))  # fmt: skip
        elif event.kind == "decision":
            self._step_to(event.hour)
            payload = event.payload
            response = Response(
                strategy=payload["strategy"],
                moderation_share=payload.get("moderation_share", 0.0),
                updates_per_day=payload.get("updates_per_day", 0.0),
            )
            self.model.respond(response)
            self.decisions.append((event.hour, payload))
            details = t(
                "class.decision_details",
                strategy=t(f"crisis.strategy.{response.strategy}"),
                tone=t(f"class.tone.{payload.get('tone', 'factual')}"),
                moderation=percent(response.moderation_share),
                updates=number(response.updates_per_day, None),
            )
            self.timeline.append(Applied(event.hour, "decision", t("class.event.decision"), details,
                                         str(payload.get("rationale", ""))))  # fmt: skip
        elif event.kind == "inject":
            self._step_to(event.hour)
            self.received.add(int(event.payload["release"]))
            inject = self.store.inject(int(event.payload["inject"])) if self.store else None
            if inject is not None:
                self._inject(inject, event.hour)
        self.applied_seq = event.seq

    def sync(self) -> None:
        """Apply the log's events this model has not seen (another kernel may have written them)."""
        assert self.store is not None and self.team is not None
        for event in self.store.events(self.team, self.applied_seq):
            self._apply(event)

    def _writable(self) -> None:
        if self.store is None or self.team is None:
            raise ClassroomError("this run replays a log; it does not write one")
        self.sync()
        status = self.store.session_by_id(self.session.id).status
        if status == "paused":
            raise ClassroomError(t("class.error.paused"))

    def receive(self) -> list[Inject]:
        """Log and apply the on-demand injects released to this team since the last look."""
        self._writable()
        new = []
        for release_id, inject in self.store.releases_for(self.team):  # type: ignore[union-attr]
            if release_id in self.received:
                continue
            event = self.store.log(self.team, "inject", self.hour, {"release": release_id, "inject": inject.id},  # type: ignore[union-attr,arg-type]
                                   session=self.session)  # fmt: skip
            self._apply(event)
            new.append(inject)
        return new

    def next_inject_hour(self) -> float | None:
        """The hour of the next timed inject still to come (None: no more)."""
        later = [i.hour for i in self.timed[self.timed_done :] if i.hour is not None and i.hour > self.hour + 1e-9]
        return min(later) if later else None

    def advance(self, hours: float, stop_at_inject: bool = False) -> Inject | None:
        """Move the clock ``hours`` forward (logged first, then stepped; never past the horizon).

        With ``stop_at_inject``, the clock stops at the next timed inject on the way (the team reads
        it before going on); returns that inject, or None when the clock went the whole way.
        """
        if not (isinstance(hours, int | float) and math.isfinite(hours) and hours > 0):
            raise ClassroomError(t("crisis.error.hours", hours=hours))
        self.receive()
        if self.finished:
            raise ClassroomError(t("crisis.error.horizon", days=number(self.model.params.days, None)))
        target = min(self.hour + hours, self.horizon_hour)
        stop = self.next_inject_hour() if stop_at_inject else None
        stopped = stop is not None and stop < target - 1e-9
        if stopped:
            target = stop  # type: ignore[assignment]
        self._apply(self.store.log(self.team, "advance", target, {}, session=self.session))  # type: ignore[union-attr,arg-type]
        if stopped or (stop is not None and abs(stop - target) < 1e-9):
            return self.timed[self.timed_done - 1]
        return None

    def decide(
        self, strategy: str, tone: str = "factual", moderation_share: float = 0.0, updates_per_day: float = 0.0,
        rationale: str = "", statement: str = "",
    ) -> Event:  # fmt: skip
        """Log a decision (committed before this returns), then make the statement now.

        ``statement``: the words the team wrote; they are logged with what the reader found in them
        (``read_statement``), and ``strategy`` is the one the team confirmed or corrected.
        """
        try:
            Response(strategy=strategy, moderation_share=moderation_share, updates_per_day=updates_per_day)
        except ValueError as exc:  # pydantic's ValidationError: name the first field
            first = exc.errors()[0] if hasattr(exc, "errors") else {"loc": ("decision",), "msg": str(exc)}  # type: ignore[attr-defined]
            field = ".".join(map(str, first["loc"]))
            raise ClassroomError(t("class.error.decision", field=field, message=pydantic_message(first))) from None
        if tone not in TONES:
            raise ClassroomError(t("class.error.tone", allowed=", ".join(TONES), tone=repr(tone)))
        if len(str(rationale)) > MAX_TEXT_CHARS:  # it goes into every report: bounded, not a book
            raise ClassroomError(t("class.error.too_long", where=t("class.rationale"), limit=number(MAX_TEXT_CHARS)))
        self.receive()
        if self.finished:
            raise ClassroomError(t("crisis.error.horizon", days=number(self.model.params.days, None)))
        payload = {"strategy": strategy, "tone": tone, "moderation_share": float(moderation_share),
                   "updates_per_day": float(updates_per_day), "rationale": str(rationale)}  # fmt: skip
        if statement.strip():
            crisis_type = self.model.bad_buzz.current().params.type  # type: ignore[union-attr]
            payload["statement"] = statement.strip()
            payload["reading"] = read_statement(statement, language(), crisis_type).as_payload()
        event = self.store.log(self.team, "decision", self.hour, payload, session=self.session)  # type: ignore[union-attr,arg-type]
        self._apply(event)
        return event

    def act(self, action: str) -> Event:
        """Log a CM action beyond the statement (delete the post, pause the posts...), then take it now."""
        if action not in CM_ACTIONS:
            raise ClassroomError(t("class.error.action", allowed=", ".join(CM_ACTIONS), action=repr(action)))
        self.receive()
        if self.finished:
            raise ClassroomError(t("crisis.error.horizon", days=number(self.model.params.days, None)))
        event = self.store.log(self.team, "decision", self.hour, {"action": action}, session=self.session)  # type: ignore[union-attr,arg-type]
        self._apply(event)
        return event

    def note(self, text: str, about: str, hour: float | None = None) -> Event:
        """An observer's note pinned to an inject (``about``, its title), from the facilitator page.

        Written to the team's log even while the session is paused; the model is not touched.
        """
        if self.store is None or self.team is None:
            raise ClassroomError("this run replays a log; it does not write one")
        if not text.strip():
            raise ClassroomError(t("debrief.error.empty_note"))
        self.sync()
        event = self.store.log(self.team, "decision", self.hour if hour is None else hour,
                               {"note": text.strip(), "about": about}, session=self.session)  # fmt: skip
        self._apply(event)
        return event

    def catch_up(self) -> bool:
        """In a paced session, move the clock to the class clock (logged); False when there is nothing to do."""
        self._writable()
        session = self.store.session_by_id(self.session.id)  # type: ignore[union-attr]
        target = session.class_hour()
        if target is None or self.finished:
            return False
        target = math.floor(target)  # whole crisis hours: the clock's steps during a crisis
        if target <= self.hour + 1e-6:
            return False
        self.advance(min(target, self.horizon_hour) - self.hour)
        return True

    def finish(self) -> None:
        """Run the clock to the horizon."""
        if not self.finished:
            self.advance(self.horizon_hour - self.hour)

    # --- what the team and the facilitator read --------------------------------------------------

    def timeseries(self) -> pd.DataFrame:
        """The team's time series so far."""
        return self.model.result().timeseries

    def kpis(self) -> dict[str, float]:
        """The compared KPIs now, plus the hour and the number of decisions."""
        ts = self.timeseries()
        values = {name: kpi_value(ts, name, self.model.day) for name in COMPARED_KPIS}
        return {"hour": self.hour, "decisions": float(len(self.decisions)), **values}

    def negative_share_6h(self, hour: float) -> float:
        """The negative share over the 6 hours before ``hour`` (NaN without mentions)."""
        ts = self.timeseries()
        day = self.start_day + hour / 24.0
        rows = ts[(ts["day"] > day - 0.25 + 1e-9) & (ts["day"] <= day + 1e-9)]
        mentions = float(rows["mentions"].sum())
        return float(rows["negative_mentions"].sum()) / mentions if mentions else math.nan


def replay(store: Store, session: Session, team: Team, keep: str = "all") -> TeamRun:
    """The team's run to the horizon, with its log or a variant of it; same seed, same injects.

    ``keep``: ``all`` (the log), ``silence`` (without its decisions) or ``best`` (the best matched
    response at hour 1 instead of its decisions).
    """
    events = store.events(team)
    if keep != "all":
        events = [e for e in events if e.kind != "decision"]
    run = TeamRun(store, session, None, events=[])
    best = best_response(run.cluster)
    responded = keep != "best"
    for event in events:
        if not responded and event.hour >= BEST_DELAY_HOURS - 1e-9:
            run._step_to(BEST_DELAY_HOURS)
            run.model.respond(Response(strategy=best))
            responded = True
        run._apply(event)
    if not responded:
        run._step_to(BEST_DELAY_HOURS)
        run.model.respond(Response(strategy=best))
    run._step_to(run.horizon_hour)
    return run


# --- reports ------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_SHARES = {"negative_share", "negative_share_6h", "peak_negative_share"}
_HOURS = {"hours", "hours_to_peak", "hours_to_recover", "crisis_response_h"}


def missing(value: float | None) -> bool:
    """Whether a KPI value is missing (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_kpi(kpi: str, value: float | None) -> str:
    """A crisis KPI value for people: shares in %, hours with ``h``, people as whole numbers (catalogue words)."""
    if missing(value):
        return t("crisis.value.not_recovered") if kpi == "hours_to_recover" else t("crisis.value.none")
    value = float(value)  # type: ignore[arg-type]
    if kpi in _SHARES:
        return percent(value)
    if kpi == "members_lost":  # whole people, never below 0 (a few won back are not a negative loss)
        return number(max(round(value), 0))
    if kpi in _HOURS:
        return t("crisis.value.hours", value=number(round(value, 1), None))
    if kpi in ("sentiment", "mention_sentiment", "mention_sentiment_6h"):
        return number(value, sign=True)
    return number(value)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='cs-table'><tr>{head}</tr>{body}</table>"


@dataclass
class TeamOutcome:
    """A finished team: its run, the comparisons, the scorecard."""

    team: Team
    run: TeamRun
    silence: TeamRun
    best: TeamRun
    scorecard: pd.DataFrame

    @property
    def passed(self) -> int:
        """Objectives passed."""
        return int(self.scorecard["passed"].sum()) if len(self.scorecard) else 0


def outcome(store: Store, session: Session, team: Team) -> TeamOutcome:
    """Replay a team to the horizon with its decisions, with silence and with the best matched response."""
    run = replay(store, session, team, "all")
    return TeamOutcome(team, run, replay(store, session, team, "silence"), replay(store, session, team, "best"),
                       run.model.result().scorecard)  # fmt: skip


def team_section_html(result: TeamOutcome) -> str:
    """One team's part of the report: timeline with effects and rationales, comparison, objectives."""
    run = result.run
    rows = []
    for entry in run.timeline:
        effect = ""
        if entry.kind == "decision":
            before = run.negative_share_6h(entry.hour)
            after = run.negative_share_6h(min(entry.hour + EFFECT_HOURS, run.horizon_hour))
            effect = t(
                "class.effect",
                before=format_kpi("negative_share", before),
                after=format_kpi("negative_share", after),
                hours=number(EFFECT_HOURS, None),
            )
        rows.append([_e(number(entry.hour, None)), _e(entry.title), _e(entry.details), _e(effect), _e(entry.rationale)])
    timeline = _table([_e(t(k)) for k in ("crisis.timeline.hour", "crisis.timeline.event", "crisis.timeline.details",
                                          "class.report.effect", "class.report.rationale")], rows)  # fmt: skip
    best = best_response(run.cluster)
    runs = [
        (t("crisis.report.learner"), result.run),
        (t("crisis.report.silence"), result.silence),
        (
            t("crisis.report.best", strategy=t(f"crisis.strategy.{best}"), hours=number(BEST_DELAY_HOURS, None)),
            result.best,
        ),
    ]
    compared = _table(
        [_e(t("crisis.report.run")), *(_e(t(f"crisis.kpi.{k}")) for k in COMPARED_KPIS)],
        [[_e(label), *(_e(format_kpi(k, r.kpis()[k])) for k in COMPARED_KPIS)] for label, r in runs],
    )
    card_rows = [
        [_e(t(f"crisis.kpi.{row['kpi']}")), _e(("≥ " if row["direction"] == "at_least" else "≤ ")
         + format_kpi(row["kpi"], row["target"])), _e(format_kpi(row["kpi"], row["achieved"])),
         _e(t("common.passed") if row["passed"] else t("common.failed"))]
        for _, row in result.scorecard.iterrows()
    ]  # fmt: skip
    card = _table([_e(t(k)) for k in ("common.objective", "common.target", "common.achieved", "crisis.report.result")],
                  card_rows)  # fmt: skip
    from communitysim.classroom.debrief import debrief_html  # the debrief builds on this module

    return (
        f"<h2>{_e(t('class.report.team', team=result.team.name))}</h2>"
        f"<h3>{_e(t('crisis.report.timeline'))}</h3>{timeline}"
        f"<h3>{_e(t('crisis.report.comparison'))}</h3>{compared}"
        f"<h3>{_e(t('crisis.report.objectives'))}</h3>{card}"
        f"{debrief_html(run)}"
    )


def class_summary_html(outcomes: list[TeamOutcome]) -> str:
    """The class summary: teams ranked on objectives passed, then on the peak negative share."""
    ranked = sorted(outcomes, key=lambda o: (-o.passed, o.run.kpis()["peak_negative_share"], o.team.name))
    rows = [
        [_e(rank), _e(o.team.name), _e(f"{o.passed} / {len(o.scorecard)}"),
         *(_e(format_kpi(k, o.run.kpis()[k])) for k in COMPARED_KPIS)]
        for rank, o in enumerate(ranked, start=1)
    ]  # fmt: skip
    headers = [t("class.report.rank"), t("class.report.team_column"), t("class.report.passed"),
               *(t(f"crisis.kpi.{k}") for k in COMPARED_KPIS)]  # fmt: skip
    return f"<h2>{_e(t('class.report.summary'))}</h2>" + _table([_e(h) for h in headers], rows)


def _document(title: str, body: str) -> str:
    style = (
        "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
        "vertical-align:top}footer{margin-top:2em;color:#777;font-size:small}"
    )
    footer = t("crisis.report.generated", version=cs.__version__)
    return (
        f"<!DOCTYPE html>\n<html lang='{_e(language())}'>\n<head>\n<meta charset='utf-8'>\n<title>{_e(title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n<h1>{_e(title)}</h1>\n{body}\n<footer>{_e(footer)}</footer>\n"
        "</body>\n</html>\n"
    )


def team_report_html(store: Store, session: Session, team: Team) -> str:
    """One team's after-action report (standalone HTML, every text escaped)."""
    title = t("class.report.title", session=session.name, scenario=session.scenario_name)
    return _document(title, team_section_html(outcome(store, session, team)))


def class_report_html(store: Store, session: Session) -> str:
    """The session's after-action report: the class summary, then every team (standalone HTML)."""
    outcomes = [outcome(store, session, team) for team in store.teams(session)]
    objectives = "".join(f"<li>{_e(text)}</li>" for text in session.objectives)
    intro = f"<p>{_e(t('crisis.report.seed', seed=session.seed))}</p><ul>{objectives}</ul>"
    from communitysim.classroom.debrief import rubric_html

    crisis = outcomes[0].run.model.params.crises[0] if outcomes else None
    key = rubric_html(crisis.type, crisis.history) if crisis is not None else ""  # the trainer's answer key
    body = intro + class_summary_html(outcomes) + "".join(team_section_html(o) for o in outcomes) + key
    return _document(t("class.report.title", session=session.name, scenario=session.scenario_name), body)


#: Characters of each name kept in a report's file name (the hash keeps long names apart).
NAME_CHARS = 40


def report_path(folder: str | Path, kind: str, *names: str, suffix: str = ".html", now: datetime | None = None) -> Path:
    """A new report file in ``folder``, named from ``names`` and the time, that no other names can share.

    Each name is shortened to letters and digits (``NAME_CHARS`` at most, for readability) and a
    hash of the exact names is appended, so "Red 1" and "Red-1" never write the same file, and a
    300-character name still fits a file name; a second export at the same second gets ``-2``.

    Example:
        >>> a = report_path("out", "report", "S", "Red 1", now=datetime(2026, 1, 2, 3, 4, 5))
        >>> b = report_path("out", "report", "S", "Red-1", now=datetime(2026, 1, 2, 3, 4, 5))
        >>> a.name.startswith("report_S_Red_1_20260102-030405_"), a != b
        (True, True)
    """
    readable = "_".join(
        "".join(c if c.isalnum() else "_" for c in name)[:NAME_CHARS].strip("_") or "x" for name in names
    )
    digest = hashlib.sha256(json.dumps(list(names)).encode("utf-8")).hexdigest()[:8]
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(folder) / f"{kind}_{readable}_{stamp}_{digest}"
    path, copy = base.with_name(base.name + suffix), 1
    while path.exists():
        copy += 1
        path = base.with_name(f"{base.name}-{copy}{suffix}")
    return path


def export(document: str, path: str | Path) -> Path:
    """Write a report atomically: HTML, or PDF when ``path`` ends in ``.pdf``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = report_pdf(document) if path.suffix.lower() == ".pdf" else document.encode("utf-8")
    atomic_write_bytes(path, data)
    return path


#: A font with the symbols the reports use (Debian's fonts-dejavu-core, installed with chromium).
PDF_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def report_pdf(document: str) -> bytes:
    """A report's HTML as PDF bytes (xhtml2pdf: pure Python; tables and text, no images needed)."""
    import io
    import logging

    from xhtml2pdf import pisa

    if PDF_FONT.is_file():
        face = f"@font-face{{font-family:DejaVu;src:url('{PDF_FONT}')}}body,td,th{{font-family:DejaVu}}"
        document = document.replace("<style>", f"<style>{face}", 1)
    else:  # the PDF's built-in fonts lack these symbols
        for symbol, plain in (("≤", "<="), ("≥", ">="), ("–", "-"), ("—", "-")):
            document = document.replace(symbol, html.escape(plain))
    buffer = io.BytesIO()
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)  # CSS it ignores (border-collapse) is fine
    status = pisa.CreatePDF(document, dest=buffer, encoding="utf-8")
    if status.err:
        raise ClassroomError(t("class.error.pdf", count=status.err))
    return buffer.getvalue()
