"""The step functions of ``model.STEP`` and the small pieces the feed step calls."""

import numpy as np

from communitysim.mechanisms.participation import RecentComments
from communitysim.mechanisms.sentiment import expected_sentiment


def test_a_comment_counts_for_participation_for_30_days_then_drops_out():
    window = RecentComments(3)
    window.add(np.array([0, 1]), np.array([2, 1]))  # day 0
    window.roll(1.0)
    window.add(np.array([1]), np.array([4]))  # day 1
    window.roll(29.5)
    assert window.per_person.tolist() == [2, 5, 0]
    window.roll(30.0)  # day 0's bucket is emptied as day 30 begins
    assert window.per_person.tolist() == [0, 4, 0]
    assert window.levels(np.arange(3), creator_comments=4) == {"lurkers": 2, "contributors": 0, "creators": 1}
    window.roll(31.0)
    assert window.empty and window.per_person.tolist() == [0, 0, 0]


def test_an_outraged_member_s_comments_are_all_negative_whatever_their_affinity():
    comments, affinity = np.array([3, 1]), np.array([1.0, 1.0])
    calm = expected_sentiment(comments, affinity, 0.6, 0.3)
    outraged = expected_sentiment(comments, affinity, 0.6, 0.3, outraged=np.array([True, False]))
    assert calm[1] == 0.0  # affinity 1: no negative comment
    assert outraged[1] == 3.0  # the outraged member's 3 comments, not the other's


def test_joins_and_leaves_are_drawn_on_one_state_then_applied_together(monkeypatch):
    import communitysim.model as model

    states = {}

    def snapshot(function):
        def step_function(built):
            function(built)
            states[function.__name__] = built.population.state.copy()

        return step_function

    built = model.CommunityModel(
        {"audience": {"size": 600}, "days": 60, "growth": {"churn_rate_per_day": 0.05}}, seed=3
    )
    monkeypatch.setattr(model, "STEP", tuple(snapshot(f) for f in model.STEP))
    for _ in range(60):  # a step with people joining and people leaving
        built.step()
        if built.joiners.size and built.leavers.size:
            break
    assert built.joiners.size and built.leavers.size
    assert np.array_equal(states["decide_joins"], states["feed_and_engagement"])
    assert np.array_equal(states["decide_leaves"], states["feed_and_engagement"])
    changed = np.flatnonzero(states["apply_joins_and_leaves"] != states["decide_leaves"])
    assert changed.tolist() == sorted([*built.joiners.tolist(), *built.leavers.tolist()])
    assert not np.intersect1d(built.joiners, built.leavers).size  # a joiner was not a member when leaves were drawn
