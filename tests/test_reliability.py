"""Nothing a user does loses or overwrites their work, and no input runs forever (issue 15).

Each test holds one promise of README's "Reliability" section: outputs appear together or not at
all, names never escape their folder, checkpoints keep only their own sweep's runs, readers refuse
what would never end before building anything, and every mistake is one line (exit 2), never a
traceback.
"""

import errno
import os
import resource
import signal
import subprocess
import sys
import time

import pytest
import yaml

import communitysim as cs
from communitysim.cli import main
from communitysim.files import clean_text, load_yaml, safe_name
from communitysim.messages import number, percent
from communitysim.scenario import ScenarioError
from helpers import ROOT, SCENARIOS, small

#: A 9-level YAML alias bomb (443 bytes): 9^9 values once expanded.
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def _cli(*argv, timeout=120):
    """The command in its own process (a hang is a failed test, not a stuck suite)."""
    return subprocess.run(
        [sys.executable, "-m", "communitysim", *map(str, argv)],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "COMMUNITYSIM_LANG": "en"},
    )  # fmt: skip


def _children_cpu():
    """CPU seconds used by finished child processes (wall time is disturbed by a busy machine)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _one_line_error(capsys, code, status=2):
    """The command failed with ``status`` and said why on exactly one line, no traceback."""
    err = capsys.readouterr().err
    assert code == status, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def _write(path, data):
    path.write_text(yaml.safe_dump(data) if isinstance(data, dict) else data)
    return path


# --- readers that never end or eat the machine --------------------------------------------------


def test_an_alias_bomb_fails_fast_in_one_line(tmp_path):
    bomb = _write(tmp_path / "bomb.yaml", BOMB)
    assert len(BOMB) < 500
    start = _children_cpu()
    done = _cli("validate", bomb)
    listing = _cli("scenarios", "--dir", tmp_path)
    assert _children_cpu() - start < 20  # CPU seconds, two process starts included; was 88 s and 3.2 GB

    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "aliases" in done.stderr, done.stderr
    assert listing.returncode == 0 and listing.stdout.startswith("bomb ") and "not a valid" in listing.stdout


def test_a_fifo_a_folder_and_proc_named_like_scenarios_are_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")  # opened for reading, a FIFO waits for a writer forever
    (tmp_path / "folder.yaml").mkdir()
    _write(tmp_path / "ok.yaml", {"name": "ok"})
    listing = _cli("scenarios", "--dir", tmp_path, timeout=30)
    assert listing.returncode == 0, listing.stderr
    lines = {line.split()[0]: line for line in listing.stdout.splitlines()}
    assert "not a valid" in lines["pipe"] and "not a valid" in lines["folder"]
    assert "not a valid" not in lines["ok"]
    for target, words in ((tmp_path / "pipe.yaml", "not a regular file"), (tmp_path / "folder.yaml", "a folder")):
        done = _cli("validate", target, timeout=30)
        assert done.returncode == 2 and words in done.stderr and done.stderr.count("\n") == 1, done.stderr
    proc = _cli("validate", "/proc/self/status", timeout=30)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: " + "[" * 5000 + "]" * 5000, "nested more than"),  # was RecursionError
        ("name: a\ncrises: []\ncrises: [{type: data_leak}]\n", "given twice"),  # the second one silently won
        ("name: " + "x" * 1_100_000, "larger than"),
    ],
    ids=["deep", "duplicate-key", "large"],
)
def test_yaml_limits_are_one_line(tmp_path, capsys, text, words):
    path = _write(tmp_path / "s.yaml", text)
    err = _one_line_error(capsys, main(["validate", str(path)]))
    assert words in err


def test_merge_keys_may_still_override_what_they_merge():
    assert load_yaml("base: &b {x: 1, y: 2}\nthis: {<<: *b, y: 3}\n", "s.yaml")["this"] == {"x": 1, "y": 3}


# --- sizes a user can type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sets", "words"),
    [
        (["crisis_dynamics.step_hours=0.001"], "crisis_dynamics.step_hours"),  # validated, then never finished
        (["crisis_dynamics.step_hours=1e-30"], "crisis_dynamics.step_hours"),
        (["step_hours=5e-324"], "step_hours"),  # OverflowError
        (["days=1e-9"], "less than one step"),  # rounded to 0 steps
        (["audience.affinity.spread=1e-300"], "audience.affinity.spread"),  # ZeroDivisionError at run
        (["engagement.post_decay_stretch=1e-300"], "post_decay_stretch"),
        (["objectives.0.target=.nan"], "objectives.0.target"),  # a target no run can pass
        (["objectives.0.target=.inf"], "objectives.0.target"),
        (["objectives.0.target=1e308"], None),  # a number formatted in messages: fine
        (["crises.0.start_day=1e308"], "crises.0.start_day"),  # decimal.InvalidOperation in the message
        (["name=" + "x" * 300], "name"),  # ENAMETOOLONG in a sweep's file name
        (["name=Red\u202e1"], "invisible"),  # right-to-left override: name spoofing in reports
        (["audience.size=1000000", "audience.network.kind=barabasi_albert"], "barabasi_albert"),
    ],
)
def test_sizes_and_numbers_a_user_types_are_bounded_in_one_line(capsys, sets, words):
    scenario = SCENARIOS / "crisis_product_recall.yaml"
    code = main(["validate", str(scenario), *[f"--set={s}" for s in sets]])
    if words is None:
        assert code == 0, capsys.readouterr().err
        return
    assert words in _one_line_error(capsys, code)


def test_numbers_too_large_for_a_pattern_are_still_written():
    assert number(1e308) == "1E308" and number(2**80).startswith("1.209E") and number(float("inf")) == "∞"
    assert percent(1e20).endswith("%")


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", True])
def test_a_bad_seed_is_named(seed):
    with pytest.raises(ScenarioError, match=r"^seed: expected a whole number >= 0"):
        cs.run(small(days=5), seed=seed)


def test_counts_a_sweep_cannot_hold_are_refused_before_anything_is_allocated(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sweep", str(SCENARIOS / "bakery_launch.yaml"), "--grid", "days=30", "--reps", "1000000"])
    assert "--reps" in _one_line_error(capsys, exit_.value.code)
    from communitysim.sweeps import sweep

    with pytest.raises(ScenarioError, match="replications"):
        sweep(small(), {"strategy.posts_per_week": list(range(1, 41))}, replications=10_000, backend="serial")


# --- names that reach file paths ----------------------------------------------------------------


def test_safe_names_stay_in_their_folder_and_are_short():
    assert safe_name("/../../escaped") == "escaped" and "/" not in safe_name("Bakery 2024/25")
    assert len(safe_name("é" * 300)) == 60 and safe_name("..") == "unnamed"
    assert clean_text("Red\u202e1\x00\n") == "Red1"


@pytest.mark.parametrize("name", ["/../../escaped", "Bakery 2024/25", "..", "x" * 100])
def test_a_sweep_table_stays_in_out_whatever_the_scenario_name(tmp_path, capsys, name):
    out = tmp_path / "deep" / "out"
    scenario = _write(tmp_path / "s.yaml", small(days=5, audience={"size": 60}, seeding={"size": 5}))
    code = main(["sweep", str(scenario), "--grid", "strategy.posts_per_week=1", "--reps", "1",
                 "--backend", "serial", "--no-progress", "--set", f"name={name}", "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".parquet"]
    assert len(files) == 1 and files[0].parent == out, files
    assert str(files[0]) in capsys.readouterr().out


# --- outputs appear together or not at all ------------------------------------------------------


def test_run_out_on_a_full_disk_leaves_the_previous_results_intact(tmp_path, capsys, monkeypatch):
    scenario = _write(tmp_path / "s.yaml", small(days=10, audience={"size": 200}))
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--seed", "1", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == {"timeseries.csv", "kpis.json", "dashboard.png"}
    capsys.readouterr()
    calls = []

    def full_disk(fd):
        calls.append(fd)
        if len(calls) == 2:  # the first file went out, the second does not fit
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    err = _one_line_error(capsys, main(["run", str(scenario), "--seed", "2", "--out", str(out)]), status=1)
    assert "No space left on device" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no new file, no staging folder left


def test_calibrate_checks_its_outputs_and_horizon_before_fitting_and_writes_at_the_end(tmp_path, capsys):
    export = ROOT / "examples" / "page_export.csv"
    out = tmp_path / "fit.yaml"
    cases = [
        (["--forecast", "5000"], "--forecast 5000"),
        (["--plot", str(tmp_path)], "--plot"),  # a folder: used to fail after writing the scenario
        (["--out", str(tmp_path / ("x" * 300 + ".yaml"))], "255 bytes"),
    ]
    for options, words in cases:
        start = time.process_time()
        code = main(["calibrate", str(export), "--out", str(out), "--bootstrap", "10000", *options])
        assert words in _one_line_error(capsys, code)
        assert time.process_time() - start < 5  # no fit ran (10,000 bootstrap refits would take minutes)
        assert not out.exists()


def test_an_export_with_mixed_time_zones_or_huge_counts_is_one_line_or_read(tmp_path, capsys):
    from communitysim.calibration import read_export

    zones = _write(tmp_path / "zones.csv", "date,followers\n2026-01-01T10:00+01:00,5\n2026-01-02T10:00Z,6\n"
                                           "2026-01-03,8\n2026-01-04T10:00-05:00,9\n")  # fmt: skip
    assert list(read_export(zones).data["day"]) == [0, 1, 2, 3]  # was TypeError
    huge = _write(tmp_path / "huge.csv", "date,followers\n2026-01-01,5\n2026-01-02,1e20\n2026-01-03,8\n")
    with pytest.raises(ScenarioError, match="row 3, column followers: expected a count up to"):
        read_export(huge)
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:  # 21 MB: refused without being parsed (a 200 MB one took 211 s)
        handle.truncate(21_000_000)
    with pytest.raises(ScenarioError, match="larger than"):
        read_export(big)


def test_the_calibration_lab_never_replaces_a_shipped_scenario(tmp_path, monkeypatch):
    from communitysim.ui import calibration_lab as lab_module

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shipped = (SCENARIOS / "classroom_bakery.yaml").read_text()
    (folder / "classroom_bakery.yaml").write_text(shipped)
    monkeypatch.setattr(lab_module, "scenario_dir", lambda: folder)
    app = lab_module.CalibrationLab(bootstrap=5, replications=3)
    app.use_sample()
    app.name.value = "classroom_bakery"
    app.save()
    assert "already exists" in app.status.value
    assert (folder / "classroom_bakery.yaml").read_text() == shipped
    app.name.value = "my_page"
    app.save()
    app.save()  # its own earlier calibration: saved again
    assert (folder / "my_page.yaml").read_text().startswith("# written by communitysim calibrate")


# --- one clear line, never a traceback ----------------------------------------------------------


def test_late_checks_run_first(capsys, monkeypatch):
    from communitysim import sweeps

    monkeypatch.setattr(sweeps, "run_one", lambda *a: pytest.fail("a run started before --kpi was checked"))
    bakery = str(SCENARIOS / "bakery_launch.yaml")
    err = _one_line_error(capsys, main(["sweep", bakery, "--grid", "strategy.posts_per_week=1,2", "--kpi", "nope",
                                        "--backend", "serial"]))  # fmt: skip
    assert "--kpi nope: unknown KPI" in err
    err = _one_line_error(capsys, main(["sensitivity", bakery, "--param", "foo.bar=0:1", "--backend", "serial"]))
    assert "foo: unknown field" in err  # was KeyError
    err = _one_line_error(capsys, main(["sweep", bakery, "--grid", "days=365", "--backend", "dask",
                                        "--scheduler", "not a url", "--no-progress"]))  # fmt: skip
    assert "--scheduler not a url" in err  # was ValueError


def test_a_graphml_edge_without_target_is_refused(tmp_path):
    graph = tmp_path / "g.graphml"
    graph.write_text(
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<graph edgedefault="undirected"><node id="a"/><node id="b"/><node id="c"/>'
        '<edge source="a" target="b"/><edge source="c"/></graph></graphml>'
    )
    scenario = small(days=2, audience={"size": 3, "network": {"kind": "file", "path": str(graph)}}, seeding={"size": 1})
    with pytest.raises(ScenarioError, match="an edge has no source or no target"):
        cs.run(scenario, seed=1)


def test_a_dask_local_cluster_serves_no_pages():
    pytest.importorskip("dask.distributed")
    import urllib.error
    import urllib.request

    from communitysim.sweeps import local_cluster

    with local_cluster(0) as cluster:
        addresses = [s.getsockname()[:2] for s in cluster.scheduler.http_server._sockets.values()]
        assert addresses and all(host == "127.0.0.1" and port != 8787 for host, port in addresses)
        for host, port in addresses:
            for page in ("status", "info/main/workers.html", "metrics"):
                with pytest.raises(urllib.error.HTTPError, match="404"):
                    urllib.request.urlopen(f"http://{host}:{port}/{page}", timeout=5)


def test_a_sigkilled_sweep_leaves_no_worker_alive(tmp_path):
    psutil = pytest.importorskip("psutil")
    scenario = _write(tmp_path / "s.yaml", {"name": "k", "days": 365, "audience": {"size": 3000}})
    command = [sys.executable, "-m", "communitysim", "sweep", str(scenario), "--grid", "strategy.posts_per_week=1,2,3",
               "--reps", "4", "--workers", "2", "--no-progress", "--out", str(tmp_path / "o")]  # fmt: skip
    sweep = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(sweep.pid)
    try:
        deadline = time.monotonic() + 90
        while len(parent.children(recursive=True)) < 4 and time.monotonic() < deadline:  # forkserver, tracker, 2
            time.sleep(0.2)
        helpers = parent.children(recursive=True)
        assert len(helpers) >= 4, helpers
    finally:
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait()
    deadline = time.monotonic() + 20
    alive = helpers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    for process in alive:  # a failed test still cleans up after itself
        process.kill()
    assert not alive, [p.cmdline()[-1][:60] for p in alive]


# --- the classroom ------------------------------------------------------------------------------


def test_the_classroom_store_refuses_cross_session_writes_and_values_it_could_not_reopen():
    from communitysim.classroom import ClassroomError, Store
    from communitysim.classroom.exercise import TeamRun, create_session

    store = Store(":memory:")
    overrides = {"audience.size": 200, "seeding.size": 20}
    a = create_session(store, "A", "crisis_product_recall.yaml", ["Red"], overrides=overrides)
    b = create_session(store, "B\x00\u202e", "crisis_product_recall.yaml", ["Blue\u202e"], overrides=overrides)
    assert b.name == "B" and [team.name for team in store.teams(b)] == ["Blue"]  # NUL and RLO stripped
    blue = store.teams(b)[0]
    with pytest.raises(ClassroomError, match="not a team of session 'A'"):
        TeamRun(store, a, blue)
    with pytest.raises(ClassroomError, match="not a team of session 'A'"):
        store.log(blue, "advance", 1.0, {}, session=a)
    assert store.events(blue) == []
    on_demand = next(inject for inject in store.injects(a) if inject.hour is None)
    with pytest.raises(ClassroomError, match="not a team of session 'A'"):
        store.release(a, on_demand, blue)
    for seed, pace in ((-1, None), (1.5, None), (7, float("inf")), (7, float("nan"))):
        with pytest.raises(ClassroomError):
            create_session(store, f"C{seed}{pace}", "crisis_product_recall.yaml", ["T"], seed=seed,
                           pace_hours_per_minute=pace, overrides=overrides)  # fmt: skip
    red = TeamRun(store, a, store.teams(a)[0])
    with pytest.raises(ClassroomError, match="longer than"):
        red.decide("apologize", rationale="x" * 10_000_000)


def test_an_inject_at_hour_inf_is_refused():
    from communitysim.classroom import ClassroomError
    from communitysim.classroom.exercise import validate_injects

    with pytest.raises(ClassroomError):
        validate_injects([{"hour": float("inf"), "kind": "call", "title": "A call", "body": "..."}])


def test_a_file_that_is_not_a_classroom_database_is_said_so(tmp_path):
    from communitysim.ui.classroom_team import TeamApp

    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not SQLite" * 100)
    app = TeamApp(path=str(path))
    assert "not a classroom database" in app.status.value


def test_the_readme_reliability_table_names_tests_that_exist():
    import re

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Reliability") : readme.index("## Performance")]
    named = re.findall(r"`(?:(test_\w+)\.py::)?(test_\w+)`", section)
    assert len(named) >= 15
    for module, name in named:
        text = (ROOT / "tests" / f"{module or 'test_reliability'}.py").read_text()
        assert f"def {name}(" in text, name
