"""The crisis exercise: manage a bad buzz hour by hour, then read the after-action report.

For trainers and their groups (notebook ``04_crisis_exercise``). The learner picks a crisis
scenario and a seed and clicks Start: the model runs to the moment the crisis breaks, with the
scenario's planned response set to silence (the learner decides the response). Clock buttons move
time forward; a simulated social feed shows sample posts of the last hour, with their sentiment
drawn from the model's state; live KPIs and a plot follow the negative share. The learner responds
(strategy, moderation, follow-up updates) when ready. Finish runs to the horizon and compares the
learner's run with no response and with the best matched response (SCCT, Coombs 2007) on the same
seed, checks the scenario's objectives and writes a standalone HTML after-action report.

No model logic lives here: the app only calls ``CommunityModel.step``, ``respond``, ``result`` and
``communitysim.run``. Every text comes from the message catalogue (``crisis.*`` keys).

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
import html
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import communitysim as cs
from communitysim.classroom.debrief import scct_verdict
from communitysim.classroom.exercise import BEST_DELAY_HOURS, COMPARED_KPIS, LEARNER_START, report_path
from communitysim.classroom.exercise import format_kpi as _fmt
from communitysim.classroom.exercise import missing as _missing
from communitysim.crisis_feed.render import living_feed_html
from communitysim.files import atomic_write_bytes
from communitysim.files import scenario_dir as default_scenario_dir
from communitysim.kpis import kpi_value
from communitysim.mechanisms.crisis import Response, best_response, cluster_of
from communitysim.messages import catalogue, language, number, percent, scenario_description, t, tn
from communitysim.ui import display_app, download_link, fitted_button, labelled

__all__ = [
    "CrisisExercise",
    "crisis_exercise",
    "crisis_scenarios",
    "best_response",
    "dynamic_message_keys",
    "feed_html",
    "STRATEGIES",
    "REPORT_FOLDER",
]

#: The response strategies offered to the learner, in the order of the menu.
STRATEGIES = ("silence", "deny", "diminish", "apologize", "rebuild", "bolster", "correct", "humour")
#: Sentiments of the sample posts, with the colour of their badge.
TONES = {"negative": "#b3261e", "neutral": "#666666", "positive": "#1b7f3b"}
#: Sample-post templates per crisis cluster and sentiment (``crisis.feed.<cluster>.<tone>.<i>``).
TEMPLATES_PER_TONE = 4
#: Sample posts shown on the feed each hour.
FEED_POSTS = 5
#: The clock buttons: hours forward and the key of their label.
CLOCK = ((1, "crisis.advance.1h"), (6, "crisis.advance.6h"), (24, "crisis.advance.1d"))
#: KPIs on the live panel (after the hours since the crisis and the 6-hour negative share).
LIVE_KPIS = (
    "negative_share",
    "peak_negative_share",
    "hours_to_peak",
    "hours_to_recover",
    "negative_reach",
    "members",
    "members_lost",
    "crisis_response_h",
)
#: KPIs of the report's final table.
REPORT_KPIS = (
    "peak_negative_share",
    "hours_to_peak",
    "hours_to_recover",
    "negative_reach",
    "members",
    "members_lost",
    "crisis_response_h",
    "mention_sentiment",
)
#: Objectives with their own feedback sentences (others get the default one).
FEEDBACK_KPIS = ("peak_negative_share", "hours_to_recover", "members_lost", "negative_reach")
LEARNING_OBJECTIVES = tuple(f"crisis.objectives.{i}" for i in range(1, 5))
THINGS_TO_TRY = tuple(f"crisis.try.{i}" for i in range(1, 6))
#: Where the Export button writes the reports, each under a new name (relative to the working folder).
REPORT_FOLDER = Path("out")
#: The scenario selected first when it is in the folder.
DEFAULT_SCENARIO = "crisis_offensive_post.yaml"

_TABLE = "border-collapse:collapse;margin:4px 0"
_CELL = "border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top"
_RED, _GREEN = "#b3261e", "#1b7f3b"


def crisis_scenarios(folder: str | Path | None = None) -> list[Path]:
    """The crisis scenario files (``crisis_*.yaml``) of a folder (default: the shipped scenarios)."""
    folder = Path(folder) if folder is not None else default_scenario_dir()
    return sorted(folder.glob("crisis_*.yaml"))


def dynamic_message_keys() -> list[str]:
    """Every catalogue key this module builds at run time (for the catalogue test)."""
    from communitysim.mechanisms.crisis import CLUSTERS, CRISIS_TYPES

    keys = [*LEARNING_OBJECTIVES, *THINGS_TO_TRY, *(key for _, key in CLOCK)]
    keys += [f"crisis.strategy.{s}" for s in STRATEGIES] + [f"crisis.statement.{s}" for s in STRATEGIES]
    keys += [f"crisis.type.{kind}" for kind in CRISIS_TYPES]
    keys += [f"crisis.cluster.{c}" for c in CLUSTERS] + [f"crisis.scct.{c}" for c in CLUSTERS]
    keys += [f"crisis.sentiment.{tone}" for tone in TONES]
    keys += [
        f"crisis.feed.{c}.{tone}.{i}" for c in CLUSTERS for tone in TONES for i in range(1, TEMPLATES_PER_TONE + 1)
    ]
    keys += [f"crisis.kpi.{k}" for k in ("hours", "negative_share_6h", "outraged", "mention_sentiment_6h")]
    keys += [f"crisis.kpi.{k}" for k in (*LIVE_KPIS, *REPORT_KPIS)]
    keys += [f"crisis.feedback.{k}.{v}" for k in (*FEEDBACK_KPIS, "default") for v in ("pass", "fail")]
    keys += ["crisis.feedback.hours_to_recover.never"]
    keys += [f"crisis.challenge.{k}" for k in ("silence", "match", "weak", "mismatch", "late")]
    return sorted(set(keys))


def _e(text: object) -> str:
    return html.escape(str(text))


def _day_time(day: float) -> tuple[int, str]:
    """A model day as (whole day, ``hh:mm``)."""
    whole = math.floor(day + 1e-9)
    minutes = round((day - whole) * 1440)
    if minutes >= 1440:
        whole, minutes = whole + 1, 0
    return whole, f"{minutes // 60:02d}:{minutes % 60:02d}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """An HTML table with inline styles; ``headers`` are escaped here, ``rows`` cells must be HTML."""
    head = "".join(f"<th style='{_CELL};background:#f2f2f2'>{_e(h)}</th>" for h in headers)
    head = f"<tr>{head}</tr>" if headers else ""
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table style='{_TABLE}'>{head}{body}</table>"


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


def feed_html(model: cs.CommunityModel, ts: pd.DataFrame, statement: str | None, seed: int) -> str:
    """The simulated feed: sample posts of the model's last step, their sentiment drawn from its mentions.

    Deterministic for a seed and a step; ``statement`` is the brand's latest response strategy (None:
    nothing said yet). Every text comes from the catalogue and is escaped.
    """
    title = f"<b>{_e(tn('crisis.feed.title', round(24 * model.dt, 1)))}</b>"
    since = min((c.params.start_day for c in model.bad_buzz.crises), default=model.day)
    if not model.bad_buzz.active or model.day <= since + 1e-9:  # nothing posted since the crisis broke
        return f"{title}<p><i>{_e(t('crisis.feed.quiet'))}</i></p>"
    row = ts.iloc[-1]
    counts = feed_counts(model, row)
    summary = t(
        "crisis.feed.summary",
        comments=tn("common.comments", counts["comments"]),
        negative=tn("crisis.feed.negative", counts["negative"]),
        positive=tn("crisis.feed.positive", counts["positive"]),
        mentions=tn("crisis.feed.mentions", counts["mentions"]),
        outraged=tn("crisis.feed.outraged", counts["outraged"]),
    )
    parts = [title, f"<p style='margin:2px 0'>{_e(summary)}</p>"]
    if counts["hidden"] > 0:
        parts.append(f"<p style='margin:2px 0'><i>{_e(tn('crisis.feed.hidden', counts['hidden']))}</i></p>")
    if statement is not None:
        parts.append(
            "<div style='border-left:4px solid #1a5fb4;background:#eef3fb;padding:4px 8px;margin:4px 0'>"
            f"<b>{_e(t('crisis.feed.brand'))}</b><br>{_e(t(f'crisis.statement.{statement}'))}</div>"
        )
    mentions = float(row["mentions"])
    negative = float(row["negative_mentions"])
    positive = float(row["positive_comments"])
    weights = np.array([negative, max(mentions - negative - positive, 0.0), max(positive, 0.0)])
    if not np.isfinite(weights).all() or weights.sum() <= 0:
        weights = np.array([0.0, 1.0, 0.0])
    rng = np.random.default_rng(seed + int(model.steps))
    tones = rng.choice(list(TONES), size=FEED_POSTS, p=weights / weights.sum())
    cluster = model.bad_buzz.current().cluster  # type: ignore[union-attr]
    posts = []
    for tone in tones:
        author = int(rng.integers(100, 10_000))
        template = int(rng.integers(1, TEMPLATES_PER_TONE + 1))
        minute = float(rng.uniform(max(model.day_start, since), model.day))  # never before the crisis broke
        posts.append((minute, str(tone), author, template))
    for moment, tone, author, template in sorted(posts, reverse=True):
        whole = math.floor(moment)
        minutes = min(int((moment - whole) * 1440), 1439)
        colour = TONES[tone]
        parts.append(
            f"<div style='border-left:4px solid {colour};padding:2px 8px;margin:3px 0'>"
            f"<b>@{_e(t('crisis.feed.author', number=author))}</b> "
            f"<span style='color:#888'>{minutes // 60:02d}:{minutes % 60:02d}</span> "
            f"<span style='color:{colour};font-size:smaller'>[{_e(t(f'crisis.sentiment.{tone}'))}]</span><br>"
            f"{_e(t(f'crisis.feed.{cluster}.{tone}.{template}'))}</div>"
        )
    return "".join(parts)


def window_share(ts: pd.DataFrame, after_day: float, until_day: float) -> float:
    """Negative share of the brand's mentions over the steps ending in ``(after_day, until_day]`` (NaN: none)."""
    rows = ts[(ts["day"] > after_day + 1e-9) & (ts["day"] <= until_day + 1e-9)]
    mentions = float(rows["mentions"].sum())
    return float(rows["negative_mentions"].sum()) / mentions if mentions else float("nan")


def mention_sentiment(ts: pd.DataFrame, after_day: float, until_day: float) -> float:
    """Net sentiment of the brand's mentions, -100..100, over ``(after_day, until_day]``: what the feed shows.

    The time series' ``sentiment`` column per step, summed over the window: 100 x (positive
    comments - negative mentions) / mentions (NaN without mentions).
    """
    rows = ts[(ts["day"] > after_day + 1e-9) & (ts["day"] <= until_day + 1e-9)]
    mentions = float(rows["mentions"].sum())
    net = float(rows["positive_comments"].sum() - rows["negative_mentions"].sum())
    return max(-100.0, min(100.0, 100.0 * net / mentions)) if mentions else float("nan")


def feed_counts(model: cs.CommunityModel, row: pd.Series) -> dict[str, int]:
    """The feed's counts for the last step, whole and consistent with one another.

    Comments on the page are the members' ordinary comments plus the outraged members' comments
    left visible (moderation hides the others: ``hidden``); ``negative`` and ``positive`` are
    among them; ``mentions`` counts every mention of the brand, on the page and elsewhere.
    """
    last, buzz = model.last, model.bad_buzz.last
    hidden = round(buzz.hidden)
    outraged_visible = max(round(buzz.on_page) - hidden, 0)
    positive = round(last.positive)
    negative = min(round(last.negative) + outraged_visible, round(last.comments) + outraged_visible - positive)
    comments = round(last.comments) + outraged_visible
    return {
        "comments": comments,
        "negative": max(negative, 0),
        "positive": positive,
        "hidden": hidden,
        "mentions": max(round(float(row["mentions"])), comments),
        "outraged": int(buzz.outraged),
    }


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
        self.model: cs.CommunityModel | None = None
        self.path: Path | None = None
        self.seed_used = seed
        self.cluster = ""
        self.timeline: list[tuple[float, str, str]] = []
        self.responses: list[tuple[float, Response]] = []
        self.finished = False
        self.result: cs.Result | None = None
        self.comparison: dict[str, dict[str, float]] = {}
        self.best_strategy = ""
        self._ts: pd.DataFrame | None = None
        self._logged_crises = 0
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
        self.clock = w.HTML(f"<b>{_e(t('crisis.clock.not_started'))}</b>")
        self.clock_buttons = [
            fitted_button(t(key), lambda h=hours: self.advance(h), t("crisis.clock_help"), disabled=True)
            for hours, key in CLOCK
        ]
        self.feed = w.HTML()
        self.kpis = w.HTML()
        self.plot = w.Output()
        self.strategy = w.Dropdown(options=[(t(f"crisis.strategy.{s}"), s) for s in STRATEGIES], value="silence")
        self.moderation_share = w.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.05, readout_format=".0%")
        self.updates_per_day = w.IntSlider(value=0, min=0, max=4)
        self.respond_button = fitted_button(
            t("crisis.respond"), self.respond, button_style="warning", icon="bullhorn", disabled=True
        )
        self.timeline_view = w.HTML()
        self.finish_button = fitted_button(t("crisis.finish"), self.finish, icon="flag-checkered", disabled=True)
        self.export_button = fitted_button(t("crisis.export"), self.export_report, icon="download", disabled=True)
        self.export_status = w.HTML()
        self.report_view = w.HTML()

        objectives = "".join(f"<li>{_e(t(key))}</li>" for key in LEARNING_OBJECTIVES)
        header = w.HTML(
            f"<h2>{_e(t('crisis.title'))}</h2><b>{_e(t('crisis.objectives.title'))}</b><ul>{objectives}</ul>"
            f"<p>{_e(t('crisis.intro'))}</p><p style='color:#555'><i>{_e(t('crisis.inject_defined'))}</i></p>"
        )
        response = w.VBox(
            [
                w.HTML(f"<b>{_e(t('crisis.response.title'))}</b>"),
                labelled(self.strategy, t("crisis.response.strategy")),
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

    def _say(self, text: str, error: bool = False) -> None:
        colour = _RED if error else "inherit"
        self.status.value = f"<span style='color:{colour}'>{_e(text)}</span>"

    def scenario_path(self) -> Path:
        """The chosen scenario file.

        Raises:
            ValueError: the folder has no crisis scenario.
        """
        if not self.scenario.value:
            raise ValueError(t("crisis.error.no_scenarios", folder=self.folder))
        return self.folder / self.scenario.value

    def _model(self) -> cs.CommunityModel:
        if self.model is None:
            raise RuntimeError(t("crisis.error.not_started"))
        if self.finished:
            raise RuntimeError(t("crisis.error.finished"))
        return self.model

    @property
    def start_day(self) -> float:
        """Day the exercise's crisis (the scenario's first) goes public."""
        if self.model is None:
            raise RuntimeError(t("crisis.error.not_started"))
        return float(self.model.params.crises[0].start_day)

    def hours_since_crisis(self) -> float:
        """Hours from the crisis going public to now (0 when the exercise opens)."""
        assert self.model is not None
        return round(24.0 * (self.model.day - self.start_day), 3)

    def _at_horizon(self) -> bool:
        assert self.model is not None
        return self.model.day >= self.model.params.days - 1e-9

    def _crisis_words(self, index: int = 0) -> dict[str, str]:
        assert self.model is not None
        crisis = self.model.params.crises[index]
        cluster = cluster_of(crisis.type, crisis.history)
        return {
            "type": t(f"crisis.type.{crisis.type}"),
            "cluster": t(f"crisis.cluster.{cluster}"),
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
        self.description.value = f"<i>{_e(line)}</i>"
        self.status.value = ""

    @_guarded
    def start(self) -> None:
        """Build the learner's model (planned response: silence) and run it to the crisis start."""
        seed = self.seed.value
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(t("crisis.error.seed", seed=seed))
        path = self.scenario_path()
        if not cs.load_scenario(path, self.fixed).crises:
            raise ValueError(t("crisis.error.no_crisis", scenario=path.name))
        model = cs.CommunityModel(path, seed=seed, overrides={**self.fixed, **LEARNER_START})
        start = model.params.crises[0].start_day
        while model.day < start - 1e-9 and model.day < model.params.days - 1e-9:
            model.step()
        self.model, self.path, self.seed_used = model, path, seed
        first = model.params.crises[0]
        self.cluster = cluster_of(first.type, first.history)
        self.best_strategy = best_response(self.cluster)
        self.finished = False
        self.result = None
        self.comparison = {}
        self.responses = []
        self._plot_png = b""
        self._logged_crises = 1
        words = self._crisis_words()
        self.timeline = [(0.0, t("crisis.event.public"), t("crisis.event.public_details", **words))]
        self.report_view.value = self.export_status.value = ""
        self.strategy.value = "silence"
        self.moderation_share.value = 0.0
        self.updates_per_day.value = 0
        self._enable(playing=not self._at_horizon(), finished=False)
        self.describe()
        self._refresh()
        self._say(t("crisis.started", **words))

    def _enable(self, playing: bool, finished: bool) -> None:
        for button in (*self.clock_buttons, self.respond_button):
            button.disabled = not playing
        self.finish_button.disabled = finished
        self.export_button.disabled = not finished

    @_guarded
    def advance(self, hours: float) -> None:
        """Move the clock ``hours`` forward (stepping the model; never past the horizon)."""
        model = self._model()
        if not (isinstance(hours, int | float) and math.isfinite(hours) and hours > 0):
            raise ValueError(t("crisis.error.hours", hours=hours))
        if self._at_horizon():
            raise RuntimeError(t("crisis.error.horizon", days=number(model.params.days, None)))
        target = min(model.day + hours / 24.0, model.params.days)
        while model.day < target - 1e-9:
            model.step()
        self._log_new_crises()
        self._refresh()
        if self._at_horizon():
            self._enable(playing=False, finished=False)
            self._say(t("crisis.horizon", days=number(model.params.days, None)))
        else:
            self.status.value = ""

    def _log_new_crises(self) -> None:
        """Timeline entries for crises that went public since the last look (injects of the scenario)."""
        assert self.model is not None
        crises = self.model.bad_buzz.crises
        for active in crises[self._logged_crises :]:
            hour = round(24.0 * (active.params.start_day - self.start_day), 1)
            words = {
                "type": t(f"crisis.type.{active.params.type}"),
                "cluster": t(f"crisis.cluster.{active.cluster}"),
                "severity": number(active.params.severity, None),
            }
            self.timeline.append((hour, t("crisis.event.another"), t("crisis.event.public_details", **words)))
        self._logged_crises = max(self._logged_crises, len(crises))

    @_guarded
    def respond(self) -> None:
        """Make the statement set in the response controls now (it replaces any earlier one)."""
        model = self._model()
        if self._at_horizon():
            raise RuntimeError(t("crisis.error.horizon", days=number(model.params.days, None)))
        if not model.bad_buzz.active:
            raise RuntimeError(t("crisis.error.not_public"))
        response = Response(
            strategy=self.strategy.value,
            moderation_share=float(self.moderation_share.value),
            updates_per_day=float(self.updates_per_day.value),
        )
        model.respond(response)
        hour = round(self.hours_since_crisis(), 1)
        self.responses.append((hour, response))
        label = t(f"crisis.strategy.{response.strategy}")
        details = t(
            "crisis.event.response_details",
            strategy=label,
            moderation=percent(response.moderation_share),
            updates=number(response.updates_per_day, None),
        )
        self.timeline.append((hour, t("crisis.event.response"), details))
        self._refresh()
        self._say(t("crisis.responded", hour=number(hour, None), strategy=label))

    @_guarded
    def finish(self) -> None:
        """Run to the horizon, run the comparisons (silence, best matched) and show the report."""
        model = self._model()
        while model.day < model.params.days - 1e-9:
            model.step()
        self._log_new_crises()
        self.timeline.append(
            (
                round(self.hours_since_crisis(), 1),
                t("crisis.event.finish"),
                t("crisis.event.finish_details", day=number(model.day, None)),
            )
        )
        self._refresh()
        result = self.result = model.result()
        assert self.path is not None
        base = {**self.fixed, **LEARNER_START}
        silence = cs.run(self.path, seed=self.seed_used, overrides=base)
        best = cs.run(
            self.path,
            seed=self.seed_used,
            overrides={
                **base,
                "crises.0.response.strategy": self.best_strategy,
                "crises.0.response.delay_hours": BEST_DELAY_HOURS,
            },
        )
        self.comparison = {"learner": result.kpis, "silence": silence.kpis, "best": best.kpis}
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
            path = report_path(REPORT_FOLDER, "after_action_report", self.team.value.strip() or t("crisis.solo"),
                               self.model.params.name)  # fmt: skip
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = document.encode("utf-8")
        atomic_write_bytes(path, data)
        link = download_link(data, path.name, "text/html", t("common.download", name=path.name))
        self.export_status.value = f"{_e(t('crisis.exported', path=path))} {link}"
        return path

    # --- views ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        assert self.model is not None
        self._ts = self.model.result().timeseries
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
        self.clock.value = f"<b>{_e(self._clock_text())}</b>"  # last: the page is up to date when it moves

    def _clock_text(self) -> str:
        assert self.model is not None
        day, time = _day_time(self.model.day)
        return t("crisis.clock", day=day, time=time, hour=number(round(self.hours_since_crisis(), 1), None))

    def live_kpis(self) -> dict[str, float]:
        """The live KPIs now: hours since the crisis, the 6-hour negative share, then ``LIVE_KPIS``.

        Bounded and consistent with one another: the peak is never below the 6-hour share now
        (that share is part of the crisis so far), members lost are never negative, recovery only
        comes after the peak; the net sentiment follows the feed (the mentions of the last 6 hours).
        """
        assert self.model is not None and self._ts is not None
        ts, day = self._ts, self.model.day
        now = self.hours_since_crisis()
        values = {"hours": now, "negative_share_6h": window_share(ts, day - 0.25, day)}
        values.update({name: kpi_value(ts, name, day) for name in LIVE_KPIS})
        if not _missing(values["negative_share_6h"]) and values["negative_share_6h"] > values["peak_negative_share"]:
            values["peak_negative_share"], values["hours_to_peak"] = values["negative_share_6h"], now
        values["outraged"] = float(self.model.bad_buzz.last.outraged)
        values["mention_sentiment_6h"] = mention_sentiment(ts, day - 0.25, day)
        return values

    def kpis_html(self) -> str:
        """The live KPI panel."""
        rows = [[_e(t(f"crisis.kpi.{name}")), f"<b>{_e(_fmt(name, v))}</b>"] for name, v in self.live_kpis().items()]
        return f"<b>{_e(t('crisis.kpis.title'))}</b>" + _table([], rows)

    def feed_html(self) -> str:
        """The living feed's latest hour, written from the model's state and the brand's actions (deterministic)."""
        assert self.model is not None and self._ts is not None
        return living_feed_html(self.model, self._ts, self.seed_used)

    def timeline_html(self, title: bool = True) -> str:
        """The timeline so far as a table (with its title unless ``title`` is False)."""
        heading = f"<b>{_e(t('crisis.timeline.title'))}</b>" if title else ""
        if not self.timeline:
            return f"{heading}<p>{_e(t('crisis.timeline.empty'))}</p>"
        headers = [t("crisis.timeline.hour"), t("crisis.timeline.event"), t("crisis.timeline.details")]
        rows = [[_e(number(hour, None)), _e(event), _e(details)] for hour, event, details in self.timeline]
        return heading + _table(headers, rows)

    def _figure_png(self) -> bytes:
        """The negative share over the crisis hours, as PNG bytes."""
        assert self.model is not None and self._ts is not None
        ts = self._ts
        start = self.start_day
        rows = ts[(ts["day"] >= start - 1.0 - 1e-9) & (ts["step"] > 0)]
        hours = 24.0 * (rows["day"] - start)
        index = pd.to_timedelta(rows["day"], unit="D")
        negative = rows["negative_mentions"].set_axis(index).rolling("6h").sum()
        mentions = rows["mentions"].set_axis(index).rolling("6h").sum()
        window = (negative / mentions.where(mentions > 0)).to_numpy()
        figure = Figure(figsize=(5.2, 2.8), layout="constrained")
        axes = figure.subplots()
        axes.plot(hours, rows["negative_share"], color="#bbbbbb", linewidth=1, label=t("crisis.plot.step"))
        axes.plot(hours, window, color=_RED, linewidth=2, label=t("crisis.plot.window"))
        for index, (hour, _) in enumerate(self.responses):
            axes.axvline(hour, color="#1a5fb4", linestyle=":", label=t("crisis.plot.response") if index == 0 else None)
        target = next((o.target for o in self.model.params.objectives if o.kpi == "peak_negative_share"), None)
        if target is not None:
            axes.axhline(target, color=_GREEN, linestyle="--", linewidth=1, label=t("crisis.plot.target"))
        axes.set(title=t("crisis.plot.title"), xlabel=t("crisis.plot.xlabel"), ylim=(0, 1))
        axes.legend(fontsize="x-small", loc="upper left")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()

    # --- the after-action report ---------------------------------------------------------------

    def _feedback(self, kpi: str, passed: bool, achieved: float, target: float, by_day: float) -> str:
        family = kpi if kpi in FEEDBACK_KPIS else "default"
        verdict = "pass" if passed else "never" if kpi == "hours_to_recover" and _missing(achieved) else "fail"
        return t(
            f"crisis.feedback.{family}.{verdict}",
            achieved=_fmt(kpi, achieved),
            target=_fmt(kpi, target),
            day=number(by_day, None),
            advice=t(f"crisis.scct.{self.cluster}"),
        )

    def objectives_html(self) -> str:
        """The scenario's objectives (scorecard) with pass/fail and why (after Finish)."""
        assert self.result is not None
        card = self.result.scorecard
        if card.empty:
            return f"<p>{_e(t('common.no_objectives'))}</p>"
        rows = []
        for _, row in card.iterrows():
            kpi, passed = str(row["kpi"]), bool(row["passed"])
            label = t(f"crisis.kpi.{kpi}") if f"crisis.kpi.{kpi}" in catalogue(language()) else kpi
            sign = "≥" if row["direction"] == "at_least" else "≤"
            colour = _GREEN if passed else _RED
            verdict = t("common.passed") if passed else t("common.failed")
            rows.append(
                [
                    _e(label),
                    _e(f"{sign} {_fmt(kpi, row['target'])}"),
                    _e(number(row["by_day"], None)),
                    _e(_fmt(kpi, row["achieved"])),
                    f"<b style='color:{colour}'>{_e(verdict)}</b>",
                    _e(self._feedback(kpi, passed, row["achieved"], row["target"], row["by_day"])),
                ]
            )
        headers = [
            t("common.objective"),
            t("common.target"),
            t("common.by_day"),
            t("common.achieved"),
            t("crisis.report.result"),
            t("crisis.report.why"),
        ]
        return _table(headers, rows)

    def challenge_text(self) -> str:
        """A sentence on the learner's choice: silence, a matched, weak or mismatched response, how fast."""
        spoken = [(hour, r.strategy) for hour, r in self.responses if r.strategy != "silence"]
        return scct_verdict(self.cluster, spoken[-1][1] if spoken else None, spoken[0][0] if spoken else None)

    def comparison_html(self) -> str:
        """The learner's run against silence and the best matched response: one row each."""
        labels = {
            "learner": t("crisis.report.learner"),
            "silence": t("crisis.report.silence"),
            "best": t(
                "crisis.report.best",
                strategy=t(f"crisis.strategy.{self.best_strategy}"),
                hours=number(BEST_DELAY_HOURS, None),
            ),
        }
        headers = [t("crisis.report.run"), *(t(f"crisis.kpi.{k}") for k in COMPARED_KPIS)]
        rows = [
            [f"<b>{_e(labels[run])}</b>", *(_e(_fmt(k, kpis[k])) for k in COMPARED_KPIS)]
            for run, kpis in self.comparison.items()
        ]
        return _table(headers, rows)

    def _crisis_sentiment(self) -> float:
        """Net sentiment of the mentions from the crisis going public to the end."""
        assert self.result is not None
        ts = self.result.timeseries
        return mention_sentiment(ts, self.start_day, float(ts["day"].iloc[-1]))

    def _report_body(self) -> str:
        """The report's sections (timeline, KPIs, comparison, plot, objectives, challenge, things to try)."""
        if self.model is None:
            raise RuntimeError(t("crisis.error.not_started"))
        if not self.finished or self.result is None:
            raise RuntimeError(t("crisis.error.not_finished"))
        kpis = {**self.comparison["learner"], "mention_sentiment": self._crisis_sentiment()}
        final = _table(
            [t("crisis.report.kpi"), t("crisis.report.value")],
            [[_e(t(f"crisis.kpi.{k}")), _e(_fmt(k, kpis[k]))] for k in REPORT_KPIS],
        )
        image = base64.b64encode(self._plot_png).decode("ascii")
        tries = "".join(f"<li>{_e(t(key))}</li>" for key in THINGS_TO_TRY)
        return (
            f"<h3>{_e(t('crisis.report.timeline'))}</h3>{self.timeline_html(title=False)}"
            f"<h3>{_e(t('crisis.report.kpis'))}</h3>{final}"
            f"<h3>{_e(t('crisis.report.comparison'))}</h3>{self.comparison_html()}"
            f"<h3>{_e(t('crisis.report.plot'))}</h3>"
            f"<img alt='{_e(t('crisis.plot.alt'))}' src='data:image/png;base64,{image}'>"
            f"<h3>{_e(t('crisis.report.objectives'))}</h3>{self.objectives_html()}"
            f"<h3>{_e(t('crisis.report.challenge'))}</h3><p>{_e(self.challenge_text())}</p>"
            f"<h3>{_e(t('crisis.report.try'))}</h3><ul>{tries}</ul>"
        )

    def report_html(self) -> str:
        """The after-action report: a standalone HTML document (inline CSS, every text escaped).

        Raises:
            RuntimeError: the exercise is not finished yet.
        """
        body = self._report_body()
        assert self.model is not None
        params = self.model.params
        crisis = params.crises[0]
        heading = t("crisis.report.heading", scenario=params.name)
        lines = []
        if self.team.value.strip():
            lines.append(t("crisis.report.team", team=self.team.value.strip()))
        lines.append(t("crisis.report.seed", seed=self.seed_used))
        if params.description.strip():
            lines.append(scenario_description(params.name, params.description))
        day, time = _day_time(crisis.start_day)
        lines.append(t("crisis.report.crisis", **self._crisis_words(), day=day, time=time))
        intro = "".join(f"<p>{_e(line)}</p>" for line in lines)
        footer = t("crisis.report.generated", version=cs.__version__)
        style = (
            "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:920px;margin:2em auto;"
            "padding:0 1em;color:#222;line-height:1.45}h1{font-size:1.6em}h3{margin-top:1.4em}"
            "img{max-width:100%}footer{margin-top:2em;color:#777;font-size:small}"
        )
        return (
            f"<!DOCTYPE html>\n<html lang='{_e(language())}'>\n<head>\n<meta charset='utf-8'>\n"
            f"<title>{_e(heading)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            f"<h1>{_e(heading)}</h1>\n{intro}\n{body}\n<footer>{_e(footer)}</footer>\n</body>\n</html>\n"
        )


def crisis_exercise(scenario_dir: str | Path | None = None, **kwargs: Any) -> CrisisExercise:
    """Build the crisis exercise (the notebook's one call); ``kwargs`` go to ``CrisisExercise``."""
    return CrisisExercise(scenario_dir=scenario_dir, **kwargs)
