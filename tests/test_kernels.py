"""The compiled join and churn steps (``growth_kernel``, ``churn_kernel``: numba) against their oracle.

The oracle is the numpy expressions the compiled loops replaced (main up to 2fde0b3), kept here and
only here: ``decide_joins_numpy`` and ``decide_leaves_numpy`` patched into the model's step order
in place of ``growth.decide_joins`` and ``churn.decide_leaves``. Both must give the same KPI time
series, to the bit (``check_exact``): the loops do the same float operations in the same order, so
any difference, even in the last bit, is a change of rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import communitysim as cs
from communitysim import model as model_module
from communitysim.mechanisms import churn, growth
from communitysim.mechanisms.crisis import Crisis, Response
from communitysim.mechanisms.feed import visibility_factor
from communitysim.sampling import EventClocks
from helpers import SCENARIOS

# --- the oracle: the numpy expressions of the join and churn steps ------------------------------------


def advance_clocks(remaining: np.ndarray, ids: np.ndarray, hazard_per_day: np.ndarray, dt_days: float) -> np.ndarray:
    """``EventClocks.advance``: run the clocks of ``ids`` for a step; return those whose event fires."""
    if ids.size == 0:
        return ids
    left = remaining[ids] - hazard_per_day * dt_days
    remaining[ids] = left
    return ids[left <= 0.0]


def factor_where(mask: np.ndarray, factor: float) -> np.ndarray:
    """``factor`` where ``mask`` holds, 1 elsewhere (exactly: for ``hazard *= ...``)."""
    step = factor - 1.0
    if 1.0 + step == factor:
        return 1.0 + step * mask
    return np.where(mask, factor, 1.0)


def churn_hazard_per_day(
    affinity, activity_factor, rate_per_day, mean_affinity, inactive, inactive_factor, fatigue, fatigue_rate_per_day
):
    hazard = 1.0 - affinity
    hazard *= rate_per_day / (1.0 - mean_affinity)
    hazard *= activity_factor
    if inactive is not None and inactive_factor != 1.0:
        hazard *= factor_where(inactive, inactive_factor)
    if fatigue is not None and fatigue_rate_per_day:
        hazard += fatigue_rate_per_day * fatigue
    return hazard


def retention_factor(bond: np.ndarray, member_contacts, tie_effect: float) -> np.ndarray:
    """``1 / (1 + bond + tie_effect x member_contacts)``."""
    factor = 1.0 + bond
    factor += tie_effect * member_contacts
    return np.reciprocal(factor, out=factor)


def exposure(model, ids: np.ndarray) -> np.ndarray:
    return model.word_of_mouth.exposure_of_everyone()[ids]


def decide_leaves_numpy(model) -> None:
    p = model.params
    pop = model.population
    if not (
        p.growth.churn_rate_per_day
        or (p.feed.fatigue_unfollow_rate_per_day and model.fatigue_ceiling > 0)
        or model.bad_buzz.active
    ):
        return
    members = model.members_now()
    hazard = churn_hazard_per_day(
        pop.affinity[members],
        model.churn_activity_factor[members],
        p.growth.churn_rate_per_day,
        p.audience.affinity.mean,
        inactive=pop.last_action_step[members] < model.first_active_step(),
        inactive_factor=p.engagement.inactive_churn_factor,
        fatigue=pop.fatigue[members] if model.fatigue_ceiling > 0 else None,
        fatigue_rate_per_day=p.feed.fatigue_unfollow_rate_per_day,
    )
    r = p.retention
    if model.bond_moved or r.tie_effect:
        bond = pop.bond[members] if model.bond_moved else np.zeros(members.size)
        ties = exposure(model, members) if r.tie_effect else 0.0
        hazard *= retention_factor(bond, ties, r.tie_effect)
    if model.bad_buzz.active:
        hazard *= factor_where(model.bad_buzz.outraged[members], p.crisis_dynamics.outraged_churn_factor)
    model.leavers = advance_clocks(model.leave_clocks.remaining, members, hazard, model.dt)


def add_sparse(talk: growth.SparseExposure, out: np.ndarray, people: np.ndarray) -> None:
    """``out[k] += values`` for each ``people[k]`` (sorted ids) among ``talk.ids``, in place."""
    if talk.ids.size == 0 or people.size == 0:
        return
    where = np.minimum(np.searchsorted(people, talk.ids), people.size - 1)
    found = people[where] == talk.ids
    out[where[found]] += talk.values[found]


def join_hazard_per_day(
    exposure, affinity, external_rate_per_day, word_of_mouth_rate_per_day, readiness, mean_affinity
):
    hazard = word_of_mouth_rate_per_day * np.asarray(exposure, dtype=float)
    hazard += external_rate_per_day
    hazard *= readiness / mean_affinity
    hazard *= affinity
    return hazard


def decide_joins_numpy(model) -> None:
    p = model.params
    candidates = model.non_members_now()
    heard = exposure(model, candidates)
    talk = model.talk_exposure
    if isinstance(talk, growth.SparseExposure):
        add_sparse(talk, heard, candidates)
    elif talk is not None:
        heard += talk[candidates]
    visibility = visibility_factor(
        model.community_manager.posts_per_day_recent,
        p.feed.reference_posts_per_week,
        p.feed.visibility_from_posts_share,
    )
    hazard = join_hazard_per_day(
        heard,
        model.population.affinity[candidates],
        p.growth.external_rate_per_day * visibility,
        p.growth.word_of_mouth_rate_per_day,
        model.readiness,
        p.audience.affinity.mean,
    )
    if model.last.join_pull_per_day:
        hazard += model.last.join_pull_per_day * model.readiness
    if model.bad_buzz.active:
        hazard *= ~model.bad_buzz.outraged[candidates]
    model.joiners = advance_clocks(model.join_clocks.remaining, candidates, hazard, model.dt)


ORACLE = {growth.decide_joins: decide_joins_numpy, churn.decide_leaves: decide_leaves_numpy}


@pytest.fixture
def oracle(monkeypatch):
    """A function that patches the oracle's steps into the model's step order (twins included)."""

    def patch():
        assert set(ORACLE) <= set(model_module.STEP)
        monkeypatch.setattr(model_module, "STEP", tuple(ORACLE.get(f, f) for f in model_module.STEP))

    return patch


# --- the oracle's own rules -----------------------------------------------------------------------


def test_the_oracles_join_hazard_is_bass_for_neutral_people():
    hazard = join_hazard_per_day(np.array([0.0, 0.5]), np.array([0.5, 0.5]), 0.01, 0.2, 1.0, 0.5)
    np.testing.assert_allclose(hazard, [0.01, 0.11])  # p, then p + q x 1/2


def test_the_oracles_factor_where_multiplies_as_masked_assignment():
    rng = np.random.default_rng(3)
    hazard = rng.random(1000)
    mask = rng.random(1000) < 0.3
    for factor in (1.5, 1.1, 3.7, 0.0):
        expected = hazard.copy()
        expected[mask] *= factor
        np.testing.assert_array_equal(hazard * factor_where(mask, factor), expected)


def test_the_oracles_sparse_talk_adds_as_the_dense_array():
    rng = np.random.default_rng(4)
    dense = np.where(rng.random(300) < 0.2, rng.random(300), 0.0)
    talk = growth.SparseExposure(np.flatnonzero(dense), dense[dense > 0])
    people = np.sort(rng.choice(300, 150, replace=False))
    heard = rng.random(150)
    expected = heard + dense[people]
    add_sparse(talk, heard, people)
    np.testing.assert_array_equal(heard, expected)


# --- the compiled clocks ----------------------------------------------------------------------------


def join_at(remaining: np.ndarray, ids: np.ndarray, hazard_per_day: float) -> np.ndarray:
    """``growth_kernel``'s loop at a hazard of exactly ``hazard_per_day`` for everyone (one day)."""
    from communitysim.mechanisms.growth_kernel import advance_join_clocks

    none, out = np.zeros(0), np.empty(ids.size, dtype=ids.dtype)
    ones = np.ones(remaining.size)
    everyone = (ids, remaining, 1.0, out, False, np.zeros(remaining.size, dtype=bool), np.zeros(remaining.size))
    found = advance_join_clocks(*everyone, ids[:0], none, none, ones, 0.25, hazard_per_day, 1.0, 0.0)
    return out[:found]


def leave_at(remaining: np.ndarray, ids: np.ndarray, hazard_per_day: float) -> np.ndarray:
    """``churn_kernel``'s loop at a hazard of exactly ``hazard_per_day`` for everyone (one day)."""
    from communitysim.mechanisms.churn_kernel import advance_leave_clocks

    n, out = remaining.size, np.empty(ids.size, dtype=ids.dtype)
    zeros, ones, nobody = np.zeros(n), np.ones(n), np.zeros(n, dtype=bool)
    last_action = np.zeros(n, dtype=np.int64)
    found = advance_leave_clocks(
        ids, zeros, ones, hazard_per_day, last_action, 0, 1.0, zeros, 1.0, 0.0, False, zeros, 1.0, False,
        zeros, 0.0, False, nobody, 1.0, 1.0, remaining, out,
    )  # fmt: skip
    return out[:found]


@pytest.mark.parametrize("advance", [join_at, leave_at])
def test_the_clocks_fire_at_the_exponential_rate_step_after_step(advance):
    """Seed 5, 20,000 people at 0.5 a day: 1 - e^-0.5 = 0.393 fire (sd 0.0035, allowed 0.015), then as many."""
    n = 20000
    remaining = EventClocks(n, np.random.default_rng(5)).remaining
    ids = np.arange(n)
    first = advance(remaining, ids, 0.5)
    assert abs(first.size / n - (1 - np.exp(-0.5))) < 0.015
    survivors = np.setdiff1d(ids, first)
    assert advance(remaining, survivors, 0.0).size == 0  # no hazard, no event
    second = advance(remaining, survivors, 0.5)  # memoryless: the same chance again (sd 0.0045)
    assert abs(second.size / survivors.size - (1 - np.exp(-0.5))) < 0.02


# --- the compiled steps give the oracle's numbers, to the bit --------------------------------------------

SHIPPED = sorted(path.stem for path in SCENARIOS.glob("*.yaml"))


def run_both(make, oracle) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The time series of ``make()``'s run with the compiled steps, then with the oracle's.

    Each person's join and leave clock at the end is compared too, to the bit: a change in the last
    bit of a hazard seldom moves a count, but it always moves what is left of some clock.
    """
    runs = []
    for patched in (False, True):
        if patched:
            oracle()
        model = make()
        runs.append(model.run().timeseries)
        runs.append((model.join_clocks.remaining, model.leave_clocks.remaining))
    compiled, compiled_clocks, expected, expected_clocks = runs
    np.testing.assert_array_equal(compiled_clocks[0], expected_clocks[0])
    np.testing.assert_array_equal(compiled_clocks[1], expected_clocks[1])
    return compiled, expected


@pytest.mark.parametrize("seed", [1, 7])
@pytest.mark.parametrize("scenario", SHIPPED)
def test_every_shipped_scenario_runs_the_oracles_numbers(scenario, seed, oracle):
    """The whole KPI time series at the shipped size, seeds 1 and 7 (the baseline's seed and another)."""
    compiled, expected = run_both(lambda: cs.CommunityModel(SCENARIOS / f"{scenario}.yaml", seed=seed), oracle)
    assert expected["new_members"].sum() > 0  # people join: the join clocks are exercised
    if scenario != "bass_validation":  # the growth-only rule has no churn
        assert expected["churned"].sum() > 0  # members leave: the leave clocks are exercised
    pd.testing.assert_frame_equal(compiled, expected, check_exact=True)


def test_a_crisis_injected_and_answered_by_hand_runs_the_oracles_numbers(oracle):
    """Hourly steps from the inject, outraged members, a response mid-crisis, the twin: the same series."""

    def make():
        model = cs.CommunityModel(SCENARIOS / "bakery_launch.yaml", seed=5, overrides={"days": 120})
        while model.day < 60:
            model.step()
        model.inject(Crisis(type="offensive_post", severity=0.8))
        for _ in range(5):
            model.step()
        model.respond(Response(strategy="diminish"))
        return model

    compiled, expected = run_both(make, oracle)
    assert expected.loc[expected["day"] >= 60, "churned"].sum() > 0  # members leave during the crisis
    assert "members_no_crisis" in expected  # the twin ran with the oracle too
    pd.testing.assert_frame_equal(compiled, expected, check_exact=True)
