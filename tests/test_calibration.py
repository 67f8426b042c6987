"""Calibration: reading exports, fitting the Bass growth back, its intervals, the scenario, the forecast, the CLI."""

import importlib.util

import numpy as np
import pandas as pd
import pytest

import communitysim as cs
from communitysim.calibration import (
    LAG_DAYS,
    Export,
    bass_curve,
    bass_path,
    estimate_response,
    export_of_run,
    fit_engagement,
    fit_growth,
    forecast,
    lag_weights,
    plot_fit,
    read_export,
    recent_rate,
    save_scenario,
)
from communitysim.cli import main
from communitysim.mechanisms.feed import attention
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
    # measured for p on seeds 1-40: 36 (one-step-ahead bootstrap), 29 of 60 with shocks around the fitted curve
    assert all(count >= 9 for count in covered.values()), covered


def test_the_sample_export_reads_with_its_gap_reported_not_filled():
    export = read_export(SAMPLE)
    assert list(export.data.columns) == [
        "date", "day", "followers", "posts", "reach", "reactions", "comments", "shares", "unfollows"
    ]  # fmt: skip
    assert export.gaps == [("2026-04-10", 2)]
    assert len(export.data) == export.days + 1 - 2  # the two missing days are not invented
    fit = fit_growth(export, bootstrap=20)
    # every unfollow: the churn of 0.001 a day plus the members the 10-a-week campaign tired (appetite 1 a day)
    assert 0.001 < fit.churn_rate_per_day < 0.002
    assert 5 < fit.posts_per_week < 7  # 3, 10 then 5 a week, Poisson
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


def test_the_forecast_of_the_sample_follows_the_page_it_was_simulated_from():
    """The sample page continued 90 days in the model that made it, against the calibrated forecast."""
    spec = importlib.util.spec_from_file_location("make_sample_export", ROOT / "tools" / "make_sample_export.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rng = np.random.default_rng(2026)  # the tool's calendar, then 5.75 posts a week (the export's mean)
    calendar = []
    for day in range(tool.TRUTH["days"] + 91):
        rate = tool.PHASES[day // 50] if day < tool.TRUTH["days"] else 5.75
        calendar.extend(sorted(day + rng.random(rng.poisson(rate / 7))))
    overrides = {**tool.TRUTH, "strategy.calendar_days": calendar, "step_hours": 24, "days": tool.TRUTH["days"] + 91}
    truth = [cs.run(SCENARIOS / "bass_validation.yaml", seed=seed, overrides=overrides).timeseries["members"].iloc[-1]
             for seed in (11, 12, 13)]  # fmt: skip
    export = read_export(SAMPLE)
    ahead = forecast(fit_growth(export, bootstrap=20), days=90, replications=10)
    # measured: forecast 5,990, truth 6,110-6,190 (the fitted churn holds the campaign's tired members too);
    # when those who had left could come back, the forecast was 6,820
    assert ahead["median"].iloc[-1] == pytest.approx(np.mean(truth), rel=0.05)


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
    page = simulated_page(3.2, 1.5, per_view=per_view, reach_share=reach_share, week=(1, 1, 1, 1, 1, 0, 0))
    growth = fit_growth(page, bootstrap=0)
    fit = fit_engagement(page, growth, bootstrap=0)
    assert fit.per_view == pytest.approx(per_view, rel=0.2)  # measured: 7% off both ways (one seed of data)
    assert fit.organic_reach_share == pytest.approx(reach_share, rel=0.1)
    assert fit.model_rate == pytest.approx(fit.observed_rate, rel=0.1)
    scenario = cs.load_scenario(growth.to_scenario(engagement=fit))
    assert scenario.engagement.per_view == fit.per_view and scenario.engagement.share_exposure == 0


def test_posts_at_fixed_late_hours_are_not_read_as_a_slow_decay():
    t = np.arange(0, 91)
    growth = fit_growth(pd.DataFrame({"day": t, "followers": bass_curve(t, 0.003, 0.08, 5000, 100)}), bootstrap=0)
    fields = growth.to_scenario()  # the steady schedule: the post of day 7 goes out at 23:59
    fields.update(days=60, feed={"organic_reach_share": 0.2})
    fit = fit_engagement(export_of_run(cs.run(fields, seed=42).timeseries), growth, bootstrap=0)
    assert (
        fit.post_half_life_hours is None
        and "explains the engagement of the days after" in fit.why["post_half_life_hours"]
    )
    assert fit.organic_reach_share == pytest.approx(0.2, rel=0.1)


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


def simulated_page(
    half_life_hours, appetite, seed=42, days=150, phases=(3, 10, 5), per_view=0.05, reach_share=0.2, week=None
):
    """A page simulated by the model: posts at random hours, a Poisson number a day with the weekly rhythm
    changing in phases (3, then 10, then 5 a week), or ``week[day % 7]`` posts a day."""
    rng = np.random.default_rng(seed)
    calendar = []
    for day in range(days):
        count = rng.poisson(phases[day * len(phases) // days] / 7) if week is None else week[day % 7]
        calendar.extend(day + rng.random(count))
    t = np.arange(days + 1)
    growth = fit_growth(pd.DataFrame({"day": t, "followers": bass_curve(t, 0.003, 0.05, 6000, 100)}), bootstrap=0)
    fields = growth.to_scenario()
    fields.update(days=days, feed={"organic_reach_share": reach_share, "appetite_posts_per_day": appetite})
    fields["seeding"]["size"] = 100
    fields["engagement"].update(per_view=per_view, post_half_life_hours=half_life_hours)
    fields["strategy"].update(schedule="calendar", calendar_days=calendar, posts_per_week=phases[0])
    return export_of_run(cs.run(fields, seed=seed).timeseries)


def test_the_engagement_regression_reads_the_decay_of_noiseless_data_exactly():
    rng = np.random.default_rng(3)
    posts = rng.poisson(0.8, 200).astype(float)
    followers = np.linspace(500, 3000, 200)
    for half_life in (1.3, 4.0, 12.0):
        weights = lag_weights(half_life, 0.5)
        drive = np.array([posts[max(0, d - LAG_DAYS + 1) : d + 1][::-1] @ weights[: min(d + 1, LAG_DAYS)]
                          for d in range(200)])  # fmt: skip
        engagements = 0.002 * followers * attention(recent_rate(posts), 1.5) * drive
        engagements[:LAG_DAYS] = np.nan  # before the export, the posts are unknown
        found = estimate_response(posts, engagements, followers, (3.2, 0.5, 1.5), read=(True, False))
        assert found.half_life_hours == pytest.approx(half_life, rel=1e-3)
        assert found.level == pytest.approx(0.002, rel=1e-3)


BUSIEST_PHASE_PER_DAY = 10 / 7  # the simulated pages' campaign phase


@pytest.mark.parametrize(
    ("half_life", "appetite"),
    [(12.0, 0.5), (3.2, 1.0), (1.3, 3.0)],  # slow-decaying posts and a small appetite; fast posts, a large one
)
def test_the_post_decay_and_the_posting_response_of_simulated_pages_are_recovered(half_life, appetite):
    fit = fit_engagement(simulated_page(half_life, appetite), fit_growth(simulated_page(half_life, appetite),
                                                                          bootstrap=0), bootstrap=60)  # fmt: skip
    # measured on 6 other seeds each: half-life within 28%, appetite within a factor 2 in 16 of 18 (a posting
    # response is read from the export's busiest and quietest days only); 32 of 36 intervals covered the truth
    assert fit.post_half_life_hours == pytest.approx(half_life, rel=0.35)
    if appetite <= BUSIEST_PHASE_PER_DAY:
        # one page misses the factor 2 about once in 7 (half-life 12 h, appetite 0.5, pages 42 and 1-6: 0.50,
        # 0.41, 0.72, 0.67, 0.49, 0.25, 0.79 before issue 20's feed, 0.25, 0.70, 0.55, 0.47, 0.46, 0.33, 0.32
        # after: the new views' random numbers moved page 42 to the grid's floor): the median of pages 42, 1, 2
        others = [simulated_page(half_life, appetite, seed=seed) for seed in (1, 2)]
        found = [fit.appetite_posts_per_day] + [
            fit_engagement(page, fit_growth(page, bootstrap=0), bootstrap=0).appetite_posts_per_day for page in others
        ]
        assert appetite / 2 < float(np.median(found)) < appetite * 2, found
    # An appetite above the page's busiest rhythm (3 a day; the page posts at most 10 a week) is not read
    # by the export: on seeds 1-8 and 42 the estimate ranged over 0.86-3.25 before issue 17's common random
    # numbers and 0.77-4.43 after (within a factor 2: 6 of 9, then 5 of 9); seed 42 had passed at 1.53.
    low, high = fit.intervals["post_half_life_hours"]
    assert low < fit.post_half_life_hours < high and high / low < 3
    low, high = fit.intervals["appetite_posts_per_day"]
    assert low <= fit.appetite_posts_per_day <= high
    assert fit.model_rate == pytest.approx(fit.observed_rate, rel=0.05)
    scenario = cs.load_scenario(
        fit_growth(simulated_page(half_life, appetite), bootstrap=0).to_scenario(engagement=fit)
    )
    assert scenario.engagement.post_half_life_hours == fit.post_half_life_hours
    assert scenario.feed.appetite_posts_per_day == fit.appetite_posts_per_day


def test_the_decay_and_response_intervals_cover_the_truth_on_most_seeds():
    covered = []
    for seed in range(1, 5):
        page = simulated_page(3.2, 1.0, seed=seed)
        fit = fit_engagement(page, fit_growth(page, bootstrap=0), bootstrap=60)
        for name, truth in (("post_half_life_hours", 3.2), ("appetite_posts_per_day", 1.0)):
            low, high = fit.intervals[name]
            covered.append(low <= truth <= high)
    assert sum(covered) >= 7  # measured: 7 of 8 here; 32 of 36 over 3 truths x 6 seeds (README)


def test_what_a_steady_page_cannot_tell_keeps_the_default_and_says_why():
    page = simulated_page(3.2, 1.0, week=(1,) * 7)  # exactly one post a day, every day
    fit = fit_engagement(page, fit_growth(page, bootstrap=0), bootstrap=20)
    assert fit.post_half_life_hours is None and fit.appetite_posts_per_day is None
    assert "same number of posts every day" in fit.why["post_half_life_hours"]
    assert "posting rhythm hardly changed" in fit.why["appetite_posts_per_day"]
    assert "post_half_life_hours" not in fit.fields()["engagement"]
    assert "appetite_posts_per_day" not in fit.fields().get("feed", {})
    assert "not read from this export" in str(fit)


def test_the_sample_export_reads_its_decay_and_posting_response():
    export = read_export(SAMPLE)
    fit = fit_engagement(export, fit_growth(export, bootstrap=0), bootstrap=60)
    low, high = fit.intervals["post_half_life_hours"]
    assert low <= 4.0 <= high  # tools/make_sample_export.py: half-life 4 h, appetite 1 post a day
    low, high = fit.intervals["appetite_posts_per_day"]
    assert low <= 1.0 <= high
    # the calibrated runs over the export's days: measured R² 0.73 on the daily engagements
    assert len(fit.fitted) == len(fit.observed) == export.days + 1 and np.isnan(fit.observed).sum() == 2
    assert fit.r2 > 0.6 and "R² 0.7" in str(fit)
    figure = plot_fit(fit_growth(export, bootstrap=0), engagement=fit)  # the fitted curve over the data
    engaged = figure.axes[1]
    assert len(figure.axes) == 2 and engaged.get_title() == "Engagement: export and calibrated model"
    np.testing.assert_array_equal(engaged.lines[1].get_ydata(), fit.fitted)


def page_with_visibility(share, seed, days=180, phases=(3, 12, 5)):
    """A slow word-of-mouth page (p matters all along) whose rhythm changes: 3, 12, then 5 posts a week."""
    rng = np.random.default_rng(seed)
    calendar = []
    for day in range(days):
        calendar.extend(day + rng.random(rng.poisson(phases[day * len(phases) // days] / 7)))
    overrides = {"audience.size": 20_000, "days": days, "step_hours": 24, "growth.external_rate_per_day": 0.003,
                 "growth.word_of_mouth_rate_per_day": 0.01, "strategy.schedule": "calendar",
                 "strategy.calendar_days": calendar, "strategy.posts_per_week": phases[0],
                 "feed.visibility_from_posts_share": share, "seeding.strategy": "random",
                 "seeding.size": 20}  # fmt: skip
    ts = cs.run(SCENARIOS / "bass_validation.yaml", seed=seed, overrides=overrides).timeseries.iloc[1:]
    return pd.DataFrame(
        {"day": np.arange(len(ts)), "followers": ts["members"].to_numpy(), "posts": ts["posts"].to_numpy()}
    )


def test_the_share_of_visibility_that_posting_brings_is_recovered_when_the_rhythm_changed():
    covered = 0
    for share in (0.1, 0.5, 0.9):
        for seed in (1, 2, 3):
            fit = fit_growth(page_with_visibility(share, seed), bootstrap=100)
            assert fit.visibility_share == pytest.approx(share, abs=0.2)  # measured: within 0.15
            assert fit.base_p == pytest.approx(0.003, rel=0.1)  # measured: within 5%
            low, high = fit.intervals["visibility_share"]
            covered += low <= share <= high
    assert covered >= 7  # measured: 8 of 9 at 100 resamples


def test_a_page_whose_posting_brings_visibility_is_forecast_to_gain_more_from_posting_more():
    gains = {}
    for share in (0.1, 0.9):
        fit = fit_growth(page_with_visibility(share, 1), bootstrap=20)
        scenario = cs.load_scenario(fit.to_scenario())
        assert scenario.feed.visibility_from_posts_share == pytest.approx(fit.visibility_share)
        assert scenario.growth.external_rate_per_day == pytest.approx(fit.base_p)
        rhythms = {"rare": {"strategy.posts_per_week": 1}, "daily": {"strategy.posts_per_week": 7}}
        ahead = forecast(fit, days=60, replications=6, strategies=rhythms)
        last = ahead[ahead["day"] == 60].set_index("strategy")["median"]
        gains[share] = last["daily"] - last["rare"]  # below the appetite: no fatigue to pay
    assert gains[0.9] > 2 * gains[0.1] and gains[0.9] > 100


def test_a_steady_rhythm_does_not_read_the_visibility_share_and_says_why():
    t = np.arange(60)
    data = pd.DataFrame({"day": t, "followers": bass_curve(t, 0.003, 0.05, 5000, 50), "posts": 1})
    fit = fit_growth(data, bootstrap=0)
    assert fit.visibility_share is None and "posting rhythm hardly changed" in fit.why["visibility_share"]
    assert fit.p == pytest.approx(0.003, rel=0.01)


def test_days_without_any_visibility_are_fitted_without_failing():
    t = np.arange(120)
    posts = np.where(t < 20, 0, np.where(t < 70, 3, 0))  # silence, a campaign, silence again
    days = np.arange(120.0)
    followers = bass_path(days, 0.004 * (1 + 1.0 * (np.sqrt(recent_rate(posts)[1:] / (5 / 7)) - 1)), 0.05, 4000, 30)
    fit = fit_growth(pd.DataFrame({"day": t, "followers": followers, "posts": posts}), bootstrap=0)
    assert np.all(np.diff(bass_path(days, np.zeros(119), 0.05, 4000, 30)) >= 0)  # word of mouth alone
    assert fit.visibility_share == pytest.approx(1.0, abs=0.05) and fit.base_p == pytest.approx(0.004, rel=0.05)


def test_an_export_without_any_post_or_engagement_is_told_so():
    t = np.arange(60)
    data = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=60), "day": t,
                         "followers": bass_curve(t, 0.003, 0.05, 5000, 50), "posts": 0, "reactions": 0})  # fmt: skip
    with pytest.raises(ScenarioError, match="no post, or no engagement, on the days present"):
        fit_engagement(Export(data, "export.csv"), fit_growth(data, bootstrap=0))
