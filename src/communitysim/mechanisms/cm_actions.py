"""The community manager's actions beyond the statement, and what each does to the bad buzz.

Crisis exercises have CMs do more than publish a statement (Coombs 2007 on the initial response;
Conducttr and Polpeo exercises alike): delete or keep the offending post, pause the scheduled
posts, answer the journalist, publish an FAQ or update, escalate internally, reply to individual
comments. Each action here changes the current crisis from now on, through the bad buzz's own
parameters (``BadBuzz.dynamics``, replaced by an adjusted copy) or its response, so that
``mechanisms/crisis.py`` is unchanged. The magnitudes are assumptions (docs/MODEL.md, "CM
actions"); the directions follow the literature cited there:

- ``delete_post``: the offending post stops reaching new people: ``hear_rate_per_day x
  DELETE_HEAR_FACTOR``; deleted before any statement it reads as a cover-up (the Streisand effect,
  Jansen & Martin 2015): ``outrage_share x SILENT_DELETE_OUTRAGE_FACTOR``;
- ``keep_post``: nothing changes in the model (the feed reacts to it);
- ``pause_posts``: no cheerful scheduled post lands in the storm (tone-deaf posts fuel outrage):
  ``outrage_share x PAUSE_OUTRAGE_FACTOR``;
- ``answer_journalist``: the article carries the brand's side: the next escalation's severity is
  multiplied by ``JOURNALIST_ESCALATION_FACTOR`` (``escalation_factor``);
- ``publish_faq``: one more follow-up update per day (the model's ``update_effect`` strengthens
  the statement's fit; no effect before a statement);
- ``escalate_internally``: no public effect (recorded for the debrief: the response team is formed);
- ``reply_comments``: webcare, answering people one by one, calms them (van Noort & Willemsen
  2012): ``calm_rate_per_day x REPLY_CALM_FACTOR``.

Example:
    >>> import communitysim as cs
    >>> from communitysim.mechanisms.crisis import Crisis
    >>> model = cs.CommunityModel({"audience": {"size": 300}, "days": 5}, seed=1)
    >>> model.inject(Crisis(type="offensive_post", severity=0.5))
    >>> before = model.bad_buzz.dynamics.calm_rate_per_day
    >>> model.act("reply_comments")
    >>> model.bad_buzz.dynamics.calm_rate_per_day == before * REPLY_CALM_FACTOR
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "CM_ACTIONS",
    "DELETE_HEAR_FACTOR",
    "JOURNALIST_ESCALATION_FACTOR",
    "PAUSE_OUTRAGE_FACTOR",
    "REPLY_CALM_FACTOR",
    "SILENT_DELETE_OUTRAGE_FACTOR",
    "act",
    "escalation_factor",
]

CM_ACTIONS = (
    "delete_post",
    "keep_post",
    "pause_posts",
    "answer_journalist",
    "publish_faq",
    "escalate_internally",
    "reply_comments",
)
#: Multiplier of the hearing hazard once the offending post is deleted (assumption).
DELETE_HEAR_FACTOR = 0.8
#: Multiplier of the outrage share when the post is deleted before any statement (assumption; Streisand effect).
SILENT_DELETE_OUTRAGE_FACTOR = 1.15
#: Multiplier of the outrage share once the scheduled posts are paused (assumption).
PAUSE_OUTRAGE_FACTOR = 0.95
#: Multiplier of the next escalation's severity once the journalist has the brand's answer (assumption).
JOURNALIST_ESCALATION_FACTOR = 0.5
#: Multiplier of the calming hazard once the CM replies to comments one by one (assumption; webcare).
REPLY_CALM_FACTOR = 1.2


def act(model: CommunityModel, action: str) -> None:
    """Take a CM action on the model's current crisis, now (``CommunityModel.act`` logs it, then calls this).

    Raises:
        ValueError: an unknown action (the allowed ones are named).
        RuntimeError: no crisis is under way.
    """
    if action not in CM_ACTIONS:
        raise ValueError(f"CM action: expected one of {', '.join(CM_ACTIONS)}, got {action!r}")
    buzz = model.bad_buzz
    crisis = buzz.current()
    if crisis is None:
        raise RuntimeError("there is no crisis to act on")
    d = buzz.dynamics
    if action == "delete_post":
        update = {"hear_rate_per_day": d.hear_rate_per_day * DELETE_HEAR_FACTOR}
        if crisis.response.strategy == "silence" or model.day + 1e-9 < crisis.response_day:
            update["outrage_share"] = min(1.0, d.outrage_share * SILENT_DELETE_OUTRAGE_FACTOR)
        buzz.dynamics = d.model_copy(update=update)
    elif action == "pause_posts":
        buzz.dynamics = d.model_copy(update={"outrage_share": d.outrage_share * PAUSE_OUTRAGE_FACTOR})
    elif action == "reply_comments":
        buzz.dynamics = d.model_copy(update={"calm_rate_per_day": d.calm_rate_per_day * REPLY_CALM_FACTOR})
    elif action == "publish_faq":
        response = crisis.response
        crisis.response = response.model_copy(update={"updates_per_day": response.updates_per_day + 1.0})


def escalation_factor(model: CommunityModel) -> float:
    """The multiplier of an escalation's severity now: halved once the journalist has had the brand's answer.

    Example:
        >>> import communitysim as cs
        >>> escalation_factor(cs.CommunityModel({"audience": {"size": 300}, "days": 5}, seed=1))
        1.0
    """
    answered = any(kind == "act" and what == "answer_journalist" for _, kind, what in model.crisis_log)
    return JOURNALIST_ESCALATION_FACTOR if answered else 1.0
