"""Issue 4: crises, bad buzz and the CM's responses (SCCT)."""

import math

import numpy as np
import pandas as pd
import pytest

import communitysim as cs
from communitysim.cli import main
from communitysim.mechanisms.crisis import CRISIS_TYPES, RESPONSE_FIT, Crisis, Response, cluster_of
from helpers import SCENARIOS

# a small established community with one crisis on day 6 at 9:00
BASE = {
    "name": "crisis",
    "days": 16,
    "audience": {"size": 2500, "network": {"kind": "watts_strogatz", "mean_degree": 10}},
    "growth": {"external_rate_per_day": 0.001, "word_of_mouth_rate_per_day": 0.02, "churn_rate_per_day": 0.001},
    "seeding": {"strategy": "random", "size": 1250, "acceptance_share": 1.0, "invite_after_posts": 0},
    "launch": {"posts_ready": 0},
    "crisis_dynamics": {"window_days": 4},
}
SEEDS = range(5)


def crisis(kind, strategy="silence", delay=2.0, **response):
    return {
        "crises": [
            {
                "type": kind,
                "start_day": 6.375,
                "severity": 0.6,
                "response": {"strategy": strategy, "delay_hours": delay, **response},
            }
        ]
    }


def mean_kpi(kind, key, seeds=SEEDS, **response):
    values = [cs.run({**BASE, **crisis(kind, **response)}, seed=s).kpis[key] for s in seeds]
    values = [v if not math.isnan(v) else 24.0 * BASE["days"] for v in values]  # never recovered: the horizon
    return float(np.mean(values))


def test_every_type_has_a_cluster_and_every_cluster_rates_every_strategy():
    assert {cluster for cluster, _ in CRISIS_TYPES.values()} == {"victim", "accidental", "preventable"}
    for fits in RESPONSE_FIT.values():
        assert set(fits) == {"silence", "deny", "diminish", "apologize", "rebuild", "bolster", "correct", "humour"}
        assert fits["silence"] == 0
    assert cluster_of("product_recall", history=True) == "preventable"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "matched", "mismatched"),
    [("offensive_post", "rebuild", "deny"), ("product_recall", "diminish", "deny"), ("false_rumour", "correct", None)],
)
def test_matched_beats_silence_beats_mismatched(kind, matched, mismatched):
    for key in ("peak_negative_share", "hours_to_recover"):
        best = mean_kpi(kind, key, strategy=matched)
        silent = mean_kpi(kind, key, strategy="silence")
        assert best < silent, (key, best, silent)
        if mismatched:
            worst = mean_kpi(kind, key, strategy=mismatched)
            assert silent < worst, (key, silent, worst)


def test_a_faster_matched_response_lowers_the_peak():
    fast = mean_kpi("offensive_post", "peak_negative_share", strategy="rebuild", delay=1)
    slow = mean_kpi("offensive_post", "peak_negative_share", strategy="rebuild", delay=18)
    assert fast < slow


def test_without_a_crisis_the_crisis_kpis_are_zero():
    kpis = cs.run(BASE, seed=1).kpis
    assert kpis["peak_negative_share"] == 0 and kpis["members_lost"] == 0 and kpis["negative_reach"] == 0
    assert math.isnan(kpis["hours_to_peak"]) and math.isnan(kpis["crisis_response_h"])


def test_without_a_response_it_peaks_within_hours_and_fades_over_days():
    peak = mean_kpi("offensive_post", "hours_to_peak")
    recover = mean_kpi("offensive_post", "hours_to_recover")
    assert 1 <= peak <= 48
    assert 48 <= recover <= 24 * 10


def test_moderation_hides_negativity_at_first_and_backfires_when_overused():
    none = mean_kpi("offensive_post", "negative_reach", strategy="apologize")
    some = mean_kpi("offensive_post", "peak_negative_share", strategy="apologize", moderation_share=0.2)
    no_moderation_peak = mean_kpi("offensive_post", "peak_negative_share", strategy="apologize")
    heavy = mean_kpi("offensive_post", "negative_reach", strategy="apologize", moderation_share=0.9)
    assert some < no_moderation_peak  # hidden comments: less visible negativity
    assert heavy > none  # the backlash spreads the bad buzz further


def test_stealing_thunder_helps():
    told = mean_kpi("product_recall", "negative_reach", strategy="apologize", disclose_first=True)
    caught = mean_kpi("product_recall", "negative_reach", strategy="apologize")
    assert told < caught


def test_two_responses_share_everything_before_the_response():
    silent = cs.run({**BASE, **crisis("offensive_post", "silence", delay=5)}, seed=3).timeseries
    rebuilt = cs.run({**BASE, **crisis("offensive_post", "rebuild", delay=5)}, seed=3).timeseries
    response_day = 6.375 + 5 / 24
    before = silent["day"] <= response_day + 1e-9
    pd.testing.assert_frame_equal(silent[before], rebuilt[before])
    assert not silent.equals(rebuilt)


def test_the_clock_turns_hourly_around_a_crisis_and_back():
    ts = cs.run({**BASE, **crisis("service_outage")}, seed=1).timeseries
    steps = ts.set_index("day")["step"]
    hours = np.diff(ts["day"]) * 24
    during = (ts["day"].iloc[1:] > 6.375 + 1e-9) & (ts["day"].iloc[1:] <= 6.375 + 4 + 1e-9)
    assert np.allclose(hours[during.to_numpy()], 1.0)
    assert np.allclose(hours[:6], 24.0)  # days 1-6 before it
    assert 6.375 in steps.index  # a step ends exactly when the crisis goes public
    assert ts["day"].iloc[-1] == BASE["days"]


@pytest.mark.slow
def test_switching_to_hourly_steps_does_not_distort_the_results():
    # the crisis's clock without its effects (the counterfactual twin) against no crisis at all
    calm, hourly = [], []
    for seed in range(8):
        calm.append(cs.run(BASE, seed=seed).kpis["members"])
        model = cs.CommunityModel({**BASE, **crisis("offensive_post")}, seed=seed, crisis_effects=False)
        hourly.append(model.run().kpis["members"])
    se = np.hypot(np.std(calm, ddof=1), np.std(hourly, ddof=1)) / np.sqrt(8)
    assert abs(np.mean(calm) - np.mean(hourly)) <= 4 * se + 0.02 * np.mean(calm)


def test_members_lost_is_measured_against_the_same_seed_without_the_crisis():
    result = cs.run({**BASE, **crisis("offensive_post", "deny")}, seed=2)
    ts = result.timeseries
    assert "members_no_crisis" in ts
    twin = cs.CommunityModel({**BASE, **crisis("offensive_post", "deny")}, seed=2, crisis_effects=False).run()
    np.testing.assert_array_equal(ts["members_no_crisis"], twin.timeseries["members"])
    assert result.kpis["members_lost"] == twin.kpis["members"] - result.kpis["members"]
    assert result.kpis["members_lost"] > 0  # denying a preventable crisis costs members


def test_inject_and_respond_while_running():
    model = cs.CommunityModel(BASE, seed=4)
    while model.day < 5:
        model.step()
    model.inject(Crisis(type="influencer_callout", severity=0.7))
    assert model.bad_buzz.active and model.crisis_started_day == 5
    for _ in range(3):
        model.step()
    assert np.isclose(model.dt, 1 / 24)  # hourly now
    model.respond(Response(strategy="diminish"))
    result = model.run()
    kpis = result.kpis
    assert kpis["negative_reach"] > 0
    assert kpis["crisis_response_h"] == pytest.approx(3.0)
    # the twin replayed the injection: its clock is the same
    assert len(result.timeseries["members_no_crisis"]) == len(result.timeseries)
    with pytest.raises(TypeError):
        model.inject("a crisis")


def test_crisis_negativity_reaches_non_members_and_lowers_sentiment():
    quiet = cs.run(BASE, seed=1).timeseries
    model = cs.CommunityModel({**BASE, **crisis("false_rumour")}, seed=1)
    loud = model.run().timeseries
    heard = model.bad_buzz.heard
    non_members = model.population.state != 1
    assert (heard & non_members).sum() > 0  # e-reputation: beyond the community
    assert loud["negative_share"].max() > 0.2
    assert loud["sentiment"].min() < quiet["sentiment"].min()


def test_people_who_heard_are_less_likely_to_join():
    model = cs.CommunityModel({**BASE, **crisis("false_rumour")}, seed=1)
    before = model.population.affinity.copy()
    model.run()
    heard = model.bad_buzz.heard
    assert (model.population.affinity[heard] < before[heard]).mean() > 0.9


@pytest.mark.parametrize(
    ("crises", "expected"),
    [
        ([{"type": "alien_invasion"}], "crises.0.type: Input should be 'offensive_post'"),
        ([{"type": "data_leak", "response": {"strategy": "blame"}}], "crises.0.response.strategy: Input should be"),
        ([{"type": "data_leak", "start_day": 40}], "crises.0.start_day: 40 is not before the horizon (16 days)"),
        ([{"type": "data_leak", "response": {"delay_hours": -2}}], "crises.0.response.delay_hours: Input should be"),
        ([{"type": "data_leak", "severity": 0}], "crises.0.severity: Input should be greater than 0"),
    ],
)
def test_bad_crisis_definitions_get_one_line_errors(crises, expected):
    with pytest.raises(cs.ScenarioError) as info:
        cs.load_scenario({**BASE, "crises": crises})
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(f"scenario: {expected}"), str(info.value)


def test_the_cli_reaches_crisis_fields(tmp_path, capsys):
    path = str(SCENARIOS / "crisis_offensive_post.yaml")
    argv = ["run", path, "--set", "crises.0.response.strategy=apologize", "--set", "crises.0.response.delay_hours=2"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "peak_negative_share" in out
    import json

    kpis = json.loads((tmp_path / "kpis.json").read_text())["kpis"]
    assert kpis["crisis_response_h"] == pytest.approx(2.0)
    assert main(["validate", path, "--set", "crises.0.response.strategy=blame"]) == 2


def test_follow_up_updates_strengthen_a_matched_response():
    once = mean_kpi("product_recall", "negative_reach", strategy="diminish", delay=4)
    updated = mean_kpi("product_recall", "negative_reach", strategy="diminish", delay=4, updates_per_day=4)
    assert updated < once


def test_bad_buzz_spreads_on_a_complete_audience_too():
    complete = {
        **BASE,
        "audience": {"size": 800, "network": {"kind": "complete"}},
        "seeding": {**BASE["seeding"], "size": 400},
    }
    kpis = cs.run({**complete, **crisis("offensive_post")}, seed=1).kpis
    assert kpis["negative_reach"] > 100  # beyond the first outraged people


def test_the_sentiment_kpi_falls_with_the_mentions_in_a_crisis():
    # paired over seeds 1-3 on the shipped scenario, 12 hours after the crisis goes public: the
    # column (per step) and the KPI (30 days) read one definition, so both fall; the KPI by more than
    # a point in every seed (it fell by 0.0-0.1 when it read the comments only, while the column
    # read about -45).
    from communitysim.kpis import kpi_value

    start = 10.375  # crisis_offensive_post.yaml's start_day
    for seed in (1, 2, 3):
        ts = cs.run(SCENARIOS / "crisis_offensive_post.yaml", seed=seed).timeseries
        before, during = kpi_value(ts, "sentiment", start), kpi_value(ts, "sentiment", start + 0.5)
        assert ts[ts["day"] <= start + 0.5]["sentiment"].iloc[-1] < -20, seed
        assert during < before - 1.0, (seed, before, during)
