"""Result: a run's time series, final KPIs, objectives scorecard, dashboard and files.

Example:
    >>> import communitysim as cs
    >>> result = cs.run({"audience": {"size": 200}, "days": 20}, seed=3)
    >>> list(result.timeseries.columns)[:3]
    ['step', 'day', 'members']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from communitysim import kpis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from communitysim.scenario import Scenario

__all__ = ["Result"]


@dataclass
class Result:
    """What a run produced.

    Attributes:
        scenario: the validated scenario that ran.
        seed: the seed it ran with.
        timeseries: one row per step (row 0: the initial state); columns in ``kpis.COLUMNS``.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame = field(repr=False)

    @cached_property
    def kpis(self) -> dict[str, float]:
        """Every KPI at the last day."""
        return kpis.final_kpis(self.timeseries)

    @cached_property
    def scorecard(self) -> pd.DataFrame:
        """The scenario's objectives: target, achieved, gap, passed."""
        return kpis.scorecard(self.timeseries, self.scenario.objectives)

    def plot(self, baseline: Result | None = None) -> Figure:
        """A dashboard of the main KPIs (members with objectives, joins and leaves, growth, norm).

        Args:
            baseline: another result drawn dashed underneath, for comparison.
        """
        from communitysim.plotting import dashboard

        return dashboard(self, baseline=baseline)

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write ``timeseries.csv``, ``kpis.json`` and ``dashboard.png`` into ``out_dir``.

        The three files appear together or not at all: they are rendered in memory, written into a
        hidden folder inside ``out_dir``, then moved over the previous ones; a failure (a full disk)
        leaves the previous run's files as they were.
        """
        import io

        from communitysim.files import write_files_together

        csv = self.timeseries.to_csv(index=False).encode()
        payload = {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "day": float(self.timeseries["day"].iloc[-1]),
            "kpis": {k: (None if pd.isna(v) else v) for k, v in self.kpis.items()},
            "scorecard": json.loads(self.scorecard.to_json(orient="records")),
        }
        figure = self.plot()
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=110)
        files = {
            "timeseries.csv": csv,
            "kpis.json": (json.dumps(payload, indent=2) + "\n").encode(),
            "dashboard.png": png.getvalue(),
        }
        return write_files_together(out_dir, files)
