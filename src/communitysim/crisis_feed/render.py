"""The living feed as HTML for the exercise pages (solo app and team page), from a running model.

``brand_actions`` reads what the brand did from the model's own log (``crisis_log``: each
statement's strategy, its moderation, its follow-up updates) and adds the CM actions and written
texts the page knows; ``living_feed_html`` builds the feed (``build_feed``) and shows the latest
hour: the model's exact figures, the journalist's request and its deadline, the news, then the
messages with their persona, handle, channel and sentiment. Every text is escaped.

Example:
    >>> import communitysim as cs
    >>> model = cs.CommunityModel({"audience": {"size": 300}, "days": 3}, seed=1)
    >>> "feed" in living_feed_html(model, model.result().timeseries, seed=1)
    True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from communitysim.crisis_feed.feed import STATEMENTS, BrandAction, build_feed, hour_figures
from communitysim.messages import number, t, tn

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    import communitysim as cs

__all__ = ["FEED_ACTIONS", "brand_actions", "living_feed_html"]

#: The CM actions (``mechanisms.cm_actions``) the public sees, with the feed's name for them.
FEED_ACTIONS = {
    "delete_post": "deleted",
    "keep_post": "kept",
    "pause_posts": "paused",
    "answer_journalist": "journalist",
    "publish_faq": "faq",
    "reply_comments": "replies",
}

COLOURS = {"negative": "#b3261e", "neutral": "#666666", "positive": "#1b7f3b"}
NEWS_SHOWN = 3


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def brand_actions(
    model: cs.CommunityModel, start_day: float, texts: dict[float, str] | None = None,
    extra: list[BrandAction] | None = None,
) -> list[BrandAction]:  # fmt: skip
    """What the brand did, from the model's log (statements, moderation, updates, CM actions), plus ``extra``.

    ``texts`` maps a statement's hour to the words the learner wrote (quoted by the feed).
    """
    texts = texts or {}
    actions = list(extra or [])
    for day, kind, response in model.crisis_log:
        hour = round(24.0 * (day - start_day), 6)
        if kind == "act" and response in FEED_ACTIONS:
            actions.append(BrandAction(hour, FEED_ACTIONS[response]))
        if kind != "respond":
            continue
        if response.strategy != "silence":
            actions.append(BrandAction(hour, response.strategy, texts.get(hour, "")))
        if response.moderation_share > 0:
            actions.append(BrandAction(hour, "moderation"))
        if response.updates_per_day > 0:
            actions.append(BrandAction(hour, "faq"))
    return sorted(actions, key=lambda a: (a.hour, a.kind not in STATEMENTS))


def living_feed_html(
    model: cs.CommunityModel,
    ts: pd.DataFrame,
    seed: int,
    texts: dict[float, str] | None = None,
    extra: list[BrandAction] | None = None,
    journalist_hour: float | None = 3.0,
) -> str:
    """The feed's latest hour as HTML (``class='cs-feed'``), or a line saying the crisis has not broken yet."""
    crisis = model.bad_buzz.current()
    start_day = model.crisis_started_day
    if crisis is None or start_day is None:
        return f"<div class='cs-feed'><p><i>{_e(t('feed.quiet'))}</i></p></div>"
    figures = hour_figures(ts, start_day)
    if not figures:
        return f"<div class='cs-feed'><p><i>{_e(t('feed.quiet'))}</i></p></div>"
    actions = brand_actions(model, start_day, texts, extra)
    feed = build_feed(figures, crisis.params.type, actions, seed, journalist_hour)
    now = figures[-1]
    parts = [f"<b>{_e(t('feed.title', hour=number(now.hour, None)))}</b>"]
    shown = feed.hour(now.hour)
    counts = {k: tn(f"feed.n.{k}", round(getattr(now, k))) for k in ("mentions", "negative", "neutral", "positive")}
    summary = t("feed.summary", **counts, outraged=tn("feed.n.outraged", round(now.outraged)),
                shown=number(len(shown)))  # fmt: skip
    parts.append(f"<p style='margin:2px 0'>{_e(summary)}</p>")
    if now.hidden >= 0.5:
        parts.append(f"<p style='margin:2px 0'><i>{_e(tn('feed.hidden', round(now.hidden)))}</i></p>")
    said = [a for a in actions if a.kind in STATEMENTS and a.hour <= now.hour + 1e-9]
    if said:  # the brand's own post, pinned on its page
        words = said[-1].text.strip() or t(f"crisis.statement.{said[-1].kind}")
        parts.append(
            "<div class='cs-feed-brand' style='border-left:4px solid #1a5fb4;background:#eef3fb;padding:4px 8px;"
            f"margin:4px 0'><b>{_e(t('feed.brand_label', brand=t('feed.brand')))}</b> "
            f"<span style='color:#888'>+{_e(number(said[-1].hour, None))} h</span><br>{_e(words)}</div>"
        )
    request = feed.journalist
    if request is not None and request.hour <= now.hour + 1e-9:
        if feed.journalist_answered is not None and feed.journalist_answered <= now.hour + 1e-9:
            status = t("feed.journalist.answered", hour=number(feed.journalist_answered, None))
        elif now.hour > (feed.journalist_deadline or 0) + 1e-9:
            status = t("feed.journalist.missed", brand=t("feed.brand"))
        else:
            status = t("feed.journalist.deadline", deadline=number(feed.journalist_deadline or 0, None))
        parts.append(
            "<div class='cs-feed-press' style='border:1px solid #1a5fb4;padding:4px 8px;margin:4px 0'>"
            f"<b>{_e(t('feed.channel.journalist'))}</b><br>{_e(request.text)}<br><i>{_e(status)}</i></div>"
        )
    news = [n for n in feed.news if n.hour <= now.hour + 1e-9][-NEWS_SHOWN:]
    if news:
        items = "".join(f"<li>{_e(number(n.hour, None))} h · {_e(n.text)}</li>" for n in reversed(news))
        parts.append(f"<b>{_e(t('feed.channel.news'))}</b><ul class='cs-feed-news' style='margin:2px 0'>{items}</ul>")
    for message in shown:
        colour = COLOURS[message.sentiment]
        reply = (
            f" <span style='color:#888'>{_e(t('feed.replying', handle=message.reply_to))}</span>"
            if message.reply_to
            else ""
        )
        likes = f" · {_e(t('feed.likes', count=number(message.likes)))}" if message.likes else ""
        parts.append(
            f"<div class='cs-feed-item' data-sentiment='{message.sentiment}' data-channel='{message.channel}' "
            f"style='border-left:4px solid {colour};padding:2px 8px;margin:3px 0'>"
            f"<b>{_e(message.name)}</b> <span style='color:#555'>{_e(message.handle)}</span> "
            f"<span style='color:#888;font-size:smaller'>{_e(t(f'feed.persona.{message.persona}'))} · "
            f"{_e(t(f'feed.channel.{message.channel}'))} · +{int(now.hour) - 1}:{message.minute:02d}{likes}</span>"
            f"{reply}<br>"
            f"<span style='color:{colour};font-size:smaller'>[{_e(t(f'crisis.sentiment.{message.sentiment}'))}]</span> "
            f"{_e(message.text)}</div>"
        )
    return "<div class='cs-feed'>" + "".join(parts) + "</div>"
