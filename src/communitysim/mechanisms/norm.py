"""The community's activity norm: newcomers partly adopt the activity of the members already there.

The first members set it (seeds 001 III.1 and 002): a lively close circle makes newcomers livelier,
which feeds word-of-mouth (weighted by activity) long after day one.

``newcomer_activity = (1 - c) x own_activity + c x norm``, with ``c =
community.norm_conformity_share`` and ``norm`` the members' mean effective activity at the start
of the step (a newcomer to an empty community keeps their own activity). The model keeps that mean
as a running sum updated at each join and leave (``CommunityModel.activity_norm``), so that reading
it does not cost a pass over everyone.

Example:
    >>> import numpy as np
    >>> newcomer_activity(np.array([1.0, 3.0]), norm=2.0, conformity_share=0.5).tolist()
    [1.5, 2.5]
"""

from __future__ import annotations

import numpy as np

from communitysim.params import Params, param

__all__ = ["CommunityParams", "newcomer_activity"]


class CommunityParams(Params):
    """The community's activity norm, set by its first members."""

    norm_conformity_share: float = param(
        0.5,
        "share of a newcomer's activity taken from the members' mean activity when they join (0: none)",
        "share 0..1",
        "seeds 001 III.1 and 002 (first members set the tone)",
        ge=0,
        le=1,
    )


def newcomer_activity(own_activity: np.ndarray, norm: float, conformity_share: float) -> np.ndarray:
    """Effective activity of people joining now."""
    if np.isnan(norm):
        return own_activity.copy()
    return (1.0 - conformity_share) * own_activity + conformity_share * norm
