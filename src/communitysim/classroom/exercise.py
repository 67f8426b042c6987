"""The classroom's sessions: master events lists, a team's exercise kept in its log, the class reports.

A team plays the brand's CM in its own ``CrisisSession`` (``communitysim.exercise``, the engine the
solo exercise plays too): the session's scenario and seed (the same for every team, so teams are
comparable), run to the moment the crisis goes public (hour 0). ``TeamRun`` keeps the team's moves
in the store: each is logged (committed) first, then applied; on-demand injects the facilitator
released are received and logged on the team's next move. Replaying the log gives the same state as
the uninterrupted run, bit for bit: a killed kernel loses nothing.

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

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import communitysim as cs
from communitysim import files
from communitysim.classroom.store import ClassroomError, Event, Session, Store, Team
from communitysim.exercise.debrief import ONE_PAGE, debrief_html, rubric_html
from communitysim.exercise.report import (
    comparison_html,
    document,
    e,
    format_kpi,
    objectives_html,
    table,
    timeline_html,
)
from communitysim.exercise.session import (
    COMPARED_KPIS,
    EFFECT_HOURS,
    LEARNER_START,
    MAX_TEXT_CHARS,
    CrisisSession,
)
from communitysim.mechanisms.crisis import Crisis
from communitysim.messages import number, t

__all__ = [
    "TeamRun",
    "class_report_html",
    "create_session",
    "debrief_document",
    "default_injects",
    "replay",
    "team_report_html",
]


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


class TeamRun(CrisisSession):
    """One team's exercise, kept in step with its log in the store (open it again after a crash: it replays).

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
        self.received: set[int] = set()
        super().__init__(session.scenario, session.seed, injects=store.injects(session, timed=True) if store else [])
        for event in events if events is not None else (store.events(team) if store and team else []):
            self._apply(event)

    # --- the log in the store --------------------------------------------------------------------

    def _log(self, kind: str, hour: float, payload: dict[str, Any]) -> Event:
        if self.store is None or self.team is None:
            raise ClassroomError("this run replays a log; it does not write one")
        return self.store.log(self.team, kind, hour, payload, session=self.session)

    def _ready(self) -> None:
        self.receive()

    def _sync(self) -> None:
        if self.store is None or self.team is None:
            raise ClassroomError("this run replays a log; it does not write one")
        self.sync()

    def _fresh(self) -> TeamRun:
        return TeamRun(self.store, self.session, None, events=[])

    def _moves(self) -> list[Any]:
        return self.store.events(self.team) if self.store is not None and self.team is not None else []

    def _apply(self, event: Any) -> None:
        if event.kind == "inject" and "release" in event.payload:  # an on-demand inject the facilitator released
            self.step_to(event.hour)
            self.received.add(int(event.payload["release"]))
            inject = self.store.inject(int(event.payload["inject"])) if self.store else None
            if inject is not None:
                self._inject(inject, event.hour)
            self.applied_seq = event.seq
        else:
            super()._apply(event)

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

    def receive(self) -> list[Any]:
        """Log and apply the on-demand injects released to this team since the last look."""
        self._writable()
        new = []
        for release_id, inject in self.store.releases_for(self.team):  # type: ignore[union-attr]
            if release_id in self.received:
                continue
            self._apply(self._log("inject", self.hour, {"release": release_id, "inject": inject.id}))
            new.append(inject)
        return new

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


def replay(store: Store, session: Session, team: Team, keep: str = "all") -> TeamRun:
    """The team's run to the horizon, with its log or a variant of it; same seed, same injects.

    ``keep``: ``all`` (the log), ``silence`` (without its decisions) or ``best`` (the best matched
    response at hour 1 instead of its decisions).
    """
    return TeamRun(store, session, None, events=[]).replay(store.events(team), keep)  # type: ignore[return-value]


# --- reports ------------------------------------------------------------------------------------


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
    """One team's part of the report: timeline with effects and rationales, comparison, objectives and why."""
    run = result.run
    effects = [
        t("class.effect", before=format_kpi("negative_share", run.negative_share_6h(entry.hour)),
          after=format_kpi("negative_share", run.negative_share_6h(min(entry.hour + EFFECT_HOURS, run.horizon_hour))),
          hours=number(EFFECT_HOURS, None))
        if entry.kind == "decision" else ""
        for entry in run.timeline
    ]  # fmt: skip
    compared = {"learner": result.run.kpis(), "silence": result.silence.kpis(), "best": result.best.kpis()}
    return (
        f"<h2>{e(t('class.report.team', team=result.team.name))}</h2>"
        f"<h3>{e(t('crisis.report.timeline'))}</h3>{timeline_html(run.timeline, effects, rationales=True)}"
        f"<h3>{e(t('crisis.report.comparison'))}</h3>{comparison_html(run.best_strategy, compared)}"
        f"<h3>{e(t('crisis.report.objectives'))}</h3>{objectives_html(result.scorecard, run.cluster)}"
        f"{debrief_html(run)}"
    )


def class_summary_html(outcomes: list[TeamOutcome]) -> str:
    """The class summary: teams ranked on objectives passed, then on the peak negative share."""
    ranked = sorted(outcomes, key=lambda o: (-o.passed, o.run.kpis()["peak_negative_share"], o.team.name))
    rows = [
        [e(rank), e(o.team.name), e(f"{o.passed} / {len(o.scorecard)}"),
         *(e(format_kpi(k, o.run.kpis()[k])) for k in COMPARED_KPIS)]
        for rank, o in enumerate(ranked, start=1)
    ]  # fmt: skip
    headers = [t("class.report.rank"), t("class.report.team_column"), t("class.report.passed"),
               *(t(f"crisis.kpi.{k}") for k in COMPARED_KPIS)]  # fmt: skip
    return f"<h2>{e(t('class.report.summary'))}</h2>" + table(headers, rows)


def team_report_html(store: Store, session: Session, team: Team) -> str:
    """One team's after-action report (standalone HTML, every text escaped)."""
    title = t("class.report.title", session=session.name, scenario=session.scenario_name)
    return document(title, team_section_html(outcome(store, session, team)))


def class_report_html(store: Store, session: Session) -> str:
    """The session's after-action report: the class summary, then every team (standalone HTML)."""
    outcomes = [outcome(store, session, team) for team in store.teams(session)]
    objectives = "".join(f"<li>{e(text)}</li>" for text in session.objectives)
    intro = f"<p>{e(t('crisis.report.seed', seed=session.seed))}</p><ul>{objectives}</ul>"
    crisis = outcomes[0].run.model.params.crises[0] if outcomes else None
    key = rubric_html(crisis.type, crisis.history) if crisis is not None else ""  # the trainer's answer key
    body = intro + class_summary_html(outcomes) + "".join(team_section_html(o) for o in outcomes) + key
    return document(t("class.report.title", session=session.name, scenario=session.scenario_name), body)


def debrief_document(store: Store, session: Session, team: Team) -> str:
    """A team's one-page printable debrief (standalone HTML; ``exercise.report.export`` writes it as PDF)."""
    run = replay(store, session, team, "all")
    crisis = run.model.params.crises[0]
    body = f"<h2>{e(t('class.report.team', team=team.name))}</h2>{debrief_html(run)}" + rubric_html(
        crisis.type, crisis.history
    )
    written = document(t("debrief.title", team=team.name, session=session.name), body)
    return written.replace("</style>", ONE_PAGE + "</style>", 1)
