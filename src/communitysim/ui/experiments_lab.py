"""Strategy experiments: pick a lever and its range, replications, run a seeded sweep, read the CIs.

The app runs :func:`communitysim.sweep` (local processes by default) with a progress bar, draws
the KPI against the lever with its 95% confidence band, tabulates the means and intervals, and
says which value to recommend and how sure the sweep is against the runner-up.

Example:
    >>> app = ExperimentsLab(overrides={"audience.size": 300, "days": 20, "objectives": []}, backend="serial",
    ...                      progress=False)
    >>> app.replications.value = 2
    >>> app.points.value = 2
    >>> app.run()
    >>> len(app.table.runs)
    4
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import numpy as np
from IPython import get_ipython

import communitysim as cs
from communitysim.experiments.sensitivity import DEFAULT_LEVERS
from communitysim.files import scenario_dir
from communitysim.kpis import LOWER_IS_BETTER
from communitysim.messages import number, t
from communitysim.scenario import field_bounds
from communitysim.ui import app_box, decimal_range_slider, display_app, error_html, redraw, set_grid, slider_look
from communitysim.ui.display import kpi_text
from communitysim.ui.posting_lab import DEFAULT_SCENARIO, lab_scenarios

__all__ = ["ExperimentsLab", "experiments_lab", "lever_values"]

#: The KPIs a learner can optimise here. Departures are ranked as a rate, ``churn_share`` (members who left
#: / people who joined): absolute departures would crown a community that never grows.
KPI_CHOICES = ("engagements", "members", "active_ratio", "leads", "churn_share")
#: KPIs computed here from a sweep's runs: name -> (numerator, denominator, lower is better).
DERIVED = {"churn_share": ("churned", "new_members", True)}
#: Levers whose values are whole numbers.
WHOLE_LEVERS = frozenset({"strategy.posts_per_week", "seeding.size"})


def lever_values(lever: str, low: float, high: float, points: int) -> list[float | int]:
    """``points`` evenly spaced values from ``low`` to ``high`` (whole numbers for whole levers, no repeats).

    Example:
        >>> lever_values("strategy.posts_per_week", 1, 21, 5)
        [1, 6, 11, 16, 21]
    """
    values = np.linspace(low, high, points)
    if lever in WHOLE_LEVERS:
        return list(dict.fromkeys(round(float(v)) for v in values))
    return list(dict.fromkeys(round(float(v), 3) for v in values))


class ExperimentsLab:
    """The strategy-experiments app (``app.widget`` is the widget tree).

    Args:
        scenario: file name in the scenarios folder.
        overrides: fixed overrides for every run.
        seed: the master seed of the sweep.
        backend: the sweep backend (``processes``: every local core).
        progress: show the sweep's progress bar (in the app's output area).
    """

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        overrides: dict[str, Any] | None = None,
        seed: int = 1,
        backend: str = "processes",
        progress: bool = True,
    ):
        self.folder = scenario_dir()
        self.fixed = dict(overrides or {})
        self.seed = seed
        self.backend = backend
        self.show_progress = progress
        self.table: cs.SweepTable | None = None
        look = slider_look("180px")  # a track of at least 200 px; long labels wrap (tested in the browser)
        choices = lab_scenarios(self.folder)
        self.scenario = w.Dropdown(
            options=choices, value=scenario if scenario in choices else choices[0], description=t("common.scenario"),
            **look,
        )  # fmt: skip
        self.lever = w.Dropdown(
            options=[(t(f"exp.lever.{name}"), name) for name in DEFAULT_LEVERS],
            value="strategy.posts_per_week",
            description=t("exp.lever"),
            **look,
        )
        self.range = decimal_range_slider((0, 1), 0, 1, 1, description=t("exp.range"), **look)  # set_range sets it
        self.points = w.IntSlider(value=5, min=2, max=10, description=t("exp.points"), **look)
        self.replications = w.IntSlider(value=10, min=2, max=50, description=t("exp.replications"), **look)
        self.kpi = w.Dropdown(
            options=[(t(f"lab.kpi.{k}"), k) for k in KPI_CHOICES], value="engagements", description=t("exp.kpi"), **look
        )
        self.run_button = w.Button(description=t("common.run"), button_style="primary", icon="play")
        self.run_button.on_click(lambda _: self.run())
        self.kpi.observe(lambda change: self.show(), names="value")
        self.lever.observe(lambda change: self.set_range(), names="value")
        self.set_range()
        self.status = w.HTML()
        self.progress = w.Output()
        self.plots = w.Output()
        self.summary = w.HTML()
        self.recommendation = w.HTML()
        controls = w.VBox(
            [self.scenario, self.lever, self.range, self.points, self.replications, self.kpi, self.run_button,
             self.status, self.progress],
            layout=w.Layout(width="42%", min_width="480px"),
        )  # fmt: skip
        results = w.VBox(
            [self.plots, self.recommendation, self.summary], layout=w.Layout(width="56%", min_width="480px")
        )
        for control in (self.scenario, self.lever, self.range, self.points, self.replications, self.kpi):
            control.tooltip = control.description  # the whole label on hover
        self.recommendation.value = f"<p>{html.escape(t('exp.start'))}</p>"  # nothing runs before the learner asks
        self.widget = app_box([w.HBox([controls, results], layout=w.Layout(flex_flow="row wrap"))])

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    def set_range(self) -> None:
        """Set the range slider to the chosen lever's default range, on a track from the lever's lowest valid value.

        The track starts where the scenario's schema starts (0 posts a week, quality 0, a reply at once,
        no first members), not at the default range's low end, which the slider would clamp to without
        a word; it ends at the default's high end (the schema's highs, 500 posts or 10^7 people, are no
        track). :func:`~communitysim.ui.set_slider` sets ends beyond it.
        """
        lever = self.lever.value
        low, high = DEFAULT_LEVERS[lever]
        step = 1 if lever in WHOLE_LEVERS else 0.05
        set_grid(self.range, (low, high), min(low, field_bounds(lever)[0]), high, step)

    def values(self) -> list[float | int]:
        """The lever's values the sweep runs."""
        low, high = self.range.value
        return lever_values(self.lever.value, low, high, self.points.value)

    def run(self) -> None:
        """Run the sweep (with a progress bar), then show the plot, the table and the recommendation."""
        grid = {self.lever.value: self.values()}
        self.status.value = html.escape(t("exp.running", runs=len(grid[self.lever.value]) * self.replications.value))
        if get_ipython() is not None:  # outside a kernel clear_output prints terminal escapes
            self.progress.clear_output()
        try:
            with self.progress:
                self.table = cs.sweep(
                    self.folder / self.scenario.value, grid, self.replications.value, self.seed,
                    backend=self.backend, overrides=self.fixed, progress=self.show_progress,
                )  # fmt: skip
        except cs.ScenarioError as exc:
            self.status.value = error_html(exc)
            return
        for name, (numerator, denominator, _) in DERIVED.items():
            runs = self.table.runs
            runs[name] = runs[numerator] / runs[denominator].where(runs[denominator] > 0)
        self.status.value = ""
        self.show()

    def lower_is_better(self, kpi: str) -> bool:
        """Whether the sweep's best value of ``kpi`` is its lowest."""
        return DERIVED[kpi][2] if kpi in DERIVED else kpi in LOWER_IS_BETTER

    def show(self) -> None:
        """Draw the chosen KPI's plot, table and recommendation from the last sweep."""
        if self.table is None:
            return
        kpi = self.kpi.value
        self.figure = self.table.plot(kpi, maximize=not self.lower_is_better(kpi))
        redraw(self.plots, self.figure)
        self.summary.value = self._summary_html(kpi)
        self.recommendation.value = self._recommendation_html(kpi)

    def _summary_html(self, kpi: str) -> str:
        """The sweep's table; a mean's interval starts at 0 at least (the KPIs here cannot be negative)."""
        assert self.table is not None
        summary = self.table.summary(kpi)
        head = "".join(f"<th>{html.escape(t(k))}</th>" for k in ("exp.value", "exp.mean", "exp.ci", "exp.runs"))
        rows = "".join(
            f"<tr><td>{number(row[self.lever.value], None)}</td><td>{kpi_text(kpi, row['mean'])}</td>"
            f"<td>{kpi_text(kpi, max(0.0, row['ci_low']))} – {kpi_text(kpi, row['ci_high'])}</td>"
            f"<td>{int(row['n'])}</td></tr>"
            for _, row in summary.iterrows()
        )
        return f"<table class='cs-sweep'><tr>{head}</tr>{rows}</table>"

    def _recommendation_html(self, kpi: str) -> str:
        assert self.table is not None
        best = self.table.best(kpi, maximize=not self.lower_is_better(kpi))
        lever = self.lever.value
        values = {
            "lever": t(f"exp.lever.{lever}"), "value": number(best.point[lever], None), "kpi": t(f"lab.kpi.{kpi}"),
            "mean": kpi_text(kpi, best.mean), "low": kpi_text(kpi, max(0.0, best.ci[0])),
            "high": kpi_text(kpi, best.ci[1]),
            "direction": t("exp.lowest" if self.lower_is_better(kpi) else "exp.highest"),
        }  # fmt: skip
        lines = [t("exp.best", **values)]
        if best.runner_up is not None:
            versus = {
                "other": number(best.runner_up[lever], None), "diff": kpi_text(kpi, abs(best.difference)),
                "dlow": kpi_text(kpi, best.difference_ci[0]), "dhigh": kpi_text(kpi, best.difference_ci[1]),
                "runs": best.replications,
            }  # fmt: skip
            lines.append(t("exp.clear" if best.clear else "exp.unclear", **versus))
        colour = "#1b7f3b" if best.clear else "#8a5a00"
        items = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        return f"<div class='cs-recommendation' style='color:{colour}'>{items}</div>"


def experiments_lab(**kwargs: Any) -> ExperimentsLab:
    """Build the strategy-experiments app (the notebook's one call)."""
    return ExperimentsLab(**kwargs)
