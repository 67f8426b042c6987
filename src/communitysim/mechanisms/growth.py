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

Each non-member's hazard and join clock (``sampling.EventClocks``) run in one compiled loop,
``growth_kernel.advance_join_clocks`` (numba, imported on the first step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from communitysim.mechanisms.feed import visibility_factor
from communitysim.network import Network
from communitysim.params import Params, param

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "GrowthParams",
    "add_to_contacts",
    "SparseExposure",
    "WordOfMouth",
    "decide_joins",
    "exposure_from_shares_and_talk",
]


_NOBODY = np.zeros(0, dtype=np.int64)
_NOTHING = np.zeros(0)


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


def add_to_contacts(
    adjacency: sp.csr_array, ids: np.ndarray, weights: np.ndarray, out: np.ndarray
) -> np.ndarray | None:
    """``out[j] += weights[k]`` for every contact ``j`` of every person ``ids[k]``, without a Python loop.

    Returns:
        The contacts reached, one entry per tie (repeated when shared), or None when there are none.
    """
    starts = adjacency.indptr[ids]
    lengths = adjacency.indptr[ids + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return None
    # positions of every contact of every person in adjacency.indices
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    contacts = adjacency.indices[offsets]
    np.add.at(out, contacts, np.repeat(weights, lengths))
    return contacts


class SparseExposure(NamedTuple):
    """An exposure that is zero for everyone but ``ids`` (sorted, distinct), who have ``values``."""

    ids: np.ndarray
    values: np.ndarray


class WordOfMouth:
    """Each person's sum of member neighbours' effective activity, updated as members change.

    Example:
        >>> import numpy as np
        >>> from communitysim.network import Network
        >>> net = Network(3, "complete", None, np.full(3, 2), np.zeros(3, dtype=np.int16))
        >>> wom = WordOfMouth(net)
        >>> wom.add(np.array([0]), np.array([1.0]))
        >>> wom.exposure_of_everyone().tolist()  # the member's two contacts hear of it
        [0.0, 0.5, 0.5]
    """

    def __init__(self, network: Network):
        self.network = network
        self.sums = np.zeros(network.n)  # per person (sparse graph)
        self.total = 0.0  # complete graph: sum over all members
        self._weights = np.zeros(network.n)  # current contribution of each person
        self._scratch: np.ndarray | None = None  # zeros between calls of neighbour_share_sparse
        # sparse graph: each person's exposure, sums x 1 / degree, rewritten where the sums change
        self._exposure = np.zeros(network.n)
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
        contacts = add_to_contacts(adj, ids, delta, self.sums)
        if contacts is not None:
            self._exposure[contacts] = self.sums[contacts] * self._inv_degree[contacts]

    def exposure_of_everyone(self) -> np.ndarray:
        """Everyone's word-of-mouth exposure ``w_i`` (activity-weighted share of member neighbours).

        On a sparse graph the kept array (read only); on a complete graph computed from the total.
        """
        if self.network.adjacency is None:
            return (self.total - self._weights) / max(self.network.n - 1, 1)
        return self._exposure

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

    def neighbour_share_sparse(self, ids: np.ndarray, weights: np.ndarray) -> SparseExposure | np.ndarray:
        """``neighbour_share`` kept only where it is not zero (the contacts of ``ids``); dense on a complete graph.

        The same numbers as ``neighbour_share`` at those people, without writing an array of everyone.
        """
        adj = self.network.adjacency
        if adj is None:
            return self.neighbour_share(ids, weights)
        if self._scratch is None:
            self._scratch = np.zeros(self.network.n)
        contacts = add_to_contacts(adj, ids, weights, self._scratch)
        if contacts is None:
            return SparseExposure(_NOBODY, np.zeros(0))
        reached = np.unique(contacts)
        values = self._scratch[reached] * self._inv_degree[reached]
        self._scratch[reached] = 0.0
        return SparseExposure(reached, values)

    def recompute(self) -> np.ndarray:
        """The sums computed from scratch (for checking the incremental updates)."""
        if self.network.adjacency is None:
            return np.full(self.network.n, self._weights.sum())
        return self.network.adjacency @ self._weights


# --- the step over the model's arrays (model.STEP) ------------------------------------------------


def decide_joins(model: CommunityModel) -> None:
    """Joins: every non-member draws whether they join, from the state the feed step left.

    External visibility (fed by posting, ``feed.visibility_factor``), word-of-mouth from member
    contacts and from this step's shares and talk, and the pull of live contests; the outraged do
    not join. Hazards and clocks run in one compiled loop (``growth_kernel``). The joiners are kept in
    ``model.joiners`` until the step applies them.
    """
    from communitysim.mechanisms.growth_kernel import advance_join_clocks

    p = model.params
    candidates = model.non_members_now()
    talk = model.talk_exposure
    talk_ids, talk_values, talk_dense = _NOBODY, _NOTHING, _NOTHING
    if isinstance(talk, SparseExposure):
        talk_ids, talk_values = talk.ids, talk.values
    elif talk is not None:
        talk_dense = talk
    visibility = visibility_factor(
        model.community_manager.posts_per_day_recent,
        p.feed.reference_posts_per_week,
        p.feed.visibility_from_posts_share,
    )
    joiners = np.empty(candidates.size, dtype=candidates.dtype)
    found = advance_join_clocks(
        candidates,
        model.join_clocks.remaining,
        model.dt,
        joiners,
        model.bad_buzz.active,
        model.bad_buzz.outraged,
        model.word_of_mouth.exposure_of_everyone(),
        talk_ids,
        talk_values,
        talk_dense,
        model.population.affinity,
        p.growth.word_of_mouth_rate_per_day,
        p.growth.external_rate_per_day * visibility,
        model.readiness / p.audience.affinity.mean,
        model.last.join_pull_per_day * model.readiness if model.last.join_pull_per_day else 0.0,
    )
    model.joiners = joiners[:found]


def exposure_from_shares_and_talk(
    model: CommunityModel, ids: np.ndarray, shares: np.ndarray, commented: np.ndarray, to_members: np.ndarray
) -> SparseExposure | np.ndarray | None:
    """This step's word-of-mouth exposure of everyone from the members' shares and conversations.

    ``ids`` engaged, with ``shares`` each; ``commented`` marks those of them who commented and
    ``to_members`` counts, per commenter, the comments that answered a member. Each share exposes the
    author's contacts by ``engagement.share_exposure``, each answer by ``retention.conversation_exposure``.

    Returns:
        The exposure where it is not zero (``WordOfMouth.neighbour_share_sparse``: dense on a complete
        graph), or None when nobody spread anything.
    """
    p = model.params
    spread = p.engagement.share_exposure * shares.astype(float)
    if p.retention.conversation_exposure and to_members.size:
        spread[commented] += p.retention.conversation_exposure * to_members
    talking = spread > 0
    if not talking.any():
        return None
    return model.word_of_mouth.neighbour_share_sparse(ids[talking], spread[talking])
