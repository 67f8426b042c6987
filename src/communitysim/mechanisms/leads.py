"""Qualified leads (seed 003): engaged members become leads, once each.

A member who is not yet a lead and engaged ``k`` times in a step becomes one with probability
``1 - exp(-leads.rate_per_engagement x lead_value x k x affinity / mean_affinity)``, where
``lead_value`` is the live posts' mean lead value (informational, event and promotional posts
bring more leads than contests).

Example:
    >>> import numpy as np
    >>> lead_probability(np.array([0, 10]), np.array([0.5, 0.5]), 0.01, 1.0, 0.5).round(3).tolist()
    [0.0, 0.095]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from communitysim.params import Params, param

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = ["LeadParams", "lead_probability", "draw_leads"]


class LeadParams(Params):
    """Qualified leads from engaged members (seed 003)."""

    rate_per_engagement: float = param(
        0.003,
        "chance that one engagement by a member of mean affinity makes them a qualified lead",
        "share 0..1",
        "seed 003",
        ge=0,
        le=1,
    )


def lead_probability(
    engagements: np.ndarray, affinity: np.ndarray, rate_per_engagement: float, lead_value: float, mean_affinity: float
) -> np.ndarray:
    """Chance that members with these engagements in a step become qualified leads."""
    return -np.expm1(-rate_per_engagement * lead_value * engagements * affinity / mean_affinity)


# --- the step's draw over the model's arrays (the feed step, model.STEP) --------------------------


def draw_leads(model: CommunityModel, ids: np.ndarray, engagements: np.ndarray, lead_value: float) -> None:
    """The members ``ids`` who engaged this step (``engagements`` each) and are not leads yet may become one.

    ``lead_value`` is the live posts' mean lead value. The count goes to ``model.last.leads``.
    """
    p = model.params
    pop = model.population
    open_ids = ~pop.is_lead[ids]
    candidates = ids[open_ids]
    chance = lead_probability(
        engagements[open_ids],
        pop.affinity[candidates],
        p.leads.rate_per_engagement,
        lead_value,
        p.audience.affinity.mean,
    )
    new_leads = candidates[model.personal_draws("leads").of(candidates) < chance]  # each member's own draw
    pop.is_lead[new_leads] = True
    model.last.leads = int(new_leads.size)
