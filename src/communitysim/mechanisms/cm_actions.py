"""The community manager's actions beyond the statement, and what each does to the bad buzz.

Crisis exercises have CMs do more than publish a statement (Coombs 2007 on the initial response;
Conducttr and Polpeo exercises alike): delete or keep the offending post, pause the scheduled
posts, answer the journalist, publish an FAQ or update, escalate internally, reply to individual
comments. Each action here changes the current crisis from now on, through the bad buzz's own
parameters (``BadBuzz.dynamics``, replaced by an adjusted copy) or its response, so that
``mechanisms/crisis.py`` is unchanged. The magnitudes are assumptions (docs/MODEL.md, "CM
actions"); the directions follow the literature cited there:

- ``delete_post``: the offending post stops reaching new people: ``hear_rate_per_day x
  cm_actions.delete_hear_factor``; deleted before any statement it reads as a cover-up (the Streisand effect,
  Jansen & Martin 2015): ``outrage_share x cm_actions.silent_delete_outrage_factor``;
- ``keep_post``: nothing changes in the model (the feed reacts to it);
- ``pause_posts``: no cheerful scheduled post lands in the storm (tone-deaf posts fuel outrage):
  ``outrage_share x cm_actions.pause_outrage_factor``;
- ``answer_journalist``: the article carries the brand's side: the next escalation's severity is
  multiplied by ``cm_actions.journalist_escalation_factor`` (``escalation_factor``);
- ``publish_faq``: one more follow-up update per day (the model's ``update_effect`` strengthens
  the statement's fit; no effect before a statement);
- ``escalate_internally``: no public effect (recorded for the debrief: the response team is formed);
- ``reply_comments``: webcare, answering people one by one, calms them (van Noort & Willemsen
  2012): ``calm_rate_per_day x cm_actions.reply_calm_factor``.

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

from communitysim.params import Params, param

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "CM_ACTIONS",
    "CMActionParams",
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


class CMActionParams(Params):
    """What each CM action does to the bad buzz (the magnitudes are assumptions; the directions are cited)."""

    delete_hear_factor: float = param(
        0.8, "multiplier of the hearing hazard once the offending post is deleted (assumption)", "x", ge=0, le=1
    )
    silent_delete_outrage_factor: float = param(
        1.15,
        "multiplier of the outrage share when the post is deleted before any statement (a cover-up)",
        "x",
        "Jansen and Martin 2015 (the Streisand effect); assumption",
        ge=1,
        le=10,
    )
    pause_outrage_factor: float = param(
        0.95, "multiplier of the outrage share once the scheduled posts are paused (assumption)", "x", ge=0, le=1
    )
    journalist_escalation_factor: float = param(
        0.5,
        "multiplier of the next escalation's severity once the journalist has the brand's answer (assumption)",
        "x",
        ge=0,
        le=1,
    )
    reply_calm_factor: float = param(
        1.2,
        "multiplier of the calming hazard once the CM replies to comments one by one (webcare)",
        "x",
        "van Noort and Willemsen 2012; assumption",
        ge=1,
        le=10,
    )


_DEFAULTS = CMActionParams()
#: The defaults of ``cm_actions.*`` (the scenario's values are the ones that act).
DELETE_HEAR_FACTOR = _DEFAULTS.delete_hear_factor
SILENT_DELETE_OUTRAGE_FACTOR = _DEFAULTS.silent_delete_outrage_factor
PAUSE_OUTRAGE_FACTOR = _DEFAULTS.pause_outrage_factor
JOURNALIST_ESCALATION_FACTOR = _DEFAULTS.journalist_escalation_factor
REPLY_CALM_FACTOR = _DEFAULTS.reply_calm_factor


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
    d, factors = buzz.dynamics, model.params.cm_actions
    if action == "delete_post":
        update = {"hear_rate_per_day": d.hear_rate_per_day * factors.delete_hear_factor}
        if crisis.response.strategy == "silence" or model.day + 1e-9 < crisis.response_day:
            update["outrage_share"] = min(1.0, d.outrage_share * factors.silent_delete_outrage_factor)
        buzz.dynamics = d.model_copy(update=update)
    elif action == "pause_posts":
        buzz.dynamics = d.model_copy(update={"outrage_share": d.outrage_share * factors.pause_outrage_factor})
    elif action == "reply_comments":
        buzz.dynamics = d.model_copy(update={"calm_rate_per_day": d.calm_rate_per_day * factors.reply_calm_factor})
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
    return model.params.cm_actions.journalist_escalation_factor if answered else 1.0
