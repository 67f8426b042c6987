"""The KPI dashboard (matplotlib), drawn from a Result's time series.

Example:
    >>> import communitysim as cs
    >>> fig = cs.run({"audience": {"size": 200}, "days": 10}, seed=1).plot()
    >>> len(fig.axes)
    4
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from communitysim.messages import number, t

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.result import Result

__all__ = ["dashboard", "figure_png"]


def _weekly_growth(result: Result) -> pd.Series:
    """Growth rate (share per day) averaged over the last 7 days, weighted by step length."""
    ts = result.timeseries
    index = pd.to_timedelta(ts["day"], unit="D")
    weights = ts["day"].diff().fillna(0.0).set_axis(index)
    weighted = (ts["growth_rate"].set_axis(index) * weights).rolling("7D").sum()
    return (weighted / weights.rolling("7D").sum()).reset_index(drop=True)


def figure_png(figure: Figure, dpi: int = 100) -> bytes:
    """A matplotlib figure rendered to PNG bytes (no pyplot, no backend needed).

    Drawn once with Agg and encoded with light compression: about half of ``savefig``'s time,
    which matters for the 0.3 s slider feedback (``benchmarks/bench_ui.py``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def dashboard(result: Result, baseline: Result | None = None) -> Figure:
    """Four panels: members (with the objectives on members), joins and leaves per day, growth rate, activity norm."""
    ts = result.timeseries
    dt = ts["day"].diff().bfill()  # step lengths may vary (hourly during crises)
    fig = Figure(figsize=(11, 7), layout="constrained")
    axes = fig.subplots(2, 2)
    fig.suptitle(t("plot.dashboard.title", scenario=result.scenario.name, seed=result.seed))

    ax = axes[0, 0]
    if baseline is not None:
        ax.plot(
            baseline.timeseries["day"],
            baseline.timeseries["members"],
            "--",
            color="grey",
            label=t("common.previous_run"),
        )
    ax.plot(ts["day"], ts["members"], color="C0", label=t("plot.dashboard.members_line"))
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
                label=t(
                    "plot.dashboard.objective", target=number(row["target"], None), day=number(row["by_day"], None)
                ),
            )
    ax.set(title=t("plot.dashboard.members"), xlabel=t("plot.day"), ylabel=t("plot.dashboard.people"))
    ax.legend(loc="upper left", fontsize="small")

    ax = axes[0, 1]
    ax.plot(ts["day"], ts["new_members"] / dt, color="C2", label=t("plot.dashboard.joins"))
    ax.plot(ts["day"], ts["churned"] / dt, color="C3", label=t("plot.dashboard.leaves"))
    ax.set(title=t("plot.dashboard.flows"), xlabel=t("plot.day"), ylabel=t("plot.dashboard.people_per_day"))
    ax.legend(loc="upper right", fontsize="small")

    ax = axes[1, 0]
    for run, style in ((baseline, {"linestyle": "--", "color": "grey"}), (result, {"color": "C1"})):
        if run is not None:
            ax.plot(run.timeseries["day"], 100 * _weekly_growth(run), **style)
    # the first members' arrival is a huge relative jump: scale the axis on an established community
    settled = 100 * _weekly_growth(result)[ts["members"] >= 50]
    if settled.notna().any():
        low, high = float(settled.min()), float(settled.max())
        pad = 0.1 * (high - low) or 0.5
        ax.set_ylim(min(0.0, low - pad), high + pad)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set(title=t("plot.dashboard.growth"), xlabel=t("plot.day"), ylabel=t("plot.dashboard.percent_per_day"))

    ax = axes[1, 1]
    ax.plot(ts["day"], ts["activity_norm"], color="C4", label=t("plot.dashboard.activity_norm"))
    ax.plot(ts["day"], ts["readiness"], color="C5", label=t("plot.dashboard.readiness"))
    ax.set(title=t("plot.dashboard.norm"), xlabel=t("plot.day"), ylabel=t("plot.dashboard.norm_axis"))
    ax.legend(loc="best", fontsize="small")
    return fig
