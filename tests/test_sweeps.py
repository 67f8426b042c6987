"""Sweeps: seeds, backends, resume, the statistics, the Parquet table, bad grids, the CLI; sensitivity analysis."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import communitysim.sweeps as sweep_module
from communitysim.cli import main
from communitysim.scenario import ScenarioError
from communitysim.sensitivity import sensitivity
from communitysim.sweeps import SweepTable, grid_points, replication_seeds, sweep
from helpers import small

TINY = small(audience={"size": 400}, days=30)
GRID = {"strategy.posts_per_week": [1, 7, 21]}


def tiny_sweep(**kwargs):
    options = {"replications": 3, "seed": 1, "backend": "serial", "progress": False, **kwargs}
    return sweep(TINY, GRID, **options)


# --- seeds --------------------------------------------------------------------------------------


def test_replication_seeds_are_distinct_reproducible_and_prefix_stable():
    seeds = replication_seeds(1, 50)
    assert len(set(seeds)) == 50
    assert replication_seeds(1, 50) == seeds
    assert replication_seeds(1, 5) == seeds[:5]  # adding replications keeps the first ones
    assert set(replication_seeds(2, 50)).isdisjoint(seeds)
    assert all(0 <= s < 2**63 for s in seeds)  # fit a signed 64-bit Parquet column


def test_each_replication_uses_its_seed_at_every_point_and_replications_differ():
    table = tiny_sweep()
    by_rep = table.runs.groupby("replication")["seed"].nunique()
    assert (by_rep == 1).all()
    assert list(table.runs.groupby("replication")["seed"].first()) == replication_seeds(1, 3)
    engagements = table.runs[table.runs["point"] == 1]["engagements"]
    assert engagements.nunique() > 1  # independent replications do not repeat one another


# --- backends -----------------------------------------------------------------------------------


def test_the_backends_give_the_same_table():
    from dask.distributed import LocalCluster

    serial = tiny_sweep(replications=2)
    processes = tiny_sweep(replications=2, backend="processes", workers=2)
    pd.testing.assert_frame_equal(serial.runs, processes.runs)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        dask = tiny_sweep(replications=2, backend="dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(serial.runs, dask.runs)


def test_an_unreachable_scheduler_is_one_line():
    with pytest.raises(ScenarioError, match=r"--scheduler tcp://127\.0\.0\.1:9: could not connect"):
        tiny_sweep(backend="dask", scheduler="tcp://127.0.0.1:9")


# --- saving and resuming ------------------------------------------------------------------------


def test_the_parquet_table_holds_what_reproduces_any_run(tmp_path):
    table = tiny_sweep(out=tmp_path)
    (path,) = tmp_path.glob("sweep_small_*.parquet")
    assert not list(tmp_path.glob("*.partial.jsonl"))  # the checkpoint is gone once the table is whole
    loaded = SweepTable.load(path)
    pd.testing.assert_frame_equal(loaded.runs, table.runs)
    meta = loaded.meta
    assert meta["master_seed"] == 1 and meta["seeds"] == replication_seeds(1, 3)
    assert meta["scenario"]["audience"]["size"] == 400 and len(meta["scenario_hash"]) == 64
    assert meta["version"] and meta["grid"] == GRID
    row = loaded.runs.iloc[4]
    again = loaded.reproduce(int(row["point"]), int(row["replication"]))
    assert again.kpis["engagements"] == row["engagements"] and again.kpis["members"] == row["members"]


def test_a_finished_sweep_is_not_run_again(tmp_path, monkeypatch):
    first = tiny_sweep(out=tmp_path)
    monkeypatch.setattr(sweep_module, "run_one", lambda *a: pytest.fail("a finished run ran again"))
    pd.testing.assert_frame_equal(tiny_sweep(out=tmp_path).runs, first.runs)


def _interrupted_sweep(tmp_path, monkeypatch, runs):
    """A tiny sweep into ``tmp_path`` stopped (Ctrl-C) after ``runs`` runs; its checkpoint file."""
    real = sweep_module.run_one
    calls = []

    def stop_after(*args):
        if len(calls) == runs:
            raise KeyboardInterrupt
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(sweep_module, "run_one", stop_after)
    with pytest.raises(KeyboardInterrupt):
        tiny_sweep(out=tmp_path)
    monkeypatch.setattr(sweep_module, "run_one", real)
    (checkpoint,) = tmp_path.glob("*.partial.jsonl")
    return checkpoint


def test_a_resumed_sweep_runs_only_the_missing_runs_and_survives_a_cut_line(tmp_path, monkeypatch):
    whole = tiny_sweep()
    real = sweep_module.run_one
    checkpoint = _interrupted_sweep(tmp_path, monkeypatch, 4)
    assert len(checkpoint.read_text().splitlines()) == 4
    with open(checkpoint, "a") as handle:
        handle.write('{"point": 2, "replic')  # a crash in the middle of a line
    calls = []
    monkeypatch.setattr(sweep_module, "run_one", lambda *args: calls.append(args) or real(*args))
    resumed = tiny_sweep(out=tmp_path)
    assert len(calls) == 9 - 4
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)


def test_a_checkpoint_keeps_only_its_own_unedited_runs(tmp_path, capsys, monkeypatch):
    whole = tiny_sweep()
    checkpoint = _interrupted_sweep(tmp_path, monkeypatch, 2)
    good = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    edited = {**good[0], "engagements": 1e9}  # an edited KPI was merged into the table silently
    foreign = {**good[1], "point": 7}  # out of the grid: every rerun crashed
    missing = {k: v for k, v in good[1].items() if k != "members"}
    with open(checkpoint, "a") as handle:
        handle.write("42\n" + "\n".join(json.dumps(r) for r in (edited, foreign, missing)) + "\n{cut by a cr")
    resumed = tiny_sweep(out=tmp_path)
    assert "5 lines left out" in capsys.readouterr().err
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)
    assert not checkpoint.exists()


def test_a_sweep_killed_with_sigkill_resumes_to_the_same_table(tmp_path):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(json.dumps(small(audience={"size": 600}, days=60)))
    out = tmp_path / "out"
    argv = [
        "sweep", str(scenario), "--grid", "strategy.posts_per_week=1,3,7,14", "--reps", "4",
        "--backend", "serial", "--out", str(out), "--no-progress",
    ]  # fmt: skip
    command = [sys.executable, "-c", "import sys; from communitysim.cli import main; sys.exit(main())", *argv]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    lines = 0
    while time.time() < deadline and proc.poll() is None:
        checkpoints = list(out.glob("*.partial.jsonl")) if out.exists() else []
        lines = len(checkpoints[0].read_text().splitlines()) if checkpoints else 0
        if lines >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be killed: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not list(out.glob("*.parquet"))
    assert main(argv) == 0
    (table,) = out.glob("*.parquet")
    expected = sweep(scenario, {"strategy.posts_per_week": [1, 3, 7, 14]}, 4, backend="serial", progress=False)
    pd.testing.assert_frame_equal(SweepTable.load(table).runs, expected.runs)


# --- statistics ---------------------------------------------------------------------------------


def test_summary_gives_the_t_interval_of_each_point():
    table = tiny_sweep(replications=5)
    summary = table.summary("engagements")
    assert list(summary["strategy.posts_per_week"]) == [1, 7, 21] and (summary["n"] == 5).all()
    values = table.runs[table.runs["point"] == 1]["engagements"].to_numpy()
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    row = summary.iloc[1]
    assert row["mean"] == pytest.approx(values.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    wider = table.summary("engagements", confidence=0.99).iloc[1]
    assert wider["ci_low"] < row["ci_low"] and wider["ci_high"] > row["ci_high"]


def test_best_picks_the_best_mean_and_compares_it_with_the_runner_up_on_the_same_seeds():
    table = tiny_sweep(replications=5)
    summary = table.summary("posts")
    best = table.best("posts")
    assert best.point == {"strategy.posts_per_week": 21}
    assert best.runner_up == {"strategy.posts_per_week": 7}
    runs = table.runs.pivot(index="replication", columns="point", values="posts")
    assert best.difference == pytest.approx((runs[2] - runs[1]).mean())
    assert best.clear and "clear winner" in str(best)
    assert best.mean == pytest.approx(summary["mean"].max())
    fewest_churned = table.best("churned")  # less is better for churn
    assert fewest_churned.mean == pytest.approx(table.summary("churned")["mean"].min())
    assert table.best("posts", maximize=False).point == {"strategy.posts_per_week": 1}


def test_plots_draw_ci_bands_for_one_parameter_and_a_heatmap_for_two():
    table = tiny_sweep()
    axes = table.plot("engagements").axes[0]
    assert len(axes.collections) == 1  # the confidence band
    assert list(axes.lines[0].get_xdata()) == [1, 7, 21]
    two = sweep(TINY, {"strategy.posts_per_week": [1, 7], "strategy.quality": [0.3, 0.9]}, 2,
                backend="serial", progress=False)  # fmt: skip
    assert len(two.runs) == 8 and len(two.plot("engagements").axes[0].images) == 1


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"strategy.nope": [1, 2]}, r"strategy\.nope: unknown field"),
        ({"strategy.posts_per_week": []}, r"strategy\.posts_per_week: expected at least one value"),
        ({"strategy.posts_per_week": ["lots"]}, r"strategy\.posts_per_week: Input should be a valid number"),
        ({"strategy.posts_per_week": 7}, r"strategy\.posts_per_week: expected a list of values"),
        ({"strategy.posts_per_week": [7, 7]}, r"listed twice"),
        ({}, r"grid: expected a mapping"),
    ],
)
def test_bad_grids_get_one_line_naming_the_field(grid, message):
    with pytest.raises(ScenarioError, match=message) as caught:
        sweep(TINY, grid, 2, backend="serial", progress=False)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"backend": "cloud"}, "backend: expected one of processes, dask, serial"),
        ({"replications": 0}, "replications: expected a whole number >= 1"),
        ({"series": ["nope"]}, "series: unknown column 'nope'"),
    ],
)
def test_bad_options_get_one_line(options, message):
    with pytest.raises(ScenarioError, match=message):
        tiny_sweep(**options)


def test_grid_points_vary_the_last_parameter_fastest():
    assert grid_points({"a": [1, 2], "b": [3, 4]}) == [
        {"a": 1, "b": 3},
        {"a": 1, "b": 4},
        {"a": 2, "b": 3},
        {"a": 2, "b": 4},
    ]


def test_the_series_come_on_request():
    table = tiny_sweep(replications=1, series=["members"])
    assert list(table.runs.columns[-2:]) == ["series.day", "series.members"]
    row = table.runs.iloc[0]
    assert len(row["series.members"]) == 31 and row["series.members"][-1] == row["members"]


# --- CLI ----------------------------------------------------------------------------------------


def test_cli_sweep_prints_the_summary_and_the_best_and_writes_the_table(tmp_path, capsys):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(json.dumps(TINY))
    argv = ["sweep", str(scenario), "--grid", "strategy.posts_per_week=1,21", "--reps", "2", "--kpi", "posts"]
    assert main([*argv, "--backend", "serial", "--out", str(tmp_path / "res"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "best posts: strategy.posts_per_week = 21" in out and "ci_low" in out
    assert len(list((tmp_path / "res").glob("sweep_small_*.parquet"))) == 1


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        ("strategy.posts_per_week", "--grid strategy.posts_per_week: expected PATH=V1,V2"),
        ("strategy.posts_per_week=", "expected at least one value after '='"),
        ("strategy.nope=1,2", "strategy.nope: unknown field"),
        ("strategy.posts_per_week=lots", "Input should be a valid number"),
    ],
)
def test_cli_bad_grids_exit_2_with_one_line(tmp_path, capsys, grid, expected):
    out = tmp_path / "res"
    code = main(["sweep", "scenarios/classroom_bakery.yaml", "--grid", grid, "--no-progress", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


# --- sensitivity --------------------------------------------------------------------------------


def test_morris_ranks_an_inert_lever_last_with_exactly_no_effect():
    levers = {"strategy.posts_per_week": (1, 21), "crisis_dynamics.window_days": (1, 5), "strategy.quality": (0.2, 1)}
    result = sensitivity(TINY, "engagements", "morris", levers, samples=4, backend="serial", progress=False)
    ranking = result.ranking.set_index("lever")
    assert ranking.loc["crisis_dynamics.window_days", "mu_star"] == 0  # the same seeds: no effect is exactly 0
    assert result.ranking["lever"].iloc[-1] == "crisis_dynamics.window_days"
    assert ranking.loc["strategy.posts_per_week", "mu_star"] > 0
    assert len(result.runs.runs) == 4 * (3 + 1)


def test_sobol_gives_first_order_and_total_indices(tmp_path):
    levers = {"strategy.posts_per_week": (1, 21), "crisis_dynamics.window_days": (1, 5)}
    result = sensitivity(TINY, "posts", "sobol", levers, samples=8, backend="serial", progress=False, out=tmp_path)
    ranking = result.ranking.set_index("lever")
    assert ranking.loc["strategy.posts_per_week", "ST"] > 0.5
    assert ranking.loc["crisis_dynamics.window_days", "ST"] == pytest.approx(0, abs=1e-9)
    assert len(list(tmp_path.glob("ranking_sobol_small_posts_*.parquet"))) == 1
    assert math.isfinite(ranking.loc["strategy.posts_per_week", "S1"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kpi": "likes"}, "kpi: unknown KPI 'likes'"),
        ({"method": "fast"}, "method: expected one of morris, sobol"),
        ({"levers": {"strategy.quality": (1, 0.2)}}, r"levers: strategy\.quality: expected low < high"),
        ({"levers": {"strategy.quality": (0, 3)}}, r"strategy\.quality"),
        ({"method": "sobol", "samples": 10}, "expected a power of two"),
    ],
)
def test_bad_sensitivity_input_gets_one_line(kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        sensitivity(TINY, **{"backend": "serial", "progress": False, **kwargs})


def test_cli_sensitivity_prints_the_ranking(tmp_path, capsys):
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(json.dumps(TINY))
    argv = ["sensitivity", str(scenario), "--kpi", "posts", "--param", "strategy.posts_per_week=1:21"]
    assert main([*argv, "--param", "strategy.quality=0.2:1", "--samples", "3", "--backend", "serial"]) == 0
    out = capsys.readouterr().out
    assert out.index("strategy.posts_per_week") < out.index("strategy.quality")
    assert main(["sensitivity", str(scenario), "--param", "strategy.quality=high"]) == 2
    assert "expected PATH=LOW:HIGH" in capsys.readouterr().err


def test_seed_sequence_children_are_what_numpy_spawns():
    child = np.random.SeedSequence(1).spawn(3)[2]
    assert replication_seeds(1, 3)[2] == int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def test_sweep_tables_that_are_not_ours_are_named(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(ScenarioError, match=r"x\.parquet: not a communitysim sweep table"):
        SweepTable.load(path)
    assert Path(path).exists()


def test_registered_plugins_reach_process_and_dask_workers():
    # each worker runs in a fresh process: it imports what was registered, by import path
    from dask.distributed import LocalCluster

    import plugin_example
    from communitysim.mechanisms import posting, seeding

    seeding.register_strategy("first_ids_anywhere", plugin_example.first_ids)  # a module's function
    posting.register_schedule("mondays_anywhere", "plugin_example:mondays")  # an import path
    grid = {"seeding.strategy": ["first_ids_anywhere", "plugin_example:first_ids", "random"]}
    options = {"replications": 1, "seed": 1, "progress": False}
    scenario = {**TINY, "strategy": {"schedule": "mondays_anywhere"}, "seeding": {"size": 30, "invite_after_posts": 0}}
    serial = sweep(scenario, grid, backend="serial", **options)
    assert serial.runs["posts"].tolist() == [5, 5, 5]  # days 0, 7, 14, 21, 28: the schedule ran
    firsts = serial.runs.set_index("point")["members"]
    assert firsts[0] == firsts[1] != firsts[2]  # the registered name and the path run the same function
    processes = sweep(scenario, grid, backend="processes", workers=2, **options)
    pd.testing.assert_frame_equal(serial.runs, processes.runs)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as c:
        dask = sweep(scenario, grid, backend="dask", scheduler=c.scheduler_address, **options)
    pd.testing.assert_frame_equal(serial.runs, dask.runs)


def test_a_plugin_other_processes_cannot_import_is_refused_before_any_run():
    from communitysim.mechanisms import seeding

    seeding.register_strategy("inline", lambda model, size, rng: seeding.Invitation(np.arange(size)))
    grid = {"seeding.strategy": ["inline"]}
    with pytest.raises(ScenarioError, match=r"^seeding\.strategy: 'inline' was registered as a function other"):
        sweep(TINY, grid, replications=1, seed=1, backend="processes", progress=False)
    assert len(sweep(TINY, grid, replications=1, seed=1, backend="serial", progress=False).runs) == 1
