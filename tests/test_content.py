"""Issue 3: each content, feed and engagement mechanism moves its KPI in the documented direction."""

import itertools

import numpy as np
import pytest

import communitysim as cs
from communitysim.mechanisms import feed, posting
from communitysim.mechanisms.engagement import LivePosts, post_share_reached
from communitysim.mechanisms.replies import speed_value
from communitysim.scenario import CONTENT_TYPES, StrategyParams
from helpers import SCENARIOS

# an established community: many members from day 0, so that content effects show at once
COMMUNITY = {
    "name": "community",
    "days": 90,
    "audience": {"size": 3000, "network": {"kind": "watts_strogatz", "mean_degree": 10}},
    "growth": {"external_rate_per_day": 0.0005, "word_of_mouth_rate_per_day": 0.02, "churn_rate_per_day": 0.001},
    "seeding": {"strategy": "random", "size": 1500, "acceptance_share": 1.0, "invite_after_posts": 0},
    "launch": {"posts_ready": 0},
}
SEEDS = range(6)


def kpis(overrides, seeds=SEEDS, scenario=COMMUNITY):
    return [cs.run(scenario, seed=s, overrides=overrides).kpis for s in seeds]


def mean(values, key):
    return float(np.mean([v[key] for v in values]))


def test_every_content_type_has_its_effects():
    assert set(posting.CONTENT_TYPES_TABLE) == set(CONTENT_TYPES)


def test_post_decay_is_a_stretched_exponential_with_the_given_half_life():
    assert post_share_reached(2.0 / 24, half_life_hours=2.0, stretch=0.5) == pytest.approx(0.5)
    ages = np.linspace(0, 5, 50)
    shares = post_share_reached(ages, 3.2, 0.5)
    assert (np.diff(shares) >= 0).all() and shares[0] == 0 and shares[-1] < 1


def test_a_post_gives_the_same_total_at_any_step_length():
    totals = []
    for dt in (1 / 24, 0.25, 1.0):
        posts = LivePosts(half_life_hours=3.2, stretch=0.5)
        posts.publish([0.3], ["debate"], [1.0], followers=100)
        total, day = 0.0, 0.0
        while day < 30:
            total += posts.step(day, day + dt, dt).weight
            day += dt
        totals.append(total)
    np.testing.assert_allclose(totals, 1.0)


def test_schedules_keep_the_weekly_count():
    rng = np.random.default_rng(1)
    strategy = StrategyParams(posts_per_week=5)
    steady = posting.steady(strategy, 0.0, 28.0, rng)
    weekdays = posting.weekdays(strategy, 0.0, 28.0, rng)
    assert len(steady) == len(weekdays) == 20
    assert all(day % 7 < 5 + 1e-9 for day, _ in weekdays)
    by_step = sum(len(posting.steady(strategy, d / 24, (d + 1) / 24, rng)) for d in range(28 * 24))
    assert by_step == 20


def test_novelty_wears_out_with_repetition_and_recovers():
    novelty = posting.Novelty()
    values = [novelty.use("contest", day=0.0) for _ in range(5)]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert novelty.current("contest", day=60.0) > 0.99


def test_repeating_one_type_engages_less_than_a_varied_mix():
    one = {"strategy.content_mix": {"entertainment": 1.0}}
    varied = {"strategy.content_mix": {"entertainment": 0.34, "quiz_poll": 0.33, "event": 0.33}}
    # entertainment alone has the highest appeal of the three: only novelty wear-out can make it lose
    assert mean(kpis(varied), "engagements_per_post") > mean(kpis(one), "engagements_per_post")


def test_more_posts_get_less_each():
    per_post = [mean(kpis({"strategy.posts_per_week": n}), "engagements_per_post") for n in (2, 7, 21)]
    assert per_post[0] > per_post[1] > per_post[2]


@pytest.mark.slow
def test_total_engagement_has_an_interior_optimum_in_posting_frequency():
    frequencies = [1, 7, 10, 42]
    totals = []
    for n in frequencies:
        runs = [
            cs.run(SCENARIOS / "posting_frequency.yaml", seed=s, overrides={"strategy.posts_per_week": n}).kpis
            for s in range(3)
        ]
        totals.append(mean(runs, "engagements"))
    best = int(np.argmax(totals))
    assert 0 < best < len(frequencies) - 1, totals
    assert totals[best] > 1.2 * max(totals[0], totals[-1]), totals


def test_over_posting_tires_members_and_loses_them():
    calm, flood = kpis({"strategy.posts_per_week": 5}), kpis({"strategy.posts_per_week": 42})
    assert mean(flood, "churned") > mean(calm, "churned")
    assert mean(flood, "members") < mean(calm, "members")


def test_begging_lowers_affinity():
    def mean_affinity(overrides):
        values = []
        for seed in SEEDS:
            model = cs.CommunityModel(COMMUNITY, seed=seed, overrides=overrides)
            model.run()
            values.append(model.population.affinity[model.population.state == 1].mean())
        return np.mean(values)

    honest = {"strategy.content_mix": {"informational": 1.0}}
    begging = {"strategy.content_mix": {"informational": 0.5, "begging": 0.5}}
    assert mean_affinity(begging) < mean_affinity(honest)


def test_contests_bring_a_join_spike_of_people_who_leave_later():
    quiet = {"strategy.content_mix": {"informational": 1.0}}
    contests = {"strategy.content_mix": {"informational": 0.7, "contest": 0.3}}
    joined_q, joined_c, left_q, left_c, peak_q, peak_c = [], [], [], [], [], []
    for seed in SEEDS:
        for overrides, joined, left, peak in (
            (quiet, joined_q, left_q, peak_q),
            (contests, joined_c, left_c, peak_c),
        ):
            ts = cs.run(COMMUNITY, seed=seed, overrides=overrides).timeseries
            joined.append(ts["new_members"].iloc[5:].sum())  # after the first members
            peak.append(ts["new_members"].iloc[5:].max())
            left.append(ts["churned"].sum())
    assert np.mean(joined_c) > 1.1 * np.mean(joined_q)
    assert np.mean(peak_c) > 1.3 * np.mean(peak_q)  # spikes on contest days
    assert np.mean(left_c) > np.mean(left_q)


def test_contest_joiners_like_the_brand_less():
    def joiner_affinity(mix):
        values = []
        for seed in SEEDS:
            model = cs.CommunityModel(COMMUNITY, seed=seed, overrides={"strategy.content_mix": mix})
            model.run()
            late = model.population.joined_step > 5
            values.append(model.population.affinity[late].mean())
        return np.mean(values)

    assert joiner_affinity({"informational": 0.7, "contest": 0.3}) < joiner_affinity({"informational": 1.0})


def test_debates_make_members_talk_to_each_other():
    plain = kpis({"strategy.content_mix": {"informational": 1.0}})
    debates = kpis({"strategy.content_mix": {"informational": 0.5, "debate": 0.5}})
    assert mean(debates, "member_interactions") > 1.5 * mean(plain, "member_interactions")


def test_faster_replies_give_higher_engagement():
    slow = kpis({"strategy.reply_delay_hours": 48, "strategy.reply_share": 0.9})
    fast = kpis({"strategy.reply_delay_hours": 0.1, "strategy.reply_share": 0.9})
    assert mean(fast, "engagements") > mean(slow, "engagements")
    assert mean(fast, "response_time_h") < 1 < 20 < mean(slow, "response_time_h")
    assert speed_value(0.1, 1.0) > speed_value(1.0, 1.0) > speed_value(24.0, 1.0)


def test_replying_more_raises_response_rate_and_member_talk():
    none = kpis({"strategy.reply_share": 0.0})
    every = kpis({"strategy.reply_share": 1.0})
    assert mean(none, "response_rate") == 0 and mean(every, "response_rate") == 1
    assert mean(every, "member_interactions") > mean(none, "member_interactions")


def test_better_content_engages_more():
    assert mean(kpis({"strategy.quality": 0.9}), "engagements") > mean(kpis({"strategy.quality": 0.2}), "engagements")


def test_engaged_members_become_leads_informational_content_more_than_contests():
    informational = kpis({"strategy.content_mix": {"informational": 1.0}})
    contests = kpis({"strategy.content_mix": {"entertainment": 1.0}})
    assert mean(informational, "leads") > mean(contests, "leads") > 0


def test_shares_spread_word_of_mouth():
    # room to grow: few members, little visibility, so that shares make a difference
    # (and many shares: with the defaults a community shares little, so the effect is small)
    room = {
        "seeding.size": 300,
        "growth.external_rate_per_day": 0.0002,
        "growth.word_of_mouth_rate_per_day": 0.05,
        "engagement.per_view": 0.3,
        "engagement.share_share": 0.6,
    }
    off = kpis({**room, "engagement.share_exposure": 0.0})
    on = kpis({**room, "engagement.share_exposure": 20.0})
    assert mean(on, "new_members") > 1.05 * mean(off, "new_members")


def test_participation_is_90_9_1_like_by_default():
    result = [cs.run(SCENARIOS / "bakery_launch.yaml", seed=s).kpis for s in range(3)]
    lurkers, contributors, creators = (mean(result, k) for k in ("lurker_share", "contributor_share", "creator_share"))
    assert 0.85 <= lurkers <= 0.97
    assert 0.03 <= contributors <= 0.14
    assert 0.0005 <= creators <= 0.03
    assert creators < contributors < lurkers


@pytest.mark.parametrize("platform", sorted(feed.PLATFORMS))
def test_platform_presets_land_in_their_published_band(platform):
    low, high = feed.ENGAGEMENT_BANDS[platform]
    rates = [
        cs.run(SCENARIOS / "posting_frequency.yaml", seed=s, overrides={"platform": platform}).kpis[
            "engagement_rate_followers"
        ]
        for s in range(2)
    ]
    assert low <= np.median(rates) <= high, rates


def test_a_file_value_wins_over_the_platform_preset():
    scenario = cs.load_scenario({"platform": "x", "feed": {"organic_reach_share": 0.5}})
    assert scenario.feed.organic_reach_share == 0.5
    assert scenario.engagement.post_half_life_hours == feed.PLATFORMS["x"]["engagement"]["post_half_life_hours"]
    switched = cs.load_scenario(scenario, {"platform": "tiktok"})
    assert switched.feed.organic_reach_share == 0.5  # still the file's
    assert switched.engagement.per_view == feed.PLATFORMS["tiktok"]["engagement"]["per_view"]


def test_a_user_schedule_can_be_registered_and_named():
    def mondays(strategy, start, end, rng):
        return [
            (day, "event") for day in range(int(np.ceil(start)), int(np.ceil(end))) if day % 7 == 0 and day >= start
        ]

    posting.register_schedule("mondays", mondays)
    ts = cs.run(COMMUNITY, seed=1, overrides={"strategy.schedule": "mondays", "days": 28}).timeseries
    assert ts["posts"].sum() == 4
    with pytest.raises(cs.ScenarioError, match="unknown posting schedule 'fridays'"):
        cs.load_scenario(COMMUNITY, {"strategy.schedule": "fridays"})


def test_a_calendar_posts_on_its_days_at_any_step_length():
    days = [0.5, 0.5, 2.25, 9.0, 9.99]
    for step_hours in (1, 6, 24):
        ts = cs.run(COMMUNITY, seed=1, overrides={"strategy.schedule": "calendar", "strategy.calendar_days": days,
                                                  "days": 12, "step_hours": step_hours}).timeseries  # fmt: skip
        published = ts.groupby(np.ceil(ts["day"].round(6)))["posts"].sum()
        assert published.to_dict() == pytest.approx({**dict.fromkeys(range(13), 0), 1: 2, 3: 1, 9: 1, 10: 1})
    with pytest.raises(cs.ScenarioError, match=r"strategy\.calendar_days.*>= 0, got -1"):
        cs.load_scenario(COMMUNITY, {"strategy.calendar_days": [1, -1]})


def test_promotional_posts_engage_less():
    promo = kpis({"strategy.content_mix": {"promotional": 1.0}})
    info = kpis({"strategy.content_mix": {"informational": 1.0}})
    assert mean(promo, "engagements_per_post") < mean(info, "engagements_per_post")


def test_inactive_members_churn_more():
    lenient = kpis({"engagement.inactive_churn_factor": 1.0, "growth.churn_rate_per_day": 0.005})
    strict = kpis({"engagement.inactive_churn_factor": 4.0, "growth.churn_rate_per_day": 0.005})
    assert mean(strict, "churned") > mean(lenient, "churned")


def test_posting_feeds_external_visibility():
    quiet = {
        "growth.word_of_mouth_rate_per_day": 0.0,
        "engagement.share_exposure": 0.0,
        "growth.external_rate_per_day": 0.005,
    }
    silent = kpis({**quiet, "strategy.posts_per_week": 0})
    posting_ = kpis({**quiet, "strategy.posts_per_week": 10})
    assert mean(posting_, "new_members") > mean(silent, "new_members")
