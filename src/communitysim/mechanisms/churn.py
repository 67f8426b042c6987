"""Members leaving (unfollowing): less attached, less active, inactive or tired members leave more.

    hazard_i = churn_rate_per_day x (1 - affinity_i) / (1 - affinity.mean)
               x effective_activity_i ^ -g x (inactive_churn_factor if inactive)
               + feed.fatigue_unfollow_rate_per_day x fatigue_i

with ``g = growth.churn_activity_exponent``, divided in the model by the retention factor
``1 + attachment + ties`` (retention module); a member is inactive after
``engagement.inactive_days`` without any action (lurkers may churn). A member of mean affinity and
activity, active and not tired, leaves at ``growth.churn_rate_per_day``. Former members do not
come back.

The hazard and each member's leave clock (``sampling.EventClocks``) run in one compiled loop,
``churn_kernel.advance_leave_clocks`` (numba, imported on the first step that has churn).

Example:
    >>> import numpy as np
    >>> activity_factor(np.array([1.0, 4.0]), exponent=0.5).tolist()
    [1.0, 0.5]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["activity_factor", "decide_leaves"]


def activity_factor(effective_activity: np.ndarray, exponent: float) -> np.ndarray:
    """``effective_activity ^ -exponent``: how much a member's activity protects them (fixed when they join)."""
    if not exponent:
        return np.ones_like(effective_activity)
    return effective_activity**-exponent


# --- the step over the model's arrays (model.STEP) ------------------------------------------------


def decide_leaves(model: CommunityModel) -> None:
    """Churn: every member draws whether they leave, on the same state as the joins (applied together).

    A base hazard, more for inactive and outraged members, plus over-posting fatigue; attachment and
    ties to other members keep people (retention module: the hazard divided by 1 + attachment + ties).
    Hazards and clocks run in one compiled loop (``churn_kernel``). The leavers are kept in
    ``model.leavers`` until the step applies them.
    """
    p = model.params
    pop = model.population
    tired = bool(p.feed.fatigue_unfollow_rate_per_day and model.fatigue_ceiling > 0)
    if not (p.growth.churn_rate_per_day or tired or model.bad_buzz.active):
        return
    from communitysim.mechanisms.churn_kernel import advance_leave_clocks

    members = model.members_now()  # membership has not changed since the feed step
    r = p.retention
    ties = model.word_of_mouth.exposure_of_everyone() if r.tie_effect else _NO_TIES
    leavers = np.empty(members.size, dtype=members.dtype)
    found = advance_leave_clocks(
        members,
        pop.affinity,
        model.churn_activity_factor,
        p.growth.churn_rate_per_day / (1.0 - p.audience.affinity.mean),
        pop.last_action_step,
        model.first_active_step(),
        p.engagement.inactive_churn_factor,
        pop.fatigue.stored,
        pop.fatigue.scale,
        p.feed.fatigue_unfollow_rate_per_day if tired else 0.0,
        model.bond_moved,
        pop.bond.stored,
        pop.bond.scale,
        bool(model.bond_moved or r.tie_effect),
        ties,
        r.tie_effect,
        model.bad_buzz.active,
        model.bad_buzz.outraged,
        p.crisis_dynamics.outraged_churn_factor,
        model.dt,
        model.leave_clocks.remaining,
        leavers,
    )
    model.leavers = leavers[:found]


_NO_TIES = np.zeros(0)
