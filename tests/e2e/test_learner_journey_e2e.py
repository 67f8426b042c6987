"""A learner's journey through the learning notebooks (00, 01, 02, 03, 05, 06), in a real browser.

For each front-end (JupyterLab as ``make lab`` starts it, Voila as ``make app`` does) and each language,
one server serves every notebook: each is opened, its main interaction and its challenge are played
with the mouse (sliders dragged with ``page.mouse``, buttons clicked), and the page is read as a
learner reads it:

- no error on the page, none in the server's log (kernels write their tracebacks there);
- no raw widget repr (``VBox(children=...``);
- no sentence of the other language;
- no cut label or button (``scrollWidth > clientWidth``) and slider tracks of at least 200 px, at
  1280x800 (JupyterLab, with its side bars) and 1920x1080 (Voila);
- the numbers shown equal the model's for the same inputs (computed here with ``communitysim``).

The latency a learner waits for (a run in 01, slider release to new plot in 02, the sweep in 05, the
opening of 06) is measured in the browser and printed (``pytest -s``); README reports it.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from e2e_helpers import (
    NOTEBOOKS,
    foreign,
    free_port,
    kernels_settled,
    open_page,
    running_lab,
    screenshot,
    stop,
    visible_text,
    wait_http,
)
from playwright.sync_api import expect

import communitysim as cs
from communitysim.files import scenario_dir
from communitysim.messages import LANGUAGES, number, set_language, t, tn
from communitysim.ui.display import kpi_text
from communitysim.ui.launch import voila_command, welcome_notebook

#: What a kernel writes to the server's log when a widget callback raises (Jupyter's own 500s are not the app's).
KERNEL_ERRORS = re.compile(r"Exception in comm_msg.*|\[IPKernelApp\] ERROR.*")
#: Lab's menu bar, as its language pack says it (the English words must be gone in French).
MENUS = {"en": ("File", "Edit", "Help"), "fr": ("Fichier", "Édition", "Aide")}
APP_MS = 180_000  # a notebook's app on a busy 2-core machine (06 fits and forecasts on opening)
LATENCIES: dict[str, list[float]] = {}


def notebook(name: str, lang: str) -> str:
    return name if lang == "en" else name.replace(".ipynb", f".{lang}.ipynb")


@contextmanager
def in_language(lang: str):
    """The expected texts are written in the page's language."""
    set_language(lang)
    try:
        yield
    finally:
        set_language(None)


@contextmanager
def running_voila(tmp: Path):
    """Voila as ``make app`` starts it, on the notebooks folder; yields its URL and its log file."""
    port = free_port()
    log_path = tmp / "voila.log"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    with open(log_path, "w") as log:
        command = voila_command(NOTEBOOKS, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1")
        proc = subprocess.Popen(command, cwd=NOTEBOOKS, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_http(port, proc)
            yield f"http://127.0.0.1:{port}/voila/render/", log_path
        finally:
            stop(proc)


# --- reading the page -----------------------------------------------------------------------------


def layout_defects(page) -> list[str]:
    """Cut labels and buttons, and slider tracks narrower than 200 px, in the apps."""
    return page.evaluate(
        """() => {
            const bad = [];
            for (const e of document.querySelectorAll(
                    '.cs-app .widget-label, .cs-app .widget-label-basic, .cs-app button, .cs-app button *')) {
                if (e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1) bad.push('cut: ' + e.innerText);
            }
            for (const e of document.querySelectorAll('.cs-app .widget-hslider .noUi-target')) {
                const width = e.getBoundingClientRect().width;
                if (e.offsetParent !== null && width < 200) bad.push('track ' + Math.round(width) + ' px');
            }
            return bad;
        }"""
    )


def check_page(page, lang: str, log: Path, where: str) -> None:
    """What every page must be: no error, no widget repr, one language, nothing cut."""
    text = visible_text(page)
    assert "Traceback" not in text and "Error displaying widget" not in text, where
    assert not re.search(r"\b[VH]Box\(children=", text), where
    assert not foreign(text, lang), (where, foreign(text, lang))
    assert not layout_defects(page), (where, layout_defects(page))
    errors = KERNEL_ERRORS.findall(log.read_text(errors="replace"))  # a widget callback's exception, logged
    assert not errors, (where, errors)


# --- playing with the mouse ------------------------------------------------------------------------


def slider(page, label: str):
    return page.locator(".cs-app .widget-slider").filter(has_text=label).first


def drag(page, control, value: float) -> tuple[float, float]:
    """Drag a slider's handle with the mouse towards ``value``; the value it landed on, and when it was released."""
    handle = control.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    track = control.locator(".noUi-target").first.bounding_box()
    low, high = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    target = track["x"] + track["width"] * (value - low) / (high - low)
    page.mouse.move(target, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    released = time.perf_counter()
    page.wait_for_timeout(300)
    return float(handle.get_attribute("aria-valuenow")), released


def click(page, label: str, nth: int = 0) -> None:
    page.locator(".cs-app button.widget-button", has_text=label).nth(nth).click()


def timed(name: str, start: float) -> None:
    elapsed = time.perf_counter() - start
    LATENCIES.setdefault(name, []).append(elapsed)
    print(f"latency {name}: {elapsed:.2f} s")


# --- the notebooks ---------------------------------------------------------------------------------


def play_welcome(page, lang: str) -> None:
    card = page.locator("table.cs-scorecard").first
    expect(card).to_be_visible(timeout=APP_MS)
    text = card.inner_text()
    assert "by_day" not in text and "True" not in text and "False" not in text  # a localized table, not pandas'
    control = slider(page, t("welcome.first_members", lang=lang))
    expect(control).to_be_visible(timeout=APP_MS)
    size = int(drag(page, control, 60)[0])
    click(page, t("common.run", lang=lang))
    challenge = page.locator(".cs-app table.cs-scorecard").first
    expect(challenge).to_be_visible(timeout=APP_MS)
    result = cs.run(scenario_dir() / "bakery_launch.yaml", seed=7, overrides={"seeding.size": size})
    with in_language(lang):
        for achieved in result.scorecard["achieved"]:
            expect(challenge).to_contain_text(kpi_text("members", achieved), timeout=APP_MS)


def play_first_members(page, lang: str) -> None:
    challenge, card = page.locator("ul.cs-challenge"), page.locator("table.cs-scorecard")
    image = page.locator(".cs-app .widget-output img").first
    expect(image).to_be_visible(timeout=APP_MS)
    source = image.get_attribute("src")
    size = int(drag(page, slider(page, t("first.size", lang=lang)), 45)[0])
    start = time.perf_counter()
    click(page, t("common.run", lang=lang))
    expect(image).not_to_have_attribute("src", source or "", timeout=APP_MS)
    timed("01 run", start)
    expect(card).to_contain_text("→", timeout=APP_MS)  # the second run names the lever moved since the first
    overrides = {"seeding.strategy": "close_circle", "seeding.size": size, "seeding.invite_after_posts": 6}
    ts = cs.run(scenario_dir() / "bakery_launch.yaml", seed=7, overrides=overrides).timeseries
    members = int(ts.loc[ts["day"] <= 90, "members"].iloc[-1])
    with in_language(lang):
        expect(challenge).to_contain_text(tn("common.members", members), timeout=30_000)


def play_posting_lab(page, lang: str) -> None:
    from communitysim.ui.posting_lab import PostingLab

    summary = page.locator("table.cs-summary")
    expect(summary).to_be_visible(timeout=APP_MS)
    page.locator(".cs-app .widget-checkbox input").first.check()  # live: a run when a slider is released
    image = page.locator(".cs-app .widget-output img").first
    source = image.get_attribute("src")
    posts, start = drag(page, slider(page, t("lab.posts_per_week", lang=lang)), 12)
    posts = int(posts)
    expect(image).not_to_have_attribute("src", source or "", timeout=APP_MS)
    timed("02 slider release to new plot", start)
    with in_language(lang):
        lab = PostingLab()
        lab.posts_per_week.value = posts
        lab.run()
        members = kpi_text("members", lab.result.kpis["members"])
        rate = kpi_text("engagement_rate_followers", lab.result.kpis["engagement_rate_followers"])
    expect(summary).to_contain_text(members, timeout=30_000)
    expect(summary).to_contain_text(rate, timeout=30_000)
    scorecard = page.locator("table.cs-scorecard")
    expect(scorecard).to_contain_text("→", timeout=APP_MS)  # the lever that moved the KPIs
    with in_language(lang):  # the rhythm moved, the launch did not: the lab says on which day, in both runs
        launch = t("feedback.launch_same", day=number(lab.launch_day(), None))
    expect(scorecard).to_contain_text(launch, timeout=30_000)
    # the quality slider's readout is written as the learner's language writes a decimal ("0,60" in French)
    quality = slider(page, t("lab.quality", lang=lang))
    drag(page, quality, 10)  # a SelectionSlider: its positions are the options' indices (0..20)
    readout = quality.locator(".widget-readout").first.inner_text().strip()
    with in_language(lang):
        written = {number(k / 20, 2) for k in range(21)}
    assert readout in written, (readout, lang)
    assert ("," in readout) == (lang == "fr") and ("." in readout) == (lang == "en"), readout


def play_engagement(page, lang: str) -> None:
    from communitysim.ui.engagement_lab import EngagementLab

    guess = page.locator(".cs-app .widget-text input").first
    expect(guess).to_be_visible(timeout=APP_MS)
    expect(page.locator(".cs-app .widget-output img").first).to_be_visible(timeout=APP_MS)
    assert t("eng.best", lang=lang, posts="", engagements="")[:12] not in visible_text(page)  # not given away
    guess.fill("14")
    guess.press("Enter")
    click(page, t("eng.check", lang=lang))
    feedback = page.locator(".cs-app .widget-html span[style*='color']").first
    expect(feedback).to_be_visible(timeout=APP_MS)
    app = EngagementLab()
    overrides = {**app.fixed, "strategy.posts_per_week": 14, "feed.appetite_posts_per_day": app.appetite.value}
    kpis = cs.run(app.path, seed=7, overrides=overrides).kpis
    with in_language(lang):
        expect(feedback).to_contain_text(number(kpis["engagements"]), timeout=30_000)
    # the two contrasts, then each compared on more seeds in words (within the noise, or on every seed)
    click(page, t("eng.compare", lang=lang))
    spread = page.locator("ul.cs-spread li")
    expect(spread).to_have_count(2, timeout=APP_MS)
    with in_language(lang):
        app.compare()
    lines = [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", app.contrasts.value)]
    expect(spread).to_have_text(lines, timeout=30_000)  # each contrast's words, in order


def play_experiments(page, lang: str) -> None:
    recommendation = page.locator(".cs-recommendation")
    start_text = t("exp.start", lang=lang)
    expect(page.get_by_text(start_text)).to_be_visible(timeout=APP_MS)  # nothing ran on opening
    points = int(drag(page, slider(page, t("exp.points", lang=lang)), 2)[0])
    runs = int(drag(page, slider(page, t("exp.replications", lang=lang)), 2)[0])
    start = time.perf_counter()
    click(page, t("common.run", lang=lang))
    expect(recommendation).to_be_visible(timeout=APP_MS)
    timed(f"05 sweep of {points} values x {runs} runs", start)
    from communitysim.experiments.sensitivity import DEFAULT_LEVERS
    from communitysim.ui.experiments_lab import lever_values

    low, high = DEFAULT_LEVERS["strategy.posts_per_week"]
    grid = {"strategy.posts_per_week": lever_values("strategy.posts_per_week", low, high, points)}
    table = cs.sweep(scenario_dir() / "classroom_bakery.yaml", grid, runs, 1, backend="serial", progress=False)
    with in_language(lang):
        expect(recommendation).to_contain_text(kpi_text("engagements", table.best("engagements").mean), timeout=30_000)


def play_calibration(page, lang: str, opened: float) -> None:
    from communitysim.calibration import read_export
    from communitysim.ui.calibration_lab import SAMPLE

    forecast = page.locator("table.cs-forecast")
    expect(forecast).to_be_visible(timeout=APP_MS)
    timed("06 opening (fit and forecast)", opened)
    export = read_export(SAMPLE)
    fitted = t("cal.fitted", lang=lang, name=SAMPLE.name, dates=len(export.data), days=export.days)
    expect(page.get_by_text(fitted)).to_be_visible()


PLAYS = {
    "00_welcome.ipynb": play_welcome,
    "01_first_members.ipynb": play_first_members,
    "02_posting_strategy_lab.ipynb": play_posting_lab,
    "03_engagement_and_fatigue.ipynb": play_engagement,
    "05_strategy_experiments.ipynb": play_experiments,
    "06_calibrate_your_community.ipynb": play_calibration,
}


def play(page, name: str, lang: str, log: Path, front: str, opened: float) -> None:
    if name.startswith("06"):
        play_calibration(page, lang, opened)
    else:
        PLAYS[name](page, lang)
    page.wait_for_timeout(500)
    screenshot(page, f"learner_{front}_{lang}_{name[:2]}.png")
    check_page(page, lang, log, f"{front} {lang} {name}")


# --- the journeys ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_learning_notebooks_in_voila(browser, tmp_path, lang):
    with running_voila(tmp_path) as (base, log):
        for name in PLAYS:
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())
            opened = time.perf_counter()
            page.goto(base + notebook(name, lang), wait_until="domcontentloaded", timeout=APP_MS)
            play(page, name, lang, log, "voila", opened)
            page.close()


SHUT_DOWN_KERNELS = """async () => {
    const xsrf = document.cookie.match(/_xsrf=([^;]+)/);
    const headers = xsrf ? {'X-XSRFToken': decodeURIComponent(xsrf[1])} : {};
    const kernels = await (await fetch('/api/kernels')).json();
    for (const k of kernels) await fetch('/api/kernels/' + k.id, {method: 'DELETE', headers});
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_learning_notebooks_in_jupyterlab(browser, tmp_path, lang):
    root = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns("out", ".ipynb_checkpoints"))
    (tmp_path / "scenarios").symlink_to(NOTEBOOKS.parent / "scenarios")  # the welcome page reads ../scenarios
    settings = f"--LabApp.app_settings_dir={tmp_path / 'app-settings'}"
    with running_lab("communitysim.ui.launch", root, tmp_path, settings, env={"COMMUNITYSIM_LANG": lang}) as base:
        page = open_page(browser, base)  # what make lab opens: the language's welcome notebook, Lab's menus in it
        page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.locator(".lm-TabBar-tab.lm-mod-current", has_text=welcome_notebook(lang))).to_be_visible(
            timeout=APP_MS
        )
        menus = page.locator(".lm-MenuBar-itemLabel")
        expect(menus.first).to_be_visible(timeout=30_000)
        labels = set(menus.all_inner_texts())
        assert set(MENUS[lang]) <= labels and not set(MENUS["en" if lang != "en" else "fr"]) & labels, labels
        # an empty workspace of the same Lab: no notebook left open whose frontend would restart its kernel
        page.goto(f"{base}/lab/workspaces/empty", wait_until="domcontentloaded", timeout=APP_MS)
        expect(page.locator(".lm-MenuBar-itemLabel").first).to_be_visible(timeout=APP_MS)
        log = tmp_path / "lab.log"
        for name in PLAYS:
            file = notebook(name, lang)
            if name != next(iter(PLAYS)):  # (the welcome page's kernel, left behind, may never report idle)
                # the previous notebook's kernel finishes what the learner's last click started (01 and 02
                # compare on more seeds after the plot)
                kernels_settled(base, timeout=APP_MS / 1000)
            page.evaluate(SHUT_DOWN_KERNELS)  # then it goes: one kernel at a time
            # a workspace of its own per notebook: only this notebook open, as a learner opens it
            page.goto(f"{base}/lab/workspaces/{name[:2]}/tree/{file}", wait_until="domcontentloaded", timeout=APP_MS)
            expect(page.locator(".lm-TabBar-tab.lm-mod-current", has_text=file)).to_be_visible(timeout=APP_MS)
            panel = page.locator(".jp-NotebookPanel:visible")
            idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            expect(idle).to_have_count(1, timeout=APP_MS)
            before = visible_text(page)
            assert not re.search(r"\b[VH]Box\(children=", before)  # before running: never a widget repr
            print(f"{file} before running: banner shown: {t('common.run_this_cell', lang=lang) in before}")
            kernels_settled(base, single=True, timeout=APP_MS / 1000)  # Lab may start two kernels
            opened = time.perf_counter()
            for attempt in range(3):  # restart the kernel and run every cell, as a learner does
                dialog = page.locator(".jp-Dialog")
                if dialog.count():
                    dialog.locator(".jp-mod-accept").click()  # "Select Kernel" after Lab replaced its kernel
                    expect(idle).to_have_count(1, timeout=APP_MS)
                panel.locator("jp-button[data-command='notebook:restart-run-all']").click()
                expect(dialog).to_be_visible(timeout=30_000)
                dialog.locator(".jp-mod-accept").click()
                try:
                    expect(page.locator(".cs-app").first).to_be_attached(timeout=120_000)
                    break
                except AssertionError:
                    print(f"{file}: run all, attempt {attempt}: no app yet; again")
            page.locator(".cs-app").first.scroll_into_view_if_needed()
            play(page, name, lang, log, "lab", opened)
        page.evaluate(SHUT_DOWN_KERNELS)
        page.close()
    print("latencies (s):", {k: [round(v, 2) for v in vs] for k, vs in LATENCIES.items()})
