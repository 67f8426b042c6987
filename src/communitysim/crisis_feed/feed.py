"""The living crisis feed: messages written from the model's state, hour by hour, in the learner's language.

Commercial exercise platforms (Conducttr, SimulationDeck, Polpeo) write their "tweetstorms" from
personas and templates with variables, in phases, over several channels. This feed does the same
on the model's figures instead of a script:

- **how many and how they feel**: each hour shows ``min(MAX_SHOWN, round(mentions))`` messages,
  split into negative, neutral and positive by the largest-remainder rule on the model's figures
  for that hour (``negative_mentions``, ``positive_comments``, the rest neutral), so the feed's mix
  is the model's mix; the hour's exact figures head the feed;
- **phases** read from the outraged count so far (``phase_of``): first witnesses (the first two
  hours), outrage and sharing (near the peak), older grievances (above half the peak), fatigue
  and jokes (above 15 % of it), recovery;
- **reactions to what the brand actually did** (``BrandAction``: its statement's SCCT strategy,
  quoted, or a CM action such as moderation, deleting the post or pausing the scheduled posts):
  a denial brings "they are lying" and screenshots, moderation "censorship" and the Streisand
  effect, an apology mixed replies, silence "still nothing?", a statement after
  ``LATE_AFTER_HOURS`` is called late; reactions only ever refer to something the brand did;
- **personas** with names and handles that look real for the language (fans, customers, critics,
  trolls, influencers, employees), a recurring cast so that threads form (replies to earlier
  messages); **channels**: the page's comments, a microblog of mentions, news headlines at each
  phase and after the brand speaks, a journalist's request with a deadline;
- **variety**: a message is an optional opener, a core sentence and an optional tail, with the
  brand, the crisis's facts, hours and numbers filled in; a text already shown is drawn again
  (up to ``REDRAWS`` times), so a 48-hour crisis shows hundreds of distinct messages.

Every text comes from the catalogue (``feed.*`` keys, ``locales/<lang>/feed.yaml``). The feed is
a pure function of the figures, the actions and a seed: it never touches the model's streams.

Example:
    >>> figures = [HourFigures(h, 6.0, 4.0, 1.0, 40 + h, 0.0) for h in range(1, 4)]
    >>> feed = build_feed(figures, "offensive_post", [BrandAction(2.0, "deny")], seed=1)
    >>> [len(feed.hour(h)) for h in (1, 2, 3)]
    [6, 6, 6]
    >>> all(m.reaction in (None, "silence", "deny") for m in feed.messages)
    True
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from communitysim.messages import catalogue, language, number, t, tn

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ACTIONS",
    "CHANNELS",
    "MAX_SHOWN",
    "PERSONAS",
    "PHASES",
    "BrandAction",
    "Feed",
    "HourFigures",
    "Message",
    "allocate",
    "build_feed",
    "hour_figures",
    "phase_of",
]

PHASES = ("witness", "outrage", "morph", "fatigue", "recovery")
SENTIMENTS = ("negative", "neutral", "positive")
CHANNELS = ("page", "microblog", "news", "journalist")
PERSONAS = ("fan", "customer", "critic", "troll", "journalist", "influencer", "employee")
#: What the brand can do that the public sees: its statement's strategy, or a CM action.
STATEMENTS = ("deny", "diminish", "apologize", "rebuild", "correct", "bolster", "humour")
ACTIONS = ("moderation", "deleted", "kept", "paused", "faq", "replies", "journalist")
#: Messages shown at most per hour (the model may count hundreds of mentions; the summary gives them all).
MAX_SHOWN = 8
#: A first statement later than this, in hours, is called late (SCCT practice: within the first hours; DOMAIN.md s.7).
LATE_AFTER_HOURS = 6.0
#: Hours during which an action stays the talk of the feed, and the share of messages about it then.
REACTION_HOURS = 12.0
REACTION_SHARE = 0.55
LATER_REACTION_SHARE = 0.2
#: Share of messages that reply to an earlier one (threads), of those with an opener, with a tail.
REPLY_SHARE = 0.2
OPENER_SHARE = 0.4
TAIL_SHARE = 0.45
REDRAWS = 30
#: Who writes, by sentiment (weights), and on which channel they usually write (share on the page).
WRITERS = {
    "negative": {"critic": 0.4, "customer": 0.3, "troll": 0.2, "influencer": 0.1},
    "neutral": {"customer": 0.5, "critic": 0.2, "fan": 0.15, "influencer": 0.15},
    "positive": {"fan": 0.6, "customer": 0.3, "employee": 0.1},
}
ON_PAGE = {
    "fan": 0.8,
    "customer": 0.6,
    "critic": 0.3,
    "troll": 0.5,
    "influencer": 0.1,
    "employee": 0.5,
    "journalist": 0.0,
}
CAST_SIZE = 60


@dataclass(frozen=True)
class HourFigures:
    """The model's figures for one hour (one crisis step) of the crisis.

    Attributes:
        hour: hours since the crisis broke, at the end of the step.
        mentions, negative, positive: visible brand mentions in the step, its negative ones, the positive comments.
        outraged: people spreading the bad buzz at the end of the step.
        hidden: negative comments hidden by moderation in the step.
    """

    hour: float
    mentions: float
    negative: float
    positive: float
    outraged: int
    hidden: float = 0.0

    @property
    def neutral(self) -> float:
        """Mentions neither negative nor positive."""
        return max(self.mentions - self.negative - self.positive, 0.0)


@dataclass(frozen=True)
class BrandAction:
    """Something the brand did that the public can see.

    Attributes:
        hour: hours since the crisis broke.
        kind: a statement's strategy (``STATEMENTS``) or a CM action (``ACTIONS``).
        text: the statement as written (quoted in reactions; empty: the strategy's standard words).
    """

    hour: float
    kind: str
    text: str = ""


@dataclass(frozen=True)
class Message:
    """One message of the feed."""

    hour: float
    minute: int
    channel: str
    persona: str
    name: str
    handle: str
    sentiment: str
    text: str
    phase: str
    key: str  # the core template's catalogue key (tests read the rules from it)
    reaction: str | None = None  # the brand action it reacts to
    reply_to: str | None = None  # the handle it answers
    likes: int = 0


@dataclass
class Feed:
    """A crisis feed: the messages of every hour so far, the news, the journalist's request."""

    figures: list[HourFigures]
    messages: list[Message] = field(default_factory=list)
    news: list[Message] = field(default_factory=list)
    journalist: Message | None = None
    journalist_deadline: float | None = None
    journalist_answered: float | None = None

    def hour(self, hour: float) -> list[Message]:
        """The page and microblog messages of one hour (latest first)."""
        return sorted((m for m in self.messages if abs(m.hour - hour) < 1e-6), key=lambda m: -m.minute)

    def distinct_share(self) -> float:
        """Distinct texts over all texts shown (messages and news), 1.0 without any."""
        texts = [m.text for m in self.messages + self.news]
        return len(set(texts)) / len(texts) if texts else 1.0


def allocate(total: int, weights: tuple[float, ...]) -> list[int]:
    """Split ``total`` whole items in proportion to ``weights`` (largest remainder; ties to the first).

    Example:
        >>> allocate(8, (5.0, 2.0, 1.0)), allocate(3, (0.0, 0.0, 0.0))
        ([5, 2, 1], [0, 3, 0])
    """
    weights = tuple(max(float(w), 0.0) if math.isfinite(w) else 0.0 for w in weights)
    if sum(weights) <= 0:
        weights = tuple(1.0 if i == 1 else 0.0 for i in range(len(weights)))
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))[: total - sum(counts)]:
        counts[i] += 1
    return counts


def hour_figures(ts: pd.DataFrame, start_day: float) -> list[HourFigures]:
    """The model's figures for each step since the crisis broke (``start_day``), from its time series."""
    rows = ts[ts["day"] > start_day + 1e-9]
    return [
        HourFigures(round(24.0 * (float(r.day) - start_day), 6), float(r.mentions), float(r.negative_mentions),
                    float(r.positive_comments), int(r.outraged), float(getattr(r, "hidden_comments", 0.0)))
        for r in rows.itertuples()
    ]  # fmt: skip


def phase_of(figures: list[HourFigures], index: int) -> str:
    """The storm's phase at ``figures[index]``, from the outraged count so far.

    Example:
        >>> f = [HourFigures(h, 1, 1, 0, o) for h, o in enumerate([10, 50, 100, 90, 60, 20, 5], 1)]
        >>> [phase_of(f, i) for i in range(len(f))]
        ['witness', 'witness', 'outrage', 'outrage', 'morph', 'fatigue', 'recovery']
    """
    now = figures[index]
    if now.hour <= 2.0 + 1e-9:
        return "witness"
    history = [f.outraged for f in figures[: index + 1]]
    peak = max(history)
    peak_at = figures[history.index(peak)].hour
    if peak <= 0:
        return "recovery"
    if now.outraged >= 0.85 * peak and now.hour - peak_at <= 3.0 + 1e-9:
        return "outrage"
    if now.outraged >= 0.5 * peak:
        return "morph"
    if now.outraged >= 0.15 * peak:
        return "fatigue"
    return "recovery"


def _keys(prefix: str) -> tuple[str, ...]:
    return _numbered(language(), prefix)


@cache
def _numbered(lang: str, prefix: str) -> tuple[str, ...]:
    """The catalogue's keys ``<prefix><n>`` in the order of n (a template pool)."""
    found = [k for k in catalogue(lang) if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return tuple(sorted(found, key=lambda k: int(k[len(prefix) :])))


def _plain(text: str) -> str:
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def _cast(rng: np.random.Generator) -> dict[str, list[tuple[str, str]]]:
    """A recurring cast per persona kind: (display name, handle)."""
    firsts = [n.strip() for n in t("feed.names.first").split(",")]
    lasts = [n.strip() for n in t("feed.names.last").split(",")]
    cast: dict[str, list[tuple[str, str]]] = {kind: [] for kind in PERSONAS}
    used: set[str] = set()
    for i in range(CAST_SIZE):
        kind = PERSONAS[i % len(PERSONAS)]
        first, last = firsts[rng.integers(len(firsts))], lasts[rng.integers(len(lasts))]
        f, l_ = _plain(first), _plain(last)
        style = int(rng.integers(5))
        handle = [f"{f}_{l_}", f"{f}{l_}{rng.integers(70, 100)}", f"{f[0]}{l_}", f"{f}.{l_[0]}", f"{l_}{f}"][style]
        while handle in used:
            handle += str(rng.integers(10))
        used.add(handle)
        cast[kind].append((f"{first} {last}", f"@{handle}"))
    return cast


def _quote(action: BrandAction) -> str:
    text = action.text.strip() or (t(f"crisis.statement.{action.kind}") if action.kind in STATEMENTS else "")
    words = text.split()
    return " ".join(words[:8]) + ("…" if len(words) > 8 else "")


def _reactions(actions: list[BrandAction], hour: float, first_statement: BrandAction | None) -> tuple[list[str], float]:
    """What the feed reacts to at ``hour`` and how much.

    Before any statement: silence (from the third hour). Then every action of the last
    ``REACTION_HOURS`` (a late first statement is also called late for 4 hours), or else the latest one.
    """
    done = [a for a in actions if a.hour <= hour - 1e-9]
    spoke = any(a.kind in STATEMENTS for a in done)
    talk = [] if spoke or hour <= 2.0 + 1e-9 else ["silence"]
    fresh = [a for a in done if hour - a.hour <= REACTION_HOURS + 1e-9]
    for action in fresh:
        if action.kind not in talk:
            talk.append(action.kind)
        if action is first_statement and action.hour > LATE_AFTER_HOURS and hour - action.hour <= 4.0 + 1e-9:
            talk.append("late")
    if fresh:
        return talk, REACTION_SHARE
    if done:
        return [*talk, done[-1].kind], LATER_REACTION_SHARE
    return talk, 0.35


def build_feed(
    figures: list[HourFigures],
    crisis_type: str,
    actions: list[BrandAction] | None = None,
    seed: int = 0,
    journalist_hour: float | None = 3.0,
    deadline_hours: float = 2.0,
) -> Feed:
    """The feed of a crisis so far, in the current language.

    Args:
        figures: the model's figures per crisis step (``hour_figures``).
        crisis_type: the crisis (``CRISIS_TYPES``): its facts fill the messages.
        actions: what the brand did, in time order (statements and CM actions).
        seed: the feed's own seed (the session's); the model's random streams are not touched.
        journalist_hour: when the journalist's request arrives (None: no request).
        deadline_hours: the journalist's deadline, hours after the request.
    """
    actions = sorted(actions or [], key=lambda a: a.hour)
    for action in actions:
        if action.kind not in STATEMENTS + ACTIONS:
            raise ValueError(f"brand action: expected one of {', '.join(STATEMENTS + ACTIONS)}, got {action.kind!r}")
    rng = np.random.default_rng([int(seed), 18])
    cast = _cast(rng)
    feed = Feed(list(figures))
    brand = t("feed.brand")
    fact = t(f"feed.fact.{crisis_type}")
    first_statement = next((a for a in actions if a.kind in STATEMENTS), None)
    shown: set[str] = set()
    used: dict[str, int] = {}
    recent: list[Message] = []
    phase_before = None
    statement_news = set()
    if journalist_hour is not None:
        outlets = [o.strip() for o in t("feed.outlets").split(",")]
        name, handle = cast["journalist"][0]
        feed.journalist_deadline = journalist_hour + deadline_hours
        text = t("feed.journalist.request", name=name, outlet=outlets[int(rng.integers(len(outlets)))], fact=fact,
                 deadline=number(feed.journalist_deadline, None), brand=brand)  # fmt: skip
        feed.journalist = Message(journalist_hour, 0, "journalist", "journalist", name, handle, "neutral", text,
                                  "witness", "feed.journalist.request")  # fmt: skip
        answered = [a.hour for a in actions if a.kind == "journalist"]  # answered, or told before they asked
        feed.journalist_answered = answered[0] if answered else None
    for index, now in enumerate(figures):
        hour_rng = np.random.default_rng([int(seed), 18, round(now.hour * 60)])
        phase = phase_of(figures, index)
        reaction, share = _reactions(actions, now.hour, first_statement)
        latest = next((a for a in reversed(actions) if a.kind in STATEMENTS and a.hour <= now.hour - 1e-9), None)
        values = {
            "brand": brand, "fact": fact, "hours": tn("common.hours", max(1, math.floor(now.hour))),
            "count": number(max(now.outraged, round(now.mentions))),
            "quote": _quote(latest) if latest is not None else "",
            "late": tn("common.hours", round(first_statement.hour) if first_statement else 0),
        }  # fmt: skip
        if phase != phase_before:
            _add_news(feed, shown, f"feed.news.{phase}", now, phase, values, hour_rng)
            phase_before = phase
        spoke = next((a for a in actions if a.kind in STATEMENTS and a.hour <= now.hour - 1e-9), None)
        if spoke is not None and spoke.hour not in statement_news:
            statement_news.add(spoke.hour)
            _add_news(feed, shown, "feed.news.react.answered", now, phase, {**values, "quote": _quote(spoke)}, hour_rng)
        elif spoke is None and now.hour >= 6.0 - 1e-9 and "silence" not in statement_news:
            statement_news.add("silence")
            _add_news(feed, shown, "feed.news.react.silence", now, phase, values, hour_rng)
        count = min(MAX_SHOWN, round(now.mentions))
        split = allocate(count, (now.negative, now.neutral, now.positive))
        sentiments = [s for s, n in zip(SENTIMENTS, split, strict=True) for _ in range(n)]
        for sentiment in sentiments:
            message = _message(hour_rng, cast, now, phase, sentiment, reaction, share, values, recent, shown, used)
            feed.messages.append(message)
            recent.append(message)
        recent = [m for m in recent if m.hour > now.hour - 3.0]
    return feed


def _pool(about: str | None, phase: str, sentiment: str) -> tuple[str, ...]:
    return _keys(f"feed.react.{about}.{sentiment}.") if about else _keys(f"feed.core.{phase}.{sentiment}.")


def _least_used(rng: np.random.Generator, pool: tuple[str, ...], used: dict[str, int]) -> str:
    """A template of the pool, drawn among the least used so far (sentences rotate before they repeat)."""
    fewest = min(used.get(k, 0) for k in pool)
    candidates = [k for k in pool if used.get(k, 0) == fewest]
    return candidates[int(rng.integers(len(candidates)))]


def _sentence_case(text: str) -> str:
    """A capital at the start of each sentence (a fact such as "that post" may open one)."""
    return re.sub(r"(^|[.!?]\s+)([a-zà-ÿ])", lambda m: m.group(1) + m.group(2).upper(), text)


def _add_news(feed: Feed, shown: set[str], key: str, now: HourFigures, phase: str, values: dict, rng) -> None:
    text = _sentence_case(t(key, **values))
    shown.add(text)
    minute = int(rng.integers(0, 60))
    feed.news.append(Message(now.hour, minute, "news", "journalist", "", "", "neutral", text, phase, key))


def _message(
    rng: np.random.Generator,
    cast: dict[str, list[tuple[str, str]]],
    now: HourFigures,
    phase: str,
    sentiment: str,
    reaction: list[str],
    share: float,
    values: dict[str, str],
    recent: list[Message],
    shown: set[str],
    used: dict[str, int],
) -> Message:
    """One message; drawn again while its text was already shown (at most ``REDRAWS`` times)."""
    writers = WRITERS[sentiment]
    kinds = list(writers)
    opens, tails = _keys("feed.open."), _keys(f"feed.tail.{sentiment}.")
    for _ in range(REDRAWS):
        persona = kinds[int(rng.choice(len(kinds), p=np.array(list(writers.values())) / sum(writers.values())))]
        name, handle = cast[persona][int(rng.integers(len(cast[persona])))]
        about = reaction[int(rng.integers(len(reaction)))] if reaction and rng.random() < share else None
        reply_to = None
        if recent and rng.random() < REPLY_SHARE:
            reply_to = recent[int(rng.integers(len(recent)))].handle
        if reply_to is not None and reply_to != handle:
            key = _keys(f"feed.reply.{sentiment}.")[int(rng.integers(3))]
            core_key = _least_used(rng, _pool(about, phase, sentiment), used)
            text = f"{t(key, handle=reply_to)} {_sentence_case(t(core_key, **values))}"
        else:
            reply_to = None
            core_key = _least_used(rng, _pool(about, phase, sentiment), used)
            text = _sentence_case(t(core_key, **values))
        if rng.random() < OPENER_SHARE and reply_to is None:
            opener = t(opens[int(rng.integers(len(opens)))])
            keep = opener.endswith((".", "?")) or catalogue(language())[core_key].startswith("{")
            if not keep and not text.startswith(("I ", "I'", "I’")):
                text = text[0].lower() + text[1:]
            text = f"{opener} {text}"
        if rng.random() < TAIL_SHARE:
            text = f"{text} {t(tails[int(rng.integers(len(tails)))], brand=values['brand'])}"
        if text not in shown:
            break
    shown.add(text)
    used[core_key] = used.get(core_key, 0) + 1
    on_page = rng.random() < ON_PAGE[persona]
    likes = int(rng.geometric(0.08 if sentiment == "negative" else 0.15)) - 1
    minute = int(rng.integers(0, 60))
    return Message(now.hour, minute, "page" if on_page else "microblog", persona, name, handle, sentiment, text,
                   phase, core_key, about, reply_to, likes)  # fmt: skip
