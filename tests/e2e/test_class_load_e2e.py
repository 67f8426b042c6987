"""A class on laptops, under load: ``communitysim class`` serving 30 team pages and the facilitator.

One server (``communitysim class --ip 0.0.0.0``, reached through the machine's network address) and
one session of 30 teams. The teams arrive ARRIVAL seconds apart (a class opening its laptops over
two minutes), and each plays a 2-hour class's worth of moves, compressed (a short think time between
clicks instead of minutes): join, then SCRIPT (clock moves and decisions with a rationale). 3 teams
are driven by real browsers (chromium), the others by light websocket clients
(:mod:`widget_client`: the messages the page's JavaScript sends). Meanwhile the facilitator's
dashboard (its own server, its own password) refreshes every few seconds.

Checked: every decision is committed (the SQLite log holds each team's decisions, in order) and
shown (each page said "Decision saved", the facilitator's dashboard counts them all), none lost;
every page answered each click. Printed: median and 95th percentile click-to-update times (pages
and dashboard), the kernels' memory. Also checked first: nothing answers without the join code or
the password (pages, APIs, kernel websockets), and the join code does not open the facilitator's.

``COMMUNITYSIM_LOAD_TEAMS`` changes the number of teams (default 30); ``make test-load`` runs this
file alone and prints the figures README quotes.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_helpers import CHROMIUM, FLAGS, SHOTS, free_port, stop, wait_http
from widget_client import WidgetPage

from communitysim.classroom import Store, create_session
from communitysim.classroom.serve import _address
from communitysim.messages import t
from communitysim.ui.crisis_exercise import CLOCK

TEAMS = int(os.environ.get("COMMUNITYSIM_LOAD_TEAMS", "30"))
BROWSERS = min(3, TEAMS)
SESSION = "Load class"
CODE, PASSWORD = "JOIN2345", "facilitator-secret-7"
#: A 2-hour class, compressed: clock moves (hours) and decisions (strategy, tone), in order.
SCRIPT = [
    ("advance", 1), ("decide", "rebuild"), ("advance", 1), ("advance", 6), ("decide", "diminish"),
    ("advance", 1), ("decide", "rebuild"), ("advance", 6), ("advance", 1), ("decide", "deny"),
    ("advance", 6), ("decide", "rebuild"),
]  # fmt: skip
DECISIONS = sum(kind == "decide" for kind, _ in SCRIPT)
#: A learner reads the page between clicks (seconds, uniform); compressed from minutes.
THINK = (0.5, 2.0)
#: Teams arrive one after the other, this many seconds apart (a class opens its laptops over a couple of minutes).
ARRIVAL = 4.0
CLOCK_KEYS = dict(CLOCK)


def _get(host: str, port: int, path: str, headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", path, headers=headers or {})
    status = connection.getresponse().status
    connection.close()
    return status


@pytest.fixture(scope="module")
def served_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class-load")
    database = folder / "class.sqlite"
    teams = [f"T{i:02d}" for i in range(1, TEAMS + 1)]
    with Store(database) as store:
        # no timed injects: the clock would stop at them (tested elsewhere); this test counts clicks and decisions
        create_session(store, SESSION, "crisis_offensive_post.yaml", teams=teams, injects=[],
                       overrides={"audience.size": 600, "seeding.size": 300})  # fmt: skip
    port = free_port()
    while _free(port + 1) is False:
        port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | {"COMMUNITYSIM_LANG": "en"}
    command = [sys.executable, "-m", "communitysim", "class", "--db", str(database), "--ip", "0.0.0.0",
               f"--port={port}", f"--join-code={CODE}", f"--password={PASSWORD}",
               "--folder", str(folder / "pages")]  # fmt: skip
    with open(folder / "class.log", "w") as log:
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(port, proc, path="/login", ok={200}, timeout=300)
            wait_http(port + 1, proc, path="/login", ok={200}, timeout=300)
            yield {"host": _address("0.0.0.0"), "port": port, "database": database, "teams": teams, "log": folder}
        finally:
            stop(proc)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def test_nothing_answers_without_the_join_code_or_the_password(served_class):
    host, port = served_class["host"], served_class["port"]
    assert not host.startswith("127."), "the class is reached through the machine's network address"
    kernel = "/api/kernels/00000000-0000-0000-0000-000000000000"  # 404 once authenticated: no such kernel
    for where in (port, port + 1):
        for path in ("/", kernel, "/api/kernels", "/api/sessions", "/api/contents", "/voila/render/x", "/tree"):
            status = _get(host, where, path)
            assert status in (302, 403, 404), (where, path, status)
            if path in ("/", kernel):
                assert status in (302, 403), (where, path, status)
        for wrong in ("token wrong-code", "token ", f"token {CODE.lower()}"):
            assert _get(host, where, kernel, {"Authorization": wrong}) in (302, 403)
    # each secret opens its own server only: the join code does not open the facilitator's dashboard
    assert _get(host, port, kernel, {"Authorization": f"token {CODE}"}) == 404
    assert _get(host, port + 1, kernel, {"Authorization": f"token {CODE}"}) == 403
    assert _get(host, port + 1, kernel, {"Authorization": f"token {PASSWORD}"}) == 404
    assert _get(host, port, kernel, {"Authorization": f"token {PASSWORD}"}) == 403
    # a kernel's websocket is refused without the code, even with the kernel's id
    page = WidgetPage(f"http://{host}:{port}", token=CODE)

    async def scenario():
        await page.open()
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect

        url = f"ws://{host}:{port}/api/kernels/{page.kernel_id}/channels?session_id=x"
        with pytest.raises((HTTPClientError, OSError)):
            await websocket_connect(HTTPRequest(url))
        await page.close()

    asyncio.run(scenario())


async def _team_by_socket(base: str, team: str, seed: int) -> dict:
    rng = random.Random(seed)
    await asyncio.sleep(seed * ARRIVAL)
    page = WidgetPage(base, token=CODE)
    start = time.perf_counter()
    await page.open(timeout=900)
    loaded = time.perf_counter() - start
    page.choose(page.find("DropdownModel", tooltip=t("class.team")), team)
    await asyncio.sleep(0.2)
    times = [await page.click(page.find("ButtonModel", description=t("class.join")), f"Team {team} joined")]
    hour, saved = 0, 0
    strategy = page.find("DropdownModel", tooltip=t("crisis.response.strategy"))
    rationale = page.find("TextareaModel", tooltip=t("class.rationale"))
    for kind, value in SCRIPT:
        await asyncio.sleep(rng.uniform(*THINK))
        if kind == "advance":
            hour += value
            button = page.find("ButtonModel", description=t(CLOCK_KEYS[value]))
            times.append(await page.click(button, t("class.clock", team=team, hour=hour)))
        else:
            page.choose(strategy, t(f"crisis.strategy.{value}"))
            page.set(rationale, value=f"{team} at hour {hour}: {value}")
            await asyncio.sleep(0.1)
            times.append(await page.click(page.find("ButtonModel", description=t("class.decide")),
                                          f"Decision saved at hour {hour}:"))  # fmt: skip
            saved += 1
    await page.close()
    return {"team": team, "times": times, "saved": saved, "load": loaded, "kind": "socket"}


async def _team_by_browser(browser, base: str, team: str, seed: int) -> dict:
    from playwright.async_api import expect

    rng = random.Random(seed)
    await asyncio.sleep(seed * ARRIVAL)
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    await page.route("**/cdn.jsdelivr.net/**", lambda route: route.abort())
    start = time.perf_counter()
    await page.goto(f"{base}/?token={CODE}", wait_until="domcontentloaded", timeout=900_000)
    join = page.locator("button.widget-button", has_text=t("class.join"))
    await expect(join).to_be_visible(timeout=900_000)
    loaded = time.perf_counter() - start
    teams = page.locator("select").filter(has=page.locator("option", has_text="T01"))
    await teams.select_option(label=team)
    await page.wait_for_timeout(300)
    times = []

    async def timed(action, text: str) -> None:
        begin = time.perf_counter()
        await action()
        await expect(page.get_by_text(text).first).to_be_visible(timeout=300_000)
        times.append(time.perf_counter() - begin)

    await timed(join.click, f"Team {team} joined")
    hour, saved = 0, 0
    for kind, value in SCRIPT:
        await page.wait_for_timeout(rng.uniform(*THINK) * 1000)
        if kind == "advance":
            hour += value
            button = page.locator("button.widget-button", has_text=t(CLOCK_KEYS[value]))
            await timed(button.first.click, t("class.clock", team=team, hour=hour))
        else:
            label = t(f"crisis.strategy.{value}")
            await page.locator("select").filter(has=page.locator("option", has_text=label)).select_option(label=label)
            await page.locator("textarea").last.fill(f"{team} at hour {hour}: {value}")
            await page.wait_for_timeout(400)  # the text reaches the kernel
            decide = page.locator("button.widget-button", has_text=t("class.decide"))
            await timed(decide.click, f"Decision saved at hour {hour}:")
            saved += 1
    if team == "T01":
        SHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SHOTS / "class_load_team.png"), full_page=True)
    await page.close()
    return {"team": team, "times": times, "saved": saved, "load": loaded, "kind": "browser"}


async def _facilitator(base: str, done: asyncio.Event) -> dict:
    page = WidgetPage(base, token=PASSWORD)
    await page.open()
    sessions = page.find("DropdownModel", tooltip=t("class.session"))
    page.choose(sessions, SESSION)
    await page.click(page.find("ButtonModel", description=t("class.open")), SESSION, timeout=600)
    refresh = page.find("ButtonModel", description=t("class.refresh"))
    times = []
    while not done.is_set():
        times.append(await page.click(refresh, timeout=600))
        await asyncio.sleep(3)
    times.append(await page.click(refresh, timeout=600))
    dashboard = next(v["value"] for v in page.states.values() if "cs-dashboard" in str(v.get("value", "")))
    await page.close()
    return {"times": times, "dashboard": dashboard}


def _kernels_memory() -> list[int]:
    """Resident memory (MiB) of each running classroom kernel (the memory-bounded kernel spec's)."""
    sizes = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"communitysim.classroom.kernel" not in (proc / "cmdline").read_bytes():
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        rss = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        if rss:
            sizes.append(int(rss[0].split()[1]) // 1024)
    return sizes


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def test_thirty_teams_play_at_once_and_nothing_is_lost(served_class):
    from playwright.async_api import async_playwright

    host, port = served_class["host"], served_class["port"]
    base, facilitator_base = f"http://{host}:{port}", f"http://{host}:{port + 1}"
    teams = served_class["teams"]
    peak: list[list[int]] = []

    async def watch(done: asyncio.Event) -> None:
        while not done.is_set():
            peak.append(_kernels_memory())
            await asyncio.sleep(2)

    async def scenario():
        done = asyncio.Event()
        start = time.perf_counter()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            watcher = asyncio.create_task(watch(done))
            facilitator = asyncio.create_task(_facilitator(facilitator_base, done))
            jobs = [
                _team_by_browser(browser, base, team, i) if i < BROWSERS else _team_by_socket(base, team, i)
                for i, team in enumerate(teams)
            ]
            results = await asyncio.gather(*jobs)
            done.set()
            dashboard = await facilitator
            await watcher
            await browser.close()
        wall = time.perf_counter() - start
        return results, dashboard, wall

    results, dashboard, wall = asyncio.run(scenario())

    # every decision committed, in order, none lost; every page said so
    with Store(served_class["database"]) as store:
        session = store.session(SESSION)
        for team in teams:
            decisions = [e for e in store.events(store.team(session, team)) if e.kind == "decision"]
            assert [d.payload["strategy"] for d in decisions] == [v for k, v in SCRIPT if k == "decide"], team
            assert all(d.payload["rationale"].startswith(f"{team} at hour") for d in decisions)
    assert all(r["saved"] == DECISIONS for r in results)
    # the facilitator's dashboard was live and counts every team's decisions
    for team in teams:
        assert f"<b>{team}</b></td><td>" in dashboard["dashboard"], team
    assert dashboard["dashboard"].count(f"<td>{DECISIONS}</td>") >= TEAMS

    clicks = [x for r in results for x in r["times"]]
    by_browser = [x for r in results if r["kind"] == "browser" for x in r["times"]]
    loads = [r["load"] for r in results]
    kernels = max(peak, key=sum) if peak else []
    figures = {
        "teams": TEAMS, "browsers": BROWSERS, "clicks": len(clicks), "wall_s": round(wall, 1),
        "click_median_s": round(statistics.median(clicks), 2), "click_p95_s": round(_percentile(clicks, 0.95), 2),
        "browser_click_median_s": round(statistics.median(by_browser), 2),
        "browser_click_p95_s": round(_percentile(by_browser, 0.95), 2),
        "page_load_median_s": round(statistics.median(loads), 1), "page_load_max_s": round(max(loads), 1),
        "dashboard_refreshes": len(dashboard["times"]),
        "dashboard_refresh_median_s": round(statistics.median(dashboard["times"]), 2),
        "dashboard_refresh_p95_s": round(_percentile(dashboard["times"], 0.95), 2),
        "kernels": len(kernels), "kernel_rss_median_mib": statistics.median(kernels) if kernels else None,
        "kernels_rss_total_mib": sum(kernels),
    }  # fmt: skip
    print("\nclass load:", json.dumps(figures, indent=1))
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "class_load.json").write_text(json.dumps(figures, indent=1))
    assert len(clicks) == TEAMS * (1 + len(SCRIPT))
    assert figures["click_p95_s"] < 30, figures  # a learner waits for seconds, not minutes
