"""Real-browser end-to-end tests: Voila serves the notebooks on 127.0.0.1, Playwright drives Debian's chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from e2e_helpers import NOTEBOOKS, free_port, open_page, screenshot, set_slider, stop, wait_for_change, wait_http
from playwright.sync_api import expect

WIDGETS_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    port = free_port()
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(NOTEBOOKS), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
            cwd=NOTEBOOKS,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_http(port, proc)  # Voila's /api/* answers 302: any answer means it is up
            yield f"http://127.0.0.1:{port}/voila/render/"
        finally:
            stop(proc)


def test_posting_lab_slider_and_run_change_the_scorecard(voila, browser):
    page = open_page(browser, voila + "02_posting_strategy_lab.ipynb")
    slider = page.locator(".widget-slider").filter(has_text="Posts per week")
    expect(slider).to_be_visible(timeout=WIDGETS_TIMEOUT_MS)
    scorecard = page.locator("table.cs-scorecard")
    expect(scorecard).to_be_visible(timeout=60_000)
    before = scorecard.inner_text()
    summary_before = page.locator("table.cs-summary").inner_text()
    set_slider(page, slider, 21)
    expect(slider.locator(".widget-readout")).to_have_text("21")
    expect(slider.locator(".noUi-handle")).to_have_attribute("aria-valuenow", "21.0")
    page.wait_for_timeout(500)  # let the new value reach the kernel before Run
    page.locator("button.widget-button", has_text="Run").click()
    wait_for_change(page, "table.cs-summary", summary_before)
    wait_for_change(page, "table.cs-scorecard", before)
    assert "(" in page.locator("table.cs-summary").inner_text()  # the previous run in brackets
    expect(page.locator(".widget-output img").first).to_be_visible()  # the redrawn plots
    screenshot(page, "posting_lab.png")
    page.close()


def test_crisis_exercise_clock_response_and_report(voila, browser):
    page = open_page(browser, voila + "04_crisis_exercise.ipynb")
    start = page.locator("button.widget-button", has_text="Start")
    expect(start).to_be_visible(timeout=WIDGETS_TIMEOUT_MS)
    start.click()
    six_hours = page.locator("button.widget-button", has_text="+6 h")
    expect(six_hours).to_be_enabled(timeout=60_000)
    six_hours.click()
    expect(page.get_by_text(re.compile(r"hour 6 of the crisis"))).to_be_visible(timeout=60_000)
    strategy = page.locator("select").filter(has=page.locator("option", has_text="Rebuild"))
    strategy.select_option(label="Rebuild (apologize and compensate)")
    page.locator("button.widget-button", has_text="Respond now").click()
    expect(page.get_by_text(re.compile(r"Statement out at hour"))).to_be_visible(timeout=30_000)
    page.locator("button.widget-button", has_text="Finish").click()
    expect(page.get_by_text("After-action report").first).to_be_visible(timeout=120_000)
    screenshot(page, "crisis_exercise.png")
    page.close()
