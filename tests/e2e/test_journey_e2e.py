"""A user's whole journey in one language: ``make lab`` to a finished crisis exercise and its report.

JupyterLab is started the way ``make lab`` starts it (``python -m communitysim.ui.launch``) with the
user's ``COMMUNITYSIM_LANG``, in a throw-away settings folder and on a copy of the notebooks. The
test checks that the lab opens on the language's welcome notebook with its own menus in that
language, follows the welcome notebook's link to the crisis exercise, runs it, plays it to the
end (clock, response, finish), exports the report, and then reads every visible text (the lab's
page without the code cells, and the exported report): no sentence of the other language's
catalogue may appear, nor any run of common words of the other language.
"""

from __future__ import annotations

import html
import re
import shutil

import pytest
from e2e_helpers import NOTEBOOKS, foreign, open_page, play_crisis, restart_and_run_all, running_lab, screenshot
from playwright.sync_api import expect

from communitysim.messages import LANGUAGES, t
from communitysim.ui.launch import welcome_notebook

#: Lab's menu bar, as its language pack says it (the English words must be gone in French).
MENUS = {"en": ("File", "Edit", "Help"), "fr": ("Fichier", "Édition", "Aide")}


@pytest.fixture
def lab(tmp_path, request):
    """JupyterLab as ``make lab`` starts it, in the language ``request.param``, on a copy of the notebooks."""
    lang = request.param
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("out", ".ipynb_checkpoints"))
    settings = f"--LabApp.app_settings_dir={tmp_path / 'app-settings'}"  # make lab writes the language there
    with running_lab("communitysim.ui.launch", root, tmp_path, settings, env={"COMMUNITYSIM_LANG": lang}) as url:
        yield url, root, lang


def visible_text(page) -> str:
    """The page's visible text without the code cells' source (code is not a sentence)."""
    return page.evaluate(
        """() => {
            const editors = [...document.querySelectorAll('.jp-InputArea-editor, .jp-InputPrompt, .jp-OutputPrompt')];
            editors.forEach(e => e.style.visibility = 'hidden');
            const text = document.body.innerText;
            editors.forEach(e => e.style.visibility = '');
            return text;
        }"""
    )


@pytest.mark.parametrize("lab", LANGUAGES, indirect=True)
def test_from_make_lab_to_the_crisis_report_in_one_language(lab, browser):
    base, root, lang = lab
    page = open_page(browser, base)  # the lab's own start page: make lab opens it
    welcome = welcome_notebook(lang)
    expect(page.locator(".lm-TabBar-tab.lm-mod-current", has_text=welcome)).to_be_visible(timeout=90_000)
    menus = page.locator(".lm-MenuBar-itemLabel")
    expect(menus.first).to_be_visible(timeout=30_000)
    labels = menus.all_inner_texts()
    assert set(MENUS[lang]) <= set(labels), labels
    assert not set(MENUS["en" if lang != "en" else "fr"]) & set(labels), labels

    # the welcome notebook names the crisis exercise of its own language: follow its link
    crisis = "04_crisis_exercise.ipynb" if lang == "en" else f"04_crisis_exercise.{lang}.ipynb"
    link = page.locator(".jp-RenderedMarkdown a", has_text=crisis).first
    expect(link).to_be_visible(timeout=60_000)
    link.click()
    panel = page.locator(".jp-NotebookPanel:visible")
    expect(page.locator(".lm-TabBar-tab.lm-mod-current", has_text=crisis)).to_be_visible(timeout=60_000)
    idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    expect(idle).to_have_count(1, timeout=90_000)

    # restart the kernel and run every cell (the toolbar's button), as a learner does
    start = page.locator("button.widget-button", has_text=t("crisis.start", lang=lang))
    restart_and_run_all(page, panel, start, crisis)

    # the exercise: start, +6 h, respond, finish, then export the report
    play_crisis(page, lang, start)
    export = page.locator("button.widget-button", has_text=t("crisis.export", lang=lang))
    expect(export).to_be_enabled(timeout=30_000)
    export.click()
    expect(page.locator("a.cs-download")).to_be_visible(timeout=60_000)  # a download link in the page
    (report,) = (root / "out").glob("after_action_report_*.html")  # a new file, named for this export
    expect(page.get_by_text(t("crisis.exported", lang=lang, path=report.relative_to(root)))).to_be_visible()
    screenshot(page, f"journey_lab_{lang}.png")

    # every visible text, then the exported report
    seen = visible_text(page)
    assert t("crisis.report.comparison", lang=lang) in seen
    assert not foreign(seen, lang), foreign(seen, lang)
    document = report.read_text(encoding="utf-8")
    assert f"lang='{lang}'" in document
    text = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", "\n", document, flags=re.DOTALL))
    assert t("crisis.report.title", lang=lang) in text
    assert not foreign(text, lang), foreign(text, lang)
    page.close()
