"""communitysim: an agent-based simulation of online brand communities, for community managers.

Example:
    >>> import communitysim as cs
    >>> result = cs.run({"audience": {"size": 300}, "days": 30}, seed=7)
    >>> bool(result.kpis["members"] == result.timeseries["members"].iloc[-1])
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from communitysim.experiments.sweeps import SweepTable, sweep
from communitysim.kpis import KPIS
from communitysim.model import CommunityModel, MemberView
from communitysim.result import Result
from communitysim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "CommunityModel",
    "KPIS",
    "MemberView",
    "Result",
    "Scenario",
    "ScenarioError",
    "SweepTable",
    "load_scenario",
    "run",
    "sweep",
    "__version__",
]

__version__ = "0.1.0"


def run(
    scenario: Scenario | str | Path | dict[str, Any],
    seed: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
) -> Result:
    """Build a CommunityModel and run it to the horizon.

    Args:
        scenario: a Scenario, a YAML path or a dict of fields.
        seed: the seed (same seed, same result, bit for bit).
        overrides: dotted paths to values, e.g. ``{"seeding.strategy": "influencers"}``.
        progress: show a progress bar.

    Example:
        >>> run({"audience": {"size": 100}, "days": 5}, seed=1).kpis["day"]
        5.0
    """
    return CommunityModel(scenario, seed=seed, overrides=overrides, progress=progress).run()
