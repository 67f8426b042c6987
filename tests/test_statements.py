"""The statement reader, checked on real public crisis statements (data/statements.yaml) it was not tuned on."""

import math
import re

import pytest

from communitysim.crisis_feed.statements import (
    READER_STRATEGIES,
    agreement,
    labelled_statements,
    read_statement,
    readability,
    syllables,
)
from communitysim.mechanisms.crisis import CRISIS_TYPES


def test_the_labelled_set_is_real_cited_and_split():
    items = labelled_statements()
    assert len(items) >= 40 and len({i["id"] for i in items}) == len(items)
    for item in items:
        assert set(item) == {"id", "lang", "strategy", "split", "text", "source"}, item["id"]
        assert item["lang"] in ("en", "fr") and item["strategy"] in READER_STRATEGIES, item["id"]
        assert item["split"] in ("dev", "held") and re.match(r"https?://\S+\.\S+", item["source"]), item["id"]
    for lang in ("en", "fr"):
        assert sum(i["lang"] == lang for i in items) >= 15
    held = [i for i in items if i["split"] == "held"]
    assert len(held) >= 15 and {i["lang"] for i in held} == {"en", "fr"}


def test_the_reader_agrees_with_the_labels_on_statements_it_was_not_tuned_on():
    """Held back: 18 statements never read while writing the cue lists. Measured 14/18 (78 %) held,
    27/27 dev, 41/45 (91 %) in all; the bounds leave one statement of margin (a reader change that
    loses two held statements fails)."""
    held, dev, both = agreement("held"), agreement("dev"), agreement()
    assert held["all"][0] >= held["all"][1] * 0.7, held
    assert dev["all"][0] >= dev["all"][1] * 0.95, dev
    assert both["all"][0] >= both["all"][1] * 0.85, both
    # every strategy of the set is recognised at least once outside the dev half
    assert all(held[s][0] >= 1 for s in ("deny", "diminish", "apologize", "rebuild", "correct", "humour")), held


@pytest.mark.parametrize(
    ("text", "lang", "main", "also"),
    [
        ("We are deeply sorry. We will refund every customer and review our process.", "en", "rebuild", "apologize"),
        ("This report is completely false. There is no problem with our products.", "en", "deny", None),
        ("We regret that some people misinterpreted our post.", "en", "diminish", "apologize"),
        ("Here are the facts: the fix has been deployed and accounts are not affected.", "en", "correct", None),
        ("Nous sommes désolés. Nous rembourserons tous les clients concernés.", "fr", "rebuild", "apologize"),
        ("Cette rumeur est fausse et totalement infondée.", "fr", "deny", None),
        ("Nous regrettons la façon dont notre message a pu être interprété.", "fr", "diminish", None),
        ("Oups 😅 on a raté le coche.", "fr", "humour", None),
    ],
)
def test_the_reader_names_the_strategy_and_shows_why(text, lang, main, also):
    reading = read_statement(text, lang)
    assert reading.strategy == main, reading.strategies
    assert reading.cues[main if main != "rebuild" else "remedy"], reading.cues  # the phrases that showed it
    if also:
        assert also in reading.strategies
    assert all(cue.lower() in text.lower() for cues in reading.cues.values() for cue in cues)


def test_readability_follows_flesch_and_kandel_moles():
    easy, hard = (
        "We are sorry. We will fix it.",
        (
            "Notwithstanding considerable organisational complexities, comprehensive investigative procedures "
            "regarding unauthorised informational dissemination are systematically progressing."
        ),
    )
    assert readability(easy, "en") > 90 > 20 > readability(hard, "en")
    # Flesch by hand: 7 words, 2 sentences, 8 syllables -> 206.835 - 1.015 * 3.5 - 84.6 * 8 / 7
    assert readability(easy, "en") == pytest.approx(206.835 - 1.015 * 3.5 - 84.6 * 8 / 7)
    french = "Nous sommes désolés. Nous allons réparer."
    words, sentences = 6, 2
    syllables_fr = sum(syllables(w, "fr") for w in re.findall(r"\w+", french))
    assert readability(french, "fr") == pytest.approx(207 - 1.015 * words / sentences - 73.6 * syllables_fr / words)
    assert syllables("responsibility") == 6 and syllables("communication", "fr") == 5
    assert math.isnan(readability("", "en"))


def test_the_reader_checks_that_the_statement_answers_the_crisis_facts():
    assert read_statement("We removed the post and apologise.", "en", "offensive_post").answers_facts is True
    vague = read_statement("We value our community and are listening.", "en", "offensive_post")
    assert vague.answers_facts is False and vague.facts == []
    fr = read_statement("La panne est réparée, le service est rétabli.", "fr", "service_outage")
    assert fr.answers_facts and "panne" in fr.facts
    for lang in ("en", "fr"):
        for crisis_type in CRISIS_TYPES:
            read_statement("x", lang, crisis_type)  # every type has its fact words


def test_tone_length_and_language():
    reading = read_statement("We are so sorry. We understand your anger.")
    assert reading.language == "en" and reading.tone == "empathetic"
    assert (reading.words, reading.sentences) == (8, 2)
    assert read_statement("Nous démentons formellement ces allégations !").tone == "firm"
    assert read_statement("Nous démentons formellement ces allégations !").language == "fr"
    assert read_statement("Oops 😅", "en").tone == "light"
    payload = reading.as_payload()
    assert payload["strategy"] == "apologize" and isinstance(payload["readability"], float)
    with pytest.raises(ValueError, match="language: expected one of en, fr, got 'de'"):
        read_statement("Es tut uns leid", "de")
