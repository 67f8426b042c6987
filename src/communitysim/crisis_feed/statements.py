"""The statement reader: what a written crisis statement says, read offline with cue lists.

A learner writes the holding statement, a reply or the answer to a journalist, in English or
French. ``read_statement`` reads it without any network or model download:

- **strategies** of Situational Crisis Communication Theory (Coombs 2007; DOMAIN.md s.7) it
  expresses, each with the phrases that showed it (``Reading.cues``), and the main one, the one the
  model acts on once the learner confirms or corrects it. Cue lists per language (regular
  expressions with weights); *rebuild* is an apology with a remedy (compensation, refunds, a review
  so it does not happen again); an apology hedged as a misunderstanding ("misinterpreted", "ont pu
  y voir") reads as *diminish*, as crisis-communication teachers read it;
- **tone** (empathetic, factual, firm, light), **length** in words and sentences;
- **readability**: Flesch reading ease for English (Flesch 1948: 206.835 - 1.015 words/sentence -
  84.6 syllables/word) and Kandel & Moles for French (1958: 207 - 1.015 words/sentence - 73.6
  syllables/word); 60-70 reads easily, under 50 is hard; syllables are counted as vowel groups (a
  silent final *e* dropped), close enough for a statement's grade;
- whether it **answers the crisis's facts**: words naming what happened, for the crisis type.

The cue lists were written from the *dev* half of a labelled set of 45 real public statements
(``data/statements.yaml``, each with its source) and are checked on the *held* half they were
never tuned on (``tests/test_statements.py``, ``agreement``).

Example:
    >>> reading = read_statement("We are deeply sorry. We will refund every customer.", "en")
    >>> reading.strategy, "apologize" in reading.strategies
    ('rebuild', True)
    >>> read_statement("Ces rumeurs sont fausses et infondées.", "fr").strategy
    'deny'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = [
    "READER_STRATEGIES",
    "Reading",
    "agreement",
    "labelled_statements",
    "read_statement",
    "readability",
    "syllables",
]

#: The strategies the reader can name (the exercise's menu, less silence: a written text says something).
READER_STRATEGIES = ("deny", "diminish", "apologize", "rebuild", "correct", "bolster", "humour")

_I = re.IGNORECASE
#: SCCT's primary strategies; bolstering only supplements them (Coombs 2007), so it counts less beside one.
PRIMARY = ("deny", "diminish", "apologize", "rebuild", "correct")
SUPPLEMENTAL_WEIGHT = 0.8

#: Cue patterns per language and strategy, with their weight. Written from the labelled set's dev half.
CUES: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {
    "en": {
        "deny": (
            (r"\bfalse\b|\bnot true\b|\buntrue\b|\bno truth\b|further from the truth|\bhoax\b", 2.0),
            (r"\bdeny\b|\bdenies\b|\bnever had\b|\bmisleading\b|\bfabricat\w+|\bbaseless\b", 2.0),
            (r"don'?t really believe|if that were true|\bthere is no (problem|issue)\b|nothing wrong", 2.0),
            (r"\brumou?rs?\b|\boutrageous\b|\bmalicious\b", 1.0),
        ),
        "diminish": (
            (r"misinterpret\w*|misunderst\w+|over-?read|over-?amplif\w+|too sensitive|taken out of context", 2.5),
            (r"meant nothing but|\bisolated\b|\blimited (impact|number)\b|\bminor\b|\bonly a (few|small)\b", 2.0),
            (r"\bnot our intention\b|(did not|didn'?t|never) (intend|mean|thought)\w*|unintentional\w*", 0.8),
            (r"\bspirit of\b|important message|\bcelebrate\b|those who understand|\bcontroversy\b", 1.0),
        ),
        "apologize": (
            (r"\bapologi[sz]\w*|\bapolog(y|ies)\b|\bsorry\b|\bregret\w*", 2.0),
            (r"\bscrewed up\b|got (this|it) wrong|missed the mark|own-goal|\bour (mistake|fault)\b", 1.5),
            (r"take (full )?responsibility|\bwe were wrong\b|\bmistakes?\b", 1.0),
        ),
        "remedy": (
            (r"make (it|this|things) right|put things right|fix what'?s broken|never happens? again", 2.0),
            (r"(prevent|avoid)\w* (this|future|similar|it)|so (that )?(this|it) (does not|doesn'?t|won'?t)", 2.0),
            (r"\b(thorough|full|independent|internal) (review|investigation)|adjusting .{0,40}process", 1.5),
            (r"\bwill (review|change|train|improve)\b|\breview (how|our|the way)\b", 1.5),
            (r"\bcompensat\w+|\brefund\w*|\breimburs\w+|free of charge|offering .{0,40}(monitoring|protection)", 2.0),
            (r"support (all|every|affected)|will do better|results of our review|restore .{0,20}trust", 1.5),
        ),
        "correct": (
            (
                r"\bidentified\b|\bisolated\b.{0,20}\bfix|\ba fix\b|\bfixed\b|has been (deployed|implemented|restored)",
                1.5,
            ),
            (r"\bnot (impacted|affected)\b|remains? (fully )?protected|\bnot a (security|cyber)", 1.5),
            (r"\bfacts?\b|\bevidence\b|audited|can confirm|to be clear|\bthe truth is\b|\bin fact\b", 1.5),
            (r"\binvestigation\b|working with (customers|all|affected|the authorities)|\bupdates?\b", 1.0),
            (r"\bincident\b|\bdefect\b|\bcause\b|\bwhat happened\b", 0.5),
        ),
        "bolster": (
            (r"top priority|industry-leading|high(est)? standards|we work hard|\bproud\b", 1.5),
            (r"\bfor (over |more than )?\w+ years\b|\d+-year history|our (commitment|track record|values)", 1.5),
            (r"\bgrateful\b|\bthank(s| you)\b|\bsupport we'?ve received\b|incredible employees|great wages", 1.0),
        ),
        "humour": (
            (r"not ideal|hell of a week|\blol\b|\bhaha\b|\boops\b|\bwhoops\b", 2.5),
            (r"[\U0001F600-\U0001F64F\U0001F923\U0001F926]|#\w+", 2.0),
        ),
    },
    "fr": {
        "deny": (
            (r"\bdément\w*|\bdémenti\b|\bfaux\b|\bfausses?\b|\binfondée?s?\b|contraire à la vérité", 2.0),
            (r"\ben aucun cas\b|\baucun problème\b|\bn'existe pas\b|\bmensong\w+", 2.0),
            (
                r"\bavons été trompés\b|\bporter(ons|a)? plainte\b|\bmalveillant\w*|\bdésinformation\b|tirer sur celui",
                2.0,
            ),
            (r"\brumeurs?\b|\bstupéfaction\b|\ballégations?\b", 1.0),
        ),
        "diminish": (
            (
                r"\bincompris\w*|a pu être interprété|(ont|aient) pu y voir|auraient pu s'en sentir|mal interprét\w+",
                2.5,
            ),
            (r"\bne s'agit que\b|\bseuil minime\b|\ben deçà\b|pas une quantité énorme|\bisolé\b|\blimité\w*", 2.0),
            (r"\baucunement l'intention\b|\bpas l'objectif\b|\bsans intention\b|\bhumour\b|\bdécalée?\b", 2.0),
            (r"\baucun risque\b|\bregrettons la façon\b", 1.0),
        ),
        "apologize": (
            (r"\bexcus\w*|\bdésolée?s?\b|\bregrett\w*|\bregrets\b|\bpardon\b", 2.0),
            (r"\bnotre maladresse\b|c'était une erreur|\bnotre erreur\b|pas acceptable|\bnotre faute\b", 1.5),
            (r"\bassum\w+ (nos|ses|mes|toutes?) responsabilit\w+|\bnous reconnaissons\b", 1.0),
        ),
        "remedy": (
            (r"\bréparer\b|restaurer la confiance|\bplus jamais\b|ne (se )?reproduis\w+|éviter que", 2.0),
            (r"\bindemnis\w+|\bdédommag\w+|\brembours\w+|geste commercial", 2.0),
            (r"\bnous nous engageons\b|\bs'engage\b|\bnous allons (revoir|changer)\b|\benquête interne\b", 1.5),
        ),
        "correct": (
            (r"\banalyses?\b|\blaboratoires?\b|\bcontrôl\w+|\bconformes?\b|\bnormes\b|\bsuivi rigoureux\b", 1.5),
            (r"\bnuméro vert\b|\bmet(tons|tent) tout en (œ|oe)uvre\b|\brétabli\w*", 1.5),
            (r"\breviennent\b|\bprogressivement\b", 1.5),
            (r"\bincident\b|\bcauses?\b|\bconcernée?s\b|\bautorité\b|\bles faits\b|\bpreuves?\b", 1.0),
        ),
        "bolster": (
            (r"\bdepuis (sa fondation|\d+ ans|plus de)\b|\bpartenaire\b|\bprofond respect\b|\bfier\w*\b", 1.5),
            (r"\bnotre succès\b|\bsupporter\b|\bplus grand souci\b|\bnos valeurs\b|\bengagement\b", 1.0),
            (r"\bmerci\b|\breconnaissant\w*", 1.0),
        ),
        "humour": (
            (r"\bmdr\b|\bptdr\b|\boups\b|\bhaha\b|pas idéal", 2.5),
            (r"[\U0001F600-\U0001F64F\U0001F923\U0001F926]|#\w+", 2.0),
        ),
    },
}

#: Words that name what happened, per crisis type (a statement that answers the facts names at least one).
FACTS: dict[str, dict[str, str]] = {
    "en": {
        "offensive_post": r"\b(post|posted|ad|advert\w*|image|picture|message|campaign|tweet|content|commercial)\b",
        "employee_misconduct": r"\b(employee|staff|team member|behaviou?r|conduct|manager|worker)s?\b",
        "product_recall": r"\b(product|recall\w*|batch|lot|contamin\w*|safety|return)s?\b",
        "service_outage": r"\b(outage|service|network|down|restor\w*|disruption|interruption|access)s?\b",
        "data_leak": r"\b(data|breach|information|account|password|leak\w*|personal)s?\b",
        "influencer_callout": r"\b(video|review|complaint|influencer|product|experience)s?\b",
        "false_rumour": r"\b(rumou?r|claim|false|report|story|allegation)s?\b",
    },
    "fr": {
        "offensive_post": r"\b(publication|post|publicité|pub|image|message|campagne|visuel|tweet|contenu)s?\b",
        "employee_misconduct": r"\b(salarié|employé|collaborat\w+|comportement|équipe|agissements?)s?\b",
        "product_recall": r"\b(produit|rappel|lot|contamin\w+|sécurité|retrait)s?\b",
        "service_outage": r"\b(panne|service|réseau|incident|rétabli\w*|interruption|accès)s?\b",
        "data_leak": r"\b(données|fuite|informations?|comptes?|mots? de passe|personnelles)\b",
        "influencer_callout": r"\b(vidéo|avis|plainte|influenceu\w+|produit|expérience)s?\b",
        "false_rumour": r"\b(rumeur|information|fausse|allégation|affirmation)s?\b",
    },
}

_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def syllables(word: str, lang: str = "en") -> int:
    """Syllables of a word, counted as groups of vowels (a silent final *e* dropped); at least 1.

    Example:
        >>> syllables("apologize"), syllables("make"), syllables("désolés", "fr")
        (4, 1, 3)
    """
    w = word.lower()
    groups = len(re.findall(f"[{_VOWELS}]+", w))
    if len(w) > 2 and groups > 1 and (w.endswith("e") or (lang == "fr" and w.endswith(("es", "ent")))):
        if not (lang == "en" and w.endswith("le") and w[-3] not in _VOWELS):
            groups -= 1
    return max(1, groups)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text)


def _sentences(text: str) -> int:
    return max(1, len([s for s in re.split(r"[.!?…]+(?:\s|$)|\n+", text) if _words(s)]))


def readability(text: str, lang: str) -> float:
    """Reading ease of a text: Flesch (1948) in English, Kandel & Moles (1958) in French; higher is easier.

    Example:
        >>> round(readability("We are sorry. We will fix it today.", "en"))
        97
    """
    words = _words(text)
    if not words:
        return float("nan")
    per_sentence = len(words) / _sentences(text)
    per_word = sum(syllables(w, lang) for w in words) / len(words)
    if lang == "fr":
        return 207.0 - 1.015 * per_sentence - 73.6 * per_word
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word


@dataclass(frozen=True)
class Reading:
    """What the reader found in a statement.

    Attributes:
        strategy: the main SCCT strategy (what the model acts on once the learner confirms it).
        strategies: every strategy expressed, with its score (the main one first).
        cues: the phrases that showed each strategy (``remedy`` lists the remedies of a rebuild).
        tone: empathetic, factual, firm or light.
        words, sentences: the statement's length.
        readability: Flesch (English) or Kandel-Moles (French) reading ease.
        answers_facts: whether it names what happened (None without a crisis type).
        facts: the words that named it.
    """

    text: str
    language: str
    strategy: str
    strategies: dict[str, float]
    cues: dict[str, list[str]] = field(default_factory=dict)
    tone: str = "factual"
    words: int = 0
    sentences: int = 0
    readability: float = float("nan")
    answers_facts: bool | None = None
    facts: list[str] = field(default_factory=list)

    def as_payload(self) -> dict[str, Any]:
        """The reading as plain data (for a team's log and the reports)."""
        return {
            "strategy": self.strategy,
            "strategies": {k: round(v, 2) for k, v in self.strategies.items()},
            "cues": self.cues,
            "tone": self.tone,
            "words": self.words,
            "sentences": self.sentences,
            "readability": None if self.readability != self.readability else round(self.readability, 1),
            "answers_facts": self.answers_facts,
            "facts": self.facts,
        }


def _found(patterns: Iterable[tuple[str, float]], text: str) -> tuple[float, list[str]]:
    score, phrases = 0.0, []
    for pattern, weight in patterns:
        hits = [m.group(0) for m in re.finditer(pattern, text, _I)]
        if hits:
            score += weight * (1.0 + 0.25 * min(len(hits) - 1, 2))
            phrases += [h for h in hits if h.lower() not in {p.lower() for p in phrases}]
    return score, phrases


def _guess_language(text: str) -> str:
    french = len(re.findall(r"\b(nous|les|des|est|une|pour|que|qui|vous|notre|nos|à|été|ce)\b", text, _I))
    english = len(re.findall(r"\b(we|the|and|is|our|for|that|you|are|this|to|of|have)\b", text, _I))
    return "fr" if french > english else "en"


def read_statement(text: str, language: str | None = None, crisis_type: str | None = None) -> Reading:
    """Read a statement: its SCCT strategies and the phrases that show them, tone, length, readability, facts.

    Args:
        text: the statement as written.
        language: ``en`` or ``fr`` (None: guessed from common words).
        crisis_type: the crisis it answers (``CRISIS_TYPES``), to check that it names the facts.
    """
    lang = language or _guess_language(text)
    if lang not in CUES:
        raise ValueError(f"language: expected one of {', '.join(CUES)}, got {lang!r}")
    scores: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    for name, patterns in CUES[lang].items():
        score, phrases = _found(patterns, text)
        if score:
            scores[name], cues[name] = score, phrases
    remedy = scores.pop("remedy", 0.0)
    if remedy and scores.get("apologize"):
        scores["rebuild"] = scores["apologize"] + remedy
    elif remedy:
        scores["correct"] = scores.get("correct", 0.0) + remedy
        cues.setdefault("correct", []).extend(cues.get("remedy", []))
    if scores.get("diminish", 0.0) >= 2.5 and "rebuild" not in scores:
        scores["diminish"] += scores.get("apologize", 0.0)  # an apology hedged as a misunderstanding
    if scores.get("humour", 0.0) and scores.get("apologize"):
        scores["humour"] += scores["apologize"]  # a joke carrying the apology
    if max((scores.get(k, 0.0) for k in PRIMARY), default=0.0) >= 2.0 and "bolster" in scores:
        scores["bolster"] *= SUPPLEMENTAL_WEIGHT  # bolstering supplements a primary strategy (Coombs 2007)
    ranked = dict(sorted(scores.items(), key=lambda kv: (-kv[1], READER_STRATEGIES.index(kv[0]))))
    main = next(iter(ranked), "correct")
    words = _words(text)
    tone = _tone(main, text)
    facts: list[str] = []
    answers = None
    if crisis_type is not None:
        facts = sorted({m.group(0).lower() for m in re.finditer(FACTS[lang][crisis_type], text, _I)})
        answers = bool(facts)
    return Reading(text, lang, main, ranked, cues, tone, len(words), _sentences(text), readability(text, lang),
                   answers, facts)  # fmt: skip


def _tone(main: str, text: str) -> str:
    if main == "humour":
        return "light"
    if main in ("apologize", "rebuild") or re.search(r"\b(understand|comprenons|comprends|share|partag)\w*", text, _I):
        return "empathetic"
    if main == "deny" or re.search(r"!|\babsolutely\b|\bvigoureusement\b|\bformellement\b", text, _I):
        return "firm"
    return "factual"


@cache
def labelled_statements() -> tuple[dict[str, Any], ...]:
    """The labelled set of real crisis statements (id, lang, strategy, split, text, source)."""
    data = resources.files("communitysim.crisis_feed").joinpath("data/statements.yaml").read_text(encoding="utf-8")
    return tuple(yaml.safe_load(data))


def agreement(split: str | None = None) -> dict[str, tuple[int, int]]:
    """The reader's agreement with the labels: ``{strategy: (agreed, total)}`` plus ``"all"``.

    Args:
        split: ``dev``, ``held`` or None (both).

    Example:
        >>> agreed, total = agreement("dev")["all"]
        >>> total > 20
        True
    """
    table: dict[str, list[int]] = {}
    for item in labelled_statements():
        if split is not None and item["split"] != split:
            continue
        found = read_statement(item["text"], item["lang"]).strategy == item["strategy"]
        for key in (item["strategy"], "all"):
            row = table.setdefault(key, [0, 0])
            row[0] += found
            row[1] += 1
    return {k: (v[0], v[1]) for k, v in table.items()}
