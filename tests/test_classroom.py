"""Classroom mode: sessions, teams, the persistent log, replay after SIGKILL, concurrent writers, hostile input."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from communitysim.classroom import ClassroomError, Store, TeamRun, class_report_html, create_session
from communitysim.classroom.exercise import replay
from communitysim.classroom.store import SCHEMA_VERSION

SMALL = {"audience.size": 600, "seeding.size": 300}


def session_with(store, teams=("Red", "Blue"), **kwargs):
    return create_session(store, "Group A", "crisis_offensive_post.yaml", teams=list(teams), overrides=SMALL, **kwargs)


def test_two_teams_same_seed_different_decisions_differ_as_the_decisions_imply(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    red = TeamRun(store, session, store.team(session, "Red"))
    blue = TeamRun(store, session, store.team(session, "Blue"))
    pd.testing.assert_frame_equal(red.timeseries(), blue.timeseries())  # same seed: the same start
    red.advance(1)
    red.decide("rebuild", "empathetic", rationale="we own the mistake")
    blue.advance(1)
    blue.decide("deny", "firm", rationale="it was a joke")
    red.finish()
    blue.finish()
    assert red.kpis()["peak_negative_share"] < blue.kpis()["peak_negative_share"]  # matched beats mismatched
    assert red.kpis()["negative_reach"] < blue.kpis()["negative_reach"]
    report = class_report_html(store, session)
    assert "Team Red" in report and "Team Blue" in report
    assert report.index(">Red<") < report.index(">Blue<")  # the class summary ranks Red first
    assert "we own the mistake" in report and "it was a joke" in report


def test_the_comparisons_replay_the_same_injects_without_the_decisions(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    team = store.team(session, "Red")
    run = TeamRun(store, session, team)
    run.advance(2)
    run.decide("deny", "firm")
    run.finish()
    silence, best = replay(store, session, team, "silence"), replay(store, session, team, "best")
    assert not silence.decisions and len(run.decisions) == 1
    assert [a.title for a in silence.timeline] == [a.title for a in run.timeline if a.kind != "decision"]
    assert (
        best.kpis()["peak_negative_share"] < silence.kpis()["peak_negative_share"] < run.kpis()["peak_negative_share"]
    )


SCRIPT = textwrap.dedent(
    """
    import sys
    from communitysim.classroom import Store, TeamRun
    store = Store(sys.argv[1])
    session = store.session("Group A")
    run = TeamRun(store, session, store.team(session, "Red"))
    actions = [("advance", 1), ("decide", "apologize"), ("advance", 2), ("decide", "rebuild"), ("advance", 3)]
    actions += [("advance", 1)] * 200
    for number, (kind, value) in enumerate(actions):
        if kind == "advance":
            run.advance(value)
        else:
            run.decide(value, "empathetic", 0.2, 1, rationale=f"step {number}")
        print(number, flush=True)
    """
)


def test_a_team_killed_with_sigkill_resumes_exactly_where_it_was(tmp_path):
    path = tmp_path / "class.sqlite"
    store = Store(path)
    session = session_with(store, teams=("Red", "Control"))
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(path)], stdout=subprocess.PIPE, text=True)
    confirmed = 0
    deadline = time.time() + 120
    while confirmed < 8 and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        confirmed = int(line) + 1
    assert confirmed >= 8, "the team process stopped before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    red = store.team(session, "Red")
    logged = store.events(red)
    assert len(logged) >= confirmed  # every confirmed action is in the log (maybe one more, committed unconfirmed)
    resumed = TeamRun(store, session, red)
    control = TeamRun(store, session, store.team(session, "Control"))  # the same actions, never interrupted
    for event in logged:
        if event.kind == "advance":
            control.advance(event.hour - control.hour)
        else:
            payload = event.payload
            control.decide(payload["strategy"], payload["tone"], payload["moderation_share"],
                           payload["updates_per_day"], payload["rationale"])  # fmt: skip
    assert resumed.hour == control.hour
    pd.testing.assert_frame_equal(resumed.timeseries(), control.timeseries())
    resumed.advance(12)  # and it goes on from there like the uninterrupted run
    control.advance(12)
    pd.testing.assert_frame_equal(resumed.timeseries(), control.timeseries())


WRITER = textwrap.dedent(
    """
    import sys
    from communitysim.classroom import Store
    store = Store(sys.argv[1])
    session = store.session("Group A")
    team = store.team(session, sys.argv[2])
    for number in range(int(sys.argv[3])):
        store.log(team, "decision", 1.0, {"strategy": "rebuild", "rationale": f"{sys.argv[4]}-{number}"})
    """
)


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "class.sqlite"
    store = Store(path)
    session = session_with(store)
    each = 40
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), team, str(each), f"w{i}"])
        for i, team in enumerate(["Red", "Red", "Blue", "Blue"])
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    for name, writers in (("Red", ("w0", "w1")), ("Blue", ("w2", "w3"))):
        events = store.events(store.team(session, name))
        assert [e.seq for e in events] == list(range(1, 2 * each + 1))  # no gap, no duplicate
        assert {e.payload["rationale"] for e in events} == {f"{w}-{n}" for w in writers for n in range(each)}
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_hostile_team_names_and_rationales_are_stored_verbatim_and_rendered_inert(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    name = "<img src=x onerror=alert(1)>"
    rationale = "'); DROP TABLE events; -- <script>alert('x')</script>"
    session = session_with(store, teams=(name, "Robert'); DROP TABLE teams;--"))
    run = TeamRun(store, session, store.team(session, name))
    run.advance(1)
    run.decide("rebuild", rationale=rationale)
    assert store.events(store.team(session, name))[-1].payload["rationale"] == rationale  # stored as given
    assert [t.name for t in store.teams(session)] == [name, "Robert'); DROP TABLE teams;--"]  # tables intact
    report = class_report_html(store, session)
    assert "<img" not in report and "<script>" not in report
    assert "&lt;img src=x onerror=alert(1)&gt;" in report and "DROP TABLE events" in report


def test_a_paused_session_refuses_actions_until_it_resumes(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    run = TeamRun(store, session, store.team(session, "Red"))
    store.set_status(session, "paused")
    with pytest.raises(ClassroomError, match="paused"):
        run.advance(1)
    assert store.events(store.team(session, "Red")) == []
    store.set_status(session, "running")
    run.advance(1)
    assert run.hour == 1.0


def test_an_on_demand_inject_reaches_the_team_it_was_released_to(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    red, blue = (TeamRun(store, session, store.team(session, n)) for n in ("Red", "Blue"))
    viral = next(i for i in store.injects(session, timed=False) if i.effect)
    store.release(session, viral, store.team(session, "Red"))
    red.advance(2)
    blue.advance(2)
    assert viral.title in [a.title for a in red.timeline] and viral.title not in [a.title for a in blue.timeline]
    # a second wave of outrage, read when it lands: more outraged on seeds 1-10 but one tie (9 of 10); ten
    # hours later the two runs' spreads have drifted apart (negative reach higher on 7 or 8 of 10)
    assert red.timeseries()["outraged"].max() > blue.timeseries()["outraged"].max()
    red.advance(10)
    blue.advance(10)
    narrative = next(i for i in store.injects(session, timed=False) if not i.effect)
    store.release(session, narrative)  # to every team
    assert [i.title for i in blue.receive()] == [narrative.title]
    assert blue.receive() == []  # received once


def test_the_schema_is_versioned_and_a_newer_or_foreign_file_is_refused(tmp_path):
    path = tmp_path / "class.sqlite"
    store = Store(path)
    session_with(store)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert Store(path).session("Group A").seed == 7  # reopened: migrations are not rerun
    newer = tmp_path / "newer.sqlite"
    sqlite3.connect(newer).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ClassroomError, match=r"newer\.sqlite: schema version \d+ is newer"):
        Store(newer)
    foreign = tmp_path / "notes.sqlite"
    foreign.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(ClassroomError, match=r"notes\.sqlite: not a classroom database"):
        Store(foreign)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda run: run.decide("shout"), r"decision: strategy: Input should be"),
        (lambda run: run.decide("rebuild", tone="sarcastic"), r"tone: expected one of empathetic"),
        (lambda run: run.advance(-3), r"-3"),
    ],
)
def test_bad_team_input_is_one_line(tmp_path, action, message):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    run = TeamRun(store, session, store.team(session, "Red"))
    with pytest.raises(ClassroomError, match=message):
        action(run)
    assert store.events(store.team(session, "Red")) == []  # nothing logged


def test_bad_sessions_are_one_line(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session_with(store)
    with pytest.raises(ClassroomError, match="'Group A' already exists"):
        session_with(store)
    with pytest.raises(ClassroomError, match="a team name is given twice"):
        create_session(store, "B", "crisis_offensive_post.yaml", teams=["Red", "Red"])
    with pytest.raises(ClassroomError, match="expected a crisis scenario"):
        create_session(store, "C", "bakery_launch.yaml", teams=["Red"])
    with pytest.raises(ClassroomError, match="session 'Nope': no such session; expected one of: Group A"):
        store.session("Nope")


def test_a_version_1_database_is_migrated_forward_without_losing_sessions(tmp_path):
    from communitysim.classroom.store import MIGRATIONS

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO sessions (name, scenario_name, scenario, seed, created_at) VALUES (?, ?, ?, ?, ?)",
        ("Old", "demo", "{}", 3, "2026-01-05T09:00:00.000+00:00"),
    )
    db.commit()
    db.close()
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION >= 2
    old = store.session("Old")
    assert old.seed == 3 and old.started_at == old.created_at and old.paused_seconds == 0


def test_the_class_clock_of_a_paced_session_runs_stops_when_paused_and_teams_catch_up(tmp_path):
    from datetime import datetime, timedelta

    store = Store(tmp_path / "class.sqlite")
    session = session_with(store, pace_hours_per_minute=600.0)  # 10 crisis hours per real second
    started = datetime.fromisoformat(session.started_at)
    assert session.class_hour(started + timedelta(seconds=30)) == pytest.approx(300.0)
    run = TeamRun(store, session, store.team(session, "Red"))
    time.sleep(0.5)
    assert run.catch_up()
    assert run.hour >= 5 and store.events(store.team(session, "Red"))[-1].hour == run.hour
    store.set_status(session, "paused")
    frozen = store.session("Group A")
    assert frozen.class_hour(datetime.fromisoformat(frozen.paused_at) + timedelta(hours=1)) == pytest.approx(
        frozen.class_hour(datetime.fromisoformat(frozen.paused_at))
    )
    time.sleep(0.2)
    store.set_status(session, "running")
    assert store.session("Group A").paused_seconds >= 0.2
    unpaced = create_session(store, "Unpaced", "crisis_offensive_post.yaml", teams=["Red"], overrides=SMALL)
    assert not TeamRun(store, unpaced, store.team(unpaced, "Red")).catch_up()


def test_the_class_report_also_comes_as_a_pdf(tmp_path):
    from pypdf import PdfReader

    from communitysim.exercise.report import export

    store = Store(tmp_path / "class.sqlite")
    session = session_with(store, teams=("Red", "<b>Blue</b>"))
    for name in ("Red", "<b>Blue</b>"):
        run = TeamRun(store, session, store.team(session, name))
        run.advance(1)
        run.decide("rebuild", rationale="we own it")
        run.advance(6)
    path = export(class_report_html(store, session), tmp_path / "out" / "class.pdf")
    assert path.read_bytes().startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Team Red" in text and "Team <b>Blue</b>" in text and "we own it" in text  # names as text


def test_the_storm_intensity_the_facilitator_sets_per_team_moves_that_team_only():
    """Paired seeds (1-5, same session, same injects): from the hour it is set, a stronger storm brings more
    negative mentions and a calmer one fewer, on every seed (the factor is 1.5 or 0.5 on the crisis's severity,
    far above the seed noise of a paired run, which is none: the teams share the seed); the team left at
    normal is the unchanged run; the comparison runs keep the team's storm."""
    totals: dict[str, list[float]] = {"calm": [], "normal": [], "strong": []}
    for seed in range(1, 6):
        store = Store(":memory:")
        session = create_session(store, "Storm", "crisis_offensive_post.yaml", teams=list(totals), seed=seed,
                                 overrides=SMALL)  # fmt: skip
        runs = {name: TeamRun(store, session, store.team(session, name)) for name in totals}
        for name, run in runs.items():
            run.advance(1)
            if name != "normal":
                run.set_intensity(name)
            run.advance(11)
            ts = run.timeseries()
            totals[name].append(float(ts.loc[ts["day"] > run.start_day + 1 / 24 + 1e-9, "negative_mentions"].sum()))
        assert [e.payload for e in store.events(store.team(session, "strong")) if e.kind == "inject"] == [
            {"intensity": "strong"}
        ]
        silence = replay(store, session, store.team(session, "strong"), "silence")
        assert silence.intensity == "strong" and any(e.kind == "intensity" for e in silence.timeline)
    assert all(s > n > c for s, n, c in zip(totals["strong"], totals["normal"], totals["calm"], strict=True)), totals
    with pytest.raises(ClassroomError, match="Storm intensity: expected one of calm, normal, strong, extreme"):
        runs["normal"].set_intensity("wild")


def test_the_solo_exercise_and_a_classroom_team_play_one_engine():
    """Same scenario, seed and moves: the same run and the same comparison, solo (notebook 04) or in class."""
    from communitysim.exercise import CrisisSession
    from communitysim.files import shipped

    store = Store(":memory:")
    session = create_session(store, "One", "crisis_offensive_post.yaml", teams=["Red"], seed=3, overrides=SMALL,
                             injects=[])  # fmt: skip
    team = TeamRun(store, session, store.team(session, "Red"))
    solo = CrisisSession(shipped("scenarios") / "crisis_offensive_post.yaml", 3, SMALL)
    for run in (team, solo):
        run.advance(2)
        run.decide("rebuild", "empathetic", statement="We are sorry. We removed the post and will review it.")
        run.act("reply_comments")
        run.advance(10)
    pd.testing.assert_frame_equal(team.timeseries(), solo.timeseries())
    assert [(a.kind, a.hour, a.details) for a in team.timeline] == [(a.kind, a.hour, a.details) for a in solo.timeline]
    assert pd.Series(team.comparison("best").kpis()).equals(pd.Series(solo.comparison("best").kpis()))  # NaN = NaN
