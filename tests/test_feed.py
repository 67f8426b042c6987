"""The feed: per-member fatigue from the posts each member saw, and the draws of views and engagements."""

from types import SimpleNamespace

import numpy as np
import pytest

import communitysim as cs
from communitysim.mechanisms import engagement, feed
from communitysim.population import MemberState
from communitysim.sampling import PersonalUniforms
from helpers import SCENARIOS


def test_fatigue_grows_with_the_posts_seen_beyond_the_appetite():
    views = np.array([0, 1, 3])
    # at or below the appetite nobody tires, however many posts they saw
    assert not feed.fatigue_gain(views, 1.5, 1.5, 0.02, 0.1).any()
    assert not feed.fatigue_gain(views, 0.5, 1.5, 0.02, 0.1).any()
    # beyond it, in proportion to the posts each one saw
    gain = feed.fatigue_gain(views, 4.0, 1.5, 0.02, 0.1)
    assert gain[0] == 0 and gain[2] == pytest.approx(3 * gain[1])
    # a member of mean activity sees a share `reach` of n posts a day: per_excess_post x (n - appetite) a day
    n, reach = 4.0, 0.1
    assert feed.fatigue_gain(np.array([reach * n]), n, 1.5, 0.02, reach)[0] == pytest.approx(0.02 * (n - 1.5))


def _flooded_first_members(seed: int, posts_per_week: int):
    model = cs.CommunityModel(
        SCENARIOS / "posting_frequency.yaml",
        seed=seed,
        overrides={"strategy.posts_per_week": posts_per_week, "days": 90, "objectives": []},
    )
    model.run()
    first = np.flatnonzero(model.population.invited)  # the page's 4,000 members at day 0, all rested then
    propensity = model.view_propensity[first]  # chance to see a given post: who sees more of the feed
    low, high = np.quantile(propensity, [0.25, 0.75])
    groups = first[propensity <= low], first[propensity >= high]
    pop = model.population
    left = [float(np.mean(pop.state[g] == MemberState.FORMER)) for g in groups]
    tired = [float(pop.fatigue[g][pop.state[g] == MemberState.MEMBER].mean()) for g in groups]
    return left, tired


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_members_who_saw_more_posts_are_more_tired_and_churn_more(seed):
    # Paired on one seed (common random numbers: each person's own leave clock): posting_frequency's
    # first members over 90 days at 28 posts a week (4 a day, appetite 1.5) against 5. The quarter
    # that sees most of the feed (top view propensity) against the quarter that sees least (about
    # 1,000 members each). Measured on seeds 1-4: fatigue 0.94-1.01 against 0.29; extra departures
    # 17.5-20.0 points against 4.4-6.2. Tolerances: fatigue at least twice, extra departures at
    # least 5 points more (a flat fatigue for all, as before, gives neither).
    (low_left, high_left), (low_tired, high_tired) = _flooded_first_members(seed, 28)
    (calm_low_left, calm_high_left), calm_tired = _flooded_first_members(seed, 5)
    assert calm_tired == [0.0, 0.0]  # 5 posts a week is within the appetite: nobody tires
    assert high_tired > 2 * low_tired > 0
    assert (high_left - calm_high_left) - (low_left - calm_low_left) > 0.05


@pytest.mark.parametrize("reach", [0.002, 0.3])  # few views (most members see nothing), many
def test_views_and_engagements_keep_their_expected_values(reach):
    # E[views_i] = W x v_i and E[engagements_i] = W x v_i x e_i, with e_i the chance of the module's
    # formula: checked on the means over 4,000 steps of 50 members (run key 7) within 4 standard errors.
    keys = PersonalUniforms(7)
    n, draws = 50, 4000
    members = np.arange(n)
    propensity = reach * np.linspace(0.2, 3.0, n)
    people = SimpleNamespace(
        engagement=np.linspace(1.0, 2.0, n), affinity=np.linspace(0.1, 0.9, n), fatigue=np.linspace(0.0, 1.0, n)
    )
    posts = engagement.StepPosts.quiet(np.ones(2), np.arange(2))
    posts.weight, posts.appeal = 1.7, 0.9
    params = engagement.EngagementParams(per_view=0.2, comment_share=0.1, share_share=0.05)
    terms = engagement.ViewTerms.of(params, 0.6, 0.5, 0.8)
    views, acts = np.zeros(n), np.zeros(n)
    for step in range(draws):
        done, viewers, seen = engagement.engage(members, propensity, people, posts, terms, keys.child(step))
        views[viewers] += seen
        acts[done.ids] += done.engagements
    expected_views = posts.weight * propensity
    chance = np.minimum(1.0, terms.factor(posts) * people.engagement * people.affinity / (1.0 + people.fatigue))
    expected_acts = expected_views * chance
    for mean, expected in ((views / draws, expected_views), (acts / draws, expected_acts)):
        standard_error = np.sqrt(expected / draws)  # Poisson counts: variance = mean
        assert (np.abs(mean - expected) <= 4 * standard_error + 1e-12).all()
        assert mean.sum() == pytest.approx(expected.sum(), rel=4 / np.sqrt(expected.sum() * draws))


def test_a_members_engagement_draws_do_not_depend_on_the_other_members():
    # common random numbers: each member's views, engagements, comments and shares come from their own
    # uniforms at the step, so adding members with high chances leaves the others' counts as they were
    n = 2000
    people = SimpleNamespace(engagement=np.full(n, 3.0), affinity=np.full(n, 0.8), fatigue=np.zeros(n))
    posts = engagement.StepPosts.quiet(np.ones(1), np.arange(1))
    posts.weight = 2.0
    terms = engagement.ViewTerms.of(engagement.EngagementParams(per_view=0.3), 0.6, 0.5, 1.0)
    propensity = np.full(n, 0.5)
    draws = PersonalUniforms(3).child("engagement", 40)
    few, *_ = engagement.engage(np.arange(0, n, 2), propensity, people, posts, terms, draws)
    propensity[1::2] = 3.0  # the others see much more
    everyone, *_ = engagement.engage(np.arange(n), propensity, people, posts, terms, draws)
    assert few.ids.size > 100 and everyone.ids.size > few.ids.size
    kept = np.isin(everyone.ids, few.ids)
    np.testing.assert_array_equal(everyone.ids[kept], few.ids)
    for field in ("engagements", "comments", "shares"):
        np.testing.assert_array_equal(getattr(everyone, field)[kept], getattr(few, field))
