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

from communitysim.messages import LANGUAGES, catalogue

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


def open_page(browser, url: str):
    """A new page on ``url``, offline (the CDN font CSS is refused at once)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"https://cdn\.jsdelivr\.net/.*"), lambda route: route.abort())
    page.goto(url, wait_until="domcontentloaded")
    return page


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
