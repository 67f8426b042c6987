"""The posting-strategy lab: sliders for the CM's strategy, a Run button, KPIs, objectives, comparison.

The learner picks a scenario, sets posts per week, the content mix (relative weights), quality,
reply share and delay, clicks Run (or ticks "live" to rerun whenever a control is released), and
sees the KPI plots with the previous run dashed beneath, and the scenario's objectives as a
scorecard with feedback explaining why each passed or not. The lab isolates its levers from the
launch: every run invites the first members on the day the scenario's own strategy does
(``seeding.invite_on_day``, :meth:`PostingLab.launch_day`), so that posting more does not also open
the page sooner (when to invite is notebook 01's lesson; the course's readiness is a count of posts,
seed 001 II). The default scenario,
``classroom_bakery.yaml``, is sized to answer within 0.3 s (``benchmarks/bench_ui.py``).

Example:
    >>> lab = PostingLab(scenario="bakery_launch.yaml", overrides={"audience.size": 500, "days": 60, "objectives": []})
    >>> lab.run()
    >>> lab.result.kpis["day"]
    60.0
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure

import communitysim as cs
from communitysim.files import scenario_dir
from communitysim.mechanisms.posting import CONTENT_TYPES
from communitysim.messages import percent, t
from communitysim.ui import app_box, display_app, error_html, redraw, schema_slider, set_slider, slider_look
from communitysim.ui.display import kpi_name, kpi_text
from communitysim.ui.feedback import REACH_RHYTHMS, SeedRuns, compare_over_seeds, rhythm_reach, scorecard_html

__all__ = ["PostingLab", "posting_lab", "lab_scenarios"]

#: The lab's default scenario: the bakery launch sized for a class (fast enough for live sliders).
DEFAULT_SCENARIO = "classroom_bakery.yaml"

#: KPIs compared over the seeds of ``feedback.SPREAD_SEEDS`` when the strategy changed.
SPREAD_KPIS = ("members", "churn_rate", "engagements")
#: KPIs shown under the plots, in this order.
SUMMARY_KPIS = ("members", "engagements", "engagements_per_post", "engagement_rate_followers", "active_ratio", "leads")


def lab_scenarios(folder: Path | None = None) -> list[str]:
    """Scenario files for the lab: every shipped scenario except crises and the Bass check."""
    folder = folder or scenario_dir()
    names = sorted(p.name for p in folder.glob("*.yaml"))
    return [n for n in names if not n.startswith(("crisis_", "bass_"))]


class PostingLab:
    """The posting-strategy lab app (``lab.widget`` is the widget tree).

    Args:
        scenario: file name in the scenarios folder to start with.
        overrides: fixed overrides applied to every run (e.g. a smaller audience for speed);
            ``{"seeding.invite_on_day": None}`` lets the rhythm move the launch again.
        seed: the seed of every run (the same seed, so that runs differ only by the strategy).
        folder: the scenarios folder (default: ``scenarios/``).
    """

    def __init__(
        self,
        scenario: str = DEFAULT_SCENARIO,
        overrides: dict[str, Any] | None = None,
        seed: int = 7,
        folder: Path | None = None,
    ):
        self.folder = folder or scenario_dir()
        self.fixed = dict(overrides or {})
        self.seed = seed
        self.seed_runs = SeedRuns()  # the spread seeds' runs, kept: a click runs only the new strategy
        self.result: cs.Result | None = None
        self.previous: cs.Result | None = None
        choices = lab_scenarios(self.folder)
        self.scenario = w.Dropdown(
            options=choices,
            value=scenario if scenario in choices else choices[0],
            description=t("common.scenario"),
            **slider_look("190px"),
        )
        look = slider_look("190px")  # a track of at least 200 px; long labels wrap (tested in the browser)
        # the schema's ranges; the values are the scenario's (load_strategy)
        self.posts_per_week = schema_slider("strategy.posts_per_week", t("lab.posts_per_week"), **look)
        self.quality = schema_slider("strategy.quality", t("lab.quality"), 0.05, **look)
        self.reply_share = schema_slider("strategy.reply_share", t("lab.reply_share"), 0.05, percent, **look)
        self.reply_delay_hours = schema_slider("strategy.reply_delay_hours", t("lab.reply_delay_hours"), 0.5, **look)
        self.mix = {
            kind: w.IntSlider(value=0, min=0, max=10, description=t(f"lab.type.{kind}"), **look)
            for kind in CONTENT_TYPES
        }
        self.run_button = w.Button(description=t("common.run"), button_style="primary", icon="play")
        self.run_button.on_click(lambda _: self.run())
        self.live = w.Checkbox(value=False, description=t("lab.live"), indent=False)
        self._loading = False
        self._reach_key: str | None = None
        self._overrides: dict[str, Any] | None = None
        self._reach_runs: dict[int, cs.Result] = {}
        self._launch_days: dict[str, float | None] = {}
        for control in self.strategy_controls():
            control.continuous_update = False  # a live run when the slider is released, not while it moves
            control.observe(self._on_strategy_change, names="value")
        self.status = w.HTML()
        self.summary = w.HTML()
        self.scorecard = w.HTML()
        self.plots = w.Output()
        self.scenario.observe(lambda change: self.load_strategy(), names="value")
        self.load_strategy()
        controls = w.VBox(
            [
                self.scenario,
                w.HTML(f"<b>{html.escape(t('lab.strategy'))}</b>"),
                self.posts_per_week,
                self.quality,
                self.reply_share,
                self.reply_delay_hours,
                w.HTML(f"<b>{html.escape(t('lab.content_mix'))}</b> <i>{html.escape(t('lab.content_mix_help'))}</i>"),
                *self.mix.values(),
                w.HBox([self.run_button, self.live]),
                self.status,
            ],
            layout=w.Layout(width="42%", min_width="480px"),
        )
        results = w.VBox(
            [self.plots, self.summary, w.HTML(f"<b>{html.escape(t('lab.objectives'))}</b>"), self.scorecard],
            layout=w.Layout(width="56%", min_width="480px", overflow="hidden"),
        )
        for control in [self.scenario, *self.strategy_controls(), self.run_button, self.live]:
            control.tooltip = control.description  # the whole label on hover
        self.widget = app_box([w.HBox([controls, results], layout=w.Layout(flex_flow="row wrap"))])

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    # --- actions -------------------------------------------------------------------------------

    def strategy_controls(self) -> list[w.ValueWidget]:
        """The sliders that describe the strategy (a change reruns the model in live mode)."""
        return [self.posts_per_week, self.quality, self.reply_share, self.reply_delay_hours, *self.mix.values()]

    def _on_strategy_change(self, change: dict) -> None:
        if self.live.value and not self._loading:
            self.run()

    def path(self) -> Path:
        """The chosen scenario file."""
        return self.folder / self.scenario.value

    def load_strategy(self) -> None:
        """Set the sliders from the chosen scenario's strategy."""
        try:
            scenario = cs.load_scenario(self.path())
        except cs.ScenarioError as exc:
            self.status.value = error_html(exc)
            return
        strategy = scenario.strategy
        self._loading = True  # one live run after loading, not one per slider
        try:
            self.posts_per_week.value = round(strategy.posts_per_week)
            set_slider(self.quality, strategy.quality)
            set_slider(self.reply_share, strategy.reply_share)
            set_slider(self.reply_delay_hours, strategy.reply_delay_hours)
            for kind, slider in self.mix.items():
                slider.value = round(10 * strategy.content_mix.get(kind, 0.0))
        finally:
            self._loading = False
        self.status.value = ""
        if self.live.value:
            self.run()

    def launch_day(self) -> float | None:
        """The day the chosen scenario's own strategy invites its first members (this lab's seed and overrides).

        Every run of the lab invites them on that day (``seeding.invite_on_day``), whatever the rhythm.
        None when the scenario's strategy never invites anyone (then the scenario's rule applies).
        """
        if self.scenario.value not in self._launch_days:
            model = cs.CommunityModel(self.path(), seed=self.seed, overrides=self.fixed)
            while model.invited_day is None and model.day < model.params.days - 1e-9:
                model.step()  # only up to the launch: a few steps
            self._launch_days[self.scenario.value] = model.invited_day
        return self._launch_days[self.scenario.value]

    def overrides(self) -> dict[str, Any]:
        """The strategy the widgets describe, as overrides (content weights normalised to shares).

        The launch day is :meth:`launch_day` unless the lab's fixed overrides set ``seeding.invite_on_day``.
        """
        weights = {kind: slider.value for kind, slider in self.mix.items() if slider.value > 0}
        total = sum(weights.values())
        if total == 0:
            raise ValueError(t("lab.error.empty_mix"))
        launch = {} if "seeding.invite_on_day" in self.fixed else {"seeding.invite_on_day": self.launch_day()}
        return {
            **launch,
            **self.fixed,
            "strategy.posts_per_week": self.posts_per_week.value,
            "strategy.quality": self.quality.value,
            "strategy.reply_share": self.reply_share.value,
            "strategy.reply_delay_hours": self.reply_delay_hours.value,
            "strategy.content_mix": {kind: value / total for kind, value in weights.items()},
        }

    def run(self) -> None:
        """Run the scenario with the widgets' strategy; keep the last run as the dashed baseline."""
        try:
            scenario = cs.load_scenario(self.path())  # the file's own errors first
            overrides = self.overrides()
            result = cs.run(scenario, seed=self.seed, overrides=overrides)
        except (cs.ScenarioError, ValueError) as exc:
            self.status.value = error_html(exc)
            return
        same = self.result is not None and self.result.scenario.name == result.scenario.name
        self.previous, self.result = (self.result if same else None), result  # compare like with like
        previous_overrides, self._overrides = (self._overrides if same else None), overrides
        self.status.value = ""
        self.summary.value = self._summary_html()
        self.scorecard.value = scorecard_html(result, self.previous)
        self.figure = self._figure()
        redraw(self.plots, self.figure)
        # after the plot, the learner reads it while the other seeds and rhythms run
        if previous_overrides is not None and previous_overrides != overrides:
            self.summary.value = self._summary_html() + self.spread_html(scenario, previous_overrides, overrides)
        reach = self.reach(scenario)
        if reach:
            self.scorecard.value = scorecard_html(result, self.previous, reach)

    def spread_html(self, scenario: cs.Scenario, before: dict[str, Any], now: dict[str, Any]) -> str:
        """This run against the previous one on ``SPREAD_SEEDS`` more seeds: is the difference within the noise?"""
        self.spread, text = compare_over_seeds(
            scenario, (self.previous, self.result), (before, now), SPREAD_KPIS, seed_runs=self.seed_runs
        )
        return text

    def reach(self, scenario: cs.Scenario) -> dict[int, dict[str, Any]]:
        """For each missed objective, whether any posting rhythm reaches it with the learner's other levers.

        The same scenario and seed at the rhythms of ``REACH_RHYTHMS``: run once per set of other
        levers (kept), and only when an objective is missed.
        """
        assert self.result is not None
        card = self.result.scorecard
        if card.empty or card["passed"].all():
            return {}
        others = {k: v for k, v in self.overrides().items() if k != "strategy.posts_per_week"}
        key = repr((self.scenario.value, sorted(others.items())))
        if self._reach_key != key:
            runs = {n: cs.run(scenario, seed=self.seed, overrides={**others, "strategy.posts_per_week": n})
                    for n in REACH_RHYTHMS}  # fmt: skip
            self._reach_runs, self._reach_key = runs, key
        return {i: rhythm_reach(self._reach_runs, row) for i, row in card.iterrows() if not row["passed"]}

    # --- views ---------------------------------------------------------------------------------

    def _summary_html(self) -> str:
        assert self.result is not None
        cells = []
        for key in SUMMARY_KPIS:
            now = self.result.kpis[key]
            before = self.previous.kpis[key] if self.previous is not None else None
            change = "" if before is None else f" <span style='color:#666'>({kpi_text(key, before)})</span>"
            cells.append(f"<tr><td>{html.escape(kpi_name(key))}</td><td><b>{kpi_text(key, now)}</b>{change}</td></tr>")
        note = html.escape(t("lab.summary_note"))
        return f"<table class='cs-summary'>{''.join(cells)}</table><small>{note}</small>"

    def _figure(self) -> Figure:
        """The members and weekly-engagement plots, this run over the previous one dashed.

        One figure for the lab's life, its lines replaced at each run: redrawing an existing figure
        takes about half the time of building a new one (the 0.3 s budget, ``benchmarks/bench_ui.py``).
        """
        assert self.result is not None
        figure = getattr(self, "figure", None)
        if figure is None:
            figure = Figure(figsize=(7, 4.2))  # no layout engine: it would double the rendering time
            left, right = figure.subplots(1, 2)
            figure.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.91, wspace=0.28)
            left.set(title=t("lab.plot.members"), xlabel=t("lab.plot.day"))
            right.set(title=t("lab.plot.engagements"), xlabel=t("lab.plot.day"))
        left, right = figure.axes
        for axes in (left, right):
            for line in list(axes.lines):
                line.remove()
        for run, style, label in (
            (self.previous, {"linestyle": "--", "color": "grey"}, t("common.previous_run")),
            (self.result, {"color": "C0"}, t("common.this_run")),
        ):
            if run is None:
                continue
            ts = run.timeseries
            left.plot(ts["day"], ts["members"], label=label, **style)
            full_weeks = ts[ts["day"] <= 7 * (ts["day"].iloc[-1] // 7)]  # a partial last week would dip
            weekly = full_weeks.groupby(((full_weeks["day"] - 1e-9) // 7).clip(lower=0))["engagements"].sum()
            right.plot(weekly.index * 7, weekly.to_numpy(), label=label, **style)
        for axes in (left, right):
            axes.relim()
            axes.autoscale_view()
        left.legend(fontsize="small")
        return figure


def posting_lab(**kwargs: Any) -> PostingLab:
    """Build the posting-strategy lab (the notebook's one call)."""
    return PostingLab(**kwargs)
