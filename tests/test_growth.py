import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import communitysim as cs
from communitysim.mechanisms.growth import WordOfMouth
from communitysim.network import build_network
from communitysim.scenario import NetworkParams
from helpers import SCENARIOS, small


def bass_share(t, p, q):
    """Bass (1969): F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})."""
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["watts_strogatz", "barabasi_albert", "complete"]),
    seed=st.integers(0, 2**16),
    rounds=st.integers(1, 6),
)
def test_incremental_word_of_mouth_matches_a_full_recount(kind, seed, rounds):
    rng = np.random.default_rng(seed)
    net = build_network(NetworkParams(kind=kind, mean_degree=6), 300, rng)
    wom = WordOfMouth(net)
    member = np.zeros(300, dtype=bool)
    for _ in range(rounds):
        joining = np.flatnonzero(~member & (rng.random(300) < 0.2))
        wom.add(joining, rng.pareto(2.0, joining.size) + 0.1)
        member[joining] = True
        leaving = np.flatnonzero(member & (rng.random(300) < 0.1))
        wom.remove(leaving)
        member[leaving] = False
    full = wom.recompute()
    if net.is_complete:
        assert wom.total == pytest.approx(full[0])
    else:
        np.testing.assert_allclose(wom.sums, full, atol=1e-9)
    exposure = wom.exposure_of_everyone()[~member]
    assert (exposure >= -1e-12).all()
    if not net.is_complete:  # the kept exposure is the eager sums x 1 / degree, to the bit
        eager = wom.sums * np.where(net.degree > 0, 1.0 / np.maximum(net.degree, 1), 0.0)
        np.testing.assert_array_equal(wom.exposure_of_everyone(), eager)


@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(["watts_strogatz", "barabasi_albert"]), seed=st.integers(0, 2**16))
def test_sparse_talk_exposure_equals_the_dense_one(kind, seed):
    """The exposure of shares and talk kept only where not zero reads as the dense array, to the bit."""
    rng = np.random.default_rng(seed)
    net = build_network(NetworkParams(kind=kind, mean_degree=6), 300, rng)
    wom = WordOfMouth(net)
    talkers = np.sort(rng.choice(300, 20, replace=False))
    weights = rng.pareto(2.0, 20) + 0.1
    dense = wom.neighbour_share(talkers, weights)
    for _ in range(2):  # twice: the scratch array is left clean
        sparse = wom.neighbour_share_sparse(talkers, weights)
        assert (sparse.values > 0).all() and np.count_nonzero(dense) == sparse.ids.size
        np.testing.assert_array_equal(dense[sparse.ids], sparse.values)


def discrete_bass(days, p, q, dt):
    """The model's own time stepping applied to the mean field: F += (1 - F)(1 - exp(-(p + qF) dt))."""
    share = np.zeros(len(days))
    for k in range(1, len(days)):
        f = share[k - 1]
        share[k] = f + (1 - f) * -np.expm1(-(p + q * f) * dt)
    return share


@pytest.mark.slow
def test_complete_graph_reproduces_the_bass_curve():
    scenario = cs.load_scenario(SCENARIOS / "bass_validation.yaml", {"audience.size": 20000})
    p, q = scenario.growth.external_rate_per_day, scenario.growth.word_of_mouth_rate_per_day
    runs = np.array([cs.run(scenario, seed=s).timeseries["share_members"].to_numpy() for s in range(12)])
    days = np.arange(runs.shape[1]) * scenario.dt_days
    mean, se = runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(len(runs))
    analytic = bass_share(days, p, q)
    # the step's own error against the continuous curve, computed, not guessed (under 0.003 at 2 h)
    discretisation = np.abs(discrete_bass(days, p, q, scenario.dt_days) - analytic)
    assert discretisation.max() < 0.003
    assert (np.abs(mean - analytic) <= 4 * se + discretisation + 1e-3).all(), np.abs(mean - analytic).max()
    # time to half the market: F(t) = 1/2  <=>  t = ln(2 + q/p) / (p + q)
    t50 = np.array([days[np.argmax(run >= 0.5)] for run in runs])
    t50_analytic = np.log(2 + q / p) / (p + q)
    assert abs(t50.mean() - t50_analytic) <= 4 * t50.std(ddof=1) / np.sqrt(len(t50)) + 2 * scenario.dt_days


def test_word_of_mouth_speeds_growth():
    with_wom, without = [], []
    for seed in range(4):
        with_wom.append(cs.run(small(), seed=seed).kpis["members"])
        without.append(cs.run(small(growth={"word_of_mouth_rate_per_day": 0.0}), seed=seed).kpis["members"])
    assert np.mean(with_wom) > 2 * np.mean(without)


def test_external_visibility_speeds_growth():
    low = [cs.run(small(growth={"external_rate_per_day": 0.0001}), seed=s).kpis["new_members"] for s in range(4)]
    high = [cs.run(small(growth={"external_rate_per_day": 0.005}), seed=s).kpis["new_members"] for s in range(4)]
    assert np.mean(high) > np.mean(low)


def test_churn_loses_members():
    none = [cs.run(small(growth={"churn_rate_per_day": 0.0}), seed=s).kpis for s in range(3)]
    lots = [cs.run(small(growth={"churn_rate_per_day": 0.02}), seed=s).kpis for s in range(3)]
    assert all(k["churned"] == 0 for k in none)
    assert np.mean([k["members"] for k in lots]) < np.mean([k["members"] for k in none])


@pytest.mark.slow
def test_results_converge_as_the_step_shrinks():
    scenario = small(
        days=60,
        audience={"size": 10000, "network": {"kind": "watts_strogatz", "mean_degree": 10}},
        growth={"external_rate_per_day": 0.002, "word_of_mouth_rate_per_day": 0.15, "churn_rate_per_day": 0.005},
        seeding={"strategy": "random", "size": 100, "invite_after_posts": 0},
        launch={"posts_ready": 0},
    )
    days = (20.0, 40.0, 60.0)

    def members(step_hours):
        values = []
        for seed in range(12):
            ts = cs.run(scenario, seed=seed, overrides={"step_hours": step_hours}).timeseries
            values.append([ts.loc[np.isclose(ts["day"], d), "members"].iloc[0] for d in days])
        values = np.array(values, dtype=float)
        return values.mean(axis=0), values.std(axis=0, ddof=1) / np.sqrt(len(values))

    hourly, hourly_se = members(1)
    daily, daily_se = members(24)
    allowance = 4 * np.hypot(hourly_se, daily_se) + 0.03 * hourly
    assert (np.abs(daily - hourly) <= allowance).all(), (daily, hourly)
