"""The compiled churn and join steps (``churn_kernel``, ``growth_kernel``: numba) give the numpy steps' numbers."""

import pandas as pd
import pytest

import communitysim as cs
from communitysim import mechanisms
from helpers import SCENARIOS


@pytest.mark.parametrize(
    "scenario",
    [
        "posting_frequency",  # over-posting: tired members, fatigue in the hazard
        "crisis_offensive_post",  # the outraged leave more; the counterfactual twin churns too
        "classroom_bakery",  # inactivity, attachment and ties; shares and talk expose non-members
        "bass_validation",  # a complete graph: exposure and talk for everyone
    ],
)
def test_the_compiled_steps_give_the_numpy_steps_numbers(scenario, monkeypatch):
    """The whole time series, seed 3, 3,000 people (600 first members): every count and every mean identical."""
    runs = []
    for compiled in (False, True):
        monkeypatch.setattr(mechanisms, "COMPILED_FROM_PEOPLE", 0 if compiled else None)
        model = cs.CommunityModel(
            SCENARIOS / f"{scenario}.yaml", seed=3, overrides={"audience.size": 3000, "seeding.size": 600}
        )
        runs.append(model.run().timeseries)
    assert runs[0]["new_members"].sum() > 0  # people join: the join clocks are exercised
    if scenario != "bass_validation":  # the growth-only rule has no churn
        assert runs[0]["churned"].sum() > 0
    pd.testing.assert_frame_equal(runs[0], runs[1], check_exact=True)
