"""The crisis exercise app (notebook 04): driven programmatically, as a trainer's group would click it."""

import html
import re
import string
from pathlib import Path

import numpy as np
import pytest
import yaml

from communitysim.crisis_feed.render import COLOURS
from communitysim.exercise.session import Applied
from communitysim.mechanisms.crisis import CLUSTERS, RESPONSE_FIT, best_response
from communitysim.messages import catalogue, set_language, t
from communitysim.ui import crisis_exercise as module
from communitysim.ui import set_slider
from communitysim.ui.crisis_exercise import CrisisExercise, crisis_exercise, crisis_scenarios
from helpers import ROOT, SCENARIOS

SMALL = {"audience.size": 1000, "seeding.size": 500}
ERROR_PREFIX = html.escape(t("common.error", message=""))


def small_app(**kwargs) -> CrisisExercise:
    return CrisisExercise(overrides=SMALL, **kwargs)


def is_error(app: CrisisExercise) -> bool:
    return ERROR_PREFIX in app.status.value


def test_the_picker_lists_the_crisis_scenarios():
    app = small_app()
    names = [value for _, value in app.scenario.options]
    assert names == [p.name for p in crisis_scenarios(SCENARIOS)]
    assert names and all(n.startswith("crisis_") for n in names)
    assert app.scenario.value == "crisis_offensive_post.yaml"
    assert "offensive" in app.description.value
    assert not is_error(app)


def test_the_exercise_opens_when_the_crisis_breaks():
    app = small_app()
    app.start()
    assert not is_error(app), app.status.value
    params = app.model.params
    assert params.crises[0].response.strategy == "silence"  # the learner decides
    assert app.model.day == pytest.approx(params.crises[0].start_day, abs=1e-9)
    assert app.hours_since_crisis() == 0.0
    assert (app.timeline[0].hour, app.timeline[0].title) == (0.0, t("crisis.event.public"))
    assert "hour 0" in app.clock.value
    assert not app.respond_button.disabled and not app.finish_button.disabled and app.export_button.disabled
    assert app.plot.outputs and "image/png" in app.plot.outputs[0]["data"]


def test_a_whole_exercise_from_start_to_report(tmp_path):
    app = small_app()
    app.start()
    kpis_at_start, feed_at_start = app.kpis.value, app.feed.value
    app.advance(6)
    assert app.hours_since_crisis() == pytest.approx(6.0)
    assert app.kpis.value != kpis_at_start
    assert app.feed.value != feed_at_start and "@" in app.feed.value
    assert any(t(f"crisis.sentiment.{sentiment}") in app.feed.value for sentiment in COLOURS)
    # the learner's decision
    app.strategy.value = "rebuild"
    app.moderation_share.value = 0.2
    app.updates_per_day.value = 1
    app.respond()
    assert not is_error(app), app.status.value
    last = app.timeline[-1]
    assert (last.hour, last.title) == (6.0, t("class.event.decision"))
    assert t("crisis.strategy.rebuild") in last.details
    assert t("crisis.statement.rebuild") in html.unescape(app.feed.value)  # pinned on the feed
    assert t("crisis.strategy.rebuild") in html.unescape(app.timeline_view.value)
    app.advance(1)
    assert app.kpis_html().count("<tr>") == len(app.live_kpis())
    # the end
    app.finish()
    assert not is_error(app), app.status.value
    assert app.model.day == pytest.approx(app.model.params.days)
    assert set(app.comparison) == {"learner", "silence", "best"}
    assert app.best_strategy == "rebuild"  # offensive post: a preventable crisis
    report = app.report_html()
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    for label in (
        t("crisis.report.learner"),
        t("crisis.report.silence"),
        t("crisis.report.best", strategy=t("crisis.strategy.rebuild"), hours="1"),
    ):
        assert html.escape(label) in report
    comparison = app.comparison_html()
    assert comparison.count("<tr>") == 4  # header and three runs
    assert html.escape(t("crisis.strategy.rebuild")) in report and html.escape(t("class.event.decision")) in report
    assert html.escape(t("crisis.kpi.peak_negative_share")) in report
    assert "data:image/png;base64," in report
    assert html.escape(t("crisis.try.1")) in report
    assert app.report_view.value and app.export_button.disabled is False
    assert all(b.disabled for b in (*app.clock_buttons, app.respond_button, app.finish_button))
    # export
    written = app.export_report(tmp_path / "deep" / "report.html")
    assert written == tmp_path / "deep" / "report.html"
    text = written.read_text(encoding="utf-8")
    assert text.startswith(("<!DOCTYPE html>", "<html")) and text == report
    assert str(written) in html.unescape(app.export_status.value)


def test_silence_gets_feedback_that_explains_why(tmp_path):
    app = small_app()
    app.start()
    app.finish()
    card = app.result.scorecard
    failed = card.loc[card["kpi"] == "peak_negative_share", "passed"]
    assert not failed.iloc[0]  # silence on a preventable crisis does not contain it
    report = html.unescape(app.report_html())
    assert t("crisis.challenge.silence", advice=t("crisis.scct.preventable")) in report
    assert "the response came late or did not match the crisis type" in report
    assert t("crisis.scct.preventable") in report
    assert app.comparison["learner"]["peak_negative_share"] == pytest.approx(
        app.comparison["silence"]["peak_negative_share"]
    )  # no decision: the same run as silence, on the same seed


def test_hostile_text_is_escaped_everywhere(tmp_path):
    data = yaml.safe_load((SCENARIOS / "crisis_offensive_post.yaml").read_text())
    data["description"] = "<script>alert('description')</script>"
    (tmp_path / "crisis_hostile.yaml").write_text(yaml.safe_dump(data))
    app = CrisisExercise(scenario_dir=tmp_path, overrides=SMALL)
    assert "<script" not in app.description.value and "&lt;script&gt;" in app.description.value
    app.team.value = "<script>alert('team')</script>"
    app.start()
    app.timeline.append(Applied(1.0, "decision", "<script>alert('event')</script>", "<img src=x onerror=alert(1)>"))
    app.advance(1)
    assert "<script" not in app.timeline_view.value and "<img src=x" not in app.timeline_view.value
    app.finish()
    report = app.report_html()
    assert "<script" not in report.lower() and "<img src=x" not in report
    for text in ("alert('team')", "alert('event')", "alert('description')", "<img src=x onerror=alert(1)>"):
        assert html.escape(text) in report


def test_bad_input_shows_a_message_not_a_traceback(tmp_path):
    app = small_app()
    for action in (lambda: app.advance(1), app.respond, app.finish, lambda: app.export_report(tmp_path / "r.html")):
        app.status.value = ""
        assert action() is None
        assert is_error(app) and html.escape(t("crisis.error.not_started")) in app.status.value
    assert not (tmp_path / "r.html").exists()
    with pytest.raises(RuntimeError):
        app.report_html()
    app.seed.value = -3
    app.start()
    assert is_error(app) and app.model is None
    app.seed.value = 7
    app.start()
    assert not is_error(app)
    app.strategy.value = "bolster"
    set_slider(app.moderation_share, 2.0)  # not a share: one line, nothing logged (the crisis is public at hour 0)
    app.respond()
    assert is_error(app) and "moderation_share" in app.status.value and not app.session.decisions
    app.advance(-2)
    assert is_error(app) and app.hours_since_crisis() == 0.0
    app.advance(float("nan"))
    assert is_error(app)
    app.export_report(tmp_path / "early.html")
    assert is_error(app) and not (tmp_path / "early.html").exists()
    app.advance(1)
    assert not is_error(app)
    assert app.export_report(tmp_path) is None and is_error(app)  # not finished: nothing written


def test_a_scenario_that_does_not_validate_shows_a_message(tmp_path):
    broken = "name: broken\naudience: {size: -5}\ncrises: [{type: offensive_post}]\n"
    (tmp_path / "crisis_broken.yaml").write_text(broken)
    app = CrisisExercise(scenario_dir=tmp_path)  # the description cannot be read: a message, no exception
    assert is_error(app) and "audience.size" in app.status.value
    app.start()
    assert is_error(app) and app.model is None
    (tmp_path / "crisis_broken.yaml").write_text("name: [unclosed\n")
    app.start()
    assert is_error(app) and "\n" not in app.status.value
    (tmp_path / "crisis_broken.yaml").write_text("name: calm\ndays: 10\naudience: {size: 200}\n")
    app.start()
    assert is_error(app) and html.escape(t("crisis.error.no_crisis", scenario="crisis_broken.yaml")) in app.status.value
    empty = CrisisExercise(scenario_dir=tmp_path / "nowhere")
    empty.start()
    assert is_error(empty) and "crisis_*.yaml" in empty.status.value


def test_the_clock_stops_at_the_horizon():
    app = small_app()
    app.start()
    app.advance(24 * 100)
    assert app.model.day == pytest.approx(app.model.params.days)
    assert all(button.disabled for button in (*app.clock_buttons, app.respond_button))
    assert not is_error(app) and html.escape(t("crisis.horizon", days="30")) in app.status.value
    app.advance(1)
    assert is_error(app)
    app.finish()
    assert not is_error(app) and app.finished


def test_the_feed_is_deterministic_and_leaves_global_random_state_alone():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 - the legacy global state must not move
    feeds = []
    for _ in range(2):
        app = small_app()
        app.start()
        app.advance(3)
        feeds.append(app.feed.value)
        streams = {name: rng.bit_generator.state for name, rng in app.model.streams.items()}
        app.feed_html()  # drawing a feed does not touch the model's streams
        assert streams == {name: rng.bit_generator.state for name, rng in app.model.streams.items()}
    assert feeds[0] == feeds[1]
    assert (np.random.get_state()[1] == state).all()  # noqa: NPY002


def test_the_best_matched_response_has_the_highest_fit():
    for cluster in CLUSTERS:
        fits = RESPONSE_FIT[cluster]
        assert fits[best_response(cluster)] == max(fits.values())


def test_every_crisis_message_key_is_in_the_catalogue():
    source = Path(module.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r"""\bt\(\s*["']((?:crisis|common)\.[\w.]+)["']""", source))
    used |= set(module.dynamic_message_keys())
    assert len(used) > 100
    messages = catalogue("en")
    missing = sorted(key for key in used if key not in messages)
    assert not missing, f"missing in locales/en: {missing}"
    data = yaml.safe_load((Path(module.__file__).parent / "locales" / "en" / "crisis.yaml").read_text())
    assert all(key.startswith("crisis.") and isinstance(text, str) for key, text in data.items())
    for key, text in data.items():  # every text formats with its placeholders filled
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        assert text.format(**dict.fromkeys(fields, "x")), key


def test_the_app_displays_its_widget_tree():
    app = crisis_exercise(overrides=SMALL)
    assert app.widget.children and hasattr(app, "_ipython_display_")
    assert app.status in app.widget.children


def test_the_notebook_is_thin_and_was_run_without_errors():
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "04_crisis_exercise.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    switch, app = code  # the language switch, then the app
    assert "set_language" in switch.source and "crisis_exercise()" in app.source
    assert app.outputs, "execute the notebook (it is committed with its outputs)"
    assert not [o for o in app.outputs if o.output_type == "error"]


def test_the_moderation_readout_is_a_percentage_in_the_learners_language():
    """ipywidgets' ``readout_format=".0%"`` wrote "30%" on a French page: the readout is ``messages.percent``'s
    ("30 %", a no-break space); the decision takes the same share (0..1), and a new start resets it to 0."""
    set_language("fr")
    try:
        app = small_app()
        assert (app.moderation_share.label, app.moderation_share.value) == ("0\u00a0%", 0.0)
        assert [label for label, _ in app.moderation_share.options][::10] == ["0\u00a0%", "50\u00a0%", "100\u00a0%"]
        app.start()
        app.strategy.value, app.moderation_share.value = "rebuild", 0.3
        assert app.moderation_share.label == "30\u00a0%"
        app.respond()
        assert not is_error(app), app.status.value
        assert app.session.decisions[-1][1]["moderation_share"] == 0.3
        app.start()
        assert (app.moderation_share.value, app.moderation_share.label) == (0.0, "0\u00a0%")
    finally:
        set_language(None)
    assert (small_app().moderation_share.options[6]) == ("30%", 0.3)
