"""Every KPI, defined once: the time-series columns a model records, and the KPIs read from them.

Two layers, both here and nowhere else:

- ``COLUMNS``: what the model records at the end of each step (a pure function of the model's
  state each); row 0 is the state at day 0, before the first step.
- ``KPIS``: KPI values at a given day, pure functions of the time series (testable on a
  hand-made DataFrame). ``docs/KPIS.md`` gives the same formulas in words.

The scorecard checks a scenario's SMART objectives (seed 001, II.3) against the KPIs.

Example:
    >>> import pandas as pd
    >>> ts = pd.DataFrame({"day": [0.0, 1.0, 2.0], "members": [0, 10, 12],
    ...                    "new_members": [0, 10, 3], "churned": [0, 0, 1]})
    >>> kpi_value(ts, "members", day=2), kpi_value(ts, "new_members", day=2)
    (12.0, 13.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel
    from communitysim.scenario import Objective

__all__ = ["Column", "COLUMNS", "KPI", "KPIS", "kpi_value", "final_kpis", "scorecard", "growth_rate_per_day"]


# --- time-series columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A time-series column: its name, unit, meaning and how to read it off the model."""

    name: str
    unit: str
    description: str
    read: Callable[[CommunityModel], float]
    dtype: str = "float64"


def growth_rate_per_day(members_before: float, members_after: float, dt_days: float) -> float:
    """Net growth over a step as a share of the members at its start, per day (0 with no members)."""
    if members_before <= 0:
        return 0.0
    return (members_after - members_before) / members_before / dt_days


COLUMNS: tuple[Column, ...] = (
    Column("step", "step", "step number (0: the initial state)", lambda m: m.steps, "int64"),
    Column("day", "day", "time at the end of the step", lambda m: m.day),
    Column("members", "people", "current members (stock)", lambda m: m.counts["members"], "int64"),
    Column("non_members", "people", "people who never joined (stock)", lambda m: m.counts["non_members"], "int64"),
    Column(
        "former_members", "people", "people who joined then left (stock)", lambda m: m.counts["former_members"], "int64"
    ),
    Column(
        "new_members", "people per step", "people who joined during the step (flow)", lambda m: m.last_joins, "int64"
    ),
    Column("churned", "people per step", "members who left during the step (flow)", lambda m: m.last_leaves, "int64"),
    Column(
        "growth_rate",
        "share per day",
        "(members after - members before) / members before / step length",
        lambda m: growth_rate_per_day(m.members_before_step, m.counts["members"], m.params.dt_days),
    ),
    Column("share_members", "share 0..1", "members / audience size", lambda m: m.counts["members"] / m.population.n),
    Column(
        "activity_norm",
        "x mean activity",
        "members' mean effective activity (NaN: no members)",
        lambda m: m.activity_norm,
    ),
    Column(
        "cum_posts",
        "posts",
        "brand posts published so far (cumulative)",
        lambda m: m.community_manager.posts_published,
        "int64",
    ),
    Column("readiness", "share 0..1", "launch readiness: the page's conversion factor", lambda m: m.readiness),
)


# --- KPIs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KPI:
    """A KPI: name, unit, formula in words, and its value at a day from the time series."""

    name: str
    unit: str
    formula: str
    value: Callable[[pd.DataFrame, float], float]


def _rows_until(ts: pd.DataFrame, day: float) -> pd.DataFrame:
    return ts[ts["day"] <= day + 1e-9]


def _stock(column: str) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        return float(rows[column].iloc[-1]) if len(rows) else float("nan")

    return value


def _cumulative(column: str) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        return float(_rows_until(ts, day)[column].sum())

    return value


def _trailing_mean(column: str, window_days: float) -> Callable[[pd.DataFrame, float], float]:
    def value(ts: pd.DataFrame, day: float) -> float:
        rows = _rows_until(ts, day)
        rows = rows[(rows["day"] > day - window_days + 1e-9) & (rows["step"] > 0)]
        return float(rows[column].mean()) if len(rows) else float("nan")

    return value


KPIS: dict[str, KPI] = {
    kpi.name: kpi
    for kpi in (
        KPI("day", "day", "the day the KPIs are read at", lambda ts, day: float(day)),
        KPI("members", "people", "members at that day", _stock("members")),
        KPI("share_members", "share 0..1", "members / audience size at that day", _stock("share_members")),
        KPI(
            "new_members",
            "people",
            "people who joined from day 0 to that day (first members included)",
            _cumulative("new_members"),
        ),
        KPI("churned", "people", "members who left from day 0 to that day", _cumulative("churned")),
        KPI(
            "growth_rate",
            "share per day",
            "mean over the 7 days before that day of the step growth rate "
            "(net growth / members at step start / step length)",
            _trailing_mean("growth_rate", 7.0),
        ),
        KPI(
            "activity_norm", "x mean activity", "members' mean effective activity at that day", _stock("activity_norm")
        ),
    )
}


def kpi_value(ts: pd.DataFrame, kpi: str, day: float) -> float:
    """Value of KPI ``kpi`` at ``day`` from a time series with at least the columns it reads."""
    try:
        definition = KPIS[kpi]
    except KeyError:
        raise ValueError(f"unknown KPI {kpi!r}; expected one of: {', '.join(KPIS)}") from None
    return definition.value(ts, day)


def final_kpis(ts: pd.DataFrame) -> dict[str, float]:
    """Every KPI at the last day of the time series."""
    last = float(ts["day"].iloc[-1])
    return {name: kpi_value(ts, name, last) for name in KPIS}


def scorecard(ts: pd.DataFrame, objectives: Sequence[Objective]) -> pd.DataFrame:
    """The objectives against the KPIs achieved: one row per objective.

    Columns: ``kpi``, ``by_day``, ``direction``, ``target``, ``achieved``, ``gap`` (achieved -
    target) and ``passed``.
    """
    rows: list[dict[str, Any]] = []
    for objective in objectives:
        achieved = kpi_value(ts, objective.kpi, objective.by_day)
        if objective.direction == "at_least":
            passed = bool(achieved >= objective.target)
        else:
            passed = bool(achieved <= objective.target)
        rows.append(
            {
                "kpi": objective.kpi,
                "by_day": objective.by_day,
                "direction": objective.direction,
                "target": objective.target,
                "achieved": achieved,
                "gap": achieved - objective.target if np.isfinite(achieved) else float("nan"),
                "passed": passed,
            }
        )
    columns = ["kpi", "by_day", "direction", "target", "achieved", "gap", "passed"]
    return pd.DataFrame(rows, columns=columns)
