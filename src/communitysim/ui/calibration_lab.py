"""Calibrate to your own community: upload a page's export, fit the growth, forecast, compare strategies.

The learner uploads a CSV export (or takes the sample one), reads the fit (p, q and the audience
size with their intervals, R²) over the data, forecasts the next days under the current posting
rhythm and an alternative one, with bands, and saves the fitted scenario into ``scenarios/`` where
the other notebooks (posting lab, experiments) find it.

Example:
    >>> app = CalibrationLab(bootstrap=10, replications=3)
    >>> app.use_sample()
    >>> app.fit is not None and "p" in app.fit.intervals
    True
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import ipywidgets as w

from communitysim.calibration import (
    CALIBRATED_MARK,
    EngagementFit,
    GrowthFit,
    backtest,
    fit_engagement,
    fit_growth,
    forecast,
    plot_fit,
    read_export,
    save_scenario,
)
from communitysim.files import atomic_write_bytes, scenario_dir, shipped
from communitysim.messages import number, percent, t
from communitysim.scenario import ScenarioError
from communitysim.ui import app_box, decimal_slider, display_app, error_html, redraw, slider_look

__all__ = ["CalibrationLab", "SAMPLE", "calibration_lab"]

#: The sample export shipped with the project.
SAMPLE = shipped("examples") / "page_export.csv"
#: Where uploaded files are kept (relative to the notebook's folder).
UPLOADS = Path("out") / "uploads"


class CalibrationLab:
    """The calibration app (``app.widget`` is the widget tree).

    Args:
        bootstrap: bootstrap resamples of the fit.
        replications: forecast runs per strategy.
        seed: the seed of the bootstrap and the forecast.
    """

    def __init__(self, bootstrap: int = 100, replications: int = 20, seed: int = 1):
        self.bootstrap, self.replications, self.seed = bootstrap, replications, seed
        self.fit: GrowthFit | None = None
        self.engagement: EngagementFit | None = None
        self.source: Path | None = None
        look = slider_look("200px")  # a track of at least 200 px; long labels wrap (tested in the browser)
        self.upload = w.FileUpload(accept=".csv", multiple=False, description=t("cal.upload"))
        self.upload.observe(lambda change: self.uploaded(), names="value")
        self.sample_button = w.Button(description=t("cal.sample"), icon="table")
        self.sample_button.on_click(lambda _: self.use_sample())
        self.followers_column = w.Text(description=t("cal.followers_column"), placeholder=t("cal.auto"), **look)
        self.days = w.IntSlider(value=90, min=30, max=180, step=10, description=t("cal.days"), **look)
        self.alternative = w.IntSlider(value=14, min=0, max=42, description=t("cal.alternative"), **look)
        self.forecast_button = w.Button(description=t("cal.forecast"), button_style="primary", icon="line-chart")
        self.forecast_button.on_click(lambda _: self.run_forecast())
        self.name = w.Text(value="my_page", description=t("cal.name"), **look)
        self.save_button = w.Button(description=t("cal.save"), icon="save")
        self.save_button.on_click(lambda _: self.save())
        self.holdout = decimal_slider(0.25, 0.1, 0.5, 0.05, percent, description=t("cal.holdout"), **look)
        self.backtest_button = w.Button(description=t("cal.backtest_button"), icon="check")
        self.backtest_button.on_click(lambda _: self.run_backtest())
        self.backtest_report = w.HTML()
        self.status = w.HTML()
        self.report = w.HTML()
        self.plots = w.Output()
        self.table = w.HTML()
        controls = w.VBox(
            [w.HBox([self.upload, self.sample_button]), self.followers_column, self.days, self.alternative,
             self.forecast_button, self.name, self.save_button, self.holdout, self.backtest_button, self.status],
            layout=w.Layout(width="40%", min_width="480px"),
        )  # fmt: skip
        for control in (self.followers_column, self.days, self.alternative, self.name, self.holdout):
            control.tooltip = control.description  # the whole label on hover
        results = w.VBox(
            [self.report, self.plots, self.table, self.backtest_report], layout=w.Layout(width="58%", min_width="480px")
        )
        self.widget = app_box([w.HBox([controls, results], layout=w.Layout(flex_flow="row wrap"))])

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    # --- actions --------------------------------------------------------------------------------

    def use_sample(self) -> None:
        """Fit the sample export (a simulated page with a two-day gap)."""
        self.load(SAMPLE)

    def uploaded(self) -> None:
        """Keep the uploaded file under ``out/uploads`` and fit it."""
        if not self.upload.value:
            return
        item = self.upload.value[0]
        safe = re.sub(r"[^\w.-]", "_", Path(str(item["name"])).name) or "export.csv"
        path = UPLOADS / safe
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, bytes(item["content"]))
        self.load(path)

    def load(self, path: Path) -> None:
        """Read, check and fit an export; show the fit over the data."""
        column = self.followers_column.value.strip()
        try:
            export = read_export(path, {"followers": column} if column else None)
            self.fit = fit_growth(export, bootstrap=self.bootstrap, seed=self.seed)
            engaged = "posts" in export.data and any(c in export.data for c in ("reactions", "comments", "shares"))
            self.engagement = fit_engagement(export, self.fit) if engaged else None
        except ScenarioError as exc:
            self.status.value = error_html(exc)
            return
        self.source = path
        self.export = export
        self.backtest_report.value = ""
        gaps = "".join(
            f"<li>{html.escape(t('cal.gap', days=missing, first=first))}</li>" for first, missing in export.gaps
        )
        text = str(self.fit) + ("\n" + str(self.engagement) if self.engagement else "")
        lines = "".join(f"<div>{html.escape(line)}</div>" for line in text.splitlines())
        fitted = t("cal.fitted", name=path.name, dates=len(export.data), days=number(export.days))
        self.report.value = f"<b>{html.escape(fitted)}</b>{lines}" + (f"<ul>{gaps}</ul>" if gaps else "")
        self.status.value = ""
        self.run_forecast()

    def strategies(self) -> dict[str, dict[str, Any]]:
        """The current rhythm and the alternative one, as forecast strategies."""
        current = self.fit.posts_per_week if self.fit and self.fit.posts_per_week is not None else None
        label = t("cal.current", posts=number(current, 1)) if current is not None else t("cal.current_unknown")
        return {
            label: {},
            t("cal.alt", posts=self.alternative.value): {"strategy.posts_per_week": self.alternative.value},
        }

    def run_forecast(self) -> None:
        """Forecast the next days under both strategies; plot them over the data, tabulate the end."""
        if self.fit is None:
            self.status.value = error_html(ValueError(t("cal.error.no_fit")))
            return
        self.ahead = forecast(self.fit, days=self.days.value, strategies=self.strategies(),
                              replications=self.replications, seed=self.seed)  # fmt: skip
        self.figure = plot_fit(self.fit, self.ahead, self.engagement)
        redraw(self.plots, self.figure)
        end = self.ahead[self.ahead["day"] == self.ahead["day"].max()]
        rows = "".join(
            f"<tr><td>{html.escape(str(r['strategy']))}</td><td>{number(r['median'])}</td>"
            f"<td>{number(r['low'])} – {number(r['high'])}</td></tr>"
            for _, r in end.iterrows()
        )
        head = "".join(f"<th>{html.escape(t(k))}</th>" for k in ("cal.strategy", "cal.median", "cal.band"))
        self.table.value = (
            f"<b>{html.escape(t('cal.in_days', days=self.days.value))}</b>"
            f"<table class='cs-forecast'><tr>{head}</tr>{rows}</table>"
        )

    def run_backtest(self) -> None:
        """Fit the first dates only, forecast the held-out ones with the band, and tell how close it came."""
        if self.fit is None:
            self.status.value = error_html(ValueError(t("cal.error.no_fit")))
            return
        try:
            check = backtest(self.export, self.holdout.value, bootstrap=self.bootstrap, seed=self.seed)
        except ScenarioError as exc:
            self.status.value = error_html(exc)
            return
        self.backtest_report.value = f"<div class='cs-backtest'>{html.escape(str(check))}</div>"

    def save(self) -> None:
        """Save the fitted scenario into ``scenarios/`` (the posting lab and the experiments list it)."""
        if self.fit is None:
            self.status.value = error_html(ValueError(t("cal.error.no_fit")))
            return
        name = self.name.value.strip()
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,60}", name):
            self.status.value = error_html(ValueError(t("cal.error.name", name=name)))
            return
        target = scenario_dir() / f"{name}.yaml"
        if not _replaceable(target):  # a shipped scenario, or one a user wrote: never replaced
            self.status.value = error_html(ValueError(t("cal.error.exists", name=name)))
            return
        description = t("cal.description", source=self.source.name)  # type: ignore[union-attr]
        fields = self.fit.to_scenario(name=name, description=description, engagement=self.engagement)
        fields["days"] = self.days.value
        path = save_scenario(fields, target)
        self.status.value = f"<span style='color:#1b7f3b'>{html.escape(t('cal.saved', path=path))}</span>"


def _replaceable(path: Path) -> bool:
    """Whether Save may write ``path``: a new name, or a scenario an earlier calibration wrote."""
    if not path.exists() and not path.is_symlink():
        return True
    try:
        with open(path, encoding="utf-8") as handle:
            return path.is_file() and handle.readline().rstrip("\n") == CALIBRATED_MARK
    except (OSError, UnicodeDecodeError):
        return False


def calibration_lab(**kwargs: Any) -> CalibrationLab:
    """Build the calibration app (the notebook's one call)."""
    return CalibrationLab(**kwargs)
