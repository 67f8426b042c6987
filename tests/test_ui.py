"""The notebook apps, driven programmatically: change a control, run, and the results change."""

import re
import string
from pathlib import Path

import pytest

from communitysim.messages import LANGUAGES, catalogue, set_language, t, tn
from communitysim.ui.engagement_lab import EngagementLab
from communitysim.ui.first_members import FirstMembers
from communitysim.ui.posting_lab import PostingLab, lab_scenarios

SMALL = {"audience.size": 600, "days": 60, "objectives": [{"kpi": "members", "target": 50, "by_day": 60}]}
SRC = Path(__file__).resolve().parents[1] / "src" / "communitysim" / "ui"
ROOT_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_every_message_key_used_in_the_apps_exists_with_its_placeholders():
    used = set()
    for source in SRC.parent.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']\s*[,)]""", source.read_text()))
    for lang in LANGUAGES:
        messages = catalogue(lang)
        assert used - set(messages) == set(), lang
    # every language has the same keys and the same placeholders as English
    english = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert set(other) == set(english)
        for key, text in english.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert fields == {f for _, f, _, _ in string.Formatter().parse(other[key]) if f}, key


def test_an_unknown_message_key_is_named():
    with pytest.raises(KeyError, match=r"no message 'lab\.nope'"):
        t("lab.nope")


def test_the_lab_lists_the_scenarios_it_can_run():
    names = lab_scenarios()
    assert "bakery_launch.yaml" in names and "posting_frequency.yaml" in names
    assert not any(n.startswith(("crisis_", "bass_")) for n in names)


def test_changing_a_slider_and_running_changes_the_scorecard_and_the_plots():
    lab = PostingLab(overrides=SMALL)
    lab.run()
    first_card, first_summary = lab.scorecard.value, lab.summary.value
    first_lines = [line.get_ydata().copy() for line in lab.figure.axes[0].lines]
    lab.posts_per_week.value = 21
    lab.mix["begging"].value = 10
    lab.run()
    assert lab.previous is not None and lab.result is not lab.previous
    assert lab.summary.value != first_summary
    assert "PASS" in lab.scorecard.value or "not yet" in lab.scorecard.value
    assert len(lab.figure.axes[0].lines) == 2  # this run and the previous one, dashed
    assert lab.figure.axes[0].lines[0].get_linestyle() == "--"
    assert (lab.figure.axes[0].lines[0].get_ydata() == first_lines[0]).all()
    assert lab.result.scenario.strategy.posts_per_week == 21
    assert first_card  # the scorecard was there from the first run


def test_live_mode_reruns_when_a_slider_is_released_and_only_then():
    lab = PostingLab(overrides=SMALL)
    lab.posts_per_week.value = 9
    assert lab.result is None  # Run mode: nothing until Run
    lab.live.value = True
    lab.posts_per_week.value = 12
    assert lab.result is not None and lab.result.scenario.strategy.posts_per_week == 12
    assert all(control.continuous_update is False for control in lab.strategy_controls())
    runs = []
    lab.run = lambda: runs.append(1)  # count live runs while a scenario's strategy loads
    lab.load_strategy()
    assert runs == [1]  # one run for the whole new strategy, not one per slider


def test_the_default_classroom_scenario_is_a_challenge_a_better_strategy_meets():
    lab = PostingLab()
    assert lab.scenario.value == "classroom_bakery.yaml"
    lab.run()
    card = lab.result.scorecard
    assert not card["passed"].all()  # the default strategy falls short
    lab.posts_per_week.value = 7
    lab.quality.value = 0.9
    lab.reply_share.value = 1.0
    lab.reply_delay_hours.value = 1
    for kind, weight in {"informational": 2, "entertainment": 3, "quiz_poll": 2, "event": 2, "debate": 1}.items():
        lab.mix[kind].value = weight
    lab.mix["promotional"].value = 0
    lab.run()
    assert lab.result.scorecard["passed"].all(), lab.result.scorecard


def test_the_lab_explains_a_bad_value_instead_of_raising():
    lab = PostingLab(overrides=SMALL)
    for slider in lab.mix.values():
        slider.value = 0
    lab.run()
    assert "content mix is empty" in lab.status.value
    assert lab.result is None


def test_a_scenario_that_does_not_validate_shows_a_message(tmp_path):
    (tmp_path / "broken.yaml").write_text("audience: {size: -5}\n")
    lab = PostingLab(scenario="broken.yaml", folder=tmp_path)
    assert "audience.size" in lab.status.value
    lab.run()
    assert "audience.size" in lab.status.value and lab.result is None


def test_first_members_draws_members_in_colour_and_compares_runs():
    app = FirstMembers(overrides=SMALL)
    app.run()
    members_day_60 = app.members_on(60).sum()
    assert members_day_60 == app.result.kpis["members"]
    app.strategy.value = "none"
    app.run()
    assert app.previous is not None
    app.day.value = 0
    assert app.members_on(0).sum() == 0


def test_the_first_members_challenge_explains_why_a_try_failed_or_passed():
    app = FirstMembers()
    app.strategy.value, app.invite_after_posts.value, app.size.value = "random", 0, 20
    app.run()
    feedback = app.challenge.value
    assert "before the page was ready" in feedback and "scattered" in feedback and "#b3261e" in feedback
    app.strategy.value, app.invite_after_posts.value, app.size.value = "close_circle", 6, 60
    app.run()
    assert "Reached" in app.challenge.value and "#1b7f3b" in app.challenge.value
    app.strategy.value = "none"
    app.run()
    assert "Nobody was invited" in app.challenge.value


def test_the_first_members_challenge_is_the_scenarios_first_members_objective():
    # the same run passes a lower target and fails a higher one: the target comes from the scenario
    easy = [{"kpi": "members", "target": 5, "by_day": 30}, {"kpi": "members", "target": 10**6, "by_day": 30}]
    hard = [{"kpi": "leads", "target": 0, "by_day": 30}, {"kpi": "members", "target": 10**6, "by_day": 30}]
    shown = []
    for objectives in (easy, hard, []):
        app = FirstMembers(overrides={"audience.size": 600, "days": 30, "objectives": objectives})
        app.run()
        shown.append((app.widget.children[3].value, app.challenge.value))  # [0] is the shared style
    assert "reach 5 members by day 30" in shown[0][0] and "#1b7f3b" in shown[0][1]
    assert "reach 1,000,000 members by day 30" in shown[1][0] and "#b3261e" in shown[1][1]
    assert shown[2] == ("", "")  # no objective on members: no challenge


def test_the_engagement_sweep_finds_a_best_rhythm():
    app = EngagementLab(overrides={"audience.size": 1500, "seeding.size": 400, "days": 45}, frequencies=(1, 7, 42))
    app.sweep()
    assert list(app.table["posts_per_week"]) == [1, 7, 42]
    assert app.table["engagements_per_post"].iloc[0] > app.table["engagements_per_post"].iloc[-1]
    assert app.best.value == ""  # the answer is not given before the learner's guess (the challenge)
    app.guess.value = 7
    app.check()
    assert "posts a week" in app.best.value


def test_the_engagement_challenge_and_contrasts_give_feedback():
    app = EngagementLab(overrides={"audience.size": 1500, "seeding.size": 400, "days": 45}, frequencies=(1, 7, 42))
    app.sweep()
    best = int(app.table.loc[app.table["engagements"].idxmax(), "posts_per_week"])
    app.guess.value = best
    app.check()
    assert "Yes" in app.feedback.value
    app.guess.value = 42 if best != 42 else 1
    app.check()
    assert "Too" in app.feedback.value
    app.guess.value = 5
    app.check()
    assert "Pick one of" in app.feedback.value
    app.compare()
    kpis = app.contrast_kpis
    assert kpis["varied"]["engagements_per_post"] > kpis["one_type"]["engagements_per_post"]
    assert kpis["debates"]["member_interactions"] > kpis["informational"]["member_interactions"]
    assert "novelty" in app.contrasts.value


def test_the_language_comes_from_the_switch_then_the_setting_then_the_locale(monkeypatch):
    from communitysim.messages import language, set_language

    for name in ("COMMUNITYSIM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    assert language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert language() == ("fr" if "fr" in LANGUAGES else "en")
    monkeypatch.setenv("COMMUNITYSIM_LANG", "en")
    assert language() == "en"  # the setting wins over the locale
    monkeypatch.setenv("COMMUNITYSIM_LANG", "tlh")
    assert language() == "en"  # an unknown language: English, not the locale
    try:
        set_language("en")
        monkeypatch.setenv("COMMUNITYSIM_LANG", "fr")
        assert language() == "en"  # the notebook's switch wins
        with pytest.raises(ValueError, match="language: expected one of"):
            set_language("tlh")
    finally:
        set_language(None)


def test_the_welcome_challenge_scorecard_says_which_objective_failed_and_why():
    import communitysim as cs
    from communitysim.ui import scorecard

    html = scorecard(cs.run(ROOT_SCENARIOS / "bakery_launch.yaml", seed=7)).data
    assert "cs-scorecard" in html and "not yet" in html and "word-of-mouth" in html


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 0, "0 people"),
        ("en", 1, "1 person"),
        ("en", 2, "2 people"),
        ("fr", 0, "0 personne"),
        ("fr", 1, "1 personne"),
        ("fr", 1.5, "1,5 personne"),
        ("fr", 2, "2 personnes"),
        ("fr", 1_000_000, "1\u202f000\u202f000 personnes"),  # CLDR "many" falls back to "other"
    ],
)
def test_plurals_follow_the_language_rules(lang, count, expected):
    set_language(lang)
    try:
        assert tn("common.people", count) == expected
    finally:
        set_language(None)


def test_every_plural_message_has_its_other_form_in_every_language():
    for lang in LANGUAGES:
        keys = catalogue(lang)
        stems = {k.rsplit(".", 1)[0] for k in keys if k.rsplit(".", 1)[-1] in ("zero", "one", "two", "few", "many")}
        assert stems, lang
        assert all(f"{stem}.other" in keys for stem in stems), lang


def test_the_lab_sliders_span_the_schema_and_keep_a_scenarios_value(tmp_path):
    # a rhythm beyond the old 42 and a delay beyond the old 48 h: shown as they are, never clamped
    from communitysim.scenario import field_bounds

    (tmp_path / "busy.yaml").write_text(
        "name: busy\ndays: 10\naudience: {size: 300}\n"
        "strategy: {posts_per_week: 60, reply_delay_hours: 100, quality: 0.63}\n"
    )
    lab = PostingLab(scenario="busy.yaml", folder=tmp_path)
    assert (lab.posts_per_week.min, lab.posts_per_week.max) == field_bounds("strategy.posts_per_week")
    delays = [value for _, value in lab.reply_delay_hours.options]  # a decimal slider: its values are its options
    assert (delays[0], delays[-1]) == field_bounds("strategy.reply_delay_hours")
    assert (lab.posts_per_week.value, lab.reply_delay_hours.value) == (60, 100)
    assert (lab.quality.value, lab.quality.label) == (0.63, "0.63")  # off the slider's 0.05 grid: kept as it is
    assert lab.overrides()["strategy.posts_per_week"] == 60


def test_french_runs_write_decimal_numbers_with_a_comma_on_the_sliders_and_in_the_scorecard():
    """ipywidgets' float sliders write "0.60" in every language: the labs' decimal sliders write their readouts
    as the language does, and so do the summary and the scorecard (no "1.5" in a French page, some "1,5")."""
    set_language("fr")
    try:
        lab = PostingLab(overrides={"days": 60})
        lab.run()
        lab.quality.value = 0.9
        lab.run()
        sliders = (
            lab.quality.label,
            lab.reply_share.label,
            lab.reply_delay_hours.label,
            EngagementLab().appetite.label,
        )
        assert sliders == ("0,90", "60\u00a0%", "4,0", "1,50")
        shown = re.sub(r"<[^>]+>", " ", lab.summary.value + lab.scorecard.value)
        assert not re.search(r"\d\.\d", shown), shown
        assert re.search(r"\d,\d", shown)  # decimals are shown, the French way
    finally:
        set_language(None)
    lab = PostingLab(overrides={"days": 60})
    assert (lab.quality.label, lab.reply_delay_hours.label) == ("0.60", "4.0")  # English keeps its point


def test_no_slider_of_any_app_leaves_its_readout_to_the_browsers_english(tmp_path):
    """ipywidgets' float sliders format their readouts in the browser, in English whatever the page's language
    ("0.6", "60%", a range's "0.2"): every decimal slider of every app, in French, is a selection slider whose
    labels the language writes (no decimal point, a space before %), and whole-number sliders, whose readout
    has no thousands separator in either language, stay below 1,000."""
    import ipywidgets as w

    from communitysim.classroom import Store
    from communitysim.ui.calibration_lab import CalibrationLab
    from communitysim.ui.classroom_facilitator import FacilitatorApp
    from communitysim.ui.classroom_team import TeamApp
    from communitysim.ui.crisis_exercise import CrisisExercise
    from communitysim.ui.experiments_lab import ExperimentsLab
    from communitysim.ui.welcome import WelcomeChallenge

    set_language("fr")
    try:
        apps = [WelcomeChallenge(), FirstMembers(), PostingLab(), EngagementLab(), CalibrationLab(), CrisisExercise(),
                ExperimentsLab(backend="serial", progress=False), FacilitatorApp(store=Store(tmp_path / "c.sqlite")),
                TeamApp(store=Store(tmp_path / "c.sqlite"))]  # fmt: skip
        labels, kinds = [], set()
        for app in apps:
            todo = [app.widget]
            while todo:
                widget = todo.pop()
                todo.extend(getattr(widget, "children", ()))
                if not type(widget).__name__.endswith("Slider"):
                    continue
                kinds.add(type(widget).__name__)
                if isinstance(widget, w.IntSlider):
                    assert widget.max < 1000, (type(app).__name__, widget.description, widget.max)
                else:
                    assert isinstance(widget, w.SelectionSlider | w.SelectionRangeSlider), (type(app).__name__, widget)
                    labels += [label for label, _ in widget.options]
    finally:
        set_language(None)
    assert kinds == {"IntSlider", "SelectionSlider", "SelectionRangeSlider"}
    assert any("," in label for label in labels) and any("\u00a0%" in label for label in labels)
    assert not [label for label in labels if "." in label or re.search(r"\d%", label)]
