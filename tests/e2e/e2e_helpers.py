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
import time
from pathlib import Path

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
