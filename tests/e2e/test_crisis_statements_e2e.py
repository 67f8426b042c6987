"""A facilitator and two teams in JupyterLab: written statements read, CM actions, a pause, notes, a storm, the debrief.

One JupyterLab on copies of ``07_classroom_facilitator.ipynb`` and ``08_classroom_team.ipynb`` (one
per team, so each has its kernel), all on one classroom database made beforehand. Red writes its
statement, reads what the reader found, logs it; Blue takes a CM action and logs a decision; the
facilitator pauses the exercise (Red's clock is refused), resumes it, pins an observer note on the
journalist's inject and sets a strong storm for Red; Red finishes and reads its debrief (response
times, its words, the note); the facilitator's class report carries the trainer's answer key.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading

import pytest
from e2e_helpers import NOTEBOOKS, kernels_settled, open_page, running_lab, screenshot
from playwright.sync_api import expect

from communitysim.classroom import Store, create_session
from communitysim.messages import t

STATEMENT = "We are deeply sorry for this post. We removed it and will review how it was approved."


def _store_serves_other_threads(database) -> bool:
    """Whether a classroom store opened in one thread answers in another (JupyterLab's kernel runs widget
    callbacks in a thread of its own; before the store's thread-safety fix, the team page fails there)."""
    answers: list[object] = []
    with Store(database) as store:

        def ask() -> None:
            try:
                answers.append(store.session("E2E statements"))
            except sqlite3.ProgrammingError as exc:
                answers.append(exc)

        thread = threading.Thread(target=ask)
        thread.start()
        thread.join()
    return not isinstance(answers[0], sqlite3.ProgrammingError)


@pytest.fixture(scope="module")
def classroom_lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("statements")
    root = tmp / "root"
    root.mkdir()
    database = tmp / "class.sqlite"
    with Store(database) as store:
        create_session(store, "E2E statements", "crisis_offensive_post.yaml", teams=["Red", "Blue"],
                       overrides={"audience.size": 600, "seeding.size": 300})  # fmt: skip
    assert _store_serves_other_threads(database), "the classroom store must answer from JupyterLab's callback threads"
    shutil.copy(NOTEBOOKS / "07_classroom_facilitator.ipynb", root / "facilitator.ipynb")
    for name in ("red", "blue"):
        shutil.copy(NOTEBOOKS / "08_classroom_team.ipynb", root / f"{name}.ipynb")
    with running_lab("jupyterlab", root, tmp, env={"COMMUNITYSIM_CLASSROOM_DB": str(database)}) as url:
        yield url, database


def _run_all(browser, base: str, notebook: str, ready: str):
    """Open a notebook in Lab, Run All Cells, and wait for the button labelled ``ready``."""
    page = open_page(browser, f"{base}/lab/tree/{notebook}")
    idle = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']")
    expect(idle).to_have_count(1, timeout=120_000)
    kernels_settled(base)
    button = page.locator("button.widget-button", has_text=ready).first
    for attempt in range(3):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()  # "Select Kernel" after a kernel restart
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            expect(button).to_be_visible(timeout=40_000)
            return page
        except AssertionError:
            print(f"Run All attempt {attempt} on {notebook} rendered no widgets; retrying")
    expect(button).to_be_visible(timeout=5_000)
    return page


def _labelled(page, label: str):
    """The box of a control under its label (``communitysim.ui.labelled``): the innermost one."""
    name = page.locator(".cs-label", has_text=re.compile(f"^{re.escape(label)}$"))
    return page.locator(".widget-vbox").filter(has=name).filter(has=page.locator("select")).last


def _select(page, label: str, option: str) -> None:
    _labelled(page, label).locator("select").last.select_option(label=option)
    page.wait_for_timeout(400)  # let the choice reach the kernel


def _click(page, text: str) -> None:
    button = page.locator("button.widget-button", has_text=text).first
    expect(button).to_be_enabled(timeout=60_000)
    button.click()


def test_a_facilitator_and_two_teams_write_act_pause_and_debrief(classroom_lab, browser):
    base, database = classroom_lab
    red = _run_all(browser, base, "red.ipynb", t("class.join"))
    _click(red, t("class.join"))
    expect(red.get_by_text("Team Red joined at hour 0")).to_be_visible(timeout=60_000)
    _click(red, "+1 h")
    expect(red.get_by_text("Team Red, hour 1 of the crisis")).to_be_visible(timeout=60_000)
    # Red writes its statement; the reader shows what it found and sets the menu
    red.get_by_placeholder(t("cm.statement_help")).fill(STATEMENT)
    red.wait_for_timeout(500)
    _click(red, t("cm.read"))
    reading = red.locator(".cs-reading")
    expect(reading).to_contain_text(t("crisis.strategy.rebuild"), timeout=30_000)
    expect(reading).to_contain_text("Flesch")
    _click(red, t("class.decide"))
    expect(red.get_by_text("Decision saved at hour 1")).to_be_visible(timeout=60_000)
    _click(red, "+1 h")
    expect(red.locator(".cs-feed")).to_contain_text("We are deeply sorry for this post", timeout=60_000)

    blue = _run_all(browser, base, "blue.ipynb", t("class.join"))
    _select(blue, t("class.team"), "Blue")
    _click(blue, t("class.join"))
    expect(blue.get_by_text("Team Blue joined at hour 0")).to_be_visible(timeout=60_000)
    _click(blue, t("class.action.pause_posts"))
    expect(blue.get_by_text(t("cm.acted", hour="0", action=t("class.action.pause_posts")))).to_be_visible(
        timeout=60_000
    )

    facilitator = _run_all(browser, base, "facilitator.ipynb", t("class.open"))
    _select(facilitator, t("class.session"), "E2E statements")
    _click(facilitator, t("class.open"))
    expect(_labelled(facilitator, t("class.note_inject")).locator("option")).to_have_count(
        6, timeout=60_000
    )  # the session is open: its events list
    # a pause: Red's clock is refused until the facilitator resumes
    _click(facilitator, t("class.pause"))
    expect(facilitator.get_by_text(t("class.now_paused"))).to_be_visible(timeout=60_000)
    _click(red, "+1 h")
    expect(red.get_by_text(t("class.error.paused"))).to_be_visible(timeout=60_000)
    _click(facilitator, t("class.resume"))
    expect(facilitator.get_by_text(t("class.now_running"))).to_be_visible(timeout=60_000)
    # an observer note pinned to the journalist's inject, for Red
    _select(facilitator, t("class.note_inject"), t("class.inject.journalist.title"))
    _select(facilitator, t("class.target"), "Red")
    facilitator.get_by_placeholder(t("class.note_help")).fill("Red answered in plain words within the hour.")
    facilitator.wait_for_timeout(500)
    _click(facilitator, t("class.pin_note"))
    expect(facilitator.get_by_text(t("class.pinned", target="Red"))).to_be_visible(timeout=60_000)
    # a stronger storm for Red only, from its hour now
    _select(facilitator, t("class.intensity"), t("class.intensity.strong"))
    _click(facilitator, t("class.set_intensity"))
    said = t("class.intensity_set", level=t("class.intensity.strong"), target="Red")
    expect(facilitator.get_by_text(said)).to_be_visible(timeout=60_000)

    # Red finishes and reads its debrief
    _click(red, t("crisis.finish"))
    report = red.locator(".cs-report")
    expect(report).to_contain_text(t("debrief.times_title"), timeout=180_000)
    expect(report).to_contain_text(STATEMENT)
    expect(report).to_contain_text("Red answered in plain words within the hour.")
    screenshot(red, "statements_red_debrief.png")
    # the class report carries the trainer's answer key
    _click(facilitator, t("class.class_report"))
    expect(facilitator.locator(".cs-report")).to_contain_text("Answer key for the trainer", timeout=240_000)
    with Store(database) as store:
        session = store.session("E2E statements")
        (said,) = [e for e in store.events(store.team(session, "Red")) if "statement" in e.payload]
    assert said.payload["reading"]["strategy"] == "rebuild" and said.payload["statement"] == STATEMENT
    with Store(database) as store:
        session = store.session("E2E statements")
        storms = {name: [e.payload for e in store.events(store.team(session, name)) if "intensity" in e.payload]
                  for name in ("Red", "Blue")}  # fmt: skip
    assert storms == {"Red": [{"intensity": "strong"}], "Blue": []}
    for page in (red, blue, facilitator):
        page.close()
