"""A team's page in a classroom crisis exercise: join, move the clock, read the feed and injects, decide.

Every action is written to the classroom database (committed) before the page confirms it; reopen
the notebook after a crash, join again, and the team is back exactly where it was (its model is
rebuilt from its log).

Example:
    >>> from communitysim.classroom import Store, create_session
    >>> store = Store(":memory:")
    >>> _ = create_session(store, "Demo", "crisis_offensive_post.yaml", teams=["Red"],
    ...                    overrides={"audience.size": 300, "seeding.size": 150})
    >>> app = TeamApp(store=store)
    >>> app.join()
    >>> app.advance(1)
    >>> app.run.hour
    1.0
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w

from communitysim.classroom import ClassroomError, Store, TeamRun, default_path, team_report_html
from communitysim.crisis_feed.render import living_feed_html
from communitysim.exercise.report import body_of, export, format_kpi, report_path
from communitysim.exercise.session import COMPARED_KPIS, STRATEGIES, TONES
from communitysim.messages import number, percent, scenario_description, t
from communitysim.ui import decimal_slider, fitted_button, labelled
from communitysim.ui.classroom_page import ClassroomPage, download_links
from communitysim.ui.crisis_exercise import CLOCK
from communitysim.ui.statement_box import StatementBox

__all__ = ["TeamApp", "team"]


class TeamApp(ClassroomPage):
    """The team page (``app.widget`` is the widget tree).

    Args:
        store: an open classroom database (default: opened from the path field).
        path: the database file (default: ``COMMUNITYSIM_CLASSROOM_DB`` or ``out/classroom.sqlite``).
    """

    def __init__(self, store: Store | None = None, path: str | Path | None = None):
        self.store = store
        self.run: TeamRun | None = None
        self.report_path: Path | None = None
        look = {"layout": w.Layout(width="100%")}
        where = store.path if store is not None else str(path or default_path())
        self.path = w.Text(value=where, **look)
        self.session = w.Dropdown(**look)
        self.team = w.Dropdown(**look)
        self.join_button = fitted_button(t("class.join"), self.join, button_style="primary", icon="sign-in")
        self.session.observe(lambda change: self._list_teams(), names="value")
        self.clock = w.HTML()
        self.crisis = w.HTML()
        self.clock_buttons = []
        for hours, key in CLOCK:
            clock_button = fitted_button(t(key), lambda h=hours: self.advance(h), t("class.clock_help"), disabled=True)
            self.clock_buttons.append(clock_button)
        # paced sessions: the class clock ticks in the browser every 5 s and the team's clock follows it
        self.ticker = w.Play(interval=5000, max=10**9, show_repeat=False, layout=w.Layout(display="none"),
                             tooltip=t("class.ticker_help"))  # fmt: skip
        self.ticker.observe(lambda change: self.tick(), names="value")
        self.strategy = w.Dropdown(options=[(t(f"crisis.strategy.{s}"), s) for s in STRATEGIES], **look)
        self.tone = w.Dropdown(options=[(t(f"class.tone.{k}"), k) for k in TONES], **look)
        self.moderation = decimal_slider(0.0, 0, 1, 0.05, percent, **look)
        self.updates = w.IntSlider(value=0, min=0, max=6, **look)
        self.rationale = w.Textarea(placeholder=t("class.rationale_help"), **look)
        self.decide_button = fitted_button(t("class.decide"), self.decide, button_style="warning", disabled=True)
        self.finish_button = fitted_button(t("crisis.finish"), self.finish, disabled=True)
        self.status = w.HTML()
        self.kpis = w.HTML()
        self.inbox = w.HTML()
        self.feed = w.HTML()
        self.report = w.HTML()
        self.download = w.HTML()
        join = w.VBox([labelled(self.path, t("class.db")), labelled(self.session, t("class.session")),
                       labelled(self.team, t("class.team")), self.join_button])  # fmt: skip
        self.statement = StatementBox(self.strategy, self.tone, self.act)
        self.statement.enable(False)
        decide = w.VBox([
            self.statement.widget,
            labelled(self.strategy, t("crisis.response.strategy")), labelled(self.tone, t("class.tone")),
            labelled(self.moderation, t("crisis.response.moderation")),
            labelled(self.updates, t("crisis.response.updates")),
            labelled(self.rationale, t("class.rationale")), self.decide_button,
        ])  # fmt: skip
        glossary = w.HTML(f"<p style='color:#555'><i>{html.escape(t('class.inject_defined'))}</i></p>")
        left = w.VBox([join, self.clock, w.HBox([*self.clock_buttons, self.ticker]), decide, self.finish_button,
                       self.status],
                      layout=w.Layout(width="45%", min_width="300px", padding="0 12px 0 0"))  # fmt: skip
        right = w.VBox([self.crisis, glossary, self.kpis, self.inbox, self.feed], layout=w.Layout(width="55%"))
        self.widget = w.VBox([w.HBox([left, right], layout=w.Layout(flex_flow="row wrap")), self.download,
                              self.report])  # fmt: skip
        names = self._list_sessions(self.session)
        if names and self.session.value not in names:
            self.session.value = names[0]
        self._list_teams()
        if names == []:  # None: not a classroom database, already said so
            self._say(t("class.no_sessions"), error=True)

    def _list_teams(self) -> None:
        if not self.session.value or self.store is None:
            self.team.options = []
            return
        names = [team.name for team in self.store.teams(self.store.session(self.session.value))]
        self.team.options = names
        if names and self.team.value not in names:
            self.team.value = names[0]

    # --- actions --------------------------------------------------------------------------------

    def join(self) -> None:
        """Open the team's run (rebuilt from its log: a restarted kernel resumes where it was)."""
        try:
            store = self._open()
            session = store.session(self.session.value or "")
            self.run = TeamRun(store, session, store.team(session, self.team.value or ""))
        except ClassroomError as exc:
            self._say(str(exc), error=True)
            return
        paced = self.run.session.pace_hours_per_minute is not None
        for button in (*self.clock_buttons, self.decide_button, self.finish_button):
            button.disabled = False
        self.statement.enable(True)
        self.statement.crisis_type = self.run.model.bad_buzz.current().params.type  # type: ignore[union-attr]
        for button in self.clock_buttons:
            button.layout.display = "none" if paced else None
        self.ticker.layout.display = None if paced else "none"
        self.crisis.value = self._crisis_html()
        self._refresh()
        self._say(t("class.joined", team=self.team.value, hour=number(self.run.hour, None)))
        if paced:
            self.tick()
            self.ticker.playing = True

    def tick(self) -> None:
        """A paced session: move the team's clock to the class clock (nothing while paused or at the end)."""
        if self.run is None or self.run.session.pace_hours_per_minute is None:
            return
        try:
            moved = self.run.catch_up()
        except ClassroomError as exc:
            self._say(str(exc), error=True)
            return
        if moved:
            self._refresh()
            self._say(t("class.advanced", hour=number(self.run.hour, None)))

    def _act(self, action: Any) -> bool:
        if self.run is None:
            self._say(t("class.error.not_joined"), error=True)
            return False
        try:
            action()
        except ClassroomError as exc:
            self._say(str(exc), error=True)
            return False
        self._refresh()
        return True

    def advance(self, hours: float) -> None:
        """Move the team's clock (logged, then stepped); it stops at a timed inject on the way."""
        reached: list[Any] = []
        if self._act(lambda: reached.append(self.run.advance(hours, stop_at_inject=True))):  # type: ignore[union-attr]
            hour = number(self.run.hour, None)  # type: ignore[union-attr]
            if reached and reached[0] is not None:
                self._say(t("class.stopped_at_inject", hour=hour, inject=reached[0].title))
            else:
                self._say(t("class.advanced", hour=hour))

    def decide(self) -> None:
        """Log the decision in the form (committed before the confirmation), then make it."""
        form = (self.strategy.value, self.tone.value, float(self.moderation.value), float(self.updates.value))
        words = self.statement.text.value
        if self._act(lambda: self.run.decide(*form, rationale=self.rationale.value, statement=words)):  # type: ignore[union-attr]
            self._say(t("class.decided", hour=number(self.run.hour, None), strategy=t(f"crisis.strategy.{form[0]}")))  # type: ignore[union-attr]
            self.rationale.value = ""

    def act(self, action: str) -> None:
        """A CM action beyond the statement (logged, then taken)."""
        if self._act(lambda: self.run.act(action)):  # type: ignore[union-attr]
            self._say(t("cm.acted", hour=number(self.run.hour, None), action=t(f"class.action.{action}")))  # type: ignore[union-attr]

    def finish(self) -> None:
        """Run to the end and show the team's after-action report (also written to ``out/``)."""
        if not self._act(lambda: self.run.finish()):  # type: ignore[union-attr]
            return
        assert self.run is not None and self.store is not None
        document = team_report_html(self.store, self.run.session, self.run.team)  # type: ignore[arg-type]
        session, team = self.run.session, self.run.team
        self.report_path = export(
            document,
            report_path(Path("out"), "report", session.name, session.scenario_name, team.name),  # type: ignore[union-attr]
        )
        pdf = export(document, self.report_path.with_suffix(".pdf"))
        self.download.value = download_links(self.report_path, pdf)
        self.report.value = f"<div class='cs-report'>{body_of(document)}</div>"
        self._say(t("class.finished", path=self.report_path))

    # --- views ----------------------------------------------------------------------------------

    def _crisis_html(self) -> str:
        """What the crisis is: its type, SCCT cluster, severity, and the scenario's description."""
        assert self.run is not None
        params = self.run.model.params
        crisis = params.crises[0]
        words = {"type": t(f"crisis.type.{crisis.type}"), "cluster": t(f"crisis.cluster.{self.run.cluster}"),
                 "severity": number(crisis.severity, 1)}  # fmt: skip
        description = scenario_description(params.name, params.description)
        return (
            f"<div class='cs-crisis' style='border-left:4px solid #b3261e;padding:4px 8px;margin:4px 0'>"
            f"<b>{html.escape(t('class.crisis_title', **words))}</b><br>{html.escape(description)}</div>"
        )

    def _refresh(self) -> None:
        run = self.run
        assert run is not None
        values = run.kpis()
        rows = "".join(
            f"<tr><td>{html.escape(t(f'crisis.kpi.{k}'))}</td>"
            f"<td><b>{html.escape(format_kpi(k, values[k]))}</b></td></tr>"
            for k in COMPARED_KPIS
        )
        self.kpis.value = f"<b>{html.escape(t('crisis.kpis.title'))}</b><table class='cs-live'>{rows}</table>"
        items = "".join(
            f"<li><b>{html.escape(t('crisis.value.hours', value=number(a.hour, None)))}</b> "
            f"{html.escape(t('class.inbox_item', title=a.title, details=a.details))}</li>"
            for a in reversed(run.timeline)
        )
        self.inbox.value = f"<b>{html.escape(t('class.inbox'))}</b><ul class='cs-inbox'>{items}</ul>"
        texts = {hour: payload.get("statement", "") for hour, payload in run.decisions}
        self.feed.value = living_feed_html(run.model, run.timeseries(), run.session.seed, texts)
        if run.finished:
            for button in (*self.clock_buttons, self.decide_button):
                button.disabled = True
            self.statement.enable(False)
        # last: when the clock moves, the rest of the page is up to date
        self.clock.value = f"<b>{html.escape(t('class.clock', hour=number(run.hour, None), team=run.team.name))}</b>"  # type: ignore[union-attr]


def team(**kwargs: Any) -> TeamApp:
    """Build the team page (the notebook's one call)."""
    return TeamApp(**kwargs)
