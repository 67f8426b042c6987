"""Real-browser end-to-end tests: Voila serves the notebooks on 127.0.0.1, Playwright drives Debian's chromium.

No browser download: Playwright launches the system ``/usr/bin/chromium`` (``make test`` installs
it when missing). Screenshots go to ``test-artifacts/`` at the project root.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SHOTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDGETS_TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until Voila answers HTTP at all (any status: /api/* answers 302)."""
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited early with {proc.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/status")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"voila did not answer on port {port}")


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    port = _free_port()
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
            _wait_http(port, proc)
            yield f"http://127.0.0.1:{port}/voila/render/"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield chromium
        chromium.close()


def _wait_for_change(page, selector: str, old_text: str, timeout: float = 60.0) -> None:
    """Wait until the element's visible text differs from ``old_text`` (inner text, compared exactly)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.locator(selector).inner_text() != old_text:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} did not change within {timeout:g} s")


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())  # offline
    page.goto(url, wait_until="domcontentloaded")
    return page


def test_posting_lab_slider_and_run_change_the_scorecard(voila, browser):
    page = _open(browser, voila + "02_posting_strategy_lab.ipynb")
    slider = page.locator(".widget-slider").filter(has_text="Posts per week")
    expect(slider).to_be_visible(timeout=WIDGETS_TIMEOUT_MS)
    scorecard = page.locator("table.cs-scorecard")
    expect(scorecard).to_be_visible(timeout=60_000)
    before = scorecard.inner_text()
    summary_before = page.locator("table.cs-summary").inner_text()
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("21")
    page.keyboard.press("Enter")
    expect(readout).to_have_text("21")
    expect(slider.locator(".noUi-handle")).to_have_attribute("aria-valuenow", "21.0")
    page.wait_for_timeout(500)  # let the new value reach the kernel before Run
    page.locator("button.widget-button", has_text="Run").click()
    _wait_for_change(page, "table.cs-summary", summary_before)
    _wait_for_change(page, "table.cs-scorecard", before)
    assert "(" in page.locator("table.cs-summary").inner_text()  # the previous run in brackets
    expect(page.locator(".widget-output img").first).to_be_visible()  # the redrawn plots
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "posting_lab.png"), full_page=True)
    page.close()


def test_crisis_exercise_clock_response_and_report(voila, browser):
    page = _open(browser, voila + "04_crisis_exercise.ipynb")
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
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "crisis_exercise.png"), full_page=True)
    page.close()
