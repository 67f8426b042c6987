import itertools

import numpy as np
import pytest

import communitysim as cs
from communitysim.mechanisms import seeding
from communitysim.scenario import LaunchParams
from helpers import small

BAKERY = small(
    days=365,
    audience={"size": 3000, "affinity": {"mean": 0.3, "spread": 0.2}, "network": {"kind": "watts_strogatz"}},
    growth={"external_rate_per_day": 0.0001, "word_of_mouth_rate_per_day": 0.035, "churn_rate_per_day": 0.002},
    seeding={"strategy": "close_circle", "size": 20, "invite_after_posts": 6},
)
SEEDS = range(16)


def members_at(strategy=None, days=(90, 365), seeds=SEEDS, **fields):
    overrides = {"seeding.strategy": strategy} if strategy else {}
    scenario = cs.load_scenario(BAKERY, {**overrides, **fields})
    out = []
    for seed in seeds:
        ts = cs.run(scenario, seed=seed).timeseries
        out.append([cs.kpis.kpi_value(ts, "members", d) for d in days])
    return np.array(out, dtype=float)


def model_after_invitation(strategy, **graph):
    scenario = {
        **BAKERY,
        "days": 10,
        "seeding": {"strategy": strategy, "size": 30, "invite_after_posts": 0, "acceptance_share": 1.0},
        "launch": {"posts_ready": 0},
    }
    if graph:
        scenario["audience"] = {**BAKERY["audience"], "network": graph}
    model = cs.CommunityModel(scenario, seed=5)
    model.step()
    return model


def test_close_circle_invites_the_founders_neighbourhood():
    model = model_after_invitation("close_circle")
    invited = np.flatnonzero(model.population.invited)
    assert invited.size == 30
    # on a ring lattice with few shortcuts, the circle is a short stretch of the ring
    graph = model.network.to_networkx()
    import networkx as nx

    hops = [nx.shortest_path_length(graph, int(invited[0]), int(i)) for i in invited]
    assert max(hops) <= 6
    members = invited[model.population.state[invited] == 1]
    assert model.population.affinity[members] == pytest.approx(0.9)


def test_influencers_are_the_most_connected():
    model = model_after_invitation("influencers", kind="barabasi_albert", mean_degree=10)
    invited = model.population.invited
    assert model.network.degree[invited].min() >= np.sort(model.network.degree)[-30]


def test_random_and_none():
    assert model_after_invitation("random").population.invited.sum() == 30
    assert model_after_invitation("none").population.invited.sum() == 0


def test_a_registered_strategy_is_usable_by_name():
    def first_ids(model, size, rng):
        return seeding.Invitation(np.arange(size))

    seeding.register_strategy("first_ids", first_ids)
    model = model_after_invitation("first_ids")
    assert np.flatnonzero(model.population.invited).tolist() == list(range(30))


@pytest.mark.slow
def test_first_members_shape_the_community_at_day_90_and_365():
    close = members_at("close_circle")
    rand = members_at("random")
    none = members_at("none")
    # paired on the same seeds (common random numbers for the audience)
    assert (close.mean(axis=0) > none.mean(axis=0)).all()
    assert (close.mean(axis=0) > rand.mean(axis=0)).all(), (close.mean(axis=0), rand.mean(axis=0))
    diff = close[:, 1] - rand[:, 1]
    assert diff.mean() > 2 * diff.std(ddof=1) / np.sqrt(len(diff))


def test_close_circle_sets_a_livelier_norm():
    norms = {}
    for strategy in ("close_circle", "random"):
        norms[strategy] = np.mean(
            [cs.run(BAKERY, seed=s, overrides={"seeding.strategy": strategy}).kpis["activity_norm"] for s in range(6)]
        )
    assert norms["close_circle"] > norms["random"]


def test_readiness_formula():
    launch = LaunchParams(posts_ready=6, unready_conversion_share=0.3)
    values = [seeding.readiness(k, launch) for k in range(10)]
    assert values[0] == 0.3 and values[6] == 1.0 and values[9] == 1.0
    assert all(a < b for a, b in itertools.pairwise(values[:7]))
    assert seeding.readiness(0, LaunchParams(posts_ready=0)) == 1.0


@pytest.mark.slow
def test_inviting_before_the_page_is_ready_costs_members():
    early = members_at(days=(90,), **{"seeding.invite_after_posts": 0})
    ready = members_at(days=(90,), **{"seeding.invite_after_posts": 6})
    assert ready.mean() > early.mean()


def test_invitations_wait_for_the_posts():
    scenario = {**BAKERY, "days": 30, "strategy": {"posts_per_week": 7}, "seeding": {"invite_after_posts": 10}}
    model = cs.CommunityModel(scenario, seed=2)
    ts = model.run().timeseries
    first = ts.loc[ts["cum_posts"] >= 10, "day"].iloc[0]
    assert first == 10.0
    assert model.invited_day == first
    joined_first = model.population.joined_step[model.population.invited]
    assert (joined_first[joined_first >= 0] >= 10).all()


@pytest.mark.parametrize("posts_per_week", [1, 5, 28])
def test_a_set_invitation_day_holds_whatever_the_rhythm_and_the_page_still_fills_at_its_own_pace(posts_per_week):
    """``seeding.invite_on_day``: the same launch day at every rhythm (the posting lab's isolation of its lever);
    the acceptance still reads the page's readiness from the posts up by then (6 posts: ready)."""
    scenario = {**BAKERY, "days": 20, "strategy": {"posts_per_week": posts_per_week}}
    model = cs.CommunityModel(scenario, seed=3, overrides={"seeding.invite_on_day": 9, "seeding.acceptance_share": 1.0})
    ts = model.run().timeseries
    assert model.invited_day == 9.0
    assert model.population.invited.sum() == 20
    posts_by_then = int(ts.loc[ts["day"] <= 9, "posts"].sum())
    steps = model.population.joined_step[model.population.invited]
    accepted = sum(step >= 0 and model.day_of_step(int(step)) == 9.0 for step in steps)  # joined on the day
    if posts_by_then >= 6:  # a ready page: everyone accepts at acceptance_share 1
        assert accepted == 20
    else:  # an unready page converts u + (1 - u) x posts / 6 of them (here 1 or 2 posts: well under 20)
        assert accepted < 20


def test_the_running_norm_is_the_members_mean_effective_activity():
    # the model updates a running sum at each join and leave; after a year of both it still equals the mean
    model = cs.CommunityModel(BAKERY, seed=3)
    ts = model.run().timeseries
    assert ts["new_members"].sum() > 0 and ts["churned"].sum() > 0
    pop = model.population
    assert model.activity_norm == pytest.approx(pop.effective_activity[pop.is_member()].mean(), rel=1e-9)
