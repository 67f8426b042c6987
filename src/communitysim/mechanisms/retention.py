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

so an unattached member with no member contacts leaves at the churn module's rate.

Example:
    >>> import numpy as np
    >>> retention_factor(np.array([0.0, 0.4]), np.array([0.0, 0.0]), tie_effect=1.0).round(3).tolist()
    [1.0, 0.714]
"""

from __future__ import annotations

import numpy as np

__all__ = ["retention_factor", "decay_bond", "reply_speed", "view_value"]


def retention_factor(bond: np.ndarray, member_contacts: np.ndarray, tie_effect: float) -> np.ndarray:
    """Churn hazard multiplier ``1 / (1 + bond + tie_effect x member_contacts)``."""
    return 1.0 / (1.0 + bond + tie_effect * member_contacts)


def decay_bond(bond: np.ndarray, dt_days: float, half_life_days: float) -> None:
    """Fade everyone's attachment by one step, in place."""
    bond *= 0.5 ** (dt_days / half_life_days)


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
