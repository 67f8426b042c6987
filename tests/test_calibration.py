"""Calibration: reading exports, fitting the Bass growth back, its intervals, the scenario, the forecast, the CLI."""

import numpy as np
import pandas as pd
import pytest

import communitysim as cs
from communitysim.calibration import (
    Export,
    bass_curve,
    fit_engagement,
    fit_growth,
    forecast,
    read_export,
    save_scenario,
)
from communitysim.cli import main
from communitysim.scenario import ScenarioError
from helpers import ROOT, SCENARIOS

SAMPLE = ROOT / "examples" / "page_export.csv"


@pytest.mark.parametrize(
    ("p", "q", "market", "start", "days"),
    [
        (0.0005, 0.02, 20_000, 10, 300),  # a slow community
        (0.002, 0.06, 5_000, 50, 120),
        (0.01, 0.25, 3_000, 5, 45),  # a fast one
    ],
)
def test_a_pure_bass_curve_gives_back_p_and_q_within_5_percent(p, q, market, start, days):
    t = np.arange(days + 1)
    fit = fit_growth(pd.DataFrame({"day": t, "followers": bass_curve(t, p, q, market, start)}), bootstrap=0)
    assert fit.p == pytest.approx(p, rel=0.05) and fit.q == pytest.approx(q, rel=0.05)
    assert fit.market == pytest.approx(market, rel=0.05) and fit.r2 > 0.9999


def simulated(seed, p, q, size, days):
    """Daily members of the model on a complete audience (the network Bass limit), 2-hour steps."""
    overrides = {"audience.size": size, "days": days, "growth.external_rate_per_day": p,
                 "growth.word_of_mouth_rate_per_day": q}  # fmt: skip
    ts = cs.run(SCENARIOS / "bass_validation.yaml", seed=seed, overrides=overrides).timeseries
    ts = ts.assign(whole=ts["day"].round(3))
    daily = ts[ts["whole"] % 1 == 0].drop_duplicates("whole", keep="last")
    return pd.DataFrame({"day": daily["whole"].astype(int), "followers": daily["members"]})


@pytest.mark.parametrize(("p", "q", "size", "days"), [(0.001, 0.04, 6000, 200), (0.005, 0.15, 4000, 60)])
def test_parameters_of_simulated_communities_are_recovered_within_tolerance(p, q, size, days):
    for seed in (1, 2, 3):
        fit = fit_growth(simulated(seed, p, q, size, days), bootstrap=0)
        assert fit.p == pytest.approx(p, rel=0.25), seed  # p rests on the first, few joins
        assert fit.q == pytest.approx(q, rel=0.08), seed
        assert fit.market == pytest.approx(size, rel=0.05), seed


@pytest.mark.slow
def test_the_95_percent_intervals_cover_the_truth_at_least_three_times_in_four():
    p, q, size = 0.003, 0.08, 5000
    covered = {"p": 0, "q": 0, "market": 0}
    seeds = range(1, 13)
    for seed in seeds:
        fit = fit_growth(simulated(seed, p, q, size, 120), bootstrap=100, seed=seed)
        for name, truth in (("p", p), ("q", q), ("market", size)):
            low, high = fit.intervals[name]
            covered[name] += low <= truth <= high
    assert all(count >= 9 for count in covered.values()), covered  # measured: 90-100% over 20 seeds


def test_the_sample_export_reads_with_its_gap_reported_not_filled():
    export = read_export(SAMPLE)
    assert list(export.data.columns) == [
        "date", "day", "followers", "posts", "reach", "reactions", "comments", "shares", "unfollows"
    ]  # fmt: skip
    assert export.gaps == [("2026-04-10", 2)]
    assert len(export.data) == export.days + 1 - 2  # the two missing days are not invented
    fit = fit_growth(export, bootstrap=20)
    assert fit.churn_rate_per_day == pytest.approx(0.001, rel=0.4)
    assert 4.5 < fit.posts_per_week < 5.5
    assert fit.market == pytest.approx(8000, rel=0.05) and fit.q == pytest.approx(0.06, rel=0.1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Date,Visitors\n2026-01-01,3\n2026-01-02,4\n2026-01-03,5\n",
            r"no followers column; expected one of: followers",
        ),
        ("Date,Followers\n2026-01-01,3\n2026-13-45,4\n2026-01-03,5\n", r"row 3, column Date: cannot read '2026-13-45'"),
        (
            "Date,Followers\n2026-01-01,3\n2026-01-02,-4\n2026-01-03,5\n",
            r"row 3, column Followers: expected a count >= 0",
        ),
        ("Date,Followers\n2026-01-01,3\n2026-01-02,lots\n2026-01-03,5\n", r"row 3, column Followers: expected a count"),
        ("Date,Followers\n2026-01-01,3\n2026-01-01,4\n2026-01-03,5\n", r"the date 2026-01-01 appears twice"),
        ("Date,Followers\n2026-01-01,3\n", r"expected at least 3 days of data"),
        ("", r"not a readable CSV file"),
    ],
)
def test_malformed_exports_get_one_line_naming_row_and_column(tmp_path, text, message):
    path = tmp_path / "export.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=message) as caught:
        read_export(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_other_column_names_are_mapped_explicitly_and_european_dates_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Jour,Fans du club,Unfollows\n25/11/2026,10,0\n26/11/2026,12,1\n27/11/2026,15,0\n")
    export = read_export(path, {"followers": "Fans du club"})
    assert list(export.data["followers"]) == [10, 12, 15] and list(export.data["day"]) == [0, 1, 2]
    with pytest.raises(ScenarioError, match="no column 'Fans' \\(mapped to followers\\)"):
        read_export(path, {"followers": "Fans"})
    with pytest.raises(ScenarioError, match="mapping: unknown field 'likes'"):
        read_export(path, {"likes": "Fans du club"})


def test_the_fitted_scenario_is_a_scenario_every_tool_reads_and_the_forecast_has_ordered_bands(tmp_path):
    fit = fit_growth(read_export(SAMPLE), bootstrap=20)
    path = save_scenario(fit.to_scenario(name="my_page"), tmp_path / "my_page.yaml")
    scenario = cs.load_scenario(path)
    assert scenario.audience.network.kind == "complete" and scenario.seeding.size == round(fit.followers[-1])
    assert scenario.growth.word_of_mouth_rate_per_day == pytest.approx(fit.q)
    ahead = forecast(fit, days=30, strategies={"current": {}, "daily": {"strategy.posts_per_week": 7}},
                     replications=6)  # fmt: skip
    assert set(ahead["strategy"]) == {"current", "daily"} and len(ahead) == 2 * 31
    assert (ahead["low"] <= ahead["median"]).all() and (ahead["median"] <= ahead["high"]).all()
    assert (ahead[ahead["day"] == 0]["median"] == round(fit.followers[-1])).all()
    again = forecast(fit, days=30, strategies={"current": {}, "daily": {"strategy.posts_per_week": 7}},
                     replications=6)  # fmt: skip
    pd.testing.assert_frame_equal(ahead, again)  # seeded


def test_cli_calibrate_writes_a_valid_scenario_and_a_plot(tmp_path, capsys):
    out = tmp_path / "my_page.yaml"
    code = main(["calibrate", str(SAMPLE), "--out", str(out), "--bootstrap", "20", "--forecast", "30",
                 "--plot", str(tmp_path / "fit.png")])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0 and "gap: 2 day(s) missing from 2026-04-10" in printed and "forecast, day +30" in printed
    assert "Engagement matched" in printed and "engagement.per_view" in printed
    assert cs.load_scenario(out).days == 30 and (tmp_path / "fit.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--map", "followers"], "--map followers: expected FIELD=COLUMN"),
        (["--map", "followers=Nope"], "no column 'Nope' (mapped to followers)"),
    ],
)
def test_cli_calibrate_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, argv, expected):
    out = tmp_path / "my_page.yaml"
    assert main(["calibrate", str(SAMPLE), "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize(("per_view", "reach_share"), [(0.03, 0.2), (0.12, 0.45)])
def test_the_engagement_level_and_reach_of_a_simulated_page_are_recovered(per_view, reach_share):
    t = np.arange(0, 91)
    growth = fit_growth(pd.DataFrame({"day": t, "followers": bass_curve(t, 0.003, 0.08, 5000, 100),
                                      "posts": np.where(t % 7 < 5, 1, 0)}), bootstrap=0)  # fmt: skip
    fields = growth.to_scenario()
    fields["days"] = 60
    fields["engagement"]["per_view"] = per_view
    fields["feed"] = {"organic_reach_share": reach_share}
    ts = cs.run(fields, seed=42).timeseries.iloc[1:]
    data = pd.DataFrame({
        "date": pd.date_range("2026-01-01", periods=len(ts)), "day": np.arange(len(ts)),
        "followers": ts["members"].to_numpy(), "posts": ts["posts"].to_numpy(), "reach": ts["reach"].to_numpy(),
        "comments": ts["comments"].to_numpy(), "shares": ts["shares"].to_numpy(),
        "reactions": (ts["engagements"] - ts["comments"] - ts["shares"]).to_numpy(),
    })  # fmt: skip
    fit = fit_engagement(Export(data, "simulated"), growth)
    assert fit.per_view == pytest.approx(per_view, rel=0.2)  # measured: 7% off both ways (one seed of data)
    assert fit.organic_reach_share == pytest.approx(reach_share, rel=0.1)
    assert fit.model_rate == pytest.approx(fit.observed_rate, rel=0.1)
    scenario = cs.load_scenario(growth.to_scenario(engagement=fit))
    assert scenario.engagement.per_view == fit.per_view and scenario.engagement.share_exposure == 0


def test_the_engagement_fit_names_the_columns_it_needs(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Date,Followers\n2026-01-01,3\n2026-01-02,4\n2026-01-03,5\n")
    export = read_export(path)
    with pytest.raises(ScenarioError, match="needs a posts column and reactions, comments or shares"):
        fit_engagement(export, fit_growth(export, bootstrap=0))


def test_a_page_whose_ceiling_is_beyond_the_model_is_told_why():
    t = np.arange(40)
    fit = fit_growth(pd.DataFrame({"day": t, "followers": 100 * np.exp(0.05 * t)}), bootstrap=0)
    fit.market = 1e12  # what an export still in its exponential phase can give
    with pytest.raises(ScenarioError, match=r"has not started to slow down yet.*export more days"):
        fit.to_scenario()
