"""The debrief: response time from each inject, every statement with what was read, SCCT's why, notes, rubric, PDF."""

import pytest

from communitysim.classroom import ClassroomError, Store, TeamRun, create_session
from communitysim.classroom.exercise import class_report_html, debrief_document, team_report_html
from communitysim.exercise.debrief import response_times, rubric_html, scct_verdict
from communitysim.exercise.report import report_pdf
from communitysim.messages import set_language, t
from communitysim.ui.classroom_facilitator import FacilitatorApp

SMALL = {"audience.size": 300, "seeding.size": 150}


@pytest.fixture
def played():
    store = Store(":memory:")
    session = create_session(store, "Demo", "crisis_offensive_post.yaml", teams=["Red", "Blue"], overrides=SMALL)
    red = TeamRun(store, session, store.team(session, "Red"))
    red.advance(4)
    red.decide("apologize", "empathetic", statement="We are sorry for this post. We removed it and will refund.")
    red.act("answer_journalist")
    red.advance(2)
    return store, session, red


def test_response_times_run_from_each_inject_to_the_next_move(played):
    _, _, red = played
    assert response_times(red) == [(0.0, t("class.inject.trigger.title"), 4.0),
                                   (3.0, t("class.inject.journalist.title"), 1.0)]  # fmt: skip
    red.advance(10)  # the influencer at hour 8: no move after it
    assert response_times(red)[-1] == (8.0, t("class.inject.influencer.title"), None)


def test_every_statement_is_shown_with_what_was_read_and_scct_why(played):
    store, session, red = played
    report = team_report_html(store, session, red.team)
    assert "We are sorry for this post" in report and t("debrief.statements_title") in report.replace("&#x27;", "'")
    # the team confirmed apologize where the reader found rebuild: the debrief says so
    corrected = t("debrief.corrected", strategy=t("crisis.strategy.apologize"), read=t("crisis.strategy.rebuild"))
    assert corrected in report.replace("&#x27;", "'")
    assert scct_verdict("preventable", "apologize", 4.0).replace("'", "&#x27;") in report
    assert "late" not in scct_verdict("preventable", "rebuild", 1.0) and "4 h" in scct_verdict("victim", "deny", 4.0)
    assert scct_verdict("preventable", None, None) == t("crisis.challenge.silence", advice=t("crisis.scct.preventable"))


def test_observer_notes_pinned_from_the_facilitator_page_reach_the_debrief(played):
    store, session, _ = played
    app = FacilitatorApp(store=store)
    app.sessions.value = session.name
    app.open()
    app.note_inject.value = t("class.inject.journalist.title")
    app.target.value = "Blue"
    app.note.value = "Blue hesitated, then wrote a clear answer."
    app.note_button.click()
    assert t("class.pinned", target="Blue") in app.status.value
    blue = TeamRun(store, session, store.team(session, "Blue"))  # the team's own kernel replays the note
    assert [(e.title, e.details) for e in blue.timeline if e.kind == "note"] == [
        (t("class.inject.journalist.title"), "Blue hesitated, then wrote a clear answer.")
    ]
    assert "Blue hesitated" in team_report_html(store, session, blue.team)
    app.note_button.click()  # nothing written
    assert t("debrief.error.empty_note") in app.status.value
    with pytest.raises(ClassroomError):
        TeamRun(store, session, None, events=[]).note("x", "y")


def test_the_class_report_carries_the_answer_key_and_the_debrief_prints_on_one_page(played):
    store, session, red = played
    key = rubric_html("offensive_post")
    assert t("crisis.strategy.rebuild") in key and t("class.action.delete_post") in key
    assert t("class.action.delete_post") not in rubric_html("false_rumour")
    assert key in class_report_html(store, session)
    pdf = report_pdf(debrief_document(store, session, red.team))
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") == 1


def test_the_debrief_speaks_french(played):
    store, session, red = played
    set_language("fr")
    try:
        document = debrief_document(store, session, red.team)
    finally:
        set_language(None)
    assert "Temps de réaction après chaque événement" in document and "Corrigé pour l" in document
    assert "Response time" not in document and "Answer key" not in document
