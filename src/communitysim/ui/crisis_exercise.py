"""The crisis exercise: manage a bad buzz hour by hour, then read the after-action report.

For trainers and their groups (notebook ``04_crisis_exercise``). The learner picks a crisis
scenario and a seed and clicks Start: the model runs to the moment the crisis breaks, with the
scenario's planned response set to silence (the learner decides the response). Clock buttons move
time forward; the living feed shows the last hour's messages, written from the model's state and
the brand's actions; live KPIs and a plot follow the negative share. The learner writes a
statement, reads what the reader found in it, confirms or corrects the strategy and makes it (with
moderation and follow-up updates), and takes CM actions. Finish runs to the horizon and compares
the learner's run with no response and with the best matched response (SCCT, Coombs 2007) on the
same seed, checks the scenario's objectives and writes a standalone HTML after-action report.

Widgets only: the exercise is a ``communitysim.exercise.CrisisSession`` (the classroom's teams play
the same engine), the report is written by ``communitysim.exercise.report``. Every text comes from
the message catalogue.

Example:
    >>> app = CrisisExercise(overrides={"audience.size": 300, "seeding.size": 150})
    >>> app.start()
    >>> app.hours_since_crisis()
    0.0
    >>> app.advance(6)
    >>> app.hours_since_crisis()
    6.0
"""

from __future__ import annotations

import base64
import functools
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

import communitysim as cs
from communitysim.crisis_feed.render import COLOURS, living_feed_html
from communitysim.exercise import report
from communitysim.exercise.debrief import debrief_html, scct_verdict
from communitysim.exercise.report import GREEN, RED, e, format_kpi, table
from communitysim.exercise.session import LIVE_KPIS, STRATEGIES, TONES, Applied, CrisisSession
from communitysim.files import scenario_dir as default_scenario_dir
from communitysim.kpis import mention_sentiment_between, negative_share_window
from communitysim.messages import number, percent, scenario_description, t
from communitysim.ui import decimal_slider, display_app, download_link, fitted_button, labelled, set_slider
from communitysim.ui.statement_box import StatementBox

__all__ = [
    "CrisisExercise",
    "crisis_exercise",
    "crisis_scenarios",
    "dynamic_message_keys",
    "REPORT_FOLDER",
]

#: The clock buttons: hours forward and the key of their label.
CLOCK = ((1, "crisis.advance.1h"), (6, "crisis.advance.6h"), (24, "crisis.advance.1d"))
#: The report's KPIs: the live ones but the current negative share (its peak is there), and the mentions' tone.
REPORT_KPIS = (*(k for k in LIVE_KPIS if k != "negative_share"), "mention_sentiment")
LEARNING_OBJECTIVES = tuple(f"crisis.objectives.{i}" for i in range(1, 5))
THINGS_TO_TRY = tuple(f"crisis.try.{i}" for i in range(1, 6))
#: Where the Export button writes the reports, each under a new name (relative to the working folder).
REPORT_FOLDER = Path("out")
#: The scenario selected first when it is in the folder.
DEFAULT_SCENARIO = "crisis_offensive_post.yaml"


def crisis_scenarios(folder: str | Path | None = None) -> list[Path]:
    """The crisis scenario files (``crisis_*.yaml``) of a folder (default: the shipped scenarios)."""
    folder = Path(folder) if folder is not None else default_scenario_dir()
    return sorted(folder.glob("crisis_*.yaml"))


def dynamic_message_keys() -> list[str]:
    """Every catalogue key this module builds at run time (for the catalogue test)."""
    from communitysim.exercise.report import FEEDBACK_KPIS
    from communitysim.mechanisms.crisis import CLUSTERS, CRISIS_TYPES

    keys = [*LEARNING_OBJECTIVES, *THINGS_TO_TRY, *(key for _, key in CLOCK)]
    keys += [f"crisis.strategy.{s}" for s in STRATEGIES] + [f"crisis.statement.{s}" for s in STRATEGIES]
    keys += [f"crisis.type.{kind}" for kind in CRISIS_TYPES]
    keys += [f"crisis.cluster.{c}" for c in CLUSTERS] + [f"crisis.scct.{c}" for c in CLUSTERS]
    keys += [f"crisis.sentiment.{sentiment}" for sentiment in COLOURS]
    keys += [f"crisis.kpi.{k}" for k in ("hours", "negative_share_6h", "outraged", "mention_sentiment_6h")]
    keys += [f"crisis.kpi.{k}" for k in (*LIVE_KPIS, *REPORT_KPIS)]
    keys += [f"crisis.feedback.{k}.{v}" for k in (*FEEDBACK_KPIS, "default") for v in ("pass", "fail")]
    keys += ["crisis.feedback.hours_to_recover.never"]
    keys += [f"crisis.challenge.{k}" for k in ("silence", "match", "weak", "mismatch", "late")]
    return sorted(set(keys))


def _day_time(day: float) -> tuple[int, str]:
    """A model day as (whole day, ``hh:mm``)."""
    whole = math.floor(day + 1e-9)
    minutes = round((day - whole) * 1440)
    if minutes >= 1440:
        whole, minutes = whole + 1, 0
    return whole, f"{minutes // 60:02d}:{minutes % 60:02d}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Show bad input (scenario, value, model state, file) in the status line instead of raising."""

    @functools.wraps(method)
    def wrapper(self: CrisisExercise, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (cs.ScenarioError, ValueError, RuntimeError, OSError) as exc:
            self._say(t("common.error", message=_one_line(exc)), error=True)
            return None

    return wrapper


class CrisisExercise:
    """The crisis exercise app (``app.widget`` is the widget tree; ``app`` displays it).

    Handlers are plain methods (``start``, ``advance``, ``respond``, ``finish``,
    ``export_report``): bad input shows a one-line message in ``app.status``, never a traceback.

    Args:
        scenario_dir: folder of the ``crisis_*.yaml`` scenarios (default: the shipped ones).
        overrides: fixed overrides for every run, the comparison runs included (e.g. a smaller
            audience for speed).
        seed: the seed shown first.
        scenario: file name selected first (default: the offensive post, else the first file).

    Attributes:
        model: the learner's ``CommunityModel`` (None before Start).
        timeline: (crisis hour, event, details) entries: the crisis going public, each response,
            the end.
        comparison: after Finish, the final KPIs of each run: ``learner``, ``silence``, ``best``.
        result: after Finish, the learner's ``Result``.
    """

    def __init__(
        self,
        scenario_dir: str | Path | None = None,
        overrides: dict[str, Any] | None = None,
        seed: int = 7,
        scenario: str | None = None,
    ):
        self.folder = Path(scenario_dir) if scenario_dir is not None else default_scenario_dir()
        self.fixed = dict(overrides or {})
        self.session: CrisisSession | None = None
        self.path: Path | None = None
        self.seed_used = seed
        self.finished = False
        self.result: cs.Result | None = None
        self.comparison: dict[str, dict[str, float]] = {}
        self._ts: pd.DataFrame | None = None
        self._plot_png = b""

        files = [p.name for p in crisis_scenarios(self.folder)]
        first = scenario if scenario in files else DEFAULT_SCENARIO if DEFAULT_SCENARIO in files else None
        self.scenario = w.Dropdown(
            options=[(Path(name).stem, name) for name in files], value=first or (files[0] if files else None)
        )
        self.seed = w.IntText(value=seed)
        self.team = w.Text(value="", placeholder=t("crisis.team_placeholder"))
        self.start_button = fitted_button(t("crisis.start"), self.start, button_style="primary", icon="play")
        self.description = w.HTML()
        self.status = w.HTML()
        self.clock = w.HTML(f"<b>{e(t('crisis.clock.not_started'))}</b>")
        self.clock_buttons = [
            fitted_button(t(key), lambda h=hours: self.advance(h), t("crisis.clock_help"), disabled=True)
            for hours, key in CLOCK
        ]
        self.feed = w.HTML()
        self.kpis = w.HTML()
        self.plot = w.Output()
        self.strategy = w.Dropdown(options=[(t(f"crisis.strategy.{s}"), s) for s in STRATEGIES], value="silence")
        self.tone = w.Dropdown(options=[(t(f"class.tone.{k}"), k) for k in TONES], value="factual")
        self.statement = StatementBox(self.strategy, self.tone, self.act)
        self.statement.enable(False)
        self.moderation_share = decimal_slider(0.0, 0, 1, 0.05, percent)
        self.updates_per_day = w.IntSlider(value=0, min=0, max=4)
        self.respond_button = fitted_button(
            t("crisis.respond"), self.respond, button_style="warning", icon="bullhorn", disabled=True
        )
        self.timeline_view = w.HTML()
        self.finish_button = fitted_button(t("crisis.finish"), self.finish, icon="flag-checkered", disabled=True)
        self.export_button = fitted_button(t("crisis.export"), self.export_report, icon="download", disabled=True)
        self.export_status = w.HTML()
        self.report_view = w.HTML()

        objectives = "".join(f"<li>{e(t(key))}</li>" for key in LEARNING_OBJECTIVES)
        header = w.HTML(
            f"<h2>{e(t('crisis.title'))}</h2><b>{e(t('crisis.objectives.title'))}</b><ul>{objectives}</ul>"
            f"<p>{e(t('crisis.intro'))}</p><p style='color:#555'><i>{e(t('crisis.inject_defined'))}</i></p>"
        )
        response = w.VBox(
            [
                w.HTML(f"<b>{e(t('crisis.response.title'))}</b>"),
                self.statement.widget,
                labelled(self.strategy, t("crisis.response.strategy")),
                labelled(self.tone, t("class.tone")),
                labelled(self.moderation_share, t("crisis.response.moderation")),
                labelled(self.updates_per_day, t("crisis.response.updates")),
                self.respond_button,
            ],
            layout=w.Layout(max_width="640px"),
        )
        cell = {"layout": w.Layout(width="auto", min_width="200px", flex="1 1 200px", margin="0 8px 0 0")}
        self.widget = w.VBox(
            [
                header,
                w.HBox(
                    [
                        w.VBox([labelled(self.scenario, t("common.scenario"))], **cell),
                        w.VBox([labelled(self.seed, t("crisis.seed"))], layout=w.Layout(width="240px")),
                        w.VBox([labelled(self.team, t("crisis.team"))], **cell),
                    ],
                    layout=w.Layout(flex_flow="row wrap", align_items="flex-end"),
                ),
                self.start_button,
                self.description,
                self.status,
                w.HBox([self.clock, *self.clock_buttons], layout=w.Layout(flex_flow="row wrap", align_items="center")),
                w.HBox(
                    [
                        w.VBox([self.feed], layout=w.Layout(width="50%", min_width="300px")),
                        w.VBox([self.kpis, self.plot], layout=w.Layout(width="50%", min_width="300px")),
                    ],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                response,
                self.timeline_view,
                w.HBox(
                    [self.finish_button, self.export_button, self.export_status],
                    layout=w.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.report_view,
            ]
        )
        self.scenario.observe(lambda _: self.describe(), names="value")
        self.describe()

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    # --- state ---------------------------------------------------------------------------------

    @property
    def model(self) -> cs.CommunityModel | None:
        """The learner's model (None before Start)."""
        return self.session.model if self.session is not None else None

    @property
    def timeline(self) -> list[Applied]:
        """The exercise's timeline: the crisis going public, injects, decisions, actions, the end."""
        return self.session.timeline if self.session is not None else []

    @property
    def best_strategy(self) -> str:
        """The best matched response to this crisis (SCCT; empty before Start)."""
        return self.session.best_strategy if self.session is not None else ""

    def _say(self, text: str, error: bool = False) -> None:
        colour = RED if error else "inherit"
        self.status.value = f"<span style='color:{colour}'>{e(text)}</span>"

    def scenario_path(self) -> Path:
        """The chosen scenario file.

        Raises:
            ValueError: the folder has no crisis scenario.
        """
        if not self.scenario.value:
            raise ValueError(t("crisis.error.no_scenarios", folder=self.folder))
        return self.folder / self.scenario.value

    def _session(self) -> CrisisSession:
        if self.session is None:
            raise RuntimeError(t("crisis.error.not_started"))
        if self.finished:
            raise RuntimeError(t("crisis.error.finished"))
        return self.session

    @property
    def start_day(self) -> float:
        """Day the exercise's crisis (the scenario's first) goes public."""
        if self.session is None:
            raise RuntimeError(t("crisis.error.not_started"))
        return self.session.start_day

    def hours_since_crisis(self) -> float:
        """Hours from the crisis going public to now (0 when the exercise opens)."""
        assert self.session is not None
        return round(self.session.hour, 3)

    def _crisis_words(self, index: int = 0) -> dict[str, str]:
        assert self.session is not None
        crisis = self.session.model.params.crises[index]
        return {
            "type": t(f"crisis.type.{crisis.type}"),
            "cluster": t(f"crisis.cluster.{self.session.cluster}"),
            "severity": number(crisis.severity, None),
        }

    # --- actions -------------------------------------------------------------------------------

    @_guarded
    def describe(self) -> None:
        """Show the chosen scenario's name and description."""
        self.description.value = ""
        scenario = cs.load_scenario(self.scenario_path())
        description = scenario_description(scenario.name, scenario.description)
        line = t("crisis.scenario_line", name=scenario.name, description=description)
        self.description.value = f"<i>{e(line)}</i>"
        self.status.value = ""

    @_guarded
    def start(self) -> None:
        """Open the exercise: the learner's model (planned response: silence) run to the crisis going public."""
        seed = self.seed.value
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(t("crisis.error.seed", seed=seed))
        path = self.scenario_path()
        session = CrisisSession(path, seed, self.fixed)
        self.session, self.path, self.seed_used = session, path, seed
        self.finished = False
        self.result = None
        self.comparison = {}
        self._plot_png = b""
        words = self._crisis_words()
        session.timeline.insert(0, Applied(0.0, "public", t("crisis.event.public"),
                                           t("crisis.event.public_details", **words)))  # fmt: skip
        self.report_view.value = self.export_status.value = ""
        self.strategy.value, self.tone.value = "silence", "factual"
        set_slider(self.moderation_share, 0.0)
        self.updates_per_day.value = 0
        self.statement.text.value = self.statement.reading.value = ""
        self.statement.crisis_type = session.model.params.crises[0].type
        self._enable(playing=not session.finished, finished=False)
        self.describe()
        self._refresh()
        self._say(t("crisis.started", **words))

    def _enable(self, playing: bool, finished: bool) -> None:
        for button in (*self.clock_buttons, self.respond_button):
            button.disabled = not playing
        self.statement.enable(playing)
        self.finish_button.disabled = finished
        self.export_button.disabled = not finished

    @_guarded
    def advance(self, hours: float) -> None:
        """Move the clock ``hours`` forward (stepping the model; never past the horizon)."""
        session = self._session()
        session.advance(hours)
        self._refresh()
        if session.finished:
            self._enable(playing=False, finished=False)
            self._say(t("crisis.horizon", days=number(session.model.params.days, None)))
        else:
            self.status.value = ""

    @_guarded
    def respond(self) -> None:
        """Make the statement now (it replaces any earlier one).

        The strategy and tone as confirmed or corrected after reading, the words written (logged with
        what the reader found in them, quoted on the feed), moderation and follow-up updates.
        """
        session = self._session()
        session.decide(self.strategy.value, self.tone.value, float(self.moderation_share.value),
                       float(self.updates_per_day.value), statement=self.statement.text.value)  # fmt: skip
        self._refresh()
        hour = number(round(self.hours_since_crisis(), 1), None)
        self._say(t("crisis.responded", hour=hour, strategy=t(f"crisis.strategy.{self.strategy.value}")))

    @_guarded
    def act(self, action: str) -> None:
        """A CM action beyond the statement (delete the post, pause the posts...), taken now."""
        self._session().act(action)
        self._refresh()
        hour = number(round(self.hours_since_crisis(), 1), None)
        self._say(t("cm.acted", hour=hour, action=t(f"class.action.{action}")))

    @_guarded
    def finish(self) -> None:
        """Run to the horizon, run the comparisons (silence, best matched) and show the report."""
        session = self._session()
        session.finish()
        details = t("crisis.event.finish_details", day=number(session.model.day, None))
        session.timeline.append(
            Applied(round(self.hours_since_crisis(), 1), "finish", t("crisis.event.finish"), details)
        )
        self._refresh()
        result = self.result = session.model.result()
        silence, best = session.comparison("silence"), session.comparison("best")
        self.comparison = {"learner": result.kpis, "silence": silence.model.result().kpis,
                           "best": best.model.result().kpis}  # fmt: skip
        self.finished = True
        self._enable(playing=False, finished=True)
        self.report_view.value = self._report_body()
        self._say(t("crisis.finished"))

    @_guarded
    def export_report(self, path: str | Path | None = None) -> Path | None:
        """Write the after-action report (standalone HTML) atomically; returns its path, and offers a download link.

        ``path`` None: a new file in ``out/`` named from the team, the scenario and the time
        (``report_path``), so a second export never overwrites the first.
        """
        document = self.report_html()
        if path is None:
            assert self.model is not None
            path = report.report_path(REPORT_FOLDER, "after_action_report",
                                      self.team.value.strip() or t("crisis.solo"), self.model.params.name)  # fmt: skip
        path = report.export(document, path)
        link = download_link(document.encode("utf-8"), path.name, "text/html", t("common.download", name=path.name))
        self.export_status.value = f"{e(t('crisis.exported', path=path))} {link}"
        return path

    # --- views ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        assert self.session is not None
        self._ts = self.session.timeseries()
        self.feed.value = self.feed_html()
        self.kpis.value = self.kpis_html()
        self.timeline_view.value = self.timeline_html()
        png = self._plot_png = self._figure_png()
        self.plot.outputs = (
            {
                "output_type": "display_data",
                "data": {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": t("crisis.plot.alt")},
                "metadata": {},
            },
        )
        self.clock.value = f"<b>{e(self._clock_text())}</b>"  # last: the page is up to date when it moves

    def _clock_text(self) -> str:
        assert self.model is not None
        day, time = _day_time(self.model.day)
        return t("crisis.clock", day=day, time=time, hour=number(round(self.hours_since_crisis(), 1), None))

    def live_kpis(self) -> dict[str, float]:
        """The live KPIs now (``CrisisSession.live_kpis``, on the time series the page last drew)."""
        assert self.session is not None and self._ts is not None
        return self.session.live_kpis(self._ts)

    def kpis_html(self) -> str:
        """The live KPI panel."""
        values = self.live_kpis()
        rows = [[e(t(f"crisis.kpi.{name}")), f"<b>{e(format_kpi(name, v))}</b>"] for name, v in values.items()]
        return f"<b>{e(t('crisis.kpis.title'))}</b>" + table([], rows)

    def feed_html(self) -> str:
        """The living feed's latest hour, written from the model's state and the brand's actions (deterministic)."""
        assert self.session is not None and self._ts is not None
        texts = {hour: payload.get("statement", "") for hour, payload in self.session.decisions}
        return living_feed_html(self.session.model, self._ts, self.seed_used, texts)

    def timeline_html(self, title: bool = True) -> str:
        """The timeline so far as a table (with its title unless ``title`` is False)."""
        heading = f"<b>{e(t('crisis.timeline.title'))}</b>" if title else ""
        if not self.timeline:
            return f"{heading}<p>{e(t('crisis.timeline.empty'))}</p>"
        return heading + report.timeline_html(self.timeline)

    def _figure_png(self) -> bytes:
        """The negative share over the crisis hours, as PNG bytes."""
        assert self.session is not None and self._ts is not None
        ts = self._ts
        start = self.start_day
        rows = ts[(ts["day"] >= start - 1.0 - 1e-9) & (ts["step"] > 0)]
        hours = 24.0 * (rows["day"] - start)
        figure = Figure(figsize=(5.2, 2.8), layout="constrained")
        axes = figure.subplots()
        axes.plot(hours, rows["negative_share"], color="#bbbbbb", linewidth=1, label=t("crisis.plot.step"))
        axes.plot(hours, negative_share_window(rows).to_numpy(), color=RED, linewidth=2, label=t("crisis.plot.window"))
        for index, (hour, _) in enumerate(self.session.decisions):
            axes.axvline(hour, color="#1a5fb4", linestyle=":", label=t("crisis.plot.response") if index == 0 else None)
        target = next((o.target for o in self.session.model.params.objectives if o.kpi == "peak_negative_share"), None)
        if target is not None:
            axes.axhline(target, color=GREEN, linestyle="--", linewidth=1, label=t("crisis.plot.target"))
        axes.set(title=t("crisis.plot.title"), xlabel=t("crisis.plot.xlabel"), ylim=(0, 1))
        axes.legend(fontsize="x-small", loc="upper left")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()

    # --- the after-action report ---------------------------------------------------------------

    def objectives_html(self) -> str:
        """The scenario's objectives (scorecard) with pass/fail and why (after Finish)."""
        assert self.result is not None and self.session is not None
        return report.objectives_html(self.result.scorecard, self.session.cluster)

    def challenge_text(self) -> str:
        """A sentence on the learner's choice: silence, a matched, weak or mismatched response, how fast."""
        assert self.session is not None
        spoken = [(hour, p["strategy"]) for hour, p in self.session.decisions if p["strategy"] != "silence"]
        return scct_verdict(self.session.cluster, spoken[-1][1] if spoken else None, spoken[0][0] if spoken else None)

    def comparison_html(self) -> str:
        """The learner's run against silence and the best matched response: one row each."""
        return report.comparison_html(self.best_strategy, self.comparison)

    def _report_body(self) -> str:
        """The report's sections (timeline, KPIs, comparison, plot, objectives, challenge, debrief, things to try)."""
        if self.session is None:
            raise RuntimeError(t("crisis.error.not_started"))
        if not self.finished or self.result is None:
            raise RuntimeError(t("crisis.error.not_finished"))
        ts = self.result.timeseries
        sentiment = mention_sentiment_between(ts, self.start_day, float(ts["day"].iloc[-1]))
        kpis = {**self.comparison["learner"], "mention_sentiment": sentiment}
        final = table([t("crisis.report.kpi"), t("crisis.report.value")],
                      [[e(t(f"crisis.kpi.{k}")), e(format_kpi(k, kpis[k]))] for k in REPORT_KPIS])  # fmt: skip
        image = base64.b64encode(self._plot_png).decode("ascii")
        tries = "".join(f"<li>{e(t(key))}</li>" for key in THINGS_TO_TRY)
        return (
            f"<h3>{e(t('crisis.report.timeline'))}</h3>{self.timeline_html(title=False)}"
            f"<h3>{e(t('crisis.report.kpis'))}</h3>{final}"
            f"<h3>{e(t('crisis.report.comparison'))}</h3>{self.comparison_html()}"
            f"<h3>{e(t('crisis.report.plot'))}</h3>"
            f"<img alt='{e(t('crisis.plot.alt'))}' src='data:image/png;base64,{image}'>"
            f"<h3>{e(t('crisis.report.objectives'))}</h3>{self.objectives_html()}"
            f"<h3>{e(t('crisis.report.challenge'))}</h3><p>{e(self.challenge_text())}</p>"
            f"{debrief_html(self.session)}"
            f"<h3>{e(t('crisis.report.try'))}</h3><ul>{tries}</ul>"
        )

    def report_html(self) -> str:
        """The after-action report: a standalone HTML document (inline CSS, every text escaped).

        Raises:
            RuntimeError: the exercise is not finished yet.
        """
        body = self._report_body()
        assert self.model is not None
        params = self.model.params
        lines = [t("crisis.report.team", team=self.team.value.strip())] if self.team.value.strip() else []
        lines.append(t("crisis.report.seed", seed=self.seed_used))
        if params.description.strip():
            lines.append(scenario_description(params.name, params.description))
        day, time = _day_time(params.crises[0].start_day)
        lines.append(t("crisis.report.crisis", **self._crisis_words(), day=day, time=time))
        return report.document(t("crisis.report.heading", scenario=params.name), body, intro=lines)


def crisis_exercise(scenario_dir: str | Path | None = None, **kwargs: Any) -> CrisisExercise:
    """Build the crisis exercise (the notebook's one call); ``kwargs`` go to ``CrisisExercise``."""
    return CrisisExercise(scenario_dir=scenario_dir, **kwargs)
