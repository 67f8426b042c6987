"""Real-browser end-to-end test in JupyterLab: open the posting lab, Run All Cells, drive the widgets.

JupyterLab runs on 127.0.0.1 with its own config and workspace folders (no news toast, no restored
workspace) on a copy of the notebook (Lab may autosave outputs). Pitfalls from
``../shared/ui-testing/RECIPE.md``: Lab may start two kernels on a fresh workspace, so the test
waits for one stable idle kernel before Run All, and accepts a "Select Kernel" dialog if one shows.
"""

from __future__ import annotations

import re
import shutil

import pytest
from e2e_helpers import (
    NOTEBOOKS,
    kernels_settled,
    open_page,
    running_lab,
    screenshot,
    set_slider,
    wait_for_change,
)
from playwright.sync_api import expect

NOTEBOOK = "02_posting_strategy_lab.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    shutil.copy(NOTEBOOKS / NOTEBOOK, root / NOTEBOOK)
    with running_lab("jupyterlab", root, tmp) as url:
        yield url


def test_posting_lab_in_jupyterlab_run_all_slider_and_run(lab, browser):
    page = open_page(browser, f"{lab}/lab/tree/{NOTEBOOK}")
    expect(page.locator(".jp-NotebookPanel")).to_be_visible(timeout=90_000)
    idle = page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']")
    expect(idle).to_have_count(1, timeout=90_000)
    kernels_settled(lab, single=True)
    slider = page.locator(".widget-slider").filter(has_text="Posts per week")
    for attempt in range(3):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            dialog.locator(".jp-mod-accept").click()  # "Select Kernel" after a kernel restart
            expect(idle).to_have_count(1, timeout=60_000)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            expect(slider).to_be_visible(timeout=30_000)
            break
        except AssertionError:
            print(f"Run All attempt {attempt} rendered no widgets; retrying")
    expect(slider).to_be_visible(timeout=5_000)
    scorecard = page.locator("table.cs-scorecard")
    expect(scorecard).to_be_visible(timeout=60_000)
    expect(idle).to_have_count(1, timeout=60_000)
    before, summary_before = scorecard.inner_text(), page.locator("table.cs-summary").inner_text()
    set_slider(page, slider, 14)
    expect(slider.locator(".noUi-handle")).to_have_attribute("aria-valuenow", "14.0")
    page.wait_for_timeout(500)  # let the new value reach the kernel before Run
    page.locator("button.widget-button", has_text="Run").click()
    wait_for_change(page, "table.cs-summary", summary_before)
    wait_for_change(page, "table.cs-scorecard", before)
    expect(page.locator(".widget-output img").first).to_be_visible()
    screenshot(page, "posting_lab_jupyterlab.png")
    page.close()
