"""Member-to-member talk: comments that answer other members.

Seed 000: "la valeur d'une communauté est créée par les interactions entre ses membres".

A comment answers another member with probability

    m = conversation.member_reply_share x member_talk x (1 + reply_culture_boost x reply_share)

(capped at ``max_member_reply_share``, 0.9), where ``member_talk`` is the live posts' mean propensity
(debates make members answer each other) and the CM's reply share sets a culture of answering. Each
answer goes to one of the step's commenters (in proportion to their comments) and raises that member's engagement by
``engagement.gain_per_reply_received``.

Example:
    >>> round(member_reply_share(ConversationParams(), member_talk=3.0, cm_reply_share=1.0), 3)
    0.675
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from communitysim.mechanisms.retention import note_bond_raised
from communitysim.params import Params, param
from communitysim.sampling import PersonalUniforms

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["ConversationParams", "member_reply_share", "answers", "StepTalk", "talk"]


class ConversationParams(Params):
    """Member-to-member talk: comments that answer other members (seed 000)."""

    member_reply_share: float = param(
        0.15,
        "share of comments that answer another member, for an average content mix and no CM replies",
        "share 0..1",
        "DOMAIN.md s.3 (Higher Logic: 61% of threads unanswered)",
        ge=0,
        le=1,
    )
    reply_culture_boost: float = param(
        0.5, "relative increase of member-to-member replies when the CM answers every comment", "x", ge=0, le=10
    )
    max_member_reply_share: float = param(
        0.9, "cap on the share of comments that answer another member", "share 0..1", "assumption", ge=0, le=1
    )


def member_reply_share(params: ConversationParams, member_talk: float, cm_reply_share: float) -> float:
    """Share of comments that answer another member (capped at ``max_member_reply_share``)."""
    share = params.member_reply_share * member_talk * (1.0 + params.reply_culture_boost * cm_reply_share)
    return min(params.max_member_reply_share, share)


def answers(
    commenters: np.ndarray, comments: np.ndarray, share: float, draws: PersonalUniforms
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the comments that answer members.

    ``draws``: the conversation's uniforms at this step (``sampling.PersonalUniforms``): each
    commenter's answers are drawn by inversion from their own uniform; the ``j``-th answer goes to a
    commenter picked in proportion to their comments, by inversion of the uniform numbered ``j``.

    Returns:
        Per commenter, how many of their comments answer a member; and the ids of the members
        answered (one entry per answer).
    """
    if commenters.size == 0 or share <= 0:
        return np.zeros(commenters.size, dtype=np.int64), commenters[:0]
    to_members = draws.child("answers").binomial(commenters, comments, share)
    total = int(to_members.sum())
    if total == 0:
        return to_members, commenters[:0]
    cumulative = np.cumsum(comments)
    picked = np.searchsorted(cumulative, draws.child("targets").of(np.arange(total)) * cumulative[-1], side="right")
    answered = commenters[picked]
    return to_members, answered


# --- the step's talk over the model's arrays (the feed step, model.STEP) --------------------------


@dataclass
class StepTalk:
    """The step's comments, split between answers to members and comments to the brand."""

    commented: np.ndarray  # over the members who engaged: True for those who commented
    commenters: np.ndarray  # their ids
    comments: np.ndarray  # their comments
    to_members: np.ndarray  # of which answers to other members

    @property
    def to_brand(self) -> np.ndarray:
        """Per commenter, the comments addressed to the brand."""
        return self.comments - self.to_members


def talk(model: CommunityModel, ids: np.ndarray, comments: np.ndarray, share: float) -> StepTalk:
    """Members ``ids`` wrote ``comments`` each; a ``share`` of them answer other members, who are lifted.

    The answered gain ``engagement.gain_per_reply_received`` and ``retention.bond_per_member_answer``
    per answer; the count goes to ``model.last.member_interactions``.
    """
    p = model.params
    pop = model.population
    commented = comments > 0
    commenters, their_comments = ids[commented], comments[commented]
    to_members, answered = answers(commenters, their_comments, share, model.personal_draws("conversation"))
    model.last.member_interactions = int(to_members.sum())
    pop.engagement.add_at(answered, p.engagement.gain_per_reply_received)
    if p.retention.bond_per_member_answer and answered.size:  # receiving communication
        pop.bond.add_at(answered, p.retention.bond_per_member_answer)
        note_bond_raised(model, answered)
    return StepTalk(commented, commenters, their_comments, to_members)
