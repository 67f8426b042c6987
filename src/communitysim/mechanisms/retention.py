"""Retention: what members receive keeps them (DOMAIN.md s.11).

Each member carries an **attachment** ``b_i`` (0 when they join), built by what they receive and
fading with ``retention.bond_half_life_days`` when nothing more comes:

- a reply from the CM: ``+ bond_per_reply x (1 - reply_speed_share x (1 - worth))``, ``worth``
  the reply's speed worth (replies module): any reply counts, a fast one more. Anchor: Joyce and
  Kraut (2006) found that newcomers who got a reply came back with probability 56% against 44%;
  read as hazards of not coming back, ``ln(0.56) / ln(0.44)`` = 0.71, i.e. ``1 / (1 + 0.4)``: one
  reply is worth an attachment of 0.4;
- an answer from another member: ``+ bond_per_member_answer`` (0.4 as well: Joyce and Kraut's
  replies came from other members; receiving communication builds commitment, Yang and Kraut 2017);
- value from what they see: ``+ bond_per_view x value x attention / (1 + F_i)`` per post seen,
  ``value = quality + seen_care x (reply_share x speed + m)`` with ``m`` the share of comments
  answering members (``view_value``): quality content "attire et fidélise" (seed 000) and a page
  that answers, whose members talk, is worth following even for those who only read (lurkers are
  most members, DOMAIN.md s.3); limited attention and fatigue as in the feed module. The sizes are
  assumptions, sensitivity in docs/MODEL.md.

Attachment is capped at ``retention.max_bond``. **Ties**: the member's contacts who are members
(activity-weighted share ``w_i``, as for word-of-mouth) add ``tie_effect x w_i`` (bonds between
members, Ren et al. 2012). A member's churn hazard is divided by

    1 + b_i + tie_effect x w_i

so an unattached member with no member contacts leaves at the churn module's rate (the division
is done in the churn step's compiled loop, ``churn_kernel``).

Example:
    >>> reply_speed(worth=0.5, speed_share=0.5)
    0.75
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from communitysim.params import Params, param
from communitysim.population import FadingState

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "RetentionParams",
    "decay_bond",
    "reply_speed",
    "view_value",
    "bond_from_views",
    "bond_from_replies",
    "note_bond_raised",
    "cap_bond",
]


class RetentionParams(Params):
    """What keeps members: attachment built by what they receive, and ties to other members (DOMAIN.md s.11)."""

    bond_per_reply: float = param(
        0.4,
        "attachment a member gains from one instant reply by the CM (times the reply's speed worth)",
        "attachment units",
        "DOMAIN.md s.11 (Joyce and Kraut 2006: a reply, 44% -> 56% come back)",
        ge=0,
        le=10,
    )
    bond_per_member_answer: float = param(
        0.4,
        "attachment a member gains from one answer by another member (as a reply: Joyce and Kraut's replies "
        "came from members)",
        "attachment units",
        "DOMAIN.md s.11 (Yang and Kraut 2017; Ren et al. 2012)",
        ge=0,
        le=10,
    )
    bond_per_view: float = param(
        0.08,
        "attachment a member gains from seeing one post of quality 1 (times quality and attention, over 1 + "
        "fatigue; assumption)",
        "attachment units",
        "seed 000 (quality content 'attire et fidélise')",
        ge=0,
        le=10,
    )
    seen_care: float = param(
        0.5,
        "weight of the care a viewer sees on the page (the brand's replies, members answering each other) beside "
        "quality in the value of a post seen (assumption)",
        "x quality",
        "seed 000 (écouter, répondre); DOMAIN.md s.11",
        ge=0,
        le=10,
    )
    reply_speed_share: float = param(
        0.7,
        "share of a reply's attachment that depends on its speed (the rest comes with any reply)",
        "share 0..1",
        "DOMAIN.md s.7 and s.11 (any reply counts; fast ones more)",
        ge=0,
        le=1,
    )
    bond_half_life_days: float = param(
        60.0, "half-life of a member's attachment without new care or value (assumption)", "days", gt=0, le=3650
    )
    max_bond: float = param(5.0, "ceiling of a member's attachment", "attachment units", ge=0, le=100)
    tie_effect: float = param(
        1.0,
        "attachment from ties: a member all of whose contacts are members (of mean activity) counts this much "
        "attachment (assumption)",
        "attachment units",
        "DOMAIN.md s.11 (Ren et al. 2012: bonds between members)",
        ge=0,
        le=10,
    )
    conversation_exposure: float = param(
        20.0,
        "word-of-mouth exposure of a non-member per comment a contact wrote to another member, relative to a "
        "member contact (for the step; assumption)",
        "x member contact",
        ge=0,
        le=100,
    )


def decay_bond(bond: FadingState, dt_days: float, half_life_days: float) -> None:
    """Fade everyone's attachment by one step (lazily: one multiplication of the shared scale)."""
    bond.fade(0.5 ** (dt_days / half_life_days))


def reply_speed(worth: float, speed_share: float) -> float:
    """A reply's attachment relative to an instant one: ``1 - speed_share x (1 - worth)``."""
    return 1.0 - speed_share * (1.0 - worth)


def view_value(quality: float, brand_care: float, member_care: float, seen_care: float) -> float:
    """Value of a post seen: ``quality + seen_care x (brand_care + member_care)``.

    ``brand_care`` is the reply share times the replies' speed (``reply_speed``), ``member_care``
    the share of comments answering another member: a viewer sees whether the page answers.

    Example:
        >>> view_value(0.6, brand_care=0.0, member_care=0.0, seen_care=0.5)
        0.6
    """
    return quality + seen_care * (brand_care + member_care)


# --- the effects over the model's arrays (the feed step and churn, model.STEP) --------------------


def bond_from_views(
    model: CommunityModel,
    viewers: np.ndarray,
    views: np.ndarray,
    member_share: float,
    speed: float,
    attention: float,
) -> None:
    """Members draw attachment from what they saw: content and care (``retention.bond_per_view``).

    ``viewers`` saw ``views`` brand posts each; ``member_share`` is the share of comments answering
    members, ``speed`` the worth of the CM's replies (``reply_speed``), ``attention`` the feed's
    attention factor. Tired members take less.
    """
    p = model.params
    r = p.retention
    if not (r.bond_per_view and viewers.size):
        return
    pop = model.population
    value = view_value(p.strategy.quality, p.strategy.reply_share * speed, member_share, r.seen_care)
    worth = r.bond_per_view * value * attention
    pop.bond.add(viewers, worth * views / (1.0 + pop.fatigue[viewers]))
    note_bond_raised(model, viewers)


def bond_from_replies(model: CommunityModel, commenters: np.ndarray, replied: np.ndarray, speed: float) -> None:
    """A reply keeps people (Joyce and Kraut 2006): ``retention.bond_per_reply x speed`` per reply received."""
    bond_per_reply = model.params.retention.bond_per_reply
    if bond_per_reply and model.last.replies:
        model.population.bond.add(commenters, bond_per_reply * speed * replied)
        note_bond_raised(model, commenters)


def note_bond_raised(model: CommunityModel, ids: np.ndarray) -> None:
    """People ``ids`` gained attachment: ``cap_bond`` will look at them (the list is kept at most n long)."""
    model.bond_moved = True
    raised = model.bond_raised
    raised.append(ids)
    if len(raised) > 64:  # steps without any action do not cap: keep the pending ids bounded
        raised[:] = [np.unique(np.concatenate(raised))]


def cap_bond(model: CommunityModel) -> None:
    """No attachment above ``retention.max_bond``: looked at only where it was raised since the last cap."""
    if model.bond_raised:
        model.population.bond.cap(np.concatenate(model.bond_raised), model.params.retention.max_bond)
        model.bond_raised.clear()
