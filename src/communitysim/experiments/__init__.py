"""Experiments on the model: seeded replications and grid sweeps, their tables, sensitivity analysis.

:mod:`~communitysim.experiments.sweeps` runs a scenario over a grid of overrides on any backend and
returns one tidy :class:`~communitysim.experiments.sweeps.SweepTable` (summaries, the best point,
plots); :mod:`~communitysim.experiments.sensitivity` ranks the levers (Morris, Sobol) on that engine.
"""

from communitysim.experiments.sensitivity import DEFAULT_LEVERS, METHODS, SensitivityResult, sensitivity
from communitysim.experiments.sweeps import (
    BACKENDS,
    Best,
    SweepTable,
    grid_points,
    replication_seeds,
    run_points,
    sweep,
)

__all__ = [
    "BACKENDS",
    "Best",
    "DEFAULT_LEVERS",
    "METHODS",
    "SensitivityResult",
    "SweepTable",
    "grid_points",
    "replication_seeds",
    "run_points",
    "sensitivity",
    "sweep",
]
