import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import communitysim as cs
from communitysim.model import STREAMS
from communitysim.population import MemberState
from helpers import SCENARIOS, small


def scenario_active_days(model):
    return model.params.engagement.inactive_days


def test_the_model_is_a_mesa_model_with_a_community_manager_agent():
    model = cs.CommunityModel(small(days=5), seed=1)
    assert isinstance(model, mesa.Model)
    assert model.community_manager in model.agents
    assert set(model.streams) == set(STREAMS)


def test_same_seed_identical_time_series_other_seed_differs():
    a = cs.run(small(), seed=11).timeseries
    b = cs.run(small(), seed=11).timeseries
    c = cs.run(small(), seed=12).timeseries
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert not a["members"].equals(c["members"])


def test_run_equals_step_by_step():
    model = cs.CommunityModel(small(days=20), seed=4)
    for _ in range(model.params.n_steps):
        model.step()
    pd.testing.assert_frame_equal(model.result().timeseries, cs.run(small(days=20), seed=4).timeseries)


def test_changing_the_seeding_policy_does_not_reshuffle_the_audience_or_its_graph():
    a = cs.CommunityModel(small(), seed=3)
    b = cs.CommunityModel(small(), seed=3, overrides={"seeding.strategy": "influencers", "seeding.size": 40})
    assert (a.network.adjacency != b.network.adjacency).nnz == 0
    np.testing.assert_array_equal(a.population.activity, b.population.activity)
    np.testing.assert_array_equal(a.population.affinity, b.population.affinity)


def test_a_model_runs_once():
    model = cs.CommunityModel(small(days=3), seed=1)
    model.run()
    with pytest.raises(RuntimeError, match="already run"):
        model.run()
    with pytest.raises(RuntimeError, match="horizon"):
        model.step()


def test_step_order_first_members_join_on_the_step_their_invitation_goes_out():
    model = cs.CommunityModel(small(days=5, seeding={"invite_after_posts": 0, "acceptance_share": 1.0}), seed=1)
    model.step()
    pop = model.population
    invited_joined = int((pop.invited & (pop.joined_step == 1)).sum())
    assert invited_joined >= 1  # accepted invitations count on the step they go out
    assert model.result().timeseries.loc[1, "new_members"] >= invited_joined
    assert model.invited_day == 1.0


def test_member_views_and_table():
    model = cs.CommunityModel(small(days=30), seed=2)
    model.run()
    table = model.member_table()
    assert len(table) == 1000
    member = int(np.flatnonzero(model.population.state == MemberState.MEMBER)[0])
    view = model.member(member)
    assert view.state is MemberState.MEMBER
    assert view.joined_day is not None and 0 <= view.joined_day <= 30
    assert len(view.neighbours) == view.degree
    assert "MEMBER" in repr(view)
    assert table.loc[member, "state"] == "member"
    with pytest.raises(IndexError):
        model.member(5000)


def test_the_networkx_graph_is_available():
    model = cs.CommunityModel(small(days=1), seed=2)
    graph = model.network.to_networkx()
    assert graph.number_of_nodes() == 1000
    assert graph.nodes[0]["segment"] == model.population.segment[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(20, 400),
    kind=st.sampled_from(["watts_strogatz", "barabasi_albert", "stochastic_block", "complete"]),
    strategy=st.sampled_from(["close_circle", "influencers", "random", "none"]),
    q=st.floats(0, 2),
    churn=st.floats(0, 0.5),
    step_hours=st.sampled_from([1, 6, 24]),
)
# one person reached reacts and comments: 2 engagements per person reached (the bound once asserted was 1)
@example(seed=2396, size=20, kind="watts_strogatz", strategy="close_circle", q=0.0, churn=0.0, step_hours=1)
def test_invariants(seed, size, kind, strategy, q, churn, step_hours):
    scenario = {
        "days": 20,
        "step_hours": step_hours,
        "audience": {"size": size, "network": {"kind": kind, "mean_degree": 4, "n_segments": 2}},
        "growth": {"word_of_mouth_rate_per_day": q, "churn_rate_per_day": churn, "external_rate_per_day": 0.01},
        "seeding": {"strategy": strategy, "size": min(10, size)},
    }
    model = cs.CommunityModel(scenario, seed=seed)
    ts = model.run().timeseries
    stocks = ts[["members", "non_members", "former_members"]]
    assert (stocks >= 0).all().all()
    assert (stocks.sum(axis=1) == size).all()
    assert (ts[["new_members", "churned"]] >= 0).all().all()
    assert (ts["new_members"].cumsum() - ts["churned"].cumsum() == ts["members"]).all()
    assert ts["share_members"].between(0, 1).all()
    assert ts["readiness"].between(0, 1).all()
    assert (np.diff(ts["non_members"]) <= 0).all()  # nobody un-joins back to never-joined
    assert (np.diff(ts["former_members"]) >= 0).all()
    pop = model.population
    assert ((pop.state == MemberState.MEMBER) == (pop.joined_step >= 0) & (pop.left_step < 0)).all()
    # engagement columns: counts never negative, parts within wholes, rates within 0..1
    flows = ["posts", "reach", "impressions", "engagements", "comments", "shares", "member_interactions", "leads"]
    assert (ts[flows] >= 0).all().all()
    assert (ts["comments"] + ts["shares"] <= ts["engagements"]).all()
    assert (ts["member_interactions"] <= ts["comments"]).all()
    assert (ts["replies"] <= ts["comments_to_brand"]).all()
    assert (ts["reach"] <= ts["members"].shift(1, fill_value=0) + ts["new_members"]).all()
    assert (ts["lurkers"] + ts["contributors"] + ts["creators"] == ts["members"]).all()
    assert (ts["active_members"] <= ts["members"]).all()
    for rate in ("response_rate", "active_ratio"):
        assert ts[rate].dropna().between(0, 1).all(), rate
    # a person reached may react, comment and share: engagements per person reached can pass 1, never
    # below 0; and nobody is reached without a view
    assert (ts["engagement_rate_reach"].dropna() >= 0).all()
    assert (ts["reach"] <= ts["impressions"]).all()
    assert ts["sentiment"].dropna().between(-100, 100).all()
    assert pop.affinity.min() >= 0 and pop.affinity.max() <= 1
    # the incremental count of active members agrees with a recount
    since = model.steps - scenario_active_days(model) / model.params.dt_days
    assert model.active_members() == int(((pop.state == MemberState.MEMBER) & (pop.last_action_step > since)).sum())
    np.testing.assert_allclose(
        model.word_of_mouth.recompute()[: size if kind != "complete" else 1],
        (model.word_of_mouth.sums if kind != "complete" else [model.word_of_mouth.total]),
        atol=1e-8,
    )


def test_common_random_numbers_a_small_lever_moves_members_a_little_on_every_seed():
    # Joining and leaving draw on each person's own clock (sampling.EventClocks), so a small lever
    # (replies 4 h -> 5 h) moves the members by a little, not by the growth paths' spread (6-10%
    # on members before the clocks, issue 17). Seeds 1-4; tolerance 2% of the members.
    for seed in range(1, 5):
        a = cs.run(small(), seed=seed).timeseries["members"].iloc[-1]
        b = cs.run(small(), seed=seed, overrides={"strategy.reply_delay_hours": 5}).timeseries["members"].iloc[-1]
        assert abs(b - a) <= 0.02 * a, (seed, a, b)


def test_common_random_numbers_a_tiny_engagement_lever_changes_few_peoples_membership():
    # Engagement, replies, answers and leads draw on each person's own uniforms at each step
    # (sampling.PersonalUniforms), so quality 0.6 -> 0.61 changes the fate of few people: measured 0.1%
    # of those ever members on classroom_bakery, seeds 1-8 (benchmarks/bench_paired_noise.py), against
    # 4.3% when the engagement draws came from one shared stream per mechanism, where one changed count
    # shifted every later draw. Seeds 1-3; bound 1% on every seed.
    for seed in range(1, 4):
        arms = []
        for quality in (0.6, 0.61):
            model = cs.CommunityModel(
                SCENARIOS / "classroom_bakery.yaml", seed=seed, overrides={"strategy.quality": quality}
            )
            model.run()
            arms.append((model.population.state == MemberState.MEMBER, model.population.joined_step >= 0))
        (member_a, ever_a), (member_b, ever_b) = arms
        differs = (member_a != member_b).sum() / (ever_a | ever_b).sum()
        assert differs < 0.01, (seed, differs)


def test_active_ratio_of_an_established_page_counts_actions_in_the_run_not_the_base_joining():
    # the base (invited before any post) joined before day 0: in a 30-day run, active_ratio is the
    # share who acted (it read 1.0 in every crisis run when joining at day 0 counted as an action)
    fields = {"days": 30, "seeding": {"invite_after_posts": 0, "acceptance_share": 1.0, "size": 500}}
    ts = cs.run(small(launch={"posts_ready": 0}, **fields), seed=1).timeseries
    assert 0.0 < ts["active_ratio"].iloc[-1] < 0.8
