"""First members and launch readiness (seed 001: II and III.1; seed 002).

**Who is invited** (``seeding.strategy``), a plain callable ``(model, size, rng) -> Invitation``
in the ``STRATEGIES`` registry:

- ``close_circle``: the founder's friends and colleagues, ring by ring around one person of the
  audience; they like the brand (``seeding.close_circle_affinity``) and are more active in it
  (``seeding.close_circle_activity_factor``). Their activity sets the community's norm.
- ``influencers``: the most connected people (degree; ties broken at random).
- ``random``: anyone; ``none``: nobody.

**When**: once ``seeding.invite_after_posts`` brand posts are published, or on
``seeding.invite_on_day`` when it is set (whatever the posts: the posting lab fixes the day so that
a change of rhythm does not also move the launch). Each invited person joins
with probability ``seeding.acceptance_share x readiness``; those who accept take the strategy's
affinity and activity; those who decline keep a poor first impression (their affinity is
multiplied by ``launch.declined_affinity_factor``).

**Launch readiness**: ``readiness = u + (1 - u) x min(1, posts / launch.posts_ready)`` with
``u = launch.unready_conversion_share``; it scales both the invitations' acceptance and every
join hazard (an empty page converts fewer visitors). Inviting early wastes the first members.

Example:
    >>> readiness(0, LaunchParams(posts_ready=6, unready_conversion_share=0.3))
    0.3
    >>> readiness(6, LaunchParams(posts_ready=6, unready_conversion_share=0.3))
    1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from pydantic import field_validator

from communitysim.params import Params, known_name, param
from communitysim.plugins import Registry
from communitysim.population import MAX_AUDIENCE

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.model import CommunityModel

__all__ = [
    "SeedingParams",
    "LaunchParams",
    "Invitation",
    "STRATEGIES",
    "register_strategy",
    "readiness",
    "close_circle",
    "influencers",
    "random_people",
    "no_one",
    "answers",
    "update_readiness",
    "invite_first_members",
]


class SeedingParams(Params):
    """The first members: who they are, and when they are invited."""

    strategy: str = param(
        "close_circle",
        "who is invited first: close_circle, influencers, random, none (or a registered name)",
        "name",
        "seed 001 III.1",
    )
    size: int = param(20, "number of people invited as first members", "people", ge=0, le=MAX_AUDIENCE)
    acceptance_share: float = param(
        0.8, "share of invited people who join when the page is ready", "share 0..1", ge=0, le=1
    )
    invite_after_posts: int = param(
        6, "brand posts published before the first members are invited", "posts", "seed 001 II", ge=0, le=10_000
    )
    invite_on_day: float | None = param(
        None,
        "day the first members are invited whatever the posts published (none: after invite_after_posts posts)",
        "day",
        ge=0,
        le=100_000,
    )
    close_circle_affinity: float = param(
        0.9,
        "affinity of close-circle first members (friends and colleagues of the founder)",
        "share 0..1",
        "seed 001 III.1",
        ge=0,
        le=1,
    )
    close_circle_activity_factor: float = param(
        3.0, "how much more active close-circle first members are than they would otherwise be", "x", ge=1, le=100
    )

    @field_validator("strategy")
    @classmethod
    def _known_strategy(cls, value: str) -> str:
        return known_name(value, STRATEGIES, "scenario.error.strategy")


class LaunchParams(Params):
    """Launch readiness: a page is stocked before it is opened (seed 001, II)."""

    posts_ready: int = param(
        6, "posts after which the page looks ready to visitors", "posts", "seed 001 II", ge=0, le=10_000
    )
    unready_conversion_share: float = param(
        0.2,
        "conversion of an empty page relative to a ready one (joins and invitations)",
        "share 0..1",
        "seed 001 II",
        ge=0,
        le=1,
    )
    declined_affinity_factor: float = param(
        0.5,
        "affinity kept by an invited person who declined (a poor first impression)",
        "x",
        "seed 001 II",
        ge=0,
        le=1,
    )


@dataclass
class Invitation:
    """The people a seeding strategy invites and what they bring.

    Attributes:
        ids: person ids invited (non-members).
        affinity: their affinity for the brand once invited (None: unchanged).
        activity_factor: multiplier on their activity inside the community.
    """

    ids: np.ndarray
    affinity: float | None = None
    activity_factor: float = 1.0


SeedingStrategy = Callable[["CommunityModel", int, np.random.Generator], Invitation]


def readiness(posts_published: int, launch: LaunchParams) -> float:
    """Conversion factor 0..1 of a page with ``posts_published`` posts."""
    if launch.posts_ready == 0:
        return 1.0
    filled = min(1.0, posts_published / launch.posts_ready)
    return launch.unready_conversion_share + (1.0 - launch.unready_conversion_share) * filled


def _candidates(model: CommunityModel) -> np.ndarray:
    return np.flatnonzero(model.population.state == 0)


def close_circle(model: CommunityModel, size: int, rng: np.random.Generator) -> Invitation:
    """The founder's circle: breadth-first rings of contacts around one person, taken in random order."""
    net = model.network
    seeding = model.params.seeding
    candidates = _candidates(model)
    if net.adjacency is None or candidates.size == 0:
        ids = rng.permutation(candidates)[:size]
    else:
        adj = net.adjacency
        free = np.zeros(net.n, dtype=bool)
        free[candidates] = True
        founder = int(rng.integers(net.n))
        free[founder] = False  # the founder runs the page; the circle is around them
        frontier = np.array([founder])
        chosen: list[np.ndarray] = []
        taken = 0
        seen = np.zeros(net.n, dtype=bool)
        seen[founder] = True
        while taken < size and frontier.size:
            ring = np.unique(adj[frontier].indices)
            ring = ring[~seen[ring]]
            seen[ring] = True
            frontier = ring
            ring = rng.permutation(ring[free[ring]])
            chosen.append(ring[: size - taken])
            taken += chosen[-1].size
        ids = np.concatenate(chosen) if chosen else np.array([], dtype=np.int64)
    return Invitation(ids, seeding.close_circle_affinity, seeding.close_circle_activity_factor)


def influencers(model: CommunityModel, size: int, rng: np.random.Generator) -> Invitation:
    """The most connected people of the audience (ties broken at random)."""
    candidates = _candidates(model)
    degree = model.network.degree[candidates]
    order = np.lexsort((rng.random(candidates.size), -degree))
    return Invitation(candidates[order[:size]])


def random_people(model: CommunityModel, size: int, rng: np.random.Generator) -> Invitation:
    """People drawn uniformly from the audience."""
    candidates = _candidates(model)
    return Invitation(rng.choice(candidates, size=min(size, candidates.size), replace=False))


def no_one(model: CommunityModel, size: int, rng: np.random.Generator) -> Invitation:
    """No first members: the community grows from external visibility alone."""
    return Invitation(np.array([], dtype=np.int64))


#: Seeding strategies by name; YAML and ``--set seeding.strategy=`` name them (or give an import path
#: ``package.module:function``, which every sweep worker imports too).
STRATEGIES: Registry = Registry(
    "seeding.strategy",
    {"close_circle": close_circle, "influencers": influencers, "random": random_people, "none": no_one},
)


def register_strategy(name: str, strategy: SeedingStrategy | str) -> None:
    """Add a seeding strategy under ``name`` (then usable as ``seeding.strategy: name``).

    ``strategy`` is a callable or its import path (``"mypkg.module:function"``); either way a sweep's
    worker processes and Dask workers get it, as long as it can be imported there (a function in a
    module, not a lambda or a notebook's function).

    Example:
        >>> register_strategy("nobody_at_all", no_one)
        >>> "nobody_at_all" in STRATEGIES
        True
    """
    STRATEGIES.register(name, strategy)


def answers(
    invitation: Invitation,
    acceptance_share: float,
    page_readiness: float,
    rng: np.random.Generator,
    uniforms: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The invited people who accept, and those who decline (each accepts with ``share x readiness``).

    ``uniforms``: each person's own uniform draw, indexed by id (common random numbers: a person
    invited by two strategies answers alike); without it, fresh draws from ``rng``.
    """
    draws = rng.random(invitation.ids.size) if uniforms is None else uniforms[invitation.ids]
    accept = draws < acceptance_share * page_readiness
    return invitation.ids[accept], invitation.ids[~accept]


# --- the steps over the model's arrays (model.STEP) -----------------------------------------------


def update_readiness(model: CommunityModel) -> None:
    """Launch readiness: the page's conversion factor from the posts published so far."""
    model.readiness = readiness(model.community_manager.posts_published, model.params.launch)


def invite_first_members(model: CommunityModel) -> None:
    """First members: once ``seeding.invite_after_posts`` posts are up, the seeding strategy invites people (once).

    On ``seeding.invite_on_day`` instead, when the scenario sets it (whatever the posts).

    Those who accept join at once (``model.admit``); those who decline think less of the brand:
    their affinity is multiplied by ``launch.declined_affinity_factor``.
    """
    p = model.params
    if model.invited_day is not None:
        return
    if p.seeding.invite_on_day is None:
        due = model.community_manager.posts_published >= p.seeding.invite_after_posts
    else:
        due = model.day >= p.seeding.invite_on_day - 1e-9
    if not due:
        return
    pop = model.population
    model.invited_day = model.day
    rng = model.streams["seeding"]
    invitation = STRATEGIES[p.seeding.strategy](model, p.seeding.size, rng)
    accepted, declined = answers(invitation, p.seeding.acceptance_share, model.readiness, rng, model.acceptance_draws)
    pop.invited[invitation.ids] = True
    if invitation.affinity is not None:
        pop.affinity[accepted] = invitation.affinity
    pop.affinity[declined] *= p.launch.declined_affinity_factor
    at_start = p.seeding.invite_after_posts == 0 if p.seeding.invite_on_day is None else p.seeding.invite_on_day == 0
    model.admit(accepted, invitation.activity_factor, base=at_start)
