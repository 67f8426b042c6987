"""Parameters beside their mechanisms: the former constants are parameters that a file, ``--set`` and sweeps reach.

Each test changes one parameter that used to be a module constant (the content-type table, novelty,
the crisis fit table and its bounds, the CM actions' factors, the calibration's reference rhythm)
and checks that the mechanism reads the scenario's value, not a copy of the default.
"""

import math

import numpy as np
import pytest

import communitysim as cs
from communitysim.experiments.sweeps import sweep
from communitysim.mechanisms import cm_actions, crisis, posting
from communitysim.mechanisms.feed import FeedParams
from communitysim.params import over_defaults
from communitysim.scenario import ScenarioError, load_scenario, parameter_table
from helpers import SCENARIOS, small


def test_a_table_parameter_changes_the_figures_it_names_and_keeps_the_rest():
    scenario = load_scenario(
        {"content": {"types": {"contest": {"appeal": 2.5}}}},
        overrides={
            "crisis_dynamics.response_fit.victim.deny": 0.5,
            "crisis_dynamics.lasting_share_by_cluster.victim": 0,
        },
    )
    contest = scenario.content.types["contest"]
    assert contest.appeal == 2.5
    assert contest.join_pull_per_day == posting.CONTENT_TYPES_TABLE["contest"].join_pull_per_day == 0.02
    assert scenario.content.types["debate"] == posting.CONTENT_TYPES_TABLE["debate"]
    fit = scenario.crisis_dynamics.response_fit
    assert fit["victim"] == {**crisis.RESPONSE_FIT["victim"], "deny": 0.5}
    assert fit["preventable"] == crisis.RESPONSE_FIT["preventable"]
    assert scenario.crisis_dynamics.lasting_share_by_cluster == {**crisis.LASTING_BY_CLUSTER, "victim": 0.0}


@pytest.mark.parametrize(
    ("override", "says"),
    [
        ({"content.types.contest.apeal": 2}, "content.types.contest.apeal: unknown field; expected one of: appeal,"),
        ({"content.types.blog.appeal": 2}, "content.types.blog: unknown field; expected one of: informational,"),
        ({"crisis_dynamics.response_fit.victim.deny": 3}, "crisis_dynamics.response_fit.victim.deny: Input should be"),
        ({"cm_actions.reply_calm_factor": 0.5}, "cm_actions.reply_calm_factor: Input should be greater than or equal"),
    ],
)
def test_a_bad_figure_in_a_table_is_one_line_naming_its_path(override, says):
    with pytest.raises(ScenarioError) as error:
        load_scenario({}, overrides=override)
    message = str(error.value)
    assert message.startswith(f"overrides: {says}") and "\n" not in message


def test_over_defaults_leaves_what_is_not_a_table_to_validation():
    assert over_defaults({"a": {"x": 1}}, 3) == 3
    assert over_defaults({"a": {"x": 1}}, {"b": 2}) == {"a": {"x": 1}, "b": 2}


def test_the_content_table_and_novelty_reach_the_model():
    model = cs.CommunityModel(
        small(days=5), seed=1, overrides={"content.types.debate.appeal": 3.0, "content.novelty_wear_share": 0.5}
    )
    manager = model.community_manager
    debate = posting.CONTENT_TYPES.index("debate")
    assert manager.posts.type_table[debate, 0] == 3.0
    assert manager.novelty.use("debate", 0.0) == 1.0 and manager.novelty.use("debate", 0.0) == 0.5


def test_a_more_appealing_content_type_engages_more_on_every_seed():
    # debates only, their appeal doubled: the same seed (common random numbers) differs only by the
    # table; engagement per view doubles, so the total rises on each of 3 seeds (measured: +80-100%)
    debates = {"strategy.content_mix": {"debate": 1.0}}
    for seed in (1, 2, 3):
        base = cs.run(small(days=60), seed=seed, overrides=debates).kpis["engagements"]
        doubled = cs.run(small(days=60), seed=seed, overrides={**debates, "content.types.debate.appeal": 2.2})
        assert doubled.kpis["engagements"] > 1.3 * base


def _deny_a_preventable_crisis(overrides):
    scenario = load_scenario(
        SCENARIOS / "crisis_offensive_post.yaml",
        overrides={"crises.0.response.strategy": "deny", "crises.0.response.delay_hours": 0, **overrides},
    )
    model = cs.CommunityModel(scenario, seed=1)
    while not model.bad_buzz.crises:
        model.step()
    return model.bad_buzz, model.bad_buzz.current()


def test_the_crisis_fit_table_and_its_bounds_reach_the_bad_buzz():
    buzz, active = _deny_a_preventable_crisis({})
    assert buzz.fit(active, math.inf) == crisis.RESPONSE_FIT["preventable"]["deny"] == -1.0
    buzz, active = _deny_a_preventable_crisis({"crisis_dynamics.response_fit.preventable.deny": 0.9})
    assert buzz.fit(active, math.inf) == 0.9
    told_first = {"crises.0.response.disclose_first": True, "crisis_dynamics.disclose_fit_bonus": 0.5}
    buzz, active = _deny_a_preventable_crisis(told_first)
    assert buzz.fit(active, math.inf) == pytest.approx(-0.5)
    capped = {"crises.0.response.updates_per_day": 4, "crisis_dynamics.max_fit": 1.2}
    buzz, active = _deny_a_preventable_crisis(capped)
    assert buzz.fit(active, math.inf) == -1.2  # -1 x (1 + 0.25 x 4) = -2, kept within max_fit


def test_the_best_response_is_read_from_the_table_given():
    assert crisis.best_response("preventable") == "rebuild"
    table = {**crisis.RESPONSE_FIT, "preventable": {**crisis.RESPONSE_FIT["preventable"], "bolster": 1.0}}
    assert crisis.best_response("preventable", table) == "bolster"


def test_the_cm_actions_factors_are_the_scenarios():
    for factor in (cm_actions.REPLY_CALM_FACTOR, 2.0):
        model = cs.CommunityModel(
            {"audience": {"size": 300}, "days": 5}, seed=1, overrides={"cm_actions.reply_calm_factor": factor}
        )
        model.inject(crisis.Crisis(type="offensive_post", severity=0.5))
        before = model.bad_buzz.dynamics.calm_rate_per_day
        model.act("reply_comments")
        assert model.bad_buzz.dynamics.calm_rate_per_day == pytest.approx(before * factor)


def test_a_sweep_reaches_a_former_constant():
    # novelty that never wears against novelty that wears at once: a mix of one type engages more
    # without wear (same seeds, so the points differ only by the parameter)
    scenario = small(audience={"size": 400}, days=30, strategy={"content_mix": {"entertainment": 1.0}})
    grid = {"content.novelty_wear_share": [0.0, 0.9]}
    table = sweep(scenario, grid, replications=2, seed=1, backend="serial", progress=False)
    means = table.runs.groupby("content.novelty_wear_share")["engagements"].mean()
    assert means[0.0] > means[0.9]


def test_the_reference_rhythm_is_read_from_the_feed_parameters():
    from communitysim.calibration import fit_growth
    from test_calibration import page_with_visibility

    # the page: p = 0.003 x (1 - s + s sqrt(r / 5)) with s = 0.9. Read against a reference of 10 posts
    # a week, the same curve is p = b x (1 - s' + s' sqrt(r / 10)) with b = 0.003 x (0.1 + 0.9 sqrt 2)
    page = page_with_visibility(0.9, 1)
    at_five, at_ten = (
        fit_growth(page, bootstrap=0),
        fit_growth(page, bootstrap=0, feed=FeedParams(reference_posts_per_week=10)),
    )
    assert at_five.base_p == pytest.approx(0.003, rel=0.1)
    assert at_ten.base_p == pytest.approx(0.003 * (0.1 + 0.9 * np.sqrt(2)), rel=0.1)
    assert "p at 10 posts a week" in str(at_ten) and "p at 5 posts a week" in str(at_five)
    assert load_scenario(at_ten.to_scenario()).feed.reference_posts_per_week == 10
    assert "reference_posts_per_week" not in at_five.to_scenario().get("feed", {})


def test_every_former_constant_is_in_the_parameter_table():
    paths = {row["path"] for row in parameter_table()}
    assert {
        "content.types.contest",
        "content.types[].appeal",
        "content.novelty_wear_share",
        "content.novelty_half_life_days",
        "crisis_dynamics.response_fit.preventable",
        "crisis_dynamics.lasting_share_by_cluster",
        "crisis_dynamics.disclose_fit_bonus",
        "crisis_dynamics.max_updates_per_day",
        "crisis_dynamics.max_fit",
        "cm_actions.delete_hear_factor",
        "cm_actions.reply_calm_factor",
    } <= paths
