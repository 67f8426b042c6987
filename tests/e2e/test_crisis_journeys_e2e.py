"""The crisis pages as learners and trainers meet them: notebooks 04, 07 and 08, in JupyterLab and Voila.

One JupyterLab (started as ``make lab`` starts it) and one Voila serve a copy of the notebooks and a
throw-away classroom database for every test of this module. The classroom test runs a facilitator
page and two team pages (two kernels: two copies of notebook 08) in JupyterLab, in French; the
crisis exercise is played in JupyterLab in both languages; Voila opens 04, 07 and 08 in both.

Each page is played with the mouse (clicks, a slider dragged by its handle) and checked for: no
error on the page, in the kernel messages (the browser's websocket frames) or in the server's log;
no raw widget repr; no sentence of the other language; no label or button cut at 1280x800 and
1920x1080; the numbers shown equal the model's for the same inputs (computed here, in-process).
The latency a learner waits for (a clock step, a saved decision) is measured in the browser and
printed (``-s`` shows it; README quotes it).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from e2e_helpers import (
    NOTEBOOKS,
    foreign,
    free_port,
    kernels_settled,
    open_page,
    restart_and_run_all,
    running_lab,
    screenshot,
    stop,
    wait_http,
)
from playwright.sync_api import expect

from communitysim.classroom import Store, TeamRun
from communitysim.exercise.report import format_kpi
from communitysim.exercise.session import COMPARED_KPIS
from communitysim.messages import LANGUAGES, percent, set_language, t
from communitysim.ui.launch import voila_command

#: The viewports every page must read well at.
VIEWPORTS = ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080})
#: Error marks in a server log (a kernel's traceback, a widget callback's exception).
LOG_ERRORS = re.compile(r"Traceback|ProgrammingError|Exception in|Error in callback")
#: The second team's copy of notebook 08 (a second kernel).
TEAM_B = "08_classroom_team_b.fr.ipynb"
LATENCIES: dict[str, list[float]] = {}


def notebook(name: str, lang: str) -> str:
    return name if lang == "en" else name.replace(".ipynb", f".{lang}.ipynb")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """JupyterLab (as ``make lab``) and Voila on one copy of the notebooks and one classroom database."""
    tmp = tmp_path_factory.mktemp("journeys")
    root = tmp / "notebooks"
    root.mkdir()
    for name in ("04_crisis_exercise.ipynb", "07_classroom_facilitator.ipynb", "08_classroom_team.ipynb"):
        for lang in LANGUAGES:
            shutil.copy(NOTEBOOKS / notebook(name, lang), root / notebook(name, lang))
    shutil.copy(NOTEBOOKS / "08_classroom_team.fr.ipynb", root / TEAM_B)
    database = tmp / "class.sqlite"
    env = {"COMMUNITYSIM_CLASSROOM_DB": str(database), "COMMUNITYSIM_LANG": "fr"}
    settings = f"--LabApp.app_settings_dir={tmp / 'app-settings'}"
    port = free_port()
    voila_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | env
    with open(tmp / "voila.log", "w") as voila_log:
        voila = subprocess.Popen(
            voila_command(root, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"),
            cwd=root, stdout=voila_log, stderr=subprocess.STDOUT, env=voila_env,
        )  # fmt: skip
        try:
            with running_lab("communitysim.ui.launch", root, tmp, settings, env=env) as lab:
                wait_http(port, voila)
                yield {"lab": lab, "voila": f"http://127.0.0.1:{port}", "root": root, "db": database,
                       "logs": (tmp / "lab.log", tmp / "voila.log")}  # fmt: skip
        finally:
            stop(voila)
    print("\nbrowser latencies (s): " + "; ".join(f"{k} {min(v):.2f}-{max(v):.2f}" for k, v in LATENCIES.items()))


# --- what every page is checked for ------------------------------------------------------------------


class Watch:
    """Kernel errors seen in the page's websocket frames (widget callbacks' exceptions go there)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
        if '"ename"' in text:
            found = re.search(r'"ename":\s*"([^"]*)".{0,300}', text)
            self.errors.append(found.group(0) if found else text[:300])


def kernel_log(text: str) -> str:
    """A server log without the server's own records about ``/api/kernels`` (polled while Lab replaces a kernel).

    A server record is its ``[E ...]`` line and the indented lines under it; a kernel's output is
    not indented, so it stays, but for the traceback of a kernel interrupted while it started.
    """
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = "/api/kernels" in line
        elif not (skipping and (line.startswith(" ") or not line.strip())):
            skipping = False
        if not skipping:
            kept.append(line)
    # a kernel interrupted while it starts (Run All restarts it): its import traceback ends in KeyboardInterrupt
    return re.sub(r"^Traceback \(most recent call last\):\n(?:[ \t].*\n|\n)*KeyboardInterrupt.*$", "",
                  "\n".join(kept), flags=re.MULTILINE)  # fmt: skip


def cut_labels(page) -> list[str]:
    """Labels, buttons and readouts whose text is wider than their box (cut, or ended with an ellipsis)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
                '.widget-label, .widget-label-basic, button.widget-button, button.jupyter-button, .widget-readout')]
            .filter(e => e.offsetParent !== null && e.innerText.trim() && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText.trim())"""
    )


def app_text(page) -> str:
    """The visible text of the widgets (JupyterLab's own menus are the lab's language, not the app's)."""
    return "\n".join(page.locator(".jupyter-widgets:visible, .widget-html:visible").all_inner_texts())


def check_page(page, watch: Watch, lang: str, logs: tuple[Path, ...] = ()) -> None:
    """No error anywhere, no raw repr, no other language, no cut label at either viewport."""
    text = app_text(page)
    body = page.locator("body").inner_text()
    assert "VBox(children" not in body and "HBox(children" not in body
    assert not re.search(r"Traceback|Error displaying widget", body), body[:2000]
    said = page.locator("span[style='color:#b3261e']")  # a status line in red: a mistake told to the user
    assert not said.count(), said.all_inner_texts()
    assert not watch.errors, watch.errors
    for log in logs:
        written = kernel_log(log.read_text(encoding="utf-8", errors="replace"))
        found = LOG_ERRORS.search(written)
        assert not found, written[max(0, found.start() - 500) :][:3000]
    assert not foreign(text, lang), foreign(text, lang)
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        assert not cut_labels(page), (viewport, cut_labels(page))
    page.set_viewport_size(VIEWPORTS[0])


def click_and_wait(page, button, shown: str, what: str, timeout: float = 60_000) -> float:
    """Click, then wait for ``shown`` on the page; the latency the learner waited, recorded and returned."""
    began = time.perf_counter()
    button.click()
    expect(page.get_by_text(shown).first).to_be_visible(timeout=timeout)
    waited = time.perf_counter() - began
    LATENCIES.setdefault(what, []).append(waited)
    print(f"{what}: {waited:.2f} s")
    return waited


def drag(page, slider, fraction: float) -> str:
    """Drag a slider's handle with the mouse to ``fraction`` of its track; its new value (aria-valuenow)."""
    handle, track = slider.locator(".noUi-handle"), slider.locator(".noUi-base")
    handle.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the page above may still grow (the feed, the plot): take the handle where it rests
    box, line = handle.bounding_box(), track.bounding_box()
    assert line["width"] >= 200, line  # a track a learner can drag
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(line["x"] + fraction * line["width"], box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_timeout(400)  # the value reaches the kernel
    return handle.get_attribute("aria-valuenow")


def drag_share(page, slider, fraction: float, lang: str) -> float:
    """Drag a share slider by 5 % (``ui.decimal_slider``: its positions are its options' indices, 0..20) to
    ``fraction`` of its track; the share it landed on, once its readout reads as the language writes that
    percentage ("30 %" in French, "30%" in English)."""
    share = round(float(drag(page, slider, fraction))) / 20
    readout = slider.locator(".widget-readout").first.inner_text().strip()
    set_language(lang)
    try:
        written = percent(share)
    finally:
        set_language(None)
    assert readout.replace("\u00a0", " ") == written.replace("\u00a0", " "), (readout, written, lang)
    return share


def run_notebook_in_lab(page, base: str, name: str, ready) -> None:
    """Open a notebook in JupyterLab; before it runs, no raw repr; then restart and run all until ``ready`` shows."""
    page.goto(f"{base}/lab/tree/{name}?reset", wait_until="domcontentloaded")  # only this notebook open
    panel = page.locator(".jp-NotebookPanel:visible")
    expect(panel).to_have_count(1, timeout=90_000)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1, timeout=90_000)
    kernels_settled(base)  # Lab may start a notebook's kernel twice: run all once it has settled
    assert "VBox(children" not in panel.inner_text()  # before running: the banner, not the widgets' repr
    restart_and_run_all(page, panel, ready, name)


def open_voila(browser, url: str):
    """A page on a Voila notebook (Voila answers once the notebook has run: a generous timeout)."""
    page = browser.new_page(viewport=VIEWPORTS[0])
    page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())
    watch = Watch(page)
    page.goto(url, wait_until="domcontentloaded", timeout=240_000)
    return page, watch


def choose(page, label: str) -> None:
    """Pick ``label`` in the (visible) widget menu that offers it."""
    menu = page.locator(".widget-dropdown select:visible").filter(has=page.locator("option", has_text=label))
    menu.select_option(label=label)


def button(page, key: str, lang: str):
    return page.locator("button.widget-button:visible", has_text=t(key, lang=lang)).first


# --- notebook 04 in JupyterLab, both languages ------------------------------------------------------


#: A statement the learner writes in the crisis exercise, per language.
STATEMENTS = {
    "en": "We are deeply sorry for this post. We removed it and will review how it was approved.",
    "fr": "Nous sommes sincèrement désolés pour ce post. Nous l'avons retiré et allons revoir comment il a été validé.",
}


def live_numbers(text: str) -> list[str]:
    return re.findall(r"[-+]?\d[\d  ,.]*", " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_crisis_exercise_in_jupyterlab(servers, browser, lang):
    page = open_page(browser, "about:blank")
    page.set_viewport_size(VIEWPORTS[0])
    watch = Watch(page)
    start = button(page, "crisis.start", lang)
    run_notebook_in_lab(page, servers["lab"], notebook("04_crisis_exercise.ipynb", lang), start)
    start.click()
    one_hour = button(page, "crisis.advance.1h", lang)
    expect(one_hour).to_be_enabled(timeout=90_000)
    click_and_wait(page, one_hour, t("crisis.clock", lang=lang, day="X", time="X", hour="1").split("·")[-1].strip(),
                   "04 lab +1 h")  # fmt: skip
    slider = page.locator(".widget-slider:visible").filter(has=page.locator(".noUi-handle")).first
    moderation = drag_share(page, slider, 0.3, lang)
    assert 0.15 <= moderation <= 0.45
    strategy = t("crisis.strategy.rebuild", lang=lang)
    choose(page, strategy)
    page.wait_for_timeout(300)
    click_and_wait(page, button(page, "crisis.respond", lang), t("crisis.responded", lang=lang, hour="1",
                   strategy=strategy), "04 lab respond")  # fmt: skip
    click_and_wait(
        page,
        button(page, "crisis.advance.6h", lang),
        t("crisis.clock", lang=lang, day="X", time="X", hour="7").split("·")[-1].strip(),
        "04 lab +6 h",
    )
    panel = page.locator(".widget-html", has_text=t("crisis.kpis.title", lang=lang)).first
    shown = panel.inner_text()
    timeline = page.locator(".widget-html", has_text=t("crisis.timeline.title", lang=lang)).first.inner_text()
    print("moderation dragged to", moderation, "timeline:", " ".join(timeline.split())[-200:])

    # the same inputs, in-process: the same numbers
    from communitysim.ui.crisis_exercise import CrisisExercise

    set_language(lang)
    try:
        app = CrisisExercise()
        app.start()
        app.advance(1)
        app.strategy.value, app.moderation_share.value = "rebuild", moderation
        app.respond()
        app.advance(6)
        expected = app.kpis.value
    finally:
        set_language(None)
    assert live_numbers(shown) == live_numbers(expected), (shown, expected)

    # a written statement: read (what the reader found shown), made as the response (it replaces the first)
    page.get_by_placeholder(t("cm.statement_help", lang=lang)).fill(STATEMENTS[lang])
    page.wait_for_timeout(500)  # let the words reach the kernel
    page.locator("button.widget-button:visible", has_text=t("cm.read", lang=lang)).first.click()
    expect(page.locator(".cs-reading")).to_contain_text(t(f"cm.reading.scale.{lang}", lang=lang), timeout=30_000)
    choose(page, strategy)  # confirmed after reading (the reader may have suggested another)
    page.wait_for_timeout(300)
    click_and_wait(page, button(page, "crisis.respond", lang), t("crisis.responded", lang=lang, hour="7",
                   strategy=strategy), "04 lab statement")  # fmt: skip

    # to the end: finish, the report under the exercise, exported under a new name with a link in the page
    reports = servers["root"] / "out"
    before = set(reports.glob("after_action_report_*.html"))
    button(page, "crisis.finish", lang).click()
    comparison = page.locator(".widget-html h3", has_text=t("crisis.report.comparison", lang=lang))
    expect(comparison).to_have_count(1, timeout=180_000)
    debrief = page.locator(".widget-html", has=page.locator("h3", has_text=t("debrief.statements_title", lang=lang)))
    expect(debrief.last).to_contain_text(STATEMENTS[lang])  # the words, with what was read in them
    export = button(page, "crisis.export", lang)
    expect(export).to_be_enabled(timeout=30_000)
    export.click()
    expect(page.locator("a.cs-download").first).to_be_visible(timeout=60_000)
    (report,) = set(reports.glob("after_action_report_*.html")) - before
    document = report.read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", "\n", document, flags=re.DOTALL))
    assert f"lang='{lang}'" in document and t("crisis.report.title", lang=lang) in text
    assert not foreign(text, lang), foreign(text, lang)  # the report in the page's language only
    check_page(page, watch, lang, servers["logs"][:1])
    screenshot(page, f"crisis_lab_{lang}.png")
    page.close()


# --- the classroom in JupyterLab: a facilitator and two teams ----------------------------------------


def test_a_class_in_jupyterlab_two_teams_and_the_facilitator(servers, browser):
    lang, base = "fr", servers["lab"]
    facilitator = open_page(browser, "about:blank")
    watch_f = Watch(facilitator)
    create = button(facilitator, "class.create", lang)
    run_notebook_in_lab(facilitator, base, "07_classroom_facilitator.fr.ipynb", create)
    fields = facilitator.locator(".widget-text:visible input")
    fields.nth(1).fill("Cours E2E")  # the database, then the session's name
    fields.nth(2).fill("Rouge 1, Rouge-1")  # names that a careless file name would confuse
    facilitator.wait_for_timeout(500)
    click_and_wait(facilitator, create, t("class.created", lang=lang, session="Cours E2E"), "07 lab create")

    teams = {}
    for name, file in (("Rouge 1", "08_classroom_team.fr.ipynb"), ("Rouge-1", TEAM_B)):
        page = open_page(browser, "about:blank")
        watch = Watch(page)
        join = button(page, "class.join", lang)
        run_notebook_in_lab(page, base, file, join)
        page.locator(".widget-dropdown select:visible").nth(1).select_option(label=name)
        page.wait_for_timeout(300)
        click_and_wait(page, join, t("class.joined", lang=lang, team=name, hour="0"), "08 lab join")
        shown = page.locator(".cs-crisis").inner_text()
        assert t("crisis.type.false_rumour", lang=lang) in shown  # what the crisis is (the first scenario)
        teams[name] = (page, watch)

    red, _ = teams["Rouge 1"]
    click_and_wait(red, button(red, "crisis.advance.1h", lang), t("class.clock", lang=lang, team="Rouge 1", hour="1"),
                   "08 lab +1 h")  # fmt: skip
    inject = t("class.inject.journalist.title", lang=lang)
    click_and_wait(red, button(red, "crisis.advance.6h", lang),
                   t("class.stopped_at_inject", lang=lang, hour="3", inject=inject), "08 lab +6 h")  # fmt: skip
    strategy = t("crisis.strategy.rebuild", lang=lang)
    choose(red, strategy)
    slider = red.locator(".widget-slider:visible").filter(has=red.locator(".noUi-handle")).first
    moderation = drag_share(red, slider, 0.2, lang)
    red.locator("textarea:visible").last.fill("Nous assumons <b>tout</b>")
    red.wait_for_timeout(500)
    click_and_wait(red, button(red, "class.decide", lang),
                   t("class.decided", lang=lang, hour="3", strategy=strategy), "08 lab decide")  # fmt: skip
    blue, _ = teams["Rouge-1"]
    click_and_wait(blue, button(blue, "crisis.advance.1d", lang),
                   t("class.stopped_at_inject", lang=lang, hour="3", inject=inject), "08 lab +1 day")  # fmt: skip

    # the facilitator sees both teams, with the numbers their models give
    facilitator.bring_to_front()
    refresh = button(facilitator, "class.refresh", lang)
    refresh.click()
    dashboard = facilitator.locator(".widget-html", has_text=t("class.dashboard", lang=lang, session="Cours E2E",
                                                              status=t("class.running", lang=lang))).first  # fmt: skip
    expect(dashboard).to_contain_text("Rouge-1", timeout=60_000)
    set_language(lang)
    try:
        with Store(servers["db"]) as store:
            session = store.session("Cours E2E")
            for name in ("Rouge 1", "Rouge-1"):
                run = TeamRun(store, session, store.team(session, name))
                assert run.hour == 3.0
                values = run.kpis()
                row = dashboard.locator("tr", has=facilitator.locator("b", has_text=re.compile(f"^{name}$")))
                cells = row.locator("td").all_inner_texts()
                assert cells[1:] == ["3", str(len(run.decisions)), *(format_kpi(k, values[k]) for k in COMPARED_KPIS)]
            (decision,) = [e for e in store.events(store.team(session, "Rouge 1")) if e.kind == "decision"]
            assert decision.payload["moderation_share"] == pytest.approx(moderation)
    finally:
        set_language(None)

    # both teams finish: two reports, two files, two download links
    for page, _ in teams.values():
        page.bring_to_front()
        button(page, "crisis.finish", lang).click()
        expect(page.locator("a.cs-download").first).to_be_visible(timeout=180_000)
    reports = sorted((servers["root"] / "out").glob("report_*.html"))
    assert len(reports) == 2 and reports[0] != reports[1], reports
    for name, (page, watch) in teams.items():
        check_page(page, watch, lang, servers["logs"][:1])
        screenshot(page, f"classroom_team_lab_{name.replace(' ', '_')}.png")
    check_page(facilitator, watch_f, lang, servers["logs"][:1])
    screenshot(facilitator, "classroom_facilitator_lab.png")
    for page in (facilitator, *(p for p, _ in teams.values())):
        page.close()


# --- Voila: 04, 07 and 08 in both languages -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_crisis_pages_in_voila(servers, browser, lang):
    base = servers["voila"]
    from communitysim.classroom import create_session

    session = f"Voila {lang}"  # created in the trainer's language, as notebook 07 would
    set_language(lang)
    try:
        with Store(servers["db"]) as store:
            create_session(store, session, "crisis_offensive_post.yaml", teams=["Bleu", "Vert"],
                           overrides={"audience.size": 600, "seeding.size": 300})  # fmt: skip
    finally:
        set_language(None)

    page, watch = open_voila(browser, f"{base}/voila/render/{notebook('04_crisis_exercise.ipynb', lang)}")
    start = button(page, "crisis.start", lang)
    expect(start).to_be_visible(timeout=120_000)
    start.click()
    one_hour = button(page, "crisis.advance.1h", lang)
    expect(one_hour).to_be_enabled(timeout=90_000)
    click_and_wait(page, one_hour, t("crisis.clock", lang=lang, day="X", time="X", hour="1").split("·")[-1].strip(),
                   "04 voila +1 h")  # fmt: skip
    drag(page, page.locator(".widget-slider:visible").filter(has=page.locator(".noUi-handle")).first, 0.5)
    button(page, "crisis.finish", lang).click()  # make app: played to its report
    comparison = page.locator(".widget-html h3", has_text=t("crisis.report.comparison", lang=lang))
    expect(comparison).to_have_count(1, timeout=180_000)
    check_page(page, watch, lang, servers["logs"][1:])
    page.close()

    page, watch = open_voila(browser, f"{base}/voila/render/{notebook('07_classroom_facilitator.ipynb', lang)}")
    expect(button(page, "class.create", lang)).to_be_visible(timeout=120_000)
    sessions = page.locator(".widget-dropdown select:visible").nth(1)
    offered = [text.replace("\xa0", " ") for text in sessions.locator("option").all_inner_texts()]
    assert session in offered  # the menu lists the database's sessions
    sessions.select_option(label=session)
    click_and_wait(page, button(page, "class.open", lang), t("class.dashboard", lang=lang, session=session,
                   status=t("class.running", lang=lang)), "07 voila open")  # fmt: skip
    check_page(page, watch, lang, servers["logs"][1:])
    page.close()

    page, watch = open_voila(browser, f"{base}/voila/render/{notebook('08_classroom_team.ipynb', lang)}")
    join = button(page, "class.join", lang)
    expect(join).to_be_visible(timeout=120_000)
    page.locator(".widget-dropdown select:visible").first.select_option(label=session)
    page.wait_for_timeout(500)
    page.locator(".widget-dropdown select:visible").nth(1).select_option(label="Vert" if lang == "fr" else "Bleu")
    page.wait_for_timeout(300)
    team = "Vert" if lang == "fr" else "Bleu"
    click_and_wait(page, join, t("class.joined", lang=lang, team=team, hour="0"), "08 voila join")
    click_and_wait(page, button(page, "crisis.advance.1h", lang), t("class.clock", lang=lang, team=team, hour="1"),
                   "08 voila +1 h")  # fmt: skip
    # a decision with its rationale (markup stays text), saved before the page says so; then the report
    rebuild = t("crisis.strategy.rebuild", lang=lang)
    choose(page, rebuild)
    rationale = f"{team}: <b>now</b>"
    page.locator("textarea:visible").last.fill(rationale)  # the rationale, below the statement box
    page.wait_for_timeout(500)  # let the text reach the kernel
    click_and_wait(page, button(page, "class.decide", lang), t("class.decided", lang=lang, hour="1",
                   strategy=rebuild), "08 voila decision")  # fmt: skip
    with Store(servers["db"]) as store:
        events = store.events(store.team(store.session(session), team))
    (decision,) = [e for e in events if e.kind == "decision"]
    assert decision.payload["strategy"] == "rebuild" and decision.payload["rationale"] == rationale
    button(page, "crisis.finish", lang).click()
    expect(page.locator("a.cs-download").first).to_be_visible(timeout=180_000)  # the report is written, linked
    expect(page.get_by_text(rationale).first).to_be_visible(timeout=60_000)  # text, not markup
    check_page(page, watch, lang, servers["logs"][1:])
    page.close()
