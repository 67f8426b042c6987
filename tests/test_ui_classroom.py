"""The classroom apps driven programmatically: the facilitator's dashboard and two teams' pages."""

import pytest

from communitysim.classroom import Store
from communitysim.ui.classroom_facilitator import FacilitatorApp
from communitysim.ui.classroom_team import TeamApp

SMALL = {"audience.size": 600, "seeding.size": 300}


@pytest.fixture
def classroom(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # reports go to ./out
    store = Store(tmp_path / "class.sqlite")
    facilitator = FacilitatorApp(store=store, overrides=SMALL)
    facilitator.name.value, facilitator.teams_text.value = "CM course", "Red, <i>Blue</i>"
    facilitator.create()
    return store, facilitator


def join(store, name):
    app = TeamApp(store=store)
    app.team.value = name
    app.join()
    return app


def advance_to(page, hour):
    """Click the clock until ``hour`` (it stops at each timed inject on the way)."""
    while page.run.hour < hour - 1e-9:
        page.advance(hour - page.run.hour)


def test_the_dashboard_shows_both_teams_and_their_decisions(classroom):
    store, facilitator = classroom
    red, blue = join(store, "Red"), join(store, "<i>Blue</i>")
    red.advance(1)
    red.strategy.value, red.rationale.value = "rebuild", "we own it"
    red.decide()
    assert "Decision saved at hour 1" in red.status.value
    advance_to(blue, 6)
    blue.strategy.value, blue.rationale.value = "deny", "nothing happened"
    blue.decide()
    advance_to(red, 13)
    advance_to(blue, 13)
    facilitator.refresh()
    table = facilitator.dashboard_table().set_index("team")
    assert list(table.index) == ["Red", "<i>Blue</i>"] and (table["hour"] == 13).all()
    # each team's own figure (the default scenario is a false rumour, where SCCT does not rank an early
    # rebuild above a late denial: Red's peak was lower on 2 of seeds 1-10 before issue 17, 4 after)
    for team, page in (("Red", red), ("<i>Blue</i>", blue)):
        assert table.loc[team, "peak_negative_share"] == pytest.approx(page.run.kpis()["peak_negative_share"])
    assert table.loc["Red", "peak_negative_share"] != table.loc["<i>Blue</i>", "peak_negative_share"]
    assert "we own it" in facilitator.timeline.value and "nothing happened" in facilitator.timeline.value
    assert "&lt;i&gt;Blue&lt;/i&gt;" in facilitator.dashboard.value and "<i>Blue" not in facilitator.dashboard.value
    facilitator.class_report()
    assert "Class report written to out/class_report_CM_course_crisis_false_rumour_" in facilitator.status.value
    assert "Team Red" in facilitator.report.value and "Team &lt;i&gt;Blue&lt;/i&gt;" in facilitator.report.value


def test_injects_and_pause_reach_the_teams(classroom):
    store, facilitator = classroom
    red = join(store, "Red")
    facilitator.inject.value = facilitator.inject.options[1][1]  # a narrative inject
    facilitator.target.value = "Red"
    facilitator.release()
    assert "Released" in facilitator.status.value
    red.advance(1)
    assert facilitator.inject.options[1][0].replace("'", "&#x27;") in red.inbox.value
    facilitator.set_status("paused")
    red.advance(1)
    assert "paused" in red.status.value and red.run.hour == 1
    facilitator.set_status("running")
    red.advance(1)
    assert red.run.hour == 2
    facilitator.intensity.value = "strong"  # the storm, for Red only
    facilitator.set_intensity()
    assert "Storm intensity Strong (severity x1.5) for Red." in facilitator.status.value
    red.advance(1)
    blue = join(store, "<i>Blue</i>")
    assert (red.run.intensity, blue.run.intensity) == ("strong", "normal")


def test_a_restarted_team_page_resumes_where_it_was_and_finishes_with_its_report(classroom):
    store, _ = classroom
    red = join(store, "Red")
    advance_to(red, 6)
    red.strategy.value = "apologize"
    red.decide()
    again = join(store, "Red")  # a new kernel, the same database
    assert again.run.hour == 6 and len(again.run.decisions) == 1
    assert "hour 6" in again.status.value
    again.finish()
    assert "after-action report" in again.status.value and "Team Red" in again.report.value
    assert again.decide_button.disabled


def test_mistakes_are_one_line_messages(classroom, tmp_path):
    store, facilitator = classroom
    facilitator.create()  # the same name again
    assert "already exists" in facilitator.status.value
    page = TeamApp(store=store)
    page.advance(1)
    assert "join a session and a team first" in page.status.value
    empty = TeamApp(path=tmp_path / "empty.sqlite")
    assert "No exercise session yet" in empty.status.value


def test_in_a_paced_session_the_team_clock_follows_the_class_clock(tmp_path, monkeypatch):
    import time

    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    facilitator = FacilitatorApp(store=store, overrides=SMALL)
    facilitator.name.value, facilitator.teams_text.value, facilitator.pace.value = "Paced", "Red", 600.0
    facilitator.create()
    page = join(store, "Red")
    assert all(b.layout.display == "none" for b in page.clock_buttons) and page.ticker.layout.display is None
    time.sleep(0.4)
    page.ticker.value += 1  # the browser's tick
    assert page.run.hour >= 4
    facilitator.refresh()
    assert "class clock" in facilitator.dashboard.value


def test_the_trainer_writes_the_master_events_list_and_the_objectives(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    app = FacilitatorApp(store=store, overrides=SMALL)
    app.name.value, app.teams_text.value = "Custom", "Red"
    app.objectives.value = "Answer within the hour\n\nExplain every decision"
    app.events.value = (
        "- {hour: 0, kind: trigger, title: It starts, body: Angry comments}\n"
        "- {hour: 2, kind: escalation, title: TV crew, body: Live report, effect: {escalate: {severity: 0.5}}}\n"
        "- {hour: null, kind: on_demand, title: The CEO tweets, body: Off message}\n"
    )
    app.create()
    session = store.session("Custom")
    assert session.objectives == ["Answer within the hour", "Explain every decision"]
    assert [i.title for i in store.injects(session)] == ["It starts", "TV crew", "The CEO tweets"]
    assert [label for label, _ in app.inject.options] == ["The CEO tweets"]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ("- {hour: soon, kind: x, title: t, body: b}", "inject 1: hour: expected crisis hours >= 0"),
        ("- {hour: 1, kind: x, title: '', body: b}", "inject 1: title: expected some text"),
        ("- {hour: 1, kind: x, title: t, body: b, effect: {escalate: {severity: 3}}}", "effect.escalate.severity"),
        ("- {hour: 1, kind: x, title: t, body: b, when: now}", "unknown field 'when'"),
        ("- {hour: 1, kind: x, title: t, body: b, effect: {crisis: {type: alien_invasion}}}", "effect.crisis"),
        ("- {hour: 1, kind: x\n  title: [", "malformed YAML at line"),
    ],
)
def test_a_bad_master_events_list_is_one_line_and_creates_nothing(tmp_path, monkeypatch, events, message):
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    app = FacilitatorApp(store=store, overrides=SMALL)
    app.name.value, app.teams_text.value, app.events.value = "Bad", "Red", events
    app.create()
    import html

    shown = html.unescape(app.status.value)
    assert message in shown and "master events list" in shown
    assert store.session_names() == []


def _on_page(root) -> set[int]:
    """Ids of every widget in a widget tree (boxes' children, accordions and tabs included)."""
    seen, todo = set(), [root]
    while todo:
        widget = todo.pop()
        if id(widget) not in seen:
            seen.add(id(widget))
            todo.extend(getattr(widget, "children", ()))
    return seen


def test_every_control_the_pages_build_is_on_the_page(classroom):
    """A control built but left out of the layout is a defect users meet (the facilitator's observer notes were)."""
    import ipywidgets as w

    store, facilitator = classroom
    for app in (facilitator, join(store, "Red")):
        shown = _on_page(app.widget)
        left_out = [name for name, value in vars(app).items() if isinstance(value, w.Widget) and id(value) not in shown]
        assert not left_out, f"{type(app).__name__} builds controls it never shows: {left_out}"


def test_the_moderation_readout_is_a_percentage_in_the_teams_language(classroom):
    """The team's moderation slider reads "30 %" on a French page ("30%" in English, not ipywidgets' English in
    both); the logged decision holds the share 0.3."""
    from communitysim.messages import set_language

    store, _ = classroom
    red = join(store, "Red")
    assert (red.moderation.label, red.moderation.value) == ("0%", 0.0)
    red.advance(1)
    red.strategy.value, red.moderation.value = "rebuild", 0.3
    assert red.moderation.label == "30%"
    red.decide()
    assert red.run.decisions[-1][1]["moderation_share"] == 0.3
    set_language("fr")
    try:
        blue = join(store, "<i>Blue</i>")
        assert [label for label, _ in blue.moderation.options][::10] == ["0\u00a0%", "50\u00a0%", "100\u00a0%"]
        blue.moderation.value = 0.3
        assert (blue.moderation.label, blue.moderation.value) == ("30\u00a0%", 0.3)
    finally:
        set_language(None)
