import math

import pandas as pd
import pytest

from communitysim.kpis import COLUMNS, KPIS, growth_rate_per_day, kpi_value, scorecard
from communitysim.scenario import Objective


@pytest.fixture
def ts():
    # a hand-made series: half-day steps
    return pd.DataFrame(
        {
            "step": [0, 1, 2, 3, 4],
            "day": [0.0, 0.5, 1.0, 1.5, 2.0],
            "members": [0, 10, 14, 13, 20],
            "share_members": [0.0, 0.1, 0.14, 0.13, 0.2],
            "new_members": [0, 10, 5, 1, 7],
            "churned": [0, 0, 1, 2, 0],
            "growth_rate": [0.0, 0.0, 0.8, -1 / 7, 14 / 13],
            "activity_norm": [math.nan, 3.0, 2.5, 2.4, 2.0],
        }
    )


def test_stocks_read_the_last_row_at_or_before_the_day(ts):
    assert kpi_value(ts, "members", 1.0) == 14
    assert kpi_value(ts, "members", 1.2) == 14
    assert kpi_value(ts, "share_members", 2.0) == 0.2
    assert kpi_value(ts, "activity_norm", 0.5) == 3.0


def test_flows_add_up_to_the_day(ts):
    assert kpi_value(ts, "new_members", 1.0) == 15
    assert kpi_value(ts, "churned", 2.0) == 3
    # stock-flow consistency on this series
    assert kpi_value(ts, "new_members", 2.0) - kpi_value(ts, "churned", 2.0) == kpi_value(ts, "members", 2.0)


def test_growth_rate_is_the_trailing_mean_of_the_step_rates(ts):
    assert kpi_value(ts, "growth_rate", 2.0) == pytest.approx((0.0 + 0.8 - 1 / 7 + 14 / 13) / 4)


def test_growth_rate_per_day_formula():
    assert growth_rate_per_day(100, 110, dt_days=0.5) == pytest.approx(0.2)
    assert growth_rate_per_day(0, 10, dt_days=1.0) == 0.0


def test_final_kpis_cover_every_kpi():
    import communitysim as cs
    from helpers import small

    result = cs.run(small(days=40), seed=1)
    values = result.kpis
    assert set(values) == set(KPIS)
    assert values["day"] == 40.0 and values["members"] == result.timeseries["members"].iloc[-1]


def test_window_ratios_sum_before_dividing():
    ts = pd.DataFrame(
        {
            "step": [0, 1, 2],
            "day": [0.0, 20.0, 40.0],
            "engagements": [0, 10, 30],
            "post_equivalents": [0.0, 1.0, 2.0],
            "members": [0, 100, 100],
            "reach": [0, 5, 10],
        }
    )
    assert kpi_value(ts, "engagements_per_post", 40) == pytest.approx(40 / 3)
    # the last 30 days hold only the day-20 and day-40 rows... (40 - 30, 40] = day 20 and 40
    assert kpi_value(ts, "engagement_rate_followers", 40) == pytest.approx(40 / 300)
    assert kpi_value(ts, "engagement_rate_reach", 40) == pytest.approx(40 / 15)
    assert kpi_value(ts, "engagement_rate_reach", 20) == pytest.approx(10 / 5)


def test_scorecard_pass_and_fail_in_both_directions(ts):
    objectives = [
        Objective(kpi="members", target=14, by_day=1),
        Objective(kpi="members", target=15, by_day=1),
        Objective(kpi="churned", target=3, by_day=2, direction="at_most"),
        Objective(kpi="churned", target=2, by_day=2, direction="at_most"),
    ]
    card = scorecard(ts, objectives)
    assert card["passed"].tolist() == [True, False, True, False]
    assert card["achieved"].tolist() == [14, 14, 3, 3]
    assert card["gap"].tolist() == [0, -1, 0, 1]


def test_unknown_kpi(ts):
    with pytest.raises(ValueError, match="unknown KPI 'likes'"):
        kpi_value(ts, "likes", 1.0)


def test_every_kpi_and_column_is_documented():
    from helpers import ROOT

    doc = (ROOT / "docs" / "KPIS.md").read_text()
    for name in list(KPIS) + [c.name for c in COLUMNS]:
        assert f"`{name}`" in doc, name


def test_sentiment_has_one_definition_for_the_column_and_the_kpi():
    # two steps whose comment mood (+) and mention mood (-) disagree: the KPI follows the column's mentions
    ts = pd.DataFrame(
        {
            "step": [0, 1, 2],
            "day": [0.0, 1.0, 2.0],
            "positive_comments": [0.0, 30.0, 10.0],
            "negative_comments": [0.0, 5.0, 5.0],
            "comments": [0.0, 50.0, 30.0],
            "negative_mentions": [0.0, 5.0, 85.0],
            "mentions": [0.0, 60.0, 120.0],
        }
    )
    ts["sentiment"] = 100 * (ts["positive_comments"] - ts["negative_mentions"]) / ts["mentions"]
    assert kpi_value(ts, "sentiment", 1.0) == pytest.approx(ts["sentiment"].iloc[1])  # one step: the column itself
    assert kpi_value(ts, "sentiment", 2.0) == pytest.approx(100 * (40 - 90) / 180)  # sums over the window
    assert kpi_value(ts, "sentiment", 2.0) < 0 < 100 * (40 - 10) / 80  # not the comments' +37.5
    column = next(c for c in COLUMNS if c.name == "sentiment")
    assert "mentions" in column.description and "mentions" in KPIS["sentiment"].formula


def test_churn_rate_is_the_share_of_the_window_members_who_left():
    ts = pd.DataFrame(
        {
            "step": [0, 1, 2, 3],
            "day": [0.0, 10.0, 40.0, 60.0],
            "members": [0, 100, 110, 100],
            "new_members": [0, 100, 20, 5],
            "churned": [0, 0, 10, 15],
        }
    )
    # window (30, 60]: members at day 10 (100) + joiners 25; left 25
    assert kpi_value(ts, "churn_rate", 60) == pytest.approx(25 / 125)
    # a launch window starting with no members: joiners only
    assert kpi_value(ts, "churn_rate", 10) == pytest.approx(0 / 100)
    assert math.isnan(kpi_value(ts.iloc[:1], "churn_rate", 0))


def test_member_to_member_ratio_leaves_the_brands_replies_out_so_neglect_cannot_raise_it():
    ts = pd.DataFrame(
        {"step": [0, 1], "day": [0.0, 1.0], "member_interactions": [0, 10], "comments": [0, 40], "replies": [0, 0]}
    )
    cared = ts.assign(replies=[0, 30])
    assert kpi_value(ts, "member_to_member_ratio", 1) == kpi_value(cared, "member_to_member_ratio", 1) == 0.25


def test_sentiment_is_defined_without_comments():
    ts = pd.DataFrame(
        {
            "step": [0, 1],
            "day": [0.0, 1.0],
            "positive_comments": [0.0, 0.0],
            "negative_mentions": [0.0, 0.0],
            "mentions": [0.0, 5.0],  # members' ordinary mentions
        }
    )
    assert kpi_value(ts, "sentiment", 1) == 0.0
