"""What the learning notebooks (00-03, 05) say: numbers by their kind, feedback computed from the learner's runs."""

import pytest

import communitysim as cs
from communitysim.messages import set_language
from communitysim.ui import display_app
from communitysim.ui.display import display_kind, kpi_text
from communitysim.ui.first_members import FirstMembers
from communitysim.ui.posting_lab import PostingLab
from communitysim.ui.welcome import WelcomeChallenge
from helpers import SCENARIOS


@pytest.fixture
def french():
    set_language("fr")
    yield
    set_language(None)


def test_every_count_is_whole_and_every_share_a_percentage(french):
    assert kpi_text("members", 82.0) == "82" and kpi_text("leads", 6.0) == "6"
    assert kpi_text("engagement_rate_followers", 0.0332) == "3,3\u00a0%"
    assert kpi_text("active_ratio", 0.25) == "25\u00a0%"
    assert kpi_text("response_time_h", 1) == "1 heure" and kpi_text("response_time_h", 4.5) == "4,5 heures"
    assert kpi_text("sentiment", 21.4) == "+21" and kpi_text("members", float("nan")) == "–"
    # every KPI has a kind, and every share-like unit is shown as a share
    for name, kpi in cs.kpis.KPIS.items():
        assert display_kind(name) == "share" if kpi.unit.startswith("share") else True


def test_the_lab_summary_shows_counts_whole_and_rates_in_percent(french):
    lab = PostingLab()
    lab.run()
    summary = lab.summary.value
    members = int(lab.result.kpis["members"])
    assert f"<b>{members}</b>" in summary or f"<b>{kpi_text('members', members)}</b>" in summary
    assert ",00" not in summary and "\u00a0%" in summary


def test_over_posting_feedback_names_fatigue_and_the_lever_not_the_close_circle():
    """Seed 7, classroom_bakery: 5 then 40 posts a week; the feedback reads the second run's own numbers."""
    lab = PostingLab()
    lab.run()
    lab.posts_per_week.value = 40
    lab.run()
    card = lab.scorecard.value
    assert lab.result.kpis["members"] < lab.previous.kpis["members"]  # the page's own numbers went down
    assert "tired" in card and "unfollowed" in card and "close circle" not in card
    assert "posts a week 5 → 40" in card  # the lever that moved the KPI, from the two runs
    # the two strategies on two more seeds: the words follow the three paired differences
    members = [(b["members"], n["members"]) for b, n in zip(lab.spread["before"], lab.spread["now"], strict=True)]
    assert len(members) == 3 and "on 3 seeds" in lab.summary.value
    if all(n < b for b, n in members):
        assert "lower on every seed" in lab.summary.value
    elif not all(n > b for b, n in members):
        assert "within the noise" in lab.summary.value


def test_a_small_change_is_said_to_be_within_the_noise_when_it_changes_sign_with_the_seed():
    from communitysim.ui.feedback import spread_line

    before = [{"members": 100}, {"members": 120}, {"members": 90}]
    assert "within the noise" in spread_line(
        "members", before, [{"members": 104}, {"members": 118}, {"members": 93}], 3
    )
    assert "higher on every seed" in spread_line(
        "members", before, [{"members": 130}, {"members": 150}, {"members": 95}], 3
    )
    named = spread_line("members", before, [{"members": 80}, {"members": 99}, {"members": 70}], 3, ("A", "B"))
    assert "70 – 99 with B, 90 – 120 with A: lower on every seed" in named  # a contrast names its two cases


def test_a_begging_only_mix_is_not_blamed_on_promotional_posts():
    lab = PostingLab()
    for kind, slider in lab.mix.items():
        slider.value = 10 if kind == "begging" else 0
    lab.run()
    card = lab.scorecard.value
    assert "not yet" in card and "Begging for likes (100% of your posts)" in card
    assert "Promotional" not in card


def test_an_objective_no_rhythm_reaches_is_said_so(tmp_path):
    """posting_frequency with a churn rate objective of 2% per 30 days: above it at every rhythm from 0 to 42 (seed 7).

    (The shipped objective, 8%, is reached by a good rhythm since issue 17: tests/test_lessons.py.)
    """
    text = (SCENARIOS / "posting_frequency.yaml").read_text(encoding="utf-8")
    shipped = "{kpi: churn_rate, target: 0.08,"
    assert shipped in text
    (tmp_path / "posting_frequency.yaml").write_text(text.replace(shipped, "{kpi: churn_rate, target: 0.02,"))
    lab = PostingLab(scenario="posting_frequency.yaml", folder=tmp_path)
    lab.run()
    churn = lab.result.scorecard.set_index("kpi").loc["churn_rate"]
    assert not churn["passed"]
    rates = [run.kpis["churn_rate"] for run in lab._reach_runs.values()]
    assert min(rates) > churn["target"]
    assert "No posting rhythm reaches this objective" in lab.scorecard.value


def test_doubling_the_posts_lowers_the_rate_per_post_and_raises_the_total_as_the_page_says():
    """Paired over seeds 1-8 on classroom_bakery, 5 then 10 posts a week: the total rises on every seed, the
    rate by followers falls on at least 7 of 8 (the lessons' rule, tests/test_lessons.py).

    Engagements per post (no member denominator) goes either way across these seeds (more posts also
    bring more members), which is why the page asks about the rate by followers. Measured: the rate fell on 7
    of 8; on seed 5 the page at 10 posts grew to 1,057 members instead of 729, and its many newcomers, still
    keen, lifted the rate by followers (0.0215 -> 0.0259).
    """
    rate, total = [], []
    for seed in range(1, 9):
        runs = [
            cs.run(SCENARIOS / "classroom_bakery.yaml", seed=seed, overrides={"strategy.posts_per_week": n}).kpis
            for n in (5, 10)
        ]
        rate.append(runs[1]["engagement_rate_followers"] < runs[0]["engagement_rate_followers"])
        total.append(runs[1]["engagements"] > runs[0]["engagements"])
    assert sum(rate) >= 7 and all(total), (rate, total)


def test_first_members_that_were_scattered_are_not_told_they_were_linked():
    app = FirstMembers()
    app.strategy.value, app.size.value = "influencers", 100
    app.run()
    linked = app.linked_share()
    text = app.challenge.value
    if "Reached" in text:  # the pass text follows the ring: linked or scattered
        assert ("scattered" in text) == (linked < 0.5)
    app.strategy.value, app.size.value = "close_circle", 60
    app.run()
    assert app.linked_share() >= 0.5 and "had a friend among the others" in app.challenge.value


def test_the_first_members_plurals_and_the_french_colon(french):
    goal = [{"kpi": "members", "target": 300, "by_day": 30}]
    app = FirstMembers(overrides={"audience.size": 400, "days": 30, "objectives": goal})
    app.size.value = 1
    app.run()
    text = app.widget.children[3].value  # the challenge line, under the shared style and the controls
    assert "Défi\u00a0:" in text
    assert "1 personnes" not in app.challenge.value


def test_the_welcome_challenge_is_a_slider_and_a_button():
    app = WelcomeChallenge(overrides={"days": 100, "objectives": [{"kpi": "members", "target": 300, "by_day": 90}]})
    app.first_members.value = 60
    app.run()
    assert app.result.scenario.seeding.size == 60 and "cs-scorecard" in app.scorecard.value


def test_an_app_shown_without_its_kernel_says_run_this_cell_not_its_repr(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    display_app(PostingLab(overrides={"audience.size": 300, "days": 10}).widget)
    assert "run this cell" in shown[0]["text/plain"] and "VBox" not in shown[0]["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in shown[0]


@pytest.mark.parametrize(
    ("lang", "terms"),
    [
        ("en", ["Seed", "Inject", "SCCT", "Word-of-mouth", "Churn", "Reach", "Engagements per post",
                "Engagement rate per post", "Active members", "Qualified leads", "Confidence interval", "Fatigue"]),
        ("fr", ["Graine", "Inject", "SCCT", "Bouche-à-oreille", "Attrition", "Portée", "Interactions par publication",
                "Taux d'engagement par publication", "Membres actifs", "Leads qualifiés", "Intervalle de confiance",
                "Lassitude"]),
    ],
)  # fmt: skip
def test_the_glossary_explains_the_words_a_learner_meets_and_every_page_links_it(lang, terms):
    from communitysim.messages import catalogue

    glossary = catalogue(lang)["nb.glossary"]
    assert [term for term in terms if f"**{term}" not in glossary] == []
    link = "09_glossary.ipynb" if lang == "en" else "09_glossary.fr.ipynb"
    for page in (
        "welcome.intro",
        "first.intro",
        "lab.intro",
        "engagement.intro",
        "experiments.intro",
        "calibration.intro",
    ):
        assert link in catalogue(lang)[f"nb.{page}"], page
    guide = (SCENARIOS.parent / "docs" / ("GUIDE.md" if lang == "en" else "GUIDE.fr.md")).read_text()
    assert "seed" in guide.lower() or "graine" in guide.lower()


def test_the_dashed_previous_run_is_only_a_run_of_the_same_scenario():
    lab = PostingLab(overrides={"audience.size": 500, "days": 40, "objectives": []})
    lab.run()
    lab.scenario.value = "bakery_launch.yaml"  # another scenario: nothing to compare with
    lab.run()
    assert lab.previous is None and all(len(axes.lines) == 1 for axes in lab.figure.axes)
    lab.run()
    assert lab.previous is not None and all(len(axes.lines) == 2 for axes in lab.figure.axes)


def test_first_members_compares_two_choices_on_three_seeds_in_words():
    """01's lab, like 02's: a changed choice is run on two more seeds, and the words follow the paired runs."""
    app = FirstMembers(overrides={"audience.size": 600, "days": 60})
    app.strategy.value = "random"
    app.run()
    assert "cs-spread" not in app.scorecard.value  # nothing to compare yet
    app.strategy.value = "close_circle"
    app.run()
    members = [(b["members"], n["members"]) for b, n in zip(app.spread["before"], app.spread["now"], strict=True)]
    assert len(members) == 3 and "on 3 seeds" in app.scorecard.value
    assert members[0] == (app.previous.kpis["members"], app.result.kpis["members"])  # the learner's own seed
    if all(n > b for b, n in members):
        assert "higher on every seed" in app.scorecard.value
    elif all(n < b for b, n in members):
        assert "lower on every seed" in app.scorecard.value
    else:
        assert "within the noise" in app.scorecard.value


def test_a_click_runs_only_the_new_strategy_on_the_spread_seeds(monkeypatch):
    """The previous strategy's runs on the spread seeds were made one click before: they are kept, not
    run again (a click costs the learner's run and two seeds, not four)."""
    from communitysim.ui import feedback

    lab = PostingLab()
    lab.run()
    lab.posts_per_week.value = 3
    lab.run()
    words = lab.summary.value
    calls = []
    real_run = cs.run
    monkeypatch.setattr(feedback.cs, "run", lambda *a, **k: calls.append(k.get("seed")) or real_run(*a, **k))
    lab.posts_per_week.value = 7  # a strategy not tried yet (5, the default, was the first)
    lab.run()
    assert sorted(s for s in calls if s is not None and s != lab.seed) == sorted(feedback.SPREAD_SEEDS)
    assert "<ul class='cs-spread'>" in lab.summary.value and words != lab.summary.value
