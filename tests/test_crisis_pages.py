"""The crisis pages tell the truth (issue 14): the classroom store from any thread, the team page's clock
and crisis, bounded crisis KPIs, consistent feed counts, unique report files, the localized injects editor.

Statistical checks run the small offensive-post crisis on fixed seeds (7, 8): each is a property
that must hold at every hour of every run (no tolerance), not an average.
"""

import html
import math
import re
import threading
from datetime import datetime

import pandas as pd
import pytest

from communitysim.classroom import Store, TeamRun, create_session
from communitysim.classroom.exercise import default_injects, injects_yaml, parse_injects_yaml, validate_injects
from communitysim.exercise.report import format_kpi, report_path
from communitysim.kpis import kpi_value, mention_sentiment_between
from communitysim.messages import set_language, t
from communitysim.ui.classroom_facilitator import FacilitatorApp
from communitysim.ui.classroom_team import TeamApp
from communitysim.ui.crisis_exercise import CrisisExercise

SMALL = {"audience.size": 600, "seeding.size": 300}
#: Seeds whose small crisis is a real one (the negative share passes 0.5, so every check is exercised):
#: 5 (peak 0.73) and 8 (0.59) since the per-person crisis clocks (issue 17); 7's storm peaks at 0.31 now.
SEEDS = (5, 8)


@pytest.fixture
def french():
    set_language("fr")
    yield
    set_language(None)


def session_with(store, teams=("Red", "Blue"), **kwargs):
    return create_session(store, "Group A", "crisis_offensive_post.yaml", teams=list(teams), overrides=SMALL, **kwargs)


# --- the classroom store from any thread (JupyterLab runs widget callbacks in another thread) -------


@pytest.mark.parametrize("where", ["file", "memory"])
def test_the_store_opened_in_one_thread_works_in_another(tmp_path, where):
    store = Store(tmp_path / "class.sqlite" if where == "file" else ":memory:")
    session = session_with(store)
    red = store.team(session, "Red")
    errors, seen = [], []

    def callback():  # what a widget's click does on JupyterLab's comm thread
        try:
            store.log(red, "decision", 1.0, {"strategy": "rebuild"})
            seen.append([e.kind for e in store.events(red)])
            seen.append(store.session("Group A").name)
        except Exception as exc:  # the test reports it below
            errors.append(exc)

    worker = threading.Thread(target=callback)
    worker.start()
    worker.join()
    assert not errors, errors
    assert seen == [["decision"], "Group A"]
    assert [e.kind for e in store.events(red)] == ["decision"]  # the main thread sees the other's commit
    store.close()


def test_the_team_page_built_in_one_thread_plays_in_another(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    session_with(store)
    page = TeamApp(path=tmp_path / "class.sqlite")  # opens its own store in this thread
    errors = []

    def play():
        try:
            page.join()
            page.advance(1)
            page.strategy.value, page.rationale.value = "rebuild", "own it"
            page.decide()
        except Exception as exc:
            errors.append(exc)

    worker = threading.Thread(target=play)
    worker.start()
    worker.join()
    assert not errors, errors
    assert "#b3261e" not in page.status.value, page.status.value  # no red line
    assert t("class.decided", hour="1", strategy=t("crisis.strategy.rebuild")) in html.unescape(page.status.value)


# --- the team page: what the crisis is, a clock that stops at injects, a feed after hour 0 ----------


def test_the_team_page_says_what_the_crisis_is_and_stops_at_each_inject(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    timed = [i.hour for i in store.injects(session, timed=True) if i.hour > 0]
    assert timed == [3.0, 8.0]
    page = TeamApp(store=store)
    page.join()
    crisis = page.run.model.params.crises[0]
    shown = html.unescape(page.crisis.value)
    assert t(f"crisis.type.{crisis.type}") in shown and t(f"crisis.cluster.{page.run.cluster}") in shown
    assert "offensive" in shown.lower()  # the scenario's description
    assert html.unescape(page.feed.value).count(t("feed.quiet")) == 1  # nothing posted before hour 0
    hours = []
    for _ in range(3):
        page.advance(6)  # +6 h from 0: stops at 3, then at 8, then goes on to 14
        hours.append(page.run.hour)
    assert hours == [3.0, 8.0, 14.0]
    stopped = t("class.stopped_at_inject", hour="8", inject=store.injects(session, timed=True)[2].title)
    assert stopped not in html.unescape(page.status.value)  # the third click went the whole way
    page.advance(1)
    stamps = re.findall(r" · \+(-?\d+):(\d\d)", html.unescape(page.feed.value))
    assert stamps  # every post stamped within the last hour (hours since the crisis broke), never before it
    assert {int(hh) for hh, _ in stamps} == {int(page.run.hour) - 1}, stamps


def test_replaying_a_log_with_stops_gives_the_same_run(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session = session_with(store)
    red = TeamRun(store, session, store.team(session, "Red"))
    assert red.advance(6, stop_at_inject=True).hour == 3.0 and red.hour == 3.0
    assert red.advance(2, stop_at_inject=True) is None and red.hour == 5.0
    assert red.advance(6, stop_at_inject=True).hour == 8.0
    again = TeamRun(store, session, store.team(session, "Red"))
    pd.testing.assert_frame_equal(again.timeseries(), red.timeseries())


def test_the_facilitator_reopened_offers_the_sessions_it_finds(tmp_path):
    store = Store(tmp_path / "class.sqlite")
    session_with(store)
    again = FacilitatorApp(path=tmp_path / "class.sqlite", overrides=SMALL)  # a reload: a new kernel, a new page
    assert again.sessions.value == "Group A"
    again.open()
    assert "#b3261e" not in again.status.value, again.status.value
    empty = FacilitatorApp(path=tmp_path / "empty.sqlite")
    empty.open()
    assert t("class.error.no_session") in html.unescape(empty.status.value)
    assert "''" not in empty.status.value


# --- crisis numbers that can be true ----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_the_live_kpis_are_bounded_and_consistent_at_every_hour(seed):
    app = CrisisExercise(overrides=SMALL, seed=seed)
    app.start()
    model, shares = app.model, []
    while model.day < model.params.days - 1e-9:  # every step to the horizon (hourly in the crisis)
        model.step()
        app._ts = model.result().timeseries  # what a clock button refreshes, without drawing the plot
        values = app.live_kpis()
        peak, now = values["peak_negative_share"], values["negative_share_6h"]
        assert 0.0 <= peak <= 1.0 and (math.isnan(now) or now <= peak + 1e-12)
        recover = values["hours_to_recover"]
        assert math.isnan(recover) or recover > values["hours_to_peak"]  # no recovery before the peak
        assert not format_kpi("members_lost", values["members_lost"]).startswith("-")
        sentiment = values["mention_sentiment_6h"]
        assert -100 <= sentiment <= 100
        if now > 0.5:
            assert sentiment < 0  # a mostly negative feed has a negative net sentiment
        shares.append(now)
    assert max(shares) > 0.5  # the crisis was a real one: the checks above were exercised
    assert not math.isnan(values["hours_to_recover"])  # and it recovered: that branch was exercised too


def test_recovery_needs_mentions_and_a_peak_to_recover_from():
    days = [i / 24 for i in range(0, 24 * 4)]
    ts = pd.DataFrame({"day": days, "step": range(len(days))})
    ts["mentions"] = [10.0] * 60 + [0.0] * (len(days) - 60)  # the brand stops being mentioned at all
    ts["negative_mentions"] = [0.0] * 48 + [9.0] * 12 + [0.0] * (len(days) - 60)
    ts["crisis_hours"] = [math.nan] * 48 + [float(h) for h in range(len(days) - 48)]
    assert kpi_value(ts, "peak_negative_share", days[-1]) == pytest.approx(0.9)
    assert math.isnan(kpi_value(ts, "hours_to_recover", days[-1]))  # silence is not recovery
    assert format_kpi("hours_to_recover", kpi_value(ts, "hours_to_recover", days[-1])) == t(
        "crisis.value.not_recovered"
    )


def test_the_mention_sentiment_follows_the_negative_share():
    ts = pd.DataFrame(
        {"day": [1.0, 2.0], "mentions": [100.0, 100.0], "negative_mentions": [95.0, 5.0],
         "positive_comments": [2.0, 30.0]}
    )  # fmt: skip
    assert mention_sentiment_between(ts, 0.5, 1.0) == pytest.approx(-93.0)
    assert mention_sentiment_between(ts, 1.5, 2.0) == pytest.approx(25.0)
    assert math.isnan(mention_sentiment_between(ts, 2.5, 3.0))


def test_counts_are_whole_and_losses_never_negative(french):
    assert format_kpi("members_lost", 0.4) == "0" and format_kpi("members_lost", 3.2) == "3"
    assert format_kpi("members_lost", -3.0) == "0"  # a few won back are not a negative loss
    assert format_kpi("negative_reach", 1309.4) == "1\u202f309"
    assert format_kpi("peak_negative_share", 0.014) == "1\u00a0%"


def test_the_feed_speaks_in_plurals(french):
    app = CrisisExercise(overrides={"audience.size": 1000, "seeding.size": 500})
    app.start()
    app.advance(1)
    feed = html.unescape(app.feed.value)
    assert "1 dernières" not in feed
    plural_nouns = "positifs|négatifs|positives|négatives|neutres|mentions|personnes|commentaires"
    assert not re.search(rf"\b[01] ({plural_nouns})\b", feed), feed


# --- reports: a new file for each export, names that never collide, a link to download -------------


def test_report_files_are_unique_and_never_shared_by_different_names(tmp_path):
    when = datetime(2026, 11, 30, 10, 0, 0)
    red1, red_1 = (report_path(tmp_path, "report", "S", name, now=when) for name in ("Red 1", "Red-1"))
    assert red1 != red_1
    group_a, group__a = (report_path(tmp_path, "class_report", name, now=when) for name in ("Group A", "Group-A"))
    assert group_a != group__a
    long = report_path(tmp_path, "report", "S", "x" * 300, now=when)
    assert len(long.name) < 150
    long.write_text("first")
    assert report_path(tmp_path, "report", "S", "x" * 300, now=when) != long  # a second export, same second


def test_a_300_character_team_finishes_and_gets_a_download_link(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = Store(tmp_path / "class.sqlite")
    create_session(store, "Group A", "crisis_offensive_post.yaml", teams=["R" * 300], overrides=SMALL)
    page = TeamApp(store=store)
    page.join()
    page.finish()
    assert "#b3261e" not in page.status.value, page.status.value
    assert page.report_path.is_file() and page.report_path.with_suffix(".pdf").is_file()
    assert "download=" in page.download.value and "data:text/html;base64," in page.download.value


def test_two_solo_exports_write_two_files_with_links(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = CrisisExercise(overrides={"audience.size": 1000, "seeding.size": 500})
    app.team.value = "Red 1"
    app.start()
    app.finish()
    first, second = app.export_report(), app.export_report()
    assert first != second and first.is_file() and second.is_file()
    assert "Red_1" in first.name and "crisis_offensive_post" in first.name
    assert "download=" in app.export_status.value and "data:text/html;base64," in app.export_status.value


# --- the injects editor speaks the trainer's language ------------------------------------------------


def test_the_injects_editor_speaks_french_and_reads_back(french):
    text = injects_yaml(default_injects())
    assert "heure:" in text and "titre:" in text and "hour:" not in text and "title:" not in text
    assert text.startswith("#")  # the fields explained above the list
    assert parse_injects_yaml(text) == validate_injects(default_injects())
    edited = text.replace("aggravation", "escalate")  # either language's words are read
    assert parse_injects_yaml(edited) == validate_injects(default_injects())
    with pytest.raises(ValueError, match=r"^chronogramme des événements : inject 1 : heure : attendu") as error:
        parse_injects_yaml("- {heure: -1, type: appel, titre: Un journaliste, texte: ...}")
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=r"YAML mal formé à la ligne"):
        parse_injects_yaml("- heure: [")
