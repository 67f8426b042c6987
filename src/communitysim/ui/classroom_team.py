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
from communitysim.classroom.exercise import COMPARED_KPIS, TONES, export, format_kpi
from communitysim.crisis_feed.render import living_feed_html
from communitysim.ui.classroom_page import ClassroomPage
from communitysim.ui.crisis_exercise import CLOCK, STRATEGIES
from communitysim.ui.messages import number, t
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
        look = {"style": {"description_width": "150px"}, "layout": w.Layout(width="95%")}
        where = store.path if store is not None else str(path or default_path())
        self.path = w.Text(value=where, description=t("class.db"), **look)
        self.session = w.Dropdown(description=t("class.session"), **look)
        self.team = w.Dropdown(description=t("class.team"), **look)
        self.join_button = w.Button(description=t("class.join"), button_style="primary", icon="sign-in")
        self.join_button.on_click(lambda _: self.join())
        self.session.observe(lambda change: self._list_teams(), names="value")
        self.clock = w.HTML()
        self.clock_buttons = []
        for hours, key in CLOCK:
            button = w.Button(description=t(key), disabled=True)
            button.on_click(lambda _, h=hours: self.advance(h))
            self.clock_buttons.append(button)
        # paced sessions: the class clock ticks in the browser every 5 s and the team's clock follows it
        self.ticker = w.Play(interval=5000, max=10**9, show_repeat=False, layout=w.Layout(display="none"))
        self.ticker.observe(lambda change: self.tick(), names="value")
        self.strategy = w.Dropdown(
            options=[(t(f"crisis.strategy.{s}"), s) for s in STRATEGIES],
            description=t("crisis.response.strategy"),
            **look,
        )
        self.tone = w.Dropdown(options=[(t(f"class.tone.{k}"), k) for k in TONES], description=t("class.tone"), **look)
        self.moderation = w.FloatSlider(
            value=0, min=0, max=1, step=0.05, description=t("crisis.response.moderation"), **look
        )
        self.updates = w.IntSlider(value=0, min=0, max=6, description=t("crisis.response.updates"), **look)
        self.rationale = w.Textarea(placeholder=t("class.rationale_help"), description=t("class.rationale"), **look)
        self.decide_button = w.Button(description=t("class.decide"), button_style="warning", disabled=True)
        self.decide_button.on_click(lambda _: self.decide())
        self.finish_button = w.Button(description=t("crisis.finish"), disabled=True)
        self.finish_button.on_click(lambda _: self.finish())
        self.status = w.HTML()
        self.kpis = w.HTML()
        self.inbox = w.HTML()
        self.feed = w.HTML()
        self.report = w.HTML()
        join = w.VBox([self.path, self.session, self.team, self.join_button])
        self.statement = StatementBox(self.strategy, self.tone, self.act)
        self.statement.enable(False)
        decide = w.VBox([self.statement.widget, self.strategy, self.tone, self.moderation, self.updates,
                         self.rationale, self.decide_button])  # fmt: skip
        left = w.VBox([join, self.clock, w.HBox([*self.clock_buttons, self.ticker]), decide, self.finish_button,
                       self.status],
                      layout=w.Layout(width="45%"))  # fmt: skip
        right = w.VBox([self.kpis, self.inbox, self.feed], layout=w.Layout(width="53%"))
        self.widget = w.VBox([w.HBox([left, right]), self.report])
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
        """Move the team's clock (logged, then stepped)."""
        if self._act(lambda: self.run.advance(hours)):  # type: ignore[union-attr]
            self._say(t("class.advanced", hour=number(self.run.hour, None)))  # type: ignore[union-attr]

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
        safe = "".join(c if c.isalnum() else "_" for c in f"{self.run.session.name}_{self.run.team.name}")  # type: ignore[union-attr]
        self.report_path = export(document, Path("out") / f"report_{safe}.html")
        export(document, self.report_path.with_suffix(".pdf"))
        body = document.split("<body>", 1)[1].split("</body>", 1)[0]
        self.report.value = f"<div class='cs-report'>{body}</div>"
        self._say(t("class.finished", path=self.report_path))

    # --- views ----------------------------------------------------------------------------------

    def _refresh(self) -> None:
        run = self.run
        assert run is not None
        self.clock.value = f"<b>{html.escape(t('class.clock', hour=number(run.hour, None), team=run.team.name))}</b>"  # type: ignore[union-attr]
        values = run.kpis()
        rows = "".join(
            f"<tr><td>{html.escape(t(f'crisis.kpi.{k}'))}</td>"
            f"<td><b>{html.escape(format_kpi(k, values[k]))}</b></td></tr>"
            for k in COMPARED_KPIS
        )
        self.kpis.value = f"<b>{html.escape(t('crisis.kpis.title'))}</b><table class='cs-live'>{rows}</table>"
        items = "".join(
            f"<li><b>{html.escape(number(a.hour, None))} h</b> {html.escape(a.title)}: {html.escape(a.details)}</li>"
            for a in reversed(run.timeline)
        )
        self.inbox.value = f"<b>{html.escape(t('class.inbox'))}</b><ul class='cs-inbox'>{items}</ul>"
        texts = {hour: payload.get("statement", "") for hour, payload in run.decisions}
        self.feed.value = living_feed_html(run.model, run.timeseries(), run.session.seed, texts)
        if run.finished:
            for button in (*self.clock_buttons, self.decide_button):
                button.disabled = True
            self.statement.enable(False)


def team(**kwargs: Any) -> TeamApp:
    """Build the team page (the notebook's one call)."""
    return TeamApp(**kwargs)
