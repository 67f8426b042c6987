"""The KPI dashboard (matplotlib), drawn from a Result's time series.

Example:
    >>> import communitysim as cs
    >>> fig = cs.run({"audience": {"size": 200}, "days": 10}, seed=1).plot()
    >>> len(fig.axes)
    4
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.result import Result

__all__ = ["dashboard"]


def dashboard(result: Result, baseline: Result | None = None) -> Figure:
    """Four panels: members (with the objectives on members), joins and leaves per day, growth rate, activity norm."""
    ts = result.timeseries
    dt = result.scenario.dt_days
    fig = Figure(figsize=(11, 7), layout="constrained")
    axes = fig.subplots(2, 2)
    fig.suptitle(f"{result.scenario.name} (seed {result.seed})")

    ax = axes[0, 0]
    if baseline is not None:
        ax.plot(baseline.timeseries["day"], baseline.timeseries["members"], "--", color="grey", label="previous run")
    ax.plot(ts["day"], ts["members"], color="C0", label="members")
    for _, row in result.scorecard.iterrows():
        if row["kpi"] == "members":
            colour = "green" if row["passed"] else "red"
            ax.plot(
                [row["by_day"]],
                [row["target"]],
                marker="*",
                markersize=12,
                color=colour,
                linestyle="none",
                label=f"objective {row['target']:g} by day {row['by_day']:g}",
            )
    ax.set(title="Members", xlabel="day", ylabel="people")
    ax.legend(loc="upper left", fontsize="small")

    ax = axes[0, 1]
    ax.plot(ts["day"], ts["new_members"] / dt, color="C2", label="joins")
    ax.plot(ts["day"], ts["churned"] / dt, color="C3", label="leaves")
    ax.set(title="Joins and leaves", xlabel="day", ylabel="people per day")
    ax.legend(loc="upper right", fontsize="small")

    ax = axes[1, 0]
    if baseline is not None:
        ax.plot(baseline.timeseries["day"], baseline.timeseries["growth_rate"], "--", color="grey")
    ax.plot(ts["day"], ts["growth_rate"], color="C1")
    ax.set(title="Growth rate", xlabel="day", ylabel="share per day")

    ax = axes[1, 1]
    ax.plot(ts["day"], ts["activity_norm"], color="C4", label="activity norm")
    ax.plot(ts["day"], ts["readiness"], color="C5", label="launch readiness")
    ax.set(title="Community norm and page readiness", xlabel="day", ylabel="x mean activity / share 0..1")
    ax.legend(loc="best", fontsize="small")
    return fig
