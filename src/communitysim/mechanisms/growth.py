"""Joining: external visibility plus word-of-mouth over the audience's network (network Bass).

A non-member ``i`` joins with hazard (per day)

    h_i = (p + q x w_i) x readiness x affinity_i / affinity.mean

where ``p = growth.external_rate_per_day``, ``q = growth.word_of_mouth_rate_per_day``,
``readiness`` is the launch-readiness factor (seeding module: an empty page converts
fewer of its visitors, whoever brought them) and ``w_i`` the word-of-mouth
exposure: the sum of the effective activity of ``i``'s member neighbours divided by ``i``'s number
of neighbours. With everyone's activity 1 and affinity equal, ``w_i`` is the share of ``i``'s
neighbours who are members, and on a complete graph the model is Bass (1969) exactly.
A step of ``dt`` days turns the hazard into the probability ``1 - exp(-h x dt)``.

The sums of member neighbours' activity are kept up to date incrementally: when people join or
leave only their neighbours' sums change (a sparse gather, not a full product), and only the
non-members' hazards are computed.

Example:
    >>> import numpy as np
    >>> join_hazard_per_day(np.array([0.0, 0.5]), np.array([0.5, 0.5]), 0.01, 0.2, 1.0, 0.5).tolist()
    [0.01, 0.11]
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from communitysim.network import Network
from communitysim.params import Params, param
from communitysim.sampling import EventClocks

__all__ = ["GrowthParams", "add_to_contacts", "WordOfMouth", "join_hazard_per_day", "draw_joiners"]


class GrowthParams(Params):
    """Joining by external visibility and word-of-mouth (network Bass), and leaving."""

    external_rate_per_day: float = param(
        0.002,
        "p: hazard of joining from the brand's own visibility (presence, events, paid reach)",
        "per day",
        "Bass 1969; DOMAIN.md s.2",
        ge=0,
        le=10,
    )
    word_of_mouth_rate_per_day: float = param(
        0.25,
        "q: hazard of joining per unit of activity-weighted share of member neighbours",
        "per day",
        "Bass 1969; DOMAIN.md s.2",
        ge=0,
        le=100,
    )
    churn_rate_per_day: float = param(
        0.001, "hazard of a member leaving, for a member of mean affinity and mean activity", "per day", ge=0, le=10
    )
    churn_activity_exponent: float = param(
        0.5,
        "how much activity protects from churn: hazard x effective_activity^-exponent (0: not at all)",
        "dimensionless",
        ge=0,
        le=5,
    )


def add_to_contacts(adjacency: sp.csr_array, ids: np.ndarray, weights: np.ndarray, out: np.ndarray) -> None:
    """``out[j] += weights[k]`` for every contact ``j`` of every person ``ids[k]``, without a Python loop."""
    starts = adjacency.indptr[ids]
    lengths = adjacency.indptr[ids + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return
    # positions of every contact of every person in adjacency.indices
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    np.add.at(out, adjacency.indices[offsets], np.repeat(weights, lengths))


class WordOfMouth:
    """Each person's sum of member neighbours' effective activity, updated as members change.

    Example:
        >>> import numpy as np
        >>> from communitysim.network import Network
        >>> net = Network(3, "complete", None, np.full(3, 2), np.zeros(3, dtype=np.int16))
        >>> wom = WordOfMouth(net)
        >>> wom.add(np.array([0]), np.array([1.0]))
        >>> wom.exposure(np.array([1, 2])).tolist()
        [0.5, 0.5]
    """

    def __init__(self, network: Network):
        self.network = network
        self.sums = np.zeros(network.n)  # per person (sparse graph)
        self.total = 0.0  # complete graph: sum over all members
        self._weights = np.zeros(network.n)  # current contribution of each person
        with np.errstate(divide="ignore"):
            self._inv_degree = np.where(network.degree > 0, 1.0 / np.maximum(network.degree, 1), 0.0)

    def add(self, ids: np.ndarray, weights: np.ndarray) -> None:
        """People ``ids`` start to count with ``weights`` (their effective activity) for their neighbours."""
        self._change(ids, weights)
        self._weights[ids] = weights

    def remove(self, ids: np.ndarray) -> None:
        """People ``ids`` stop counting for their neighbours."""
        self._change(ids, -self._weights[ids])
        self._weights[ids] = 0.0

    def _change(self, ids: np.ndarray, delta: np.ndarray) -> None:
        if ids.size == 0:
            return
        adj = self.network.adjacency
        if adj is None:
            self.total += float(delta.sum())
            return
        add_to_contacts(adj, ids, delta, self.sums)

    def exposure(self, ids: np.ndarray) -> np.ndarray:
        """Word-of-mouth exposure ``w_i`` of people ``ids`` (activity-weighted share of member neighbours)."""
        if self.network.adjacency is None:
            return (self.total - self._weights[ids]) / max(self.network.n - 1, 1)
        return self.sums[ids] * self._inv_degree[ids]

    def exposure_of_everyone(self) -> np.ndarray:
        """``exposure`` of every person at once (no id gather)."""
        if self.network.adjacency is None:
            return (self.total - self._weights) / max(self.network.n - 1, 1)
        return self.sums * self._inv_degree

    def neighbour_share(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """For everyone, ``sum of weights of their contacts among ids / their number of contacts``."""
        adj = self.network.adjacency
        if adj is None:
            total = float(weights.sum())
            out = np.full(self.network.n, total)
            out[ids] -= weights
            return out / max(self.network.n - 1, 1)
        out = np.zeros(self.network.n)
        add_to_contacts(adj, ids, weights, out)
        return out * self._inv_degree

    def recompute(self) -> np.ndarray:
        """The sums computed from scratch (for checking the incremental updates)."""
        if self.network.adjacency is None:
            return np.full(self.network.n, self._weights.sum())
        return self.network.adjacency @ self._weights


def join_hazard_per_day(
    exposure: np.ndarray,
    affinity: np.ndarray,
    external_rate_per_day: float,
    word_of_mouth_rate_per_day: float,
    readiness: float,
    mean_affinity: float,
) -> np.ndarray:
    """Hazard of joining (per day) for people with the given exposure and affinity."""
    return (external_rate_per_day + word_of_mouth_rate_per_day * exposure) * (readiness / mean_affinity) * affinity


def draw_joiners(candidates: np.ndarray, hazard_per_day: np.ndarray, dt_days: float, clocks: EventClocks) -> np.ndarray:
    """The ``candidates`` who join this step (each with probability ``1 - exp(-hazard x dt)``, on their own clock)."""
    return clocks.advance(candidates, hazard_per_day, dt_days)


# --- the step over the model's arrays (model.STEP) ------------------------------------------------
# (appended below the rest while the parameter classes move into the top of this file, issue 16)


def decide_joins(model: CommunityModel) -> None:
    """Joins: every non-member draws whether they join, from the state the feed step left.

    External visibility (fed by posting, ``feed.visibility_factor``), word-of-mouth from member
    contacts and from this step's shares and talk, and the pull of live contests; the outraged do
    not join. The joiners are kept in ``model.joiners`` until the step applies them.
    """
    from communitysim.mechanisms.feed import visibility_factor

    p = model.params
    candidates = model.non_members_now()
    exposure = model.word_of_mouth.exposure(candidates)
    if model.talk_exposure is not None:
        exposure = exposure + model.talk_exposure[candidates]
    visibility = visibility_factor(
        model.community_manager.posts_per_day_recent,
        p.feed.reference_posts_per_week,
        p.feed.visibility_from_posts_share,
    )
    hazard = join_hazard_per_day(
        exposure,
        model.population.affinity[candidates],
        p.growth.external_rate_per_day * visibility,
        p.growth.word_of_mouth_rate_per_day,
        model.readiness,
        p.audience.affinity.mean,
    )
    if model.last.join_pull_per_day:
        hazard = hazard + model.last.join_pull_per_day * model.readiness
    if model.bad_buzz.active:  # the outraged do not join
        hazard[model.bad_buzz.outraged[candidates]] = 0.0
    model.joiners = draw_joiners(candidates, hazard, model.dt, model.join_clocks)


def exposure_from_shares_and_talk(
    model: CommunityModel, ids: np.ndarray, shares: np.ndarray, commented: np.ndarray, to_members: np.ndarray
) -> np.ndarray | None:
    """This step's word-of-mouth exposure of everyone from the members' shares and conversations.

    ``ids`` engaged, with ``shares`` each; ``commented`` marks those of them who commented and
    ``to_members`` counts, per commenter, the comments that answered a member. Each share exposes the
    author's contacts by ``engagement.share_exposure``, each answer by ``retention.conversation_exposure``.

    Returns:
        The exposure of every person (``WordOfMouth.neighbour_share``), or None when nobody spread anything.
    """
    p = model.params
    spread = p.engagement.share_exposure * shares.astype(float)
    if p.retention.conversation_exposure and to_members.size:
        spread[commented] += p.retention.conversation_exposure * to_members
    talking = spread > 0
    if not talking.any():
        return None
    return model.word_of_mouth.neighbour_share(ids[talking], spread[talking])


__all__ += ["decide_joins", "exposure_from_shares_and_talk"]

from typing import TYPE_CHECKING  # noqa: E402  (see above)

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel
