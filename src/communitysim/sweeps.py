"""Seeded replications and parameter sweeps: one tidy table, confidence intervals, the best grid point.

A sweep runs a scenario at every point of a grid of overrides, ``replications`` times each, and
returns a :class:`SweepTable`: one row per run with its grid values, replication, seed and final KPIs
(plus the time series on request).

**Seeds**: one master seed is spawned into one child per replication with numpy's
``SeedSequence`` (independent streams); replication *r* uses the same seed at every grid point
(common random numbers: the points differ only by their parameters, so paired comparisons are
sharper), and adding replications keeps the first ones. A run is a pure function of (scenario,
overrides, seed), so the table is the same on any backend and any number of workers.

**Backends**: ``processes`` (default: the local cores, no server), ``dask`` (a
``dask.distributed`` scheduler at ``scheduler``, or a local cluster on 127.0.0.1 when none is
given) and ``serial`` (this process: for debugging).

**Saving and resuming**: with ``out``, each finished run is appended (and fsynced) to a checkpoint
file as it arrives; the finished table is written atomically as one Parquet file whose metadata
hold the scenario, its hash, the package version, the grid and the seeds, and the checkpoint is
removed. Rerun with the same arguments after an interruption and only the missing runs run.

Example:
    >>> table = sweep({"audience": {"size": 200}, "days": 20}, grid={"strategy.posts_per_week": [1, 7]},
    ...               replications=2, seed=1, backend="serial", progress=False)
    >>> len(table.runs), list(table.summary("posts")["strategy.posts_per_week"])
    (4, [1, 7])
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from communitysim import plugins as plugin_registry
from communitysim.files import InputError, atomic_write_bytes, read_bounded, safe_name
from communitysim.kpis import KPIS, LOWER_IS_BETTER
from communitysim.messages import number, percent, t, t_or, tn
from communitysim.model import CommunityModel
from communitysim.result import Result
from communitysim.scenario import MAX_REPLICATIONS, Scenario, ScenarioError, check_seed, frame, load_scenario

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["BACKENDS", "Best", "SweepTable", "grid_points", "replication_seeds", "run_points", "sweep"]

#: The execution backends.
BACKENDS = ("processes", "dask", "serial")
#: Columns every run row starts with (then the grid's parameters, then the KPIs).
RUN_COLUMNS = ("point", "replication", "seed")
#: Prefix of the time-series columns (lists, one value per step) when the series are asked for.
SERIES_PREFIX = "series."
META_KEY = b"communitysim"
#: Most runs in one sweep (points x replications): refused before anything is allocated.
MAX_RUNS = 200_000
#: Largest checkpoint read (a sweep's runs with their series stay well below).
MAX_CHECKPOINT_BYTES = 2_000_000_000


def replication_seeds(master_seed: int, replications: int) -> list[int]:
    """One independent seed per replication, spawned from the master seed (``SeedSequence``).

    The first *k* seeds do not depend on how many replications follow them.

    Example:
        >>> a, b = replication_seeds(1, 2)
        >>> a != b and replication_seeds(1, 1) == [a]
        True
    """
    children = np.random.SeedSequence(master_seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]  # fits int64


def grid_points(grid: dict[str, Sequence[Any]], source: str = "grid") -> list[dict[str, Any]]:
    """Every combination of the grid's values, in the grid's order (the last parameter varies fastest).

    Raises:
        ScenarioError: the grid is not a mapping of field paths to non-empty lists of values.

    Example:
        >>> grid_points({"a": [1, 2], "b": ["x"]})
        [{'a': 1, 'b': 'x'}, {'a': 2, 'b': 'x'}]
    """
    if not isinstance(grid, dict) or not grid:
        raise ScenarioError(frame(source, t("sweep.error.grid", grid=repr(grid))))
    for path, values in grid.items():
        if not isinstance(path, str) or not path:
            raise ScenarioError(frame(source, t("sweep.error.path", path=repr(path))))
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise ScenarioError(frame(source, path, t("sweep.error.values", values=repr(values))))
        if len(values) == 0:
            raise ScenarioError(frame(source, path, t("sweep.error.empty")))
        if len(set(map(repr, values))) != len(values):
            raise ScenarioError(frame(source, path, t("sweep.error.twice", values=repr(list(values)))))
    names = list(grid)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(grid[n] for n in names))]


# --- one run ------------------------------------------------------------------------------------


def run_one(
    given: dict[str, Any],
    overrides: dict[str, Any],
    seed: int,
    series: tuple[str, ...],
    plugins: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """Run one scenario (its fields as given) with overrides and a seed; the final KPIs as a row.

    A plain top-level function of plain data, so that any process or Dask worker can run it;
    ``plugins`` are the strategies and schedules registered in the calling process, by import path
    (:func:`communitysim.plugins.exported`), registered here first.
    """
    plugin_registry.install(plugins or {})
    result = CommunityModel(given, seed=seed, overrides=overrides).run()
    row: dict[str, Any] = {key: float(value) for key, value in result.kpis.items()}
    for column in series:
        row[SERIES_PREFIX + column] = [float(v) for v in result.timeseries[column].to_numpy()]
    return row


@dataclass(frozen=True)
class _Task:
    point: int
    replication: int
    seed: int
    overrides: dict[str, Any]


def _serial(tasks: list[_Task], call: Callable[[_Task], dict]) -> Iterator[tuple[_Task, dict]]:
    for task in tasks:
        yield task, call(task)


def _exit_with(parent: int) -> None:
    """Worker initializer: end this worker when the sweep's process ends, even SIGKILLed.

    A worker's parent is the forkserver, not the sweep, so it watches the sweep's process itself
    (a pidfd, readable when that process ends; else a check every second).
    """
    import select
    import threading
    import time

    def watch() -> None:
        try:
            handle = os.pidfd_open(parent)
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):
            handle = None
        if handle is not None:
            select.select([handle], [], [])
        else:  # pragma: no cover (systems without pidfd)
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    continue
        os._exit(1)

    threading.Thread(target=watch, name="communitysim-watch-sweep", daemon=True).start()


def _processes(tasks: list[_Task], call: Callable[[_Task], dict], workers: int | None) -> Iterator[tuple[_Task, dict]]:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # forkserver: no fork of a parent that runs threads (Jupyter, tqdm); workers import the package once
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["communitysim"])
    workers = max(1, min(workers or os.cpu_count() or 1, len(tasks)))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
    ) as pool:
        pending = {pool.submit(run_one, *call(task)): task for task in tasks}
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
        finally:
            for future in pending:
                future.cancel()


def local_cluster(workers: int) -> Any:
    """A ``dask.distributed`` cluster on this machine only, serving no web pages.

    The scheduler always starts an HTTP server (on port 8787 unless told otherwise): here it
    listens on a free port of 127.0.0.1 with no routes at all (no dashboard, no metrics).
    """
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )


def _dask(
    tasks: list[_Task], call: Callable[[_Task], dict], workers: int | None, scheduler: str | None
) -> Iterator[tuple[_Task, dict]]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise ScenarioError(
            "backend dask: dask.distributed is not installed; pip install 'communitysim[cluster]'"
        ) from None
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError, ValueError, TypeError) as exc:  # unreachable, or not an address
                raise ScenarioError(f"--scheduler {scheduler}: could not connect ({exc})") from None
        else:  # an embedded cluster, on this machine only
            cluster = stack.enter_context(local_cluster(workers or os.cpu_count() or 1))
            client = stack.enter_context(Client(cluster))
        futures = {client.submit(run_one, *call(task), pure=False): task for task in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()


# --- the checkpoint -----------------------------------------------------------------------------


def _row_check(row: dict[str, Any], identity: str) -> str:
    """A checkpoint line's checksum: its run's values and the sweep's identity (a line of another sweep fails)."""
    values = {key: value for key, value in row.items() if key != "check"}
    return hashlib.sha256((identity + _canonical(values)).encode()).hexdigest()[:16]


def _valid_row(row: Any, identity: str, seeds: list[int], n_points: int, columns: tuple[str, ...]) -> bool:
    """Whether a checkpoint line is a run of this sweep, unedited: its point, seed, KPIs and checksum."""
    if not isinstance(row, dict) or row.get("check") != _row_check(row, identity):
        return False
    point, replication = row.get("point"), row.get("replication")
    if not (isinstance(point, int) and isinstance(replication, int)):
        return False
    if not (0 <= point < n_points and 0 <= replication < len(seeds)) or row.get("seed") != seeds[replication]:
        return False
    expected = {*RUN_COLUMNS, "check", *KPIS, *(SERIES_PREFIX + c for c in columns)}
    return set(row) == expected


def _read_checkpoint(
    path: Path, identity: str, seeds: list[int], n_points: int, columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The runs a checkpoint holds for this sweep.

    A line cut by a crash, a line of another sweep and an edited line (its checksum no longer
    matches) are left out, said on stderr, and the file is rewritten without them: their runs run again.
    """
    if not path.exists():
        return []
    try:
        text = read_bounded(path, MAX_CHECKPOINT_BYTES).decode("utf-8", errors="replace")
    except InputError as exc:
        raise ScenarioError(frame(str(path), str(exc))) from None
    rows, dropped = [], 0
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            row = None
        if _valid_row(row, identity, seeds, n_points, columns):
            rows.append(row)
        elif line.strip():
            dropped += 1
    if dropped:
        print(tn("sweep.checkpoint_dropped", dropped, file=path), file=sys.stderr)
        atomic_write_bytes(path, "".join(json.dumps(r) + "\n" for r in rows).encode())
    return rows


class _Checkpoint:
    """Append-only JSON lines, each flushed and fsynced before the run counts as done."""

    def __init__(self, path: Path, identity: str):
        self.path, self.identity = path, identity
        self.handle = open(path, "a", encoding="utf-8")  # closed in close()

    def add(self, row: dict[str, Any]) -> None:
        self.handle.write(json.dumps({**row, "check": _row_check(row, self.identity)}) + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


# --- the engine ---------------------------------------------------------------------------------


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's full, validated parameters (the same hash for the same model)."""
    return hashlib.sha256(_canonical(scenario.model_dump(mode="json")).encode()).hexdigest()


def run_points(
    scenario: Scenario,
    points: list[dict[str, Any]],
    replications: int,
    seed: int,
    *,
    kind: str = "sweep",
    extra_meta: dict[str, Any] | None = None,
    backend: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    series: bool | Sequence[str] = False,
    progress: bool = True,
) -> SweepTable:
    """Run ``scenario`` at each point (a dict of overrides), ``replications`` times; the engine of sweeps.

    The points are validated first (an unknown field or a wrong value is one ``ScenarioError``
    naming the point), so that nothing runs on a grid that would fail half-way.
    """
    if backend not in BACKENDS:
        raise ScenarioError(f"backend: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    if not isinstance(replications, int) or isinstance(replications, bool) or not 1 <= replications <= MAX_REPLICATIONS:
        raise ScenarioError(
            f"replications: expected a whole number >= 1 and <= {number(MAX_REPLICATIONS)}, got {replications!r}"
        )
    if len(points) * replications > MAX_RUNS:
        runs = t("sweep.error.runs", runs=number(len(points) * replications), limit=number(MAX_RUNS))
        raise ScenarioError(frame("replications", runs))
    seed = check_seed(seed)
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ScenarioError(f"workers: expected a whole number >= 1, got {workers!r}")
    local = plugin_registry.local_names()
    for point in points:
        where = ", ".join(f"{k}={v!r}" for k, v in point.items())
        loaded = load_scenario(
            scenario, point, overrides_source=t("sweep.error.point", kind=t_or(f"sweep.kind.{kind}", kind), where=where)
        )
        for field, names in local.items() if backend != "serial" else ():
            section, _, name = field.partition(".")
            if getattr(getattr(loaded, section), name) in names:
                message = t("sweep.error.local_plugin", name=repr(getattr(getattr(loaded, section), name)))
                raise ScenarioError(frame(field, message))
    columns = _series_columns(scenario, series)
    seeds = replication_seeds(seed, replications)
    given = scenario._given if scenario._given is not None else scenario.model_dump(exclude_unset=True)
    parameters = list(dict.fromkeys(k for p in points for k in p))
    meta = {
        "kind": kind,
        "scenario_name": scenario.name,
        "scenario": given,
        "scenario_hash": scenario_hash(scenario),
        "version": version("communitysim"),
        "master_seed": seed,
        "seeds": seeds,
        "replications": replications,
        "points": points,
        "parameters": parameters,
        "series": list(columns),
        **(extra_meta or {}),
    }
    identity = hashlib.sha256(_canonical({k: v for k, v in meta.items() if k != "version"}).encode()).hexdigest()
    meta["identity"] = identity

    final = checkpoint_path = None
    done: dict[tuple[int, int], dict[str, Any]] = {}
    if out is not None:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise ScenarioError(frame(f"--out {folder}", t("cli.out_not_folder")))
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / table_file_name(meta)
        checkpoint_path = final.with_suffix(".partial.jsonl")
        if final.exists():
            table = SweepTable.load(final)
            if table.meta.get("identity") == identity:
                return table
        for row in _read_checkpoint(checkpoint_path, identity, seeds, len(points), columns):
            row = {key: value for key, value in row.items() if key != "check"}
            done[(row["point"], row["replication"])] = row

    tasks = [
        _Task(p, r, seeds[r], points[p]) for p in range(len(points)) for r in range(replications) if (p, r) not in done
    ]

    plugins = plugin_registry.exported()

    def call(task: _Task) -> tuple:
        return (given, task.overrides, task.seed, columns, plugins)

    if backend == "serial":
        results: Iterable[tuple[_Task, dict]] = ((task, run_one(*call(task))) for task in tasks)
    elif backend == "processes":
        results = _processes(tasks, call, workers) if tasks else iter(())
    else:
        results = _dask(tasks, call, workers, scheduler) if tasks else iter(())

    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(points) * replications,
        initial=len(done),
        desc=f"{t_or(f'sweep.kind.{kind}', kind)} {scenario.name}",
        unit=t("sweep.unit"),
        disable=not progress,
    )
    checkpoint = _Checkpoint(checkpoint_path, identity) if checkpoint_path is not None else None
    try:
        for task, kpis in results:
            row = {"point": task.point, "replication": task.replication, "seed": task.seed, **kpis}
            done[(task.point, task.replication)] = row
            if checkpoint is not None:
                checkpoint.add(row)
            bar.update(1)
    finally:
        bar.close()
        if checkpoint is not None:
            checkpoint.close()
        if hasattr(results, "close"):
            results.close()  # type: ignore[union-attr]

    rows = [done[key] for key in sorted(done)]
    runs_frame = pd.DataFrame(rows)
    for name in reversed(parameters):
        runs_frame.insert(3, name, [points[p].get(name) for p in runs_frame["point"]])
    table = SweepTable(runs_frame, meta)
    if final is not None:
        table.save(final)
        checkpoint_path.unlink(missing_ok=True)
    return table


def table_file_name(meta: dict[str, Any]) -> str:
    """The Parquet file of a sweep: its kind, the scenario's name made safe for a file name, its identity.

    The name never leaves the folder (``/../x`` and ``Bakery 2024/25`` become plain parts) and stays
    short; the identity hash keeps two sweeps apart even when their names look alike.
    """
    return f"{meta['kind']}_{safe_name(meta['scenario_name'])}_{meta['identity'][:12]}.parquet"


def _series_columns(scenario: Scenario, series: bool | Sequence[str]) -> tuple[str, ...]:
    from communitysim.kpis import COLUMNS

    names = [c.name for c in COLUMNS]
    if series is True:
        return ("day", *[n for n in names if n != "day"])
    if not series:
        return ()
    unknown = [s for s in series if s not in names]
    if unknown:
        raise ScenarioError(f"series: unknown column {unknown[0]!r}; expected some of: {', '.join(names)}")
    return tuple(dict.fromkeys(["day", *series]))


def sweep(
    scenario: Scenario | str | Path | dict[str, Any],
    grid: dict[str, Sequence[Any]],
    replications: int = 10,
    seed: int = 1,
    *,
    backend: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    days: float | None = None,
    overrides: dict[str, Any] | None = None,
    out: str | Path | None = None,
    series: bool | Sequence[str] = False,
    progress: bool = True,
) -> SweepTable:
    """Run a scenario at every grid point, ``replications`` seeded times each.

    Args:
        scenario: a Scenario, a YAML path or a dict of fields.
        grid: field paths to lists of values, e.g. ``{"strategy.posts_per_week": [1, 3, 7]}``.
        replications: runs per grid point (seeds spawned from ``seed``).
        seed: the master seed.
        backend: ``processes`` (local cores), ``dask`` (``scheduler`` address, or a local cluster)
            or ``serial``.
        workers: processes (or local Dask workers); default: every core.
        scheduler: a ``dask.distributed`` scheduler address, e.g. ``tcp://10.0.0.5:8786``.
        days: the horizon (overrides the scenario's ``days``).
        overrides: fixed overrides for every run.
        out: a folder for the Parquet table and the resume checkpoint.
        series: also keep the time series (``True``: every column; or a list of columns).
        progress: a progress bar (tqdm: terminal or notebook).

    Raises:
        ScenarioError: a bad scenario, grid, backend or option (one line naming it).
    """
    fixed = dict(overrides or {})
    if days is not None:
        fixed["days"] = days
    base = load_scenario(scenario, fixed)
    return run_points(
        base,
        grid_points(grid),
        replications,
        seed,
        kind="sweep",
        extra_meta={"grid": {k: list(v) for k, v in grid.items()}},
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out,
        series=series,
        progress=progress,
    )


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Best:
    """The best grid point for a KPI, and how sure we are against the runner-up.

    Attributes:
        kpi: the KPI; ``maximize``: whether more is better.
        point: the best point's parameter values; ``mean``, ``ci``: its mean and confidence interval.
        runner_up: the second-best point (None with one point); ``runner_up_mean``: its mean.
        difference: best minus runner-up, mean over paired replications (same seeds), with ``difference_ci``.
        p_value: paired t-test of the difference (NaN when it cannot be computed).
        replications: paired runs compared; ``confidence``: the level of the intervals.
    """

    kpi: str
    maximize: bool
    point: dict[str, Any]
    mean: float
    ci: tuple[float, float]
    runner_up: dict[str, Any] | None
    runner_up_mean: float
    difference: float
    difference_ci: tuple[float, float]
    p_value: float
    replications: int
    confidence: float

    @property
    def clear(self) -> bool:
        """Whether the difference with the runner-up is clear (its interval excludes 0)."""
        low, high = self.difference_ci
        return self.runner_up is not None and (low > 0 or high < 0)

    def __str__(self) -> str:
        level = percent(self.confidence)
        text = t(
            "sweep.best", kpi=self.kpi, where=_point_text(self.point), mean=format_number(self.mean), level=level,
            low=format_number(self.ci[0]), high=format_number(self.ci[1]), replications=self.replications,
        )  # fmt: skip
        if self.runner_up is None:
            return text + t("sweep.best.alone")
        low, high = self.difference_ci
        versus = t(
            "sweep.best.versus", other=_point_text(self.runner_up), mean=format_number(self.runner_up_mean),
            difference=format_number(self.difference), level=level, low=format_number(low),
            high=format_number(high), p=format_number(float(f"{self.p_value:.2g}")),
        )  # fmt: skip
        return text + versus + t("sweep.best.clear" if self.clear else "sweep.best.unclear")


def _point_text(point: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {format_number(v)}" for k, v in point.items())


def format_number(value: Any) -> str:
    """A number for a sentence, in the current language: whole above 100, 3 significant digits below."""
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return number(value) if abs(value) >= 100 else number(float(f"{value:.3g}"), None)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value)
    return str(value)


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float, float, float]:
    """Mean, standard deviation, and the t confidence interval of the mean."""
    from scipy import stats

    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return (math.nan,) * 4
    mean = float(values.mean())
    if n == 1:
        return mean, math.nan, math.nan, math.nan
    std = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return mean, std, mean - half, mean + half


class SweepTable:
    """A sweep's runs (``runs``: one row per run) and metadata (``meta``), with their statistics.

    Example:
        >>> table = sweep({"audience": {"size": 150}, "days": 10}, {"strategy.posts_per_week": [2, 9]},
        ...               replications=3, backend="serial", progress=False)
        >>> table.best("posts").point
        {'strategy.posts_per_week': 9}
    """

    def __init__(self, runs: pd.DataFrame, meta: dict[str, Any]):
        self.runs = runs
        self.meta = meta

    def __repr__(self) -> str:
        return (
            f"SweepTable({self.meta.get('scenario_name')}: {len(self.points)} points x "
            f"{self.meta.get('replications')} replications, {len(self.runs)} runs)"
        )

    @property
    def parameters(self) -> list[str]:
        """The swept field paths."""
        return list(self.meta.get("parameters", []))

    @property
    def points(self) -> list[dict[str, Any]]:
        """The grid points (override dicts), in order."""
        return list(self.meta.get("points", []))

    def _kpi(self, kpi: str) -> str:
        if kpi not in self.runs.columns or kpi in RUN_COLUMNS or kpi in self.parameters:
            raise ScenarioError(frame("kpi", t("sweep.error.kpi", kpi=repr(kpi), allowed=", ".join(KPIS))))
        return kpi

    def summary(self, kpi: str, confidence: float = 0.95) -> pd.DataFrame:
        """Per grid point: the number of runs, mean, standard deviation and the t confidence interval."""
        self._kpi(kpi)
        rows = []
        for point, group in self.runs.groupby("point", sort=True):
            mean, std, low, high = _interval(group[kpi].to_numpy(dtype=float), confidence)
            rows.append(
                {"point": point, **self.points[point], "n": len(group), "mean": mean, "std": std,
                 "ci_low": low, "ci_high": high}
            )  # fmt: skip
        return pd.DataFrame(rows)

    def best(self, kpi: str, maximize: bool | None = None, confidence: float = 0.95) -> Best:
        """The best point for ``kpi`` (more is better unless the KPI is one of ``LOWER_IS_BETTER``).

        The runner-up is compared run by run on the same seeds (paired), which removes the noise the
        two points share.
        """
        maximize = (kpi not in LOWER_IS_BETTER) if maximize is None else maximize
        table = self.summary(kpi, confidence).dropna(subset=["mean"])
        if table.empty:
            raise ScenarioError(f"kpi: {kpi} has no values in this sweep")
        order = table.sort_values("mean", ascending=not maximize, kind="stable")
        first = order.iloc[0]
        best_point = self.points[int(first["point"])]
        nan2 = (math.nan, math.nan)
        if len(order) == 1:
            return Best(kpi, maximize, best_point, float(first["mean"]), (first["ci_low"], first["ci_high"]),
                        None, math.nan, math.nan, nan2, math.nan, int(first["n"]), confidence)  # fmt: skip
        second = order.iloc[1]
        wide = self.runs.pivot(index="replication", columns="point", values=kpi)
        pairs = wide[[int(first["point"]), int(second["point"])]].dropna()
        diff = (pairs.iloc[:, 0] - pairs.iloc[:, 1]).to_numpy(dtype=float)
        mean_diff, _, low, high = _interval(diff, confidence)
        from scipy import stats

        if len(diff) > 1 and np.std(diff) > 0:
            p_value = float(stats.ttest_rel(pairs.iloc[:, 0], pairs.iloc[:, 1]).pvalue)
        else:
            p_value = math.nan
        return Best(
            kpi, maximize, best_point, float(first["mean"]), (float(first["ci_low"]), float(first["ci_high"])),
            self.points[int(second["point"])], float(second["mean"]), mean_diff, (low, high), p_value,
            len(diff), confidence,
        )  # fmt: skip

    def plot(self, kpi: str, confidence: float = 0.95, maximize: bool | None = None) -> Figure:
        """KPI against the parameter with confidence bands (1-D grids), or a heatmap of means (2-D grids).

        ``maximize`` says which end is best (the star), as in :meth:`best`.
        """
        from matplotlib.figure import Figure

        table = self.summary(kpi, confidence)
        params = [p for p in self.parameters if table[p].nunique() > 1] or self.parameters[:1]
        figure = Figure(figsize=(7, 4.2), layout="constrained")
        axes = figure.subplots()
        level = f"{confidence:.0%}"
        kpi_name = t_or(f"lab.kpi.{kpi}", kpi)

        def lever(path: str) -> str:
            return t_or(f"exp.lever.{path}", path)

        if len(params) == 1:
            name = params[0]
            table = table.sort_values(name, kind="stable")
            x = table[name].to_numpy()
            numeric = pd.api.types.is_numeric_dtype(table[name])
            xs = x if numeric else np.arange(len(x))
            axes.plot(
                xs, table["mean"], marker="o", color="C0", label=t("plot.sweep.mean_of", runs=int(table["n"].max()))
            )
            axes.fill_between(
                xs, table["ci_low"], table["ci_high"], color="C0", alpha=0.25, label=t("plot.sweep.ci", level=level)
            )
            if not numeric:
                axes.set_xticks(xs, [str(v) for v in x])
            best = self.best(kpi, maximize=maximize, confidence=confidence)
            bx = best.point[name] if numeric else list(x).index(best.point[name])
            axes.plot(
                [bx], [best.mean], marker="*", markersize=14, color="C3", linestyle="none", label=t("plot.sweep.best")
            )
            axes.set(xlabel=lever(name), ylabel=kpi_name, title=t("plot.sweep.title", kpi=kpi_name, lever=lever(name)))
            axes.legend(fontsize="small")
        elif len(params) == 2:
            rows, cols = params
            grid = table.pivot_table(index=rows, columns=cols, values="mean", sort=True)
            image = axes.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
            axes.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns])
            axes.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
            for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
                axes.text(j, i, format_number(float(value)), ha="center", va="center", color="white", fontsize="small")
            figure.colorbar(image, ax=axes, label=t("plot.sweep.mean", kpi=kpi_name))
            axes.set(xlabel=lever(cols), ylabel=lever(rows), title=t("plot.sweep.mean", kpi=kpi_name))
        else:
            raise ScenarioError(f"plot: expected a grid of 1 or 2 varying parameters, got {len(params)}")
        return figure

    def reproduce(self, point: int, replication: int) -> Result:
        """Run one of the table's runs again, exactly (its scenario, overrides and seed)."""
        match = self.runs[(self.runs["point"] == point) & (self.runs["replication"] == replication)]
        if match.empty:
            raise ScenarioError(f"reproduce: no run at point {point}, replication {replication}")
        return CommunityModel(
            self.meta["scenario"], seed=int(match["seed"].iloc[0]), overrides=self.points[point]
        ).run()

    # --- Parquet --------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the table as one Parquet file (atomically), the metadata in its schema."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        table = pa.Table.from_pandas(self.runs, preserve_index=False)
        schema_meta = dict(table.schema.metadata or {})
        schema_meta[META_KEY] = json.dumps(self.meta, default=str).encode()
        table = table.replace_schema_metadata(schema_meta)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
        return path

    @classmethod
    def load(cls, path: str | Path) -> SweepTable:
        """Read a table written by :meth:`save`."""
        import pyarrow.parquet as pq

        path = Path(path)
        try:
            table = pq.read_table(path)
            meta = json.loads((table.schema.metadata or {})[META_KEY])
        except (OSError, KeyError, ValueError) as exc:
            raise ScenarioError(f"{path}: not a communitysim sweep table ({exc.__class__.__name__})") from None
        return cls(table.to_pandas(), meta)
