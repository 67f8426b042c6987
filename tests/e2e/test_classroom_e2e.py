"""Real-browser test of a classroom team page (Voila): join, move the clock, log a decision, finish, the report.

The session is created beforehand in a temporary classroom database (``COMMUNITYSIM_CLASSROOM_DB``);
Voila serves a copy of ``08_classroom_team.ipynb`` from a temporary folder, so reports land there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from e2e_helpers import NOTEBOOKS, free_port, open_page, screenshot, stop, wait_http
from playwright.sync_api import expect

from communitysim.classroom import Store, create_session

NOTEBOOK = "08_classroom_team.ipynb"


@pytest.fixture(scope="module")
def team_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classroom")
    database = folder / "class.sqlite"
    with Store(database) as store:
        create_session(store, "E2E class", "crisis_offensive_post.yaml", teams=["Red", "Blue"],
                       overrides={"audience.size": 600, "seeding.size": 300})  # fmt: skip
    shutil.copy(NOTEBOOKS / NOTEBOOK, folder / NOTEBOOK)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["COMMUNITYSIM_CLASSROOM_DB"] = str(database)
    port = free_port()
    with open(folder / "voila.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", NOTEBOOK, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
            cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            wait_http(port, proc)
            yield f"http://127.0.0.1:{port}/", database, folder
        finally:
            stop(proc)


def test_a_team_joins_decides_and_reads_its_report(team_page, browser):
    url, database, folder = team_page
    page = open_page(browser, url)
    join = page.locator("button.widget-button", has_text="Join")
    expect(join).to_be_visible(timeout=120_000)
    join.click()
    expect(page.get_by_text("Team Red joined at hour 0")).to_be_visible(timeout=60_000)
    page.locator("button.widget-button", has_text="+1 h").click()
    expect(page.get_by_text("Team Red, hour 1 of the crisis")).to_be_visible(timeout=60_000)
    strategy = page.locator("select").filter(has=page.locator("option", has_text="Rebuild"))
    strategy.select_option(label="Rebuild (apologize and compensate)")
    page.locator("textarea").last.fill("We own the mistake <b>now</b>")  # after the statement box
    page.wait_for_timeout(500)  # let the text reach the kernel
    page.locator("button.widget-button", has_text="Log decision").click()
    expect(page.get_by_text("Decision saved at hour 1")).to_be_visible(timeout=60_000)
    with Store(database) as store:  # committed before the page said so
        session = store.session("E2E class")
        (decision,) = [e for e in store.events(store.team(session, "Red")) if e.kind == "decision"]
    assert (
        decision.payload["strategy"] == "rebuild" and decision.payload["rationale"] == "We own the mistake <b>now</b>"
    )
    page.locator("button.widget-button", has_text="Finish").click()
    expect(page.locator("a.cs-download").first).to_be_visible(timeout=180_000)  # the report is written, linked
    expect(page.get_by_text("Team Red").last).to_be_visible(timeout=120_000)
    expect(page.get_by_text("We own the mistake <b>now</b>")).to_be_visible(timeout=120_000)  # text, not markup
    assert list((folder / "out").glob("report_E2E_class_crisis_offensive_post_Red_*.html"))
    screenshot(page, "classroom_team.png")
    page.close()
