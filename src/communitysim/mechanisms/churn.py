"""Members leaving (unfollowing): less attached, less active, inactive or tired members leave more.

    hazard_i = churn_rate_per_day x (1 - affinity_i) / (1 - affinity.mean)
               x effective_activity_i ^ -g x (inactive_churn_factor if inactive)
               + feed.fatigue_unfollow_rate_per_day x fatigue_i

with ``g = growth.churn_activity_exponent``, divided in the model by the retention factor
``1 + attachment + ties`` (retention module); a member is inactive after
``engagement.inactive_days`` without any action (lurkers may churn). A member of mean affinity and
activity, active and not tired, leaves at ``growth.churn_rate_per_day``. Former members do not
come back.

Example:
    >>> import numpy as np
    >>> factor = activity_factor(np.array([1.0, 4.0]), exponent=0.5)
    >>> churn_hazard_per_day(np.array([0.5, 0.75]), factor, rate_per_day=0.01, mean_affinity=0.5).tolist()
    [0.01, 0.0025]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from communitysim import mechanisms
from communitysim.mechanisms.retention import churn_factor
from communitysim.sampling import EventClocks

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["activity_factor", "factor_where", "churn_hazard_per_day", "draw_leavers", "decide_leaves"]


def activity_factor(effective_activity: np.ndarray, exponent: float) -> np.ndarray:
    """``effective_activity ^ -exponent``: how much a member's activity protects them (fixed when they join)."""
    if not exponent:
        return np.ones_like(effective_activity)
    return effective_activity**-exponent


def factor_where(mask: np.ndarray, factor: float) -> np.ndarray:
    """``factor`` where ``mask`` holds, 1 elsewhere: a multiplier array, exactly (for ``hazard *= ...``).

    Multiplying by it gives the same numbers as ``hazard[mask] *= factor``, several times faster than
    indexing by a scattered mask (about 1.4 against 8.5 ns a member, measured at 5 x 10^4 members).

    Example:
        >>> factor_where(np.array([True, False]), 1.5).tolist()
        [1.5, 1.0]
    """
    step = factor - 1.0
    if 1.0 + step == factor:  # 1 + (factor - 1) x mask is then exactly factor or 1
        return 1.0 + step * mask
    return np.where(mask, factor, 1.0)


def churn_hazard_per_day(
    affinity: np.ndarray,
    activity_factor: np.ndarray,
    rate_per_day: float,
    mean_affinity: float,
    inactive: np.ndarray | None = None,
    inactive_factor: float = 1.0,
    fatigue: np.ndarray | None = None,
    fatigue_rate_per_day: float = 0.0,
) -> np.ndarray:
    """Churn hazard (per day) of members with these affinities, activity factors, inactivity and fatigue."""
    hazard = 1.0 - affinity
    hazard *= rate_per_day / (1.0 - mean_affinity)
    hazard *= activity_factor
    if inactive is not None and inactive_factor != 1.0:
        hazard *= factor_where(inactive, inactive_factor)
    if fatigue is not None and fatigue_rate_per_day:
        hazard += fatigue_rate_per_day * fatigue
    return hazard


def draw_leavers(members: np.ndarray, hazard: np.ndarray, dt_days: float, clocks: EventClocks) -> np.ndarray:
    """The ``members`` (with their ``hazard``) who leave during a step of ``dt_days``, on their own clocks."""
    return clocks.advance(members, hazard, dt_days)


# --- the step over the model's arrays (model.STEP) ------------------------------------------------


def decide_leaves(model: CommunityModel) -> None:
    """Churn: every member draws whether they leave, on the same state as the joins (applied together).

    A base hazard, more for inactive and outraged members, plus over-posting fatigue; attachment and
    ties to other members keep people (``retention.churn_factor``). The leavers are kept in
    ``model.leavers`` until the step applies them.
    """
    p = model.params
    pop = model.population
    if not (
        p.growth.churn_rate_per_day
        or (p.feed.fatigue_unfollow_rate_per_day and model.fatigue_ceiling > 0)
        or model.bad_buzz.active
    ):
        return
    members = model.members_now()  # membership has not changed since the feed step
    if mechanisms.compiled_for(pop.n):
        model.leavers = _compiled_leavers(model, members)
        return
    leave_hazard = churn_hazard_per_day(
        pop.affinity[members],
        model.churn_activity_factor[members],
        p.growth.churn_rate_per_day,
        p.audience.affinity.mean,
        inactive=pop.last_action_step[members] < model.first_active_step(),
        inactive_factor=p.engagement.inactive_churn_factor,
        fatigue=pop.fatigue[members] if model.fatigue_ceiling > 0 else None,  # nobody tired: adds 0
        fatigue_rate_per_day=p.feed.fatigue_unfollow_rate_per_day,
    )
    kept = churn_factor(model, members)
    if kept is not None:
        leave_hazard *= kept
    if model.bad_buzz.active:
        leave_hazard *= factor_where(model.bad_buzz.outraged[members], p.crisis_dynamics.outraged_churn_factor)
    model.leavers = draw_leavers(members, leave_hazard, model.dt, model.leave_clocks)


def _compiled_leavers(model: CommunityModel, members: np.ndarray) -> np.ndarray:
    """``decide_leaves``'s hazards and clocks in one compiled loop (``churn_kernel``): the same leavers."""
    from communitysim.mechanisms.churn_kernel import advance_leave_clocks

    p = model.params
    pop = model.population
    r = p.retention
    tired = bool(p.feed.fatigue_unfollow_rate_per_day and model.fatigue_ceiling > 0)
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
    return leavers[:found]


_NO_TIES = np.zeros(0)
