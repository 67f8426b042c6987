"""Sensitivity analysis with SALib: which of the CM's levers matter most for a KPI.

Two methods, both on ranges of chosen parameters (``levers``: field path -> (low, high)):

- ``morris`` (elementary effects screening; Morris 1991, Campolongo et al. 2007): ``mu_star``
  (the mean absolute effect of moving a lever across its range) ranks the levers, ``sigma``
  flags non-linear effects and interactions. Cheap: ``samples x (levers + 1)`` model runs.
- ``sobol`` (variance decomposition; Sobol 2001, Saltelli 2010): ``S1`` is the share of the KPI's
  variance due to a lever alone, ``ST`` including its interactions. ``samples x (levers + 2)``
  runs, ``samples`` a power of two.

The sampled points run through the sweep engine (:func:`communitysim.sweeps.run_points`): the same
seeds, backends, progress bar, Parquet output and resume. Replication *r* uses the same seed at
every sampled point, so a lever with no effect gets an index of exactly 0 (common random numbers);
with several replications the KPI is averaged over them first.

Example:
    >>> result = sensitivity({"audience": {"size": 150}, "days": 10}, kpi="posts", method="morris",
    ...                      levers={"strategy.posts_per_week": (1, 14), "strategy.quality": (0.2, 1)},
    ...                      samples=4, backend="serial", progress=False)
    >>> list(result.ranking["lever"])
    ['strategy.posts_per_week', 'strategy.quality']
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from communitysim.files import atomic_write_bytes, safe_name
from communitysim.kpis import KPIS
from communitysim.messages import number, t, t_or
from communitysim.scenario import ScenarioError, frame, load_scenario
from communitysim.sweeps import SweepTable, run_points

__all__ = ["DEFAULT_LEVERS", "METHODS", "SensitivityResult", "sensitivity"]

#: The CM's levers and their default ranges.
DEFAULT_LEVERS: dict[str, tuple[float, float]] = {
    "strategy.posts_per_week": (1.0, 21.0),
    "strategy.quality": (0.2, 1.0),
    "strategy.reply_share": (0.0, 1.0),
    "strategy.reply_delay_hours": (0.5, 48.0),
    "seeding.size": (0.0, 100.0),
}
METHODS = ("morris", "sobol")
#: Morris grid levels (the usual choice, Saltelli et al. 2008).
MORRIS_LEVELS = 4


@dataclass
class SensitivityResult:
    """The ranking of levers for a KPI, and the runs behind it.

    Attributes:
        kpi, method: what was analysed, and how.
        ranking: one row per lever, most influential first (``mu_star``, ``mu_star_conf``,
            ``sigma`` for Morris; ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for Sobol).
        runs: the sweep table of the sampled points.
    """

    kpi: str
    method: str
    ranking: pd.DataFrame
    runs: SweepTable

    def __str__(self) -> str:
        score = "mu_star" if self.method == "morris" else "ST"
        lines = [t("sweep.sensitivity", method=self.method, kpi=self.kpi, runs=number(len(self.runs.runs)))]
        for _, row in self.ranking.iterrows():
            lines.append(f"  {row['lever']:<30} {score} = {row[score]:.4g} (± {row[score + '_conf']:.2g})")
        return "\n".join(lines)

    def plot(self) -> Figure:
        """The ranking as horizontal bars with their confidence intervals."""
        score = "mu_star" if self.method == "morris" else "ST"
        table = self.ranking.iloc[::-1]
        figure = Figure(figsize=(7, 0.6 * len(table) + 1.5), layout="constrained")
        axes = figure.subplots()
        axes.barh(table["lever"], table[score], xerr=table[score + "_conf"], color="C0")
        kpi = t_or(f"lab.kpi.{self.kpi}", self.kpi)
        axes.set(xlabel=score, title=t("plot.sensitivity.title", kpi=kpi, method=self.method))
        return figure

    def save(self, path: str | Path) -> Path:
        """The ranking as a Parquet file (atomically), with the analysis in its metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(self.ranking, preserve_index=False)
        meta = {**self.runs.meta, "kpi": self.kpi, "method": self.method}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"communitysim": json.dumps(meta)})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(Path(path), sink.getvalue().to_pybytes())
        return Path(path)


def _levers(scenario: Any, levers: dict[str, Sequence[float]] | None) -> dict[str, tuple[float, float]]:
    levers = dict(DEFAULT_LEVERS if levers is None else levers)
    if not levers:
        raise ScenarioError(frame("levers", t("sweep.error.levers")))
    checked = {}
    for path, bounds in levers.items():
        try:
            low, high = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise ScenarioError(frame("levers", path, t("sweep.error.range", bounds=repr(bounds)))) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ScenarioError(
                frame("levers", path, t("sweep.error.order", low=number(low, None), high=number(high, None)))
            )
        for value in (low, high):  # the ends must be valid values of the field
            load_scenario(scenario, {path: _cast(scenario, path, value)}, overrides_source=f"levers ({path}={value:g})")
        checked[path] = (low, high)
    return checked


def _is_integer_field(scenario: Any, path: str) -> bool:
    node: Any = scenario.model_dump()
    try:
        for part in path.split("."):
            node = node[int(part)] if isinstance(node, list) else node[part]
    except (KeyError, IndexError, ValueError, TypeError):  # not a field: load_scenario names it
        return False
    return isinstance(node, int) and not isinstance(node, bool)


def _cast(scenario: Any, path: str, value: float) -> float | int:
    return round(value) if _is_integer_field(scenario, path) else float(value)


def sensitivity(
    scenario: Any,
    kpi: str = "engagements",
    method: str = "morris",
    levers: dict[str, Sequence[float]] | None = None,
    samples: int | None = None,
    replications: int = 1,
    seed: int = 1,
    *,
    backend: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    days: float | None = None,
    overrides: dict[str, Any] | None = None,
    out: str | Path | None = None,
    progress: bool = True,
) -> SensitivityResult:
    """Rank the levers by their influence on ``kpi`` (Morris screening or Sobol indices, with SALib).

    Args:
        scenario: a Scenario, a YAML path or a dict of fields.
        kpi: the KPI to explain (its final value).
        method: ``morris`` or ``sobol``.
        levers: field path -> (low, high); default :data:`DEFAULT_LEVERS`.
        samples: Morris trajectories (default 10) or Sobol base samples (a power of two, default 64).
        replications: seeded runs averaged per sampled point.
        seed: the master seed (of the sampling and of the runs).
        backend: ``processes``, ``dask`` or ``serial``, as for :func:`communitysim.sweeps.sweep`.
        workers: processes (or local Dask workers); default: every core.
        scheduler: a ``dask.distributed`` scheduler address.
        days: the horizon (overrides the scenario's ``days``).
        overrides: fixed overrides for every run.
        out: a folder for the ranking, the runs' Parquet table and the resume checkpoint.
        progress: a progress bar.

    Raises:
        ScenarioError: an unknown KPI, method or lever, or a bad range (one line naming it).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if kpi not in KPIS:
        raise ScenarioError(frame("kpi", t("sweep.error.kpi", kpi=repr(kpi), allowed=", ".join(KPIS))))
    if method not in METHODS:
        raise ScenarioError(frame("method", t("sweep.error.method", allowed=", ".join(METHODS), method=repr(method))))
    fixed = dict(overrides or {})
    if days is not None:
        fixed["days"] = days
    base = load_scenario(scenario, fixed)
    ranges = _levers(base, levers)
    names = list(ranges)
    problem = {"num_vars": len(names), "names": names, "bounds": [list(ranges[n]) for n in names]}
    if method == "morris":
        samples = 10 if samples is None else samples
        if samples < 2:
            raise ScenarioError(f"samples: expected at least 2 Morris trajectories, got {samples}")
        x = morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        samples = 64 if samples is None else samples
        if samples < 2 or samples & (samples - 1):
            raise ScenarioError(f"samples: expected a power of two for Sobol (such as 64), got {samples}")
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = [{n: _cast(base, n, v) for n, v in zip(names, row, strict=True)} for row in x]
    runs = run_points(
        base,
        points,
        replications,
        seed,
        kind=f"sensitivity_{method}",
        extra_meta={"kpi": kpi, "levers": {n: list(b) for n, b in ranges.items()}, "samples": samples},
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        out=out,
        progress=progress,
    )
    y = runs.runs.groupby("point")[kpi].mean().reindex(range(len(points))).to_numpy(dtype=float)
    y = np.nan_to_num(y, nan=0.0)
    if method == "morris":
        found = morris_analyze.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        ranking = pd.DataFrame(
            {"lever": names, "mu_star": found["mu_star"], "mu_star_conf": found["mu_star_conf"],
             "sigma": found["sigma"], "mu": found["mu"]}
        )  # fmt: skip
        ranking = ranking.sort_values("mu_star", ascending=False, kind="stable")
    else:
        found = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        ranking = pd.DataFrame(
            {"lever": names, "S1": found["S1"], "S1_conf": found["S1_conf"], "ST": found["ST"],
             "ST_conf": found["ST_conf"]}
        )  # fmt: skip
        ranking = ranking.sort_values("ST", ascending=False, kind="stable")
    result = SensitivityResult(kpi, method, ranking.reset_index(drop=True), runs)
    if out is not None:
        identity = hashlib.sha256(runs.meta["identity"].encode()).hexdigest()[:12]
        result.save(Path(out) / f"ranking_{method}_{safe_name(base.name)}_{kpi}_{identity}.parquet")
    return result
