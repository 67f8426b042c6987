"""The facilitator's dashboard: create a session, watch every team side by side, release injects, pause.

The trainer creates an exercise session from a crisis scenario (name, teams, seed, pace), then
follows the teams live: each team's clock, decisions and KPIs (their models rebuilt from their logs
and kept in step), and the decisions of all teams on one timeline. On-demand injects go to one
team or to all; Pause stops every team's clock and decisions until Resume. At the end, the class
after-action report ranks the teams on the objectives.

Example:
    >>> from communitysim.classroom import Store
    >>> app = FacilitatorApp(store=Store(":memory:"), overrides={"audience.size": 300, "seeding.size": 150})
    >>> app.name.value, app.teams_text.value = "Demo", "Red, Blue"
    >>> app.create()
    >>> list(app.dashboard_table()["team"])
    ['Red', 'Blue']
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

import communitysim as cs
from communitysim import files
from communitysim.classroom import ClassroomError, Store, TeamRun, class_report_html, create_session, default_path
from communitysim.classroom.events_file import load_events
from communitysim.classroom.exercise import default_injects, injects_yaml, parse_injects_yaml
from communitysim.exercise.report import body_of, export, format_kpi, report_path
from communitysim.exercise.session import COMPARED_KPIS, INTENSITIES
from communitysim.messages import number, t
from communitysim.ui import fitted_button, labelled
from communitysim.ui.classroom_page import ClassroomPage, download_links
from communitysim.ui.crisis_exercise import crisis_scenarios

__all__ = ["FacilitatorApp", "facilitator"]


class FacilitatorApp(ClassroomPage):
    """The facilitator's dashboard (``app.widget`` is the widget tree).

    Args:
        store: an open classroom database (default: opened from the path field).
        path: the database file (default: ``COMMUNITYSIM_CLASSROOM_DB`` or ``out/classroom.sqlite``).
        overrides: fixed overrides of the sessions it creates (e.g. a smaller audience).
    """

    def __init__(self, store: Store | None = None, path: str | Path | None = None, overrides: dict | None = None):
        self.store = store
        self.fixed = dict(overrides or {})
        self.runs: dict[str, TeamRun] = {}
        self.session_name: str | None = None
        look = {"layout": w.Layout(width="100%")}
        where = store.path if store is not None else str(path or default_path())
        self.path = w.Text(value=where, **look)
        self.name = w.Text(placeholder=t("class.new_session_help"), **look)
        scenarios = [p.name for p in crisis_scenarios()]
        self.scenario = w.Dropdown(options=scenarios, value=scenarios[0] if scenarios else None, **look)
        self.teams_text = w.Text(placeholder=t("class.teams_help"), **look)
        self.seed = w.IntText(value=7, **look)
        self.pace = w.FloatText(value=0, **look)
        tall = {"layout": w.Layout(width="100%", height="160px")}
        self.objectives = w.Textarea(value="\n".join(t(f"crisis.objectives.{i}") for i in range(1, 5)), **tall)
        self.events = w.Textarea(
            value=injects_yaml(default_injects(self._crisis_type())),
            **{"layout": w.Layout(width="100%", height="260px")},
        )
        self.scenario.observe(lambda _: self._match_events(), names="value")
        self.create_button = fitted_button(t("class.create"), self.create, button_style="primary", icon="plus")
        self.sessions = w.Dropdown(**look)
        self.open_button = fitted_button(t("class.open"), self.open, icon="folder-open")
        self.refresh_button = fitted_button(t("class.refresh"), self.refresh, icon="refresh")
        self.auto = w.Play(interval=5000, max=10**9, show_repeat=False, description=t("class.auto_refresh"),
                           tooltip=t("class.auto_refresh"))  # fmt: skip
        self.auto.observe(lambda change: self.refresh(), names="value")
        auto_label = w.HTML(f"<span style='color:#555'>{html.escape(t('class.auto_refresh'))}</span>")
        self.pause_button = fitted_button(t("class.pause"), lambda: self.set_status("paused"), icon="pause")
        self.resume_button = fitted_button(t("class.resume"), lambda: self.set_status("running"), icon="play")
        self.inject = w.Dropdown(**look)
        self.target = w.Dropdown(**look)
        self.release_button = fitted_button(t("class.release"), self.release, button_style="warning", icon="bolt")
        self.report_button = fitted_button(t("class.class_report"), self.class_report, icon="file-text")
        self.events_file = w.Text(placeholder=t("class.events_file_help"), **look)
        self.load_button = fitted_button(t("class.load_events"), self.load_events, icon="upload")
        self.note_inject = w.Dropdown(**look)
        self.note = w.Textarea(placeholder=t("class.note_help"), **look)
        self.note_button = fitted_button(t("class.pin_note"), self.pin_note, icon="thumb-tack")
        levels = [(t(f"class.intensity.{k}"), k) for k in INTENSITIES]
        self.intensity = w.Dropdown(options=levels, value="normal", **look)
        self.intensity_button = fitted_button(t("class.set_intensity"), self.set_intensity, icon="sliders")
        self.status = w.HTML()
        self.dashboard = w.HTML()
        self.timeline = w.HTML()
        self.report = w.HTML()
        self.download = w.HTML()
        glossary = w.HTML(f"<p style='color:#555'><i>{html.escape(t('class.inject_defined'))}</i></p>")
        create = w.VBox([w.HTML(f"<b>{html.escape(t('class.create_title'))}</b>"),
                         labelled(self.name, t("class.new_session")), labelled(self.scenario, t("common.scenario")),
                         labelled(self.teams_text, t("class.teams")), labelled(self.seed, t("class.seed")),
                         labelled(self.pace, t("class.pace")), labelled(self.objectives, t("class.objectives")),
                         labelled(self.events, t("class.events")),
                         labelled(self.events_file, t("class.events_file")), self.load_button, self.create_button],
                        layout=w.Layout(width="50%", min_width="320px", padding="0 12px 0 0"))  # fmt: skip
        run = w.VBox([w.HTML(f"<b>{html.escape(t('class.run_title'))}</b>"),
                      labelled(self.sessions, t("class.session")),
                      w.HBox([self.open_button, self.refresh_button]), w.HBox([self.auto, auto_label]),
                      w.HBox([self.pause_button, self.resume_button]),
                      labelled(self.inject, t("class.inject")), labelled(self.target, t("class.target")),
                      self.release_button,
                      labelled(self.intensity, t("class.intensity"), t("class.intensity_help")), self.intensity_button,
                      labelled(self.note_inject, t("class.note_inject")),
                      labelled(self.note, t("class.note")), self.note_button, self.report_button],
                     layout=w.Layout(width="48%", min_width="300px"))  # fmt: skip
        self.widget = w.VBox([labelled(self.path, t("class.db")), glossary,
                              w.HBox([create, run], layout=w.Layout(flex_flow="row wrap")), self.status,
                              self.dashboard, self.timeline, self.download, self.report])  # fmt: skip
        names = self._list_sessions(self.sessions)
        if names and self.sessions.value not in names:
            self.sessions.value = names[0]

    def _guard(self, action: Any) -> bool:
        try:
            action()
        except (ClassroomError, ValueError) as exc:
            self._say(" ".join(str(exc).split()), error=True)
            return False
        return True

    def _crisis_type(self) -> str | None:
        if not self.scenario.value:
            return None
        crises = cs.load_scenario(files.scenario_dir() / self.scenario.value).crises
        return crises[0].type if crises else None

    def _match_events(self) -> None:
        """A new scenario: the default events list of its crisis type (injects matched to the crisis)."""
        self.events.value = injects_yaml(default_injects(self._crisis_type()))

    def load_events(self) -> None:
        """Load a master events list from a CSV, XLSX or YAML file into the events field."""
        events: list = []
        if self._guard(lambda: events.extend(load_events(self.events_file.value.strip()))):
            self.events.value = injects_yaml(events)
            self._say(t("class.loaded_events", count=len(events), path=self.events_file.value.strip()))

    # --- actions --------------------------------------------------------------------------------

    def create(self) -> None:
        """Create the session from the form (teams comma-separated; pace 0 = step by step), then open it."""

        def action() -> None:
            pace = float(self.pace.value)
            teams = [name for name in self.teams_text.value.split(",")]
            events = parse_injects_yaml(self.events.value)
            objectives = [line.strip() for line in self.objectives.value.splitlines() if line.strip()]
            create_session(self._open(), self.name.value, self.scenario.value, teams, seed=int(self.seed.value),
                           overrides=self.fixed, injects=events, pace_hours_per_minute=pace if pace > 0 else None,
                           objectives=objectives)  # fmt: skip

        if self._guard(action):
            self._list_sessions(self.sessions)
            self.sessions.value = self.name.value.strip()
            self.open()
            self._say(t("class.created", session=self.name.value.strip()))

    def open(self) -> None:
        """Open the chosen session: its teams' runs, its on-demand injects, the dashboard."""

        def action() -> None:
            store = self._open()
            if not self.sessions.value:
                raise ClassroomError(t("class.error.no_session"))
            session = store.session(self.sessions.value)
            self.session_name = session.name
            self.runs = {team.name: TeamRun(store, session, team) for team in store.teams(session)}
            self.inject.options = [(i.title, i.id) for i in store.injects(session, timed=False)]
            self.target.options = [(t("class.all_teams"), None), *((n, n) for n in self.runs)]
            self.note_inject.options = [(i.title, i.title) for i in store.injects(session)]

        if self._guard(action):
            self.refresh()

    def refresh(self) -> None:
        """Bring every team's run up to its log and redraw the dashboard and the shared timeline."""
        if not self.runs:
            return
        for run in self.runs.values():
            run.sync()
        table = self.dashboard_table()
        headers = [t("class.report.team_column"), t("class.hour"), t("class.decisions"),
                   *(t(f"crisis.kpi.{k}") for k in COMPARED_KPIS)]  # fmt: skip
        rows = "".join(
            f"<tr><td><b>{html.escape(row['team'])}</b></td><td>{number(row['hour'], None)}</td>"
            + f"<td>{number(row['decisions'], None)}</td>"
            + "".join(f"<td>{html.escape(format_kpi(k, row[k]))}</td>" for k in COMPARED_KPIS) + "</tr>"
            for _, row in table.iterrows()
        )  # fmt: skip
        session = self.store.session(self.session_name)  # type: ignore[union-attr,arg-type]
        status = session.status
        clock = session.class_hour()
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        title = t("class.dashboard", session=session.name, status=t(f"class.{status}"))
        if clock is not None:
            pace = number(session.pace_hours_per_minute, None)
            title += " " + t("class.class_clock", hour=number(clock, 1), pace=pace)
        self.dashboard.value = f"<b>{html.escape(title)}</b><table class='cs-dashboard'><tr>{head}</tr>{rows}</table>"
        entries = sorted(
            (entry.hour, name, entry) for name, run in self.runs.items() for entry in run.timeline
            if entry.kind == "decision"
        )  # fmt: skip
        lines = "".join(
            f"<tr><td>{number(hour, None)}</td><td>{html.escape(name)}</td><td>{html.escape(e.details)}</td>"
            f"<td>{html.escape(e.rationale)}</td></tr>"
            for hour, name, e in entries
        )
        heads = "".join(
            f"<th>{html.escape(t(k))}</th>"
            for k in ("crisis.timeline.hour", "class.report.team_column", "crisis.timeline.details",
                      "class.report.rationale")
        )  # fmt: skip
        title = html.escape(t("class.shared_timeline"))
        self.timeline.value = f"<b>{title}</b><table class='cs-timeline'><tr>{heads}</tr>{lines}</table>"

    def dashboard_table(self) -> pd.DataFrame:
        """One row per team: its hour, decisions and KPIs now."""
        return pd.DataFrame([{"team": name, **run.kpis()} for name, run in self.runs.items()])

    def set_status(self, status: str) -> None:
        """Pause (``paused``) or resume (``running``) every team of the session."""
        if self.store is None or self.session_name is None:
            self._say(t("class.error.no_session"), error=True)
            return
        if self._guard(lambda: self.store.set_status(self.store.session(self.session_name), status)):  # type: ignore[union-attr,arg-type]
            self.refresh()
            self._say(t(f"class.now_{status}"))

    def release(self) -> None:
        """Release the chosen on-demand inject to the chosen team, or to all."""
        if self.store is None or self.session_name is None or self.inject.value is None:
            self._say(t("class.error.no_session"), error=True)
            return
        store, session = self.store, self.store.session(self.session_name)
        team = store.team(session, self.target.value) if self.target.value else None
        if self._guard(lambda: store.release(session, store.inject(self.inject.value), team)):
            self._say(t("class.released", inject=store.inject(self.inject.value).title,
                        target=team.name if team else t("class.all_teams")))  # fmt: skip

    def set_intensity(self, level: str | None = None) -> None:
        """Set the storm's intensity (``INTENSITIES``) for the chosen team, or all, from their hour now."""
        if self.store is None or self.session_name is None:
            self._say(t("class.error.no_session"), error=True)
            return
        level = level or self.intensity.value
        runs = [self.runs[self.target.value]] if self.target.value else list(self.runs.values())
        if self._guard(lambda: [run.set_intensity(level) for run in runs]):
            target = self.target.value or t("class.all_teams")
            self._say(t("class.intensity_set", level=t(f"class.intensity.{level}"), target=target))
            self.refresh()

    def pin_note(self) -> None:
        """Pin an observer note to the chosen inject, for the chosen team or all (in their logs and debriefs)."""
        if self.store is None or self.session_name is None or self.note_inject.value is None:
            self._say(t("class.error.no_session"), error=True)
            return
        runs = [self.runs[self.target.value]] if self.target.value else list(self.runs.values())
        if self._guard(lambda: [run.note(self.note.value, self.note_inject.value) for run in runs]):
            self._say(t("class.pinned", target=self.target.value or t("class.all_teams")))
            self.note.value = ""

    def class_report(self) -> None:
        """The class after-action report (ranking and every team), shown and written to ``out/``."""
        if self.store is None or self.session_name is None:
            self._say(t("class.error.no_session"), error=True)
            return
        session = self.store.session(self.session_name)
        document = class_report_html(self.store, session)
        path = export(document, report_path(Path("out"), "class_report", session.name, session.scenario_name))
        pdf = export(document, path.with_suffix(".pdf"))
        self.download.value = download_links(path, pdf)
        self.report.value = f"<div class='cs-report'>{body_of(document)}</div>"
        self._say(t("class.report_written", path=path))


def facilitator(**kwargs: Any) -> FacilitatorApp:
    """Build the facilitator's dashboard (the notebook's one call)."""
    return FacilitatorApp(**kwargs)
