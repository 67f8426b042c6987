"""Real-browser end-to-end tests: Voila serves the notebooks on 127.0.0.1, Playwright drives Debian's chromium."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from e2e_helpers import (
    NOTEBOOKS,
    foreign,
    free_port,
    open_page,
    play_crisis,
    screenshot,
    set_slider,
    stop,
    wait_for_change,
    wait_http,
)
from playwright.sync_api import expect

from communitysim.messages import LANGUAGES, t

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


def notebook(name: str, lang: str) -> str:
    """The notebook of a language (English ``02_x.ipynb``, others ``02_x.fr.ipynb``)."""
    return name if lang == "en" else name.replace(".ipynb", f".{lang}.ipynb")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_posting_lab_slider_and_run_change_the_scorecard(voila, browser, lang):
    page = open_page(browser, voila + notebook("02_posting_strategy_lab.ipynb", lang))
    slider = page.locator(".widget-slider").filter(has_text=t("lab.posts_per_week", lang=lang))
    expect(slider).to_be_visible(timeout=WIDGETS_TIMEOUT_MS)
    scorecard = page.locator("table.cs-scorecard")
    expect(scorecard).to_be_visible(timeout=60_000)
    before = scorecard.inner_text()
    summary_before = page.locator("table.cs-summary").inner_text()
    image = page.locator(".widget-output img").first
    expect(image).to_be_visible(timeout=60_000)
    image_before = image.get_attribute("src")
    set_slider(page, slider, 21)
    expect(slider.locator(".widget-readout")).to_have_text("21")
    expect(slider.locator(".noUi-handle")).to_have_attribute("aria-valuenow", "21.0")
    page.wait_for_timeout(500)  # let the new value reach the kernel before Run
    page.locator("button.widget-button", has_text=t("common.run", lang=lang)).click()
    wait_for_change(page, "table.cs-summary", summary_before)
    wait_for_change(page, "table.cs-scorecard", before)
    assert "(" in page.locator("table.cs-summary").inner_text()  # the previous run in brackets
    expect(page.locator(".widget-output img").first).not_to_have_attribute("src", image_before or "", timeout=30_000)
    screenshot(page, f"posting_lab_{lang}.png")
    page.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_crisis_exercise_clock_response_and_report(voila, browser, lang):
    page = open_page(browser, voila + notebook("04_crisis_exercise.ipynb", lang))
    start = page.locator("button.widget-button", has_text=t("crisis.start", lang=lang))
    expect(start).to_be_visible(timeout=WIDGETS_TIMEOUT_MS)
    play_crisis(page, lang, start)
    screenshot(page, f"crisis_exercise_{lang}.png")
    text = page.locator("body").inner_text()
    assert not foreign(text, lang), foreign(text, lang)  # make app: not one sentence of another language
    page.close()
