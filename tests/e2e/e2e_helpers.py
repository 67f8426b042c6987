"""Shared pieces of the real-browser tests: free ports, server waits, page helpers, screenshots.

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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from communitysim.ui.messages import LANGUAGES, catalogue

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


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, proc: subprocess.Popen, path: str = "/api/status", ok=None, timeout: float = 90) -> None:
    """Wait until the server answers ``path`` (with a status in ``ok``, or any status when ``ok`` is None)."""
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited early with {proc.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if ok is None or status in ok:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port}{path}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server by its PID (Voila and Jupyter shut their kernels down on SIGTERM)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for_change(page, selector: str, old_text: str, timeout: float = 60.0) -> None:
    """Wait until the element's visible text differs from ``old_text`` (inner text, compared exactly)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if page.locator(selector).inner_text() != old_text:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} did not change within {timeout:g} s")


def open_page(browser, url: str):
    """A new page on ``url``, offline (the CDN font CSS is refused at once)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())
    page.goto(url, wait_until="domcontentloaded")
    return page


def set_slider(page, slider, value: int) -> None:
    """Type an exact value into an ipywidgets 8 slider's readout."""
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")  # Enter in a widget does not execute the cell


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


# --- one language at a time ------------------------------------------------------------------


def other_sentences(lang: str) -> set[str]:
    """Phrases of 3+ words from the other languages' catalogues that ``lang``'s catalogue never says."""
    own = " ".join(catalogue(lang).values())
    phrases = set()
    for other in LANGUAGES:
        if other == lang:
            continue
        for text in catalogue(other).values():
            for piece in re.split(r"\{[^}]*\}|[*`|#\[\]()<>\n:;.!?«»\"]", text):
                words = piece.split()
                if len(words) >= 3 and " ".join(words) not in own:
                    phrases.add(" ".join(words))
    return phrases


#: Short words that are sentences' glue in one language and never stand alone in the other.
GLUE = {
    "en": re.compile(r"\b(the|and|with|your|you|of the|is|are|this|when)\b", re.IGNORECASE),
    "fr": re.compile(r"\b(les|des|une|avec|vous|votre|est|sont|dans|pour)\b", re.IGNORECASE),
}


def foreign(text: str, lang: str) -> list[str]:
    """What in ``text`` belongs to another language: catalogue sentences, then lines full of its glue words."""
    flat = " ".join(text.split())
    found = sorted(p for p in other_sentences(lang) if p in flat)
    for other in LANGUAGES:
        if other != lang:
            found += [line for line in text.splitlines() if len(GLUE[other].findall(line)) >= 2]
    return found


# --- JupyterLab and the crisis exercise, shared by the lab tests ------------------------------


def lab_config(tmp: Path) -> Path:
    """A throw-away Jupyter config folder for a test lab: no news, no update check, its own workspace."""
    import json

    config = tmp / "config"
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    server = {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "workspaces_dir": str(tmp / "workspaces"),
        "user_settings_dir": str(config / "lab" / "user-settings"),
    }
    (config / "jupyter_server_config.json").write_text(json.dumps({"LabApp": server}))
    return config


@contextmanager
def running_lab(module: str, root: Path, tmp: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``python -m module`` (JupyterLab) on 127.0.0.1 without a token, config in ``tmp``; yields its URL."""
    environment = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    environment |= {"JUPYTER_CONFIG_DIR": str(lab_config(tmp)), **(env or {})}
    port = free_port()
    command = [sys.executable, "-m", module, "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
               *options]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    with open(tmp / "lab.log", "w") as log:
        proc = subprocess.Popen(command, cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(port, proc, ok={200})
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(proc)


def kernels_settled(base: str, single: bool = False, timeout: float = 90) -> None:
    """Wait until the server's kernels stay the same and idle for about 2 s (``single``: exactly one).

    JupyterLab may start a notebook's kernel twice on a fresh workspace and shut the first down:
    Run All during that window runs only the first cell.
    """
    import json
    import urllib.error
    import urllib.request

    start, seen, stable = time.time(), None, 0
    while time.time() - start < timeout:
        try:
            with urllib.request.urlopen(base + "/api/kernels", timeout=5) as answer:
                kernels = json.load(answer)
        except (urllib.error.URLError, OSError):  # a 500 while Lab replaces a kernel it started twice
            seen, stable = None, 0
            time.sleep(0.5)
            continue
        ids = tuple(sorted(k["id"] for k in kernels))
        idle = {k["execution_state"] for k in kernels} <= {"idle"} and (len(ids) == 1 or not single)
        stable = stable + 1 if (ids == seen and idle) else 0
        seen = ids
        if stable >= 4:  # about 2 s with the same idle kernels
            return
        time.sleep(0.5)
    raise TimeoutError(f"the kernels never settled: {seen}")


def restart_and_run_all(page, panel, ready, name: str = "notebook") -> None:
    """Restart the notebook's kernel and run every cell (the toolbar's button), until ``ready`` shows (3 tries)."""
    from playwright.sync_api import expect

    for attempt in range(3):
        panel.locator("jp-button[data-command='notebook:restart-run-all']").click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_be_visible(timeout=30_000)
        dialog.locator(".jp-mod-accept").click()
        try:
            expect(ready).to_be_visible(timeout=90_000)
            return
        except AssertionError:
            print(f"{name}: run all, attempt {attempt}: no widgets yet; again")
    expect(ready).to_be_visible(timeout=5_000)


#: A statement the learner writes in the crisis exercise, per language.
STATEMENTS = {
    "en": "We are deeply sorry for this post. We removed it and will review how it was approved.",
    "fr": "Nous sommes sincèrement désolés pour ce post. Nous l'avons retiré et allons revoir comment il a été validé.",
}


def play_crisis(page, lang: str, start) -> None:
    """Play the crisis exercise to its report: Start, +6 h, write and read a statement, respond with rebuild
    (confirmed or corrected), Finish; the report's debrief carries the words."""
    from playwright.sync_api import expect

    from communitysim.ui.messages import t

    start.click()
    six_hours = page.locator("button.widget-button", has_text=t("crisis.advance.6h", lang=lang))
    expect(six_hours).to_be_enabled(timeout=60_000)
    six_hours.click()
    hour_six = t("crisis.clock", lang=lang, day="X", time="X", hour="6").split("·")[-1].strip()
    expect(page.get_by_text(hour_six)).to_be_visible(timeout=60_000)
    page.get_by_placeholder(t("cm.statement_help", lang=lang)).fill(STATEMENTS[lang])
    page.wait_for_timeout(500)  # let the words reach the kernel
    page.locator("button.widget-button", has_text=t("cm.read", lang=lang)).click()
    expect(page.locator(".cs-reading")).to_contain_text(t(f"cm.reading.scale.{lang}", lang=lang), timeout=30_000)
    rebuild = t("crisis.strategy.rebuild", lang=lang)
    page.locator("select").filter(has=page.locator("option", has_text=rebuild)).select_option(label=rebuild)
    page.locator("button.widget-button", has_text=t("crisis.respond", lang=lang)).click()
    said = t("crisis.responded", lang=lang, hour="6", strategy=rebuild)
    expect(page.get_by_text(said)).to_be_visible(timeout=30_000)
    page.locator("button.widget-button", has_text=t("crisis.finish", lang=lang)).click()
    comparison = page.locator(".widget-html h3", has_text=t("crisis.report.comparison", lang=lang))
    expect(comparison).to_have_count(1, timeout=180_000)  # the report, under the exercise
    debrief = page.locator(".widget-html", has=page.locator("h3", has_text=t("debrief.statements_title", lang=lang)))
    expect(debrief.last).to_contain_text(STATEMENTS[lang])  # the words, with what was read in them
