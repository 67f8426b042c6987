"""The living crisis feed: variety, the model's figures, reactions only to what the brand did, both languages."""

from pathlib import Path

import pytest

import communitysim as cs
from communitysim.crisis_feed.feed import (
    LATE_AFTER_HOURS,
    MAX_SHOWN,
    STATEMENTS,
    BrandAction,
    HourFigures,
    allocate,
    build_feed,
    hour_figures,
    phase_of,
)
from communitysim.crisis_feed.render import brand_actions, living_feed_html
from communitysim.exercise.session import LEARNER_START
from communitysim.mechanisms.crisis import Response
from communitysim.messages import catalogue, set_language

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SCENARIO = str(SCENARIO_DIR / "crisis_offensive_post.yaml")
#: The brand's conduct in the 48 hours, per case: (hour, strategy, moderation share, written text).
PLAYS = {
    "silence": [],
    "deny_and_moderate": [(5, "deny", 0.8, "These claims are false. There is no problem with our post.")],
    "apologize_fast": [(1, "apologize", 0.0, "We are sorry. We got this post wrong.")],
    "rebuild_late": [(9, "rebuild", 0.0, "")],
}


def play(case: str, hours: int = 48, seed: int = 7):
    """A 48-hour offensive-post crisis with the brand's conduct of ``case``; its feed's figures and actions."""
    scenario = cs.load_scenario(SCENARIO, LEARNER_START)
    model = cs.CommunityModel(scenario, seed=seed)
    start = scenario.crises[0].start_day
    conduct = list(PLAYS[case])
    texts = {}
    while model.day < start + hours / 24 - 1e-9:
        while conduct and model.day >= start + conduct[0][0] / 24 - 1e-9:
            hour, strategy, moderation, text = conduct.pop(0)
            model.respond(Response(strategy=strategy, moderation_share=moderation))
            texts[float(hour)] = text
        model.step()
    return model, start, texts


@pytest.fixture(scope="module")
def plays():
    return {case: play(case) for case in PLAYS}


def feed_of(model, start, texts, seed=7):
    figures = hour_figures(model.result().timeseries, start)
    return figures, build_feed(figures, "offensive_post", brand_actions(model, start, texts), seed)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_48_hour_crisis_shows_mostly_distinct_messages_in_each_language(plays, lang):
    set_language(lang)
    try:
        for case, (model, start, texts) in plays.items():
            figures, feed = feed_of(model, start, texts)
            assert len(figures) == 48 and len(feed.messages) >= 300, case
            assert feed.distinct_share() >= 0.8, (case, feed.distinct_share())
            # no sentence is said twice within an hour
            for figure in figures:
                texts_of_hour = [m.text for m in feed.hour(figure.hour)]
                assert len(set(texts_of_hour)) == len(texts_of_hour), (case, figure.hour)
    finally:
        set_language(None)


def test_each_hour_shows_the_model_count_and_sentiment_mix(plays):
    model, start, texts = plays["deny_and_moderate"]
    ts = model.result().timeseries
    figures, feed = feed_of(model, start, texts)
    rows = ts[ts["day"] > start + 1e-9]
    assert [f.mentions for f in figures] == pytest.approx(rows["mentions"].tolist())
    assert [f.negative for f in figures] == pytest.approx(rows["negative_mentions"].tolist())
    assert [f.outraged for f in figures] == rows["outraged"].tolist()
    for figure in figures:
        shown = feed.hour(figure.hour)
        count = min(MAX_SHOWN, round(figure.mentions))
        assert len(shown) == count
        mix = [sum(m.sentiment == s for m in shown) for s in ("negative", "neutral", "positive")]
        assert mix == allocate(count, (figure.negative, figure.neutral, figure.positive))
        if count:  # the mix is the model's to within one message per sentiment
            for share, model_share in zip(mix, (figure.negative, figure.neutral, figure.positive), strict=True):
                assert abs(share - count * model_share / figure.mentions) < 1.0


def test_reactions_only_follow_what_the_brand_did(plays):
    for case, (model, start, texts) in plays.items():
        actions = brand_actions(model, start, texts)
        _, feed = feed_of(model, start, texts)
        first = next((a.hour for a in actions if a.kind in STATEMENTS), None)
        for message in feed.messages:
            if message.reaction == "silence":
                assert first is None or message.hour <= first + 1e-9, case
                assert message.hour > 2
            elif message.reaction == "late":
                assert first is not None and first > LATE_AFTER_HOURS and message.hour > first, case
            elif message.reaction is not None:
                assert any(a.kind == message.reaction and a.hour < message.hour for a in actions), (case, message)
            assert message.key.startswith(f"feed.react.{message.reaction}.") == (message.reaction is not None) or (
                message.reply_to is not None
            )


def reactions(feed, kind, start, hours):
    return [m for m in feed.messages if m.reaction == kind and start < m.hour <= start + hours]


def test_each_conduct_brings_its_own_reactions(plays):
    _, feed = feed_of(*plays["silence"])
    assert len(reactions(feed, "silence", 2, 46)) >= 10
    assert not [m for m in feed.messages if m.reaction not in (None, "silence")]
    assert any(n.key == "feed.news.react.silence" for n in feed.news)
    model, start, texts = plays["deny_and_moderate"]
    _, feed = feed_of(model, start, texts)
    denial = reactions(feed, "deny", 5, 12)
    assert sum(m.sentiment == "negative" for m in denial) >= 3  # "they are lying", screenshots
    assert any("These claims are false" in m.text for m in denial)  # the brand's own words, quoted
    assert sum(m.sentiment == "negative" for m in reactions(feed, "moderation", 5, 12)) >= 3  # censorship
    assert not reactions(feed, "apologize", 0, 48) and not reactions(feed, "silence", 5, 48)
    _, feed = feed_of(*plays["apologize_fast"])
    apology = reactions(feed, "apologize", 1, 12)
    assert len({m.sentiment for m in apology}) >= 2  # mixed replies
    assert not reactions(feed, "silence", 0, 48) and not reactions(feed, "late", 0, 48)
    _, feed = feed_of(*plays["rebuild_late"])
    assert reactions(feed, "late", 9, 4)  # a response after 9 hours is called late
    assert len(reactions(feed, "silence", 2, 7)) >= 3


def test_phases_follow_the_outraged_count():
    figures = [HourFigures(h, 5, 3, 1, o) for h, o in enumerate([5, 20, 60, 100, 95, 70, 40, 20, 3], 1)]
    phases = [phase_of(figures, i) for i in range(len(figures))]
    assert phases == ["witness", "witness", "outrage", "outrage", "outrage", "morph", "fatigue", "fatigue", "recovery"]
    feed = build_feed(figures, "product_recall", seed=3)
    assert [n.key for n in feed.news if n.key.startswith("feed.news.") and "react" not in n.key] == [
        f"feed.news.{p}" for p in ("witness", "outrage", "morph", "fatigue", "recovery")
    ]
    assert all(m.phase == phases[int(m.hour) - 1] for m in feed.messages)


def test_the_journalist_asks_with_a_deadline_and_is_answered_or_not():
    figures = [HourFigures(h, 8, 5, 1, 50) for h in range(1, 9)]
    missed = build_feed(figures, "data_leak", seed=2)
    assert missed.journalist is not None and missed.journalist_deadline == 5.0
    assert missed.journalist_answered is None and "5" in missed.journalist.text
    answered = build_feed(figures, "data_leak", [BrandAction(4.0, "journalist")], seed=2)
    assert answered.journalist_answered == 4.0
    assert reactions(answered, "journalist", 4, 4)


def test_the_feed_is_deterministic_and_leaves_the_model_alone(plays):
    model, start, texts = plays["apologize_fast"]
    states = {name: rng.bit_generator.state for name, rng in model.streams.items()}
    _, first = feed_of(model, start, texts)
    _, again = feed_of(model, start, texts)
    _, other = feed_of(model, start, texts, seed=8)
    assert [m.text for m in first.messages] == [m.text for m in again.messages]
    assert [m.text for m in first.messages] != [m.text for m in other.messages]
    assert states == {name: rng.bit_generator.state for name, rng in model.streams.items()}


def test_the_french_feed_has_no_english_and_names_look_french(plays):
    english = {v for k, v in catalogue("en").items() if k.startswith("feed.") and len(v) > 12} - set(
        catalogue("fr").values()
    )
    set_language("fr")
    try:
        _, feed = feed_of(*plays["deny_and_moderate"])
        html = living_feed_html(plays["deny_and_moderate"][0], plays["deny_and_moderate"][0].result().timeseries, 7)
    finally:
        set_language(None)
    texts = [m.text for m in feed.messages + feed.news]
    assert not [t for t in texts if any(e.split("{")[0].strip() and e.split("{")[0] in t for e in english)]
    french_names = {n.strip() for n in catalogue("fr")["feed.names.first"].split(",")}
    assert all(m.name.split()[0] in french_names for m in feed.messages)
    assert "Cette heure dans le modèle" in html and "This hour" not in html


def test_an_unknown_brand_action_is_named():
    with pytest.raises(ValueError, match=r"brand action: expected one of .*'shout'"):
        build_feed([HourFigures(1, 1, 1, 0, 1)], "false_rumour", [BrandAction(1, "shout")])
