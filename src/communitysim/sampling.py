"""Common random numbers: each person's own randomness, so paired runs differ only where a lever acts.

**One-off events** (joining, leaving): ``EventClocks``, a fixed exponential threshold per person
against the hazard integrated over the steps.

**Common random numbers for repeated decisions** (engagement, talk, replies, leads): a person's
uniform for a decision at a step is a hash of (run key, stream, step, decision, person id)
(``PersonalUniforms``), not the next number of a shared generator; so it does not depend on who
else is drawn, nor on how many numbers were drawn before. Counts are drawn from those uniforms by
inversion (``poisson_from_uniforms``, ``binomial_from_uniforms``): one uniform per decision per
person per step, whatever the count. Two runs on one seed then differ only where a lever changed
someone's decision, not everywhere after the first change (Starsim's common random numbers).
``step_generator`` gives the draws that are not per person (posting's content types, a crisis's
first wave) a generator of their own per step, so a change at one step cannot shift later steps.

Example:
    >>> import numpy as np
    >>> u = PersonalUniforms(1).child("engagement", 3, "views").of(np.arange(4))
    >>> poisson_from_uniforms(np.array([0.0, 0.0, 50.0, 0.0]), u).tolist()[2] > 20
    True
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "EventClocks",
    "PersonalUniforms",
    "step_generator",
    "LazyGenerator",
    "poisson_from_uniforms",
    "binomial_from_uniforms",
    "INVERSION_MAX_MEAN",
    "load_compiled",
]


class EventClocks:
    """Each person's own clock for a one-off event (joining, leaving): common random numbers.

    Person ``i`` draws once a threshold ``T_i ~ Exponential(1)``; the event happens in the first
    step at which the hazard integrated since the clock started, ``sum of h_i x dt``, reaches
    ``T_i``. Given no event so far, the chance of one in a step is ``1 - exp(-h_i dt)``, as with a
    fresh draw each step; but the randomness belongs to the person, not to the order of the draws,
    so two runs on one seed that differ by a lever differ only where the lever changed someone's
    hazard (Starsim's common random numbers).

    ``remaining`` holds what is left of each threshold; the join and churn steps run the clocks in
    their compiled loops (``mechanisms.growth_kernel``, ``mechanisms.churn_kernel``): ``remaining -=
    h x dt``, and the event fires when nothing is left (``remaining <= 0``).

    Example:
        >>> import numpy as np
        >>> EventClocks(3, np.random.default_rng(1)).remaining.shape
        (3,)
    """

    def __init__(self, n: int, rng: np.random.Generator):
        self.remaining = rng.standard_exponential(n)  # what is left of each person's threshold


# --- common random numbers by hashing: a person's uniform at a step, whoever else is drawn ------------

_MASK_64 = (1 << 64) - 1


def _mix_int(x: int) -> int:
    """SplitMix64's finaliser on one Python int (mod 2^64): used to combine keys."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK_64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK_64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK_64
    return x ^ (x >> 31)


def _label(label: int | str) -> int:
    """A key part: an int as it is, a name by its CRC-32."""
    return zlib.crc32(label.encode()) if isinstance(label, str) else int(label) & _MASK_64


_MIXED_NAMES: dict[str, int] = {}  # a name's mixed key part, computed once (names are few: streams, decisions)


def _mixed_label(label: int | str) -> int:
    """``_mix_int(_label(label))``, kept for names."""
    if isinstance(label, str):
        mixed = _MIXED_NAMES.get(label)
        if mixed is None:
            mixed = _MIXED_NAMES[label] = _mix_int(_label(label))
        return mixed
    return _mix_int(_label(label))


@dataclass(frozen=True)
class PersonalUniforms:
    """Uniforms in [0, 1) keyed by (run key, labels..., person id): counter-based random numbers.

    ``PersonalUniforms(run_key).child("engagement", step, "views").of(ids)`` gives each id its own
    uniform for that stream, step and decision; person ``i``'s number does not depend on the other
    ids asked for, on their order, or on anything drawn before. The generator is SplitMix64's
    finaliser (Steele, Lea and Flood 2014) applied to ``key + (id + 1) x golden``, the
    construction of SplitMix64 itself; the key of each (stream, step, decision) is the same
    finaliser chained over the labels. SplitMix64 passes BigCrush as a sequence; keyed this way,
    nearby keys and ids give uncorrelated outputs (its avalanche); 53 bits make each uniform.
    Chosen over a cryptographic counter generator (Philox, Threefry) for speed: about ten uint64
    operations per number, in one compiled loop (``inversion``), which also draws the counts
    (``poisson``, ``binomial``) without keeping the uniforms. Good enough for a simulation, not for
    security.

    Example:
        >>> import numpy as np
        >>> draws = PersonalUniforms(12345).child("engagement", 7, "views")
        >>> u = draws.of(np.array([3, 10, 42]))
        >>> bool(((u >= 0) & (u < 1)).all()), float(draws.of(np.array([42]))[0]) == float(u[2])
        (True, True)
    """

    key: int

    def child(self, *labels: int | str) -> PersonalUniforms:
        """The uniforms of a sub-stream (a mechanism, a step, a decision): the key mixed with each label."""
        key = self.key
        for label in labels:
            key = _mix_int(key ^ _mixed_label(label))
        return PersonalUniforms(key)

    def of(self, ids: np.ndarray) -> np.ndarray:
        """One uniform in [0, 1) per id (ids are non-negative integers), in the ids' order."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)  # (id + 1) x golden + key, as id x golden + (golden + key)
        return _compiled().uniforms(ids.ravel(), _offset(self.key)).reshape(ids.shape)

    def poisson(self, ids: np.ndarray, rate: np.ndarray) -> np.ndarray:
        """``poisson_from_uniforms(rate, self.of(ids))`` in one compiled pass (the uniforms not kept)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        rate = np.ascontiguousarray(rate, dtype=float)
        counts = _compiled().poisson_keyed(ids, rate, _offset(self.key), INVERSION_MAX_MEAN, INVERSION_MAX_SEARCH)
        if counts.size and counts.min() < 0:
            return _finish_poisson(counts, rate, self.of(ids))
        return counts

    def binomial(self, ids: np.ndarray, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
        """``binomial_from_uniforms(n, p, self.of(ids))`` in one compiled pass (``p``: one chance or one per id)."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        n = np.ascontiguousarray(n, dtype=np.int64)
        p = np.ascontiguousarray(p, dtype=float).ravel()
        counts = _compiled().binomial_keyed(ids, n, p, _offset(self.key), INVERSION_MAX_MEAN)
        if counts.size and counts.min() < 0:
            return _finish_binomial(counts, n, p, self.of(ids))
        return counts


def step_generator(run_key: int, stream: str, step: int, index: int = 0) -> np.random.Generator:
    """A generator of its own for ``stream`` at ``step``: draws that are not per person stay on their step.

    ``index`` tells apart several uses of one stream within a step (a crisis's waves).

    Example:
        >>> a = step_generator(1, "content", 5).random()
        >>> a == step_generator(1, "content", 5).random(), a == step_generator(1, "content", 6).random()
        (True, False)
    """
    key = (zlib.crc32(stream.encode()), step, index)
    return np.random.default_rng(np.random.SeedSequence(run_key, spawn_key=key))


class LazyGenerator:
    """``step_generator(*args)``, built on first use: a step that draws nothing does not pay for one.

    Building a generator from a seed sequence costs about 50 us, more than many a small step; the
    generator is keyed by its step, so building it late gives the same numbers.

    Example:
        >>> lazy = LazyGenerator(1, "content", 5)
        >>> lazy.random() == step_generator(1, "content", 5).random()
        True
    """

    __slots__ = ("_args", "_generator")

    def __init__(self, *args: int | str):
        self._args = args
        self._generator: np.random.Generator | None = None

    def __getattr__(self, name: str):
        if self._generator is None:
            self._generator = step_generator(*self._args)
        return getattr(self._generator, name)


#: Above this mean, counts are drawn by scipy's inverse CDF (``ppf``) rather than by sequential search.
INVERSION_MAX_MEAN = 30.0
#: Longest sequential search (terms of the CDF) before scipy finishes: rounding can keep the CDF below u.
INVERSION_MAX_SEARCH = int(4 * INVERSION_MAX_MEAN + 40)


def _compiled():
    """The compiled loops (``communitysim.inversion``), imported on the first draw (numba loads then)."""
    from communitysim import inversion

    return inversion


def load_compiled() -> float:
    """Load the compiled draws now rather than on a process's first draw; return the CPU seconds it took.

    numba's import and the cached loops cost about 0.45 s of CPU once per process (the first run in
    a notebook kernel, a CLI run, a sweep's worker); benchmarks call this before their timers so that
    a run's time is the model's, and print the load apart.
    """
    import time

    start = time.process_time()
    ids = np.arange(2)
    draws = PersonalUniforms(0).child("load")
    draws.of(ids), draws.poisson(ids, np.ones(2)), draws.binomial(ids, ids, 0.5), draws.binomial(ids, ids, np.ones(2))
    poisson_from_uniforms(np.ones(2), np.full(2, 0.5)), binomial_from_uniforms(ids, 0.5, np.full(2, 0.5))
    return time.process_time() - start


def _offset(key: int) -> np.uint64:
    return np.uint64((key + 0x9E3779B97F4A7C15) & _MASK_64)


def _finish_poisson(counts: np.ndarray, rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Counts the compiled search left to scipy (-1: high means, long searches) drawn by its ``ppf``."""
    left = np.flatnonzero(counts < 0)
    if left.size:
        counts[left] = stats.poisson.ppf(u[left], rate[left]).astype(np.int64)
    return counts


def _finish_binomial(counts: np.ndarray, n: np.ndarray, p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """As ``_finish_poisson`` for binomial counts; above ``p = 1/2`` the failures are counted, as in the search."""
    left = np.flatnonzero(counts < 0)
    if left.size:
        nl, ul = n[left], u[left]
        pl = p[left] if p.size > 1 else np.full(left.size, p[0])
        tail = pl > 0.5
        counts[left] = np.where(tail, nl - stats.binom.ppf(1.0 - ul, nl, 1.0 - pl), stats.binom.ppf(ul, nl, pl)).astype(
            np.int64
        )
    return counts


def poisson_from_uniforms(rate: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``Poisson(rate_i)`` counts by inversion of the uniforms ``u_i``: the least ``k`` with ``F(k) >= u``.

    Exact (up to floating-point rounding of the CDF): a sequential search over the CDF from
    ``F(0) = exp(-rate)`` with ``pmf(k) = pmf(k - 1) x rate / k``, compiled (``inversion``); most
    people stop at 0 before any search (``u <= 1 - rate``). Rates above ``INVERSION_MAX_MEAN`` and
    the rare searches that run long go to ``scipy.stats.poisson.ppf``. A larger uniform never gives
    a smaller count, and a higher rate never a smaller one (monotone coupling: a lever that raises
    a rate changes only the counts it has to).

    Example:
        >>> import numpy as np
        >>> poisson_from_uniforms(np.array([2.0, 2.0, 2.0, 0.0]), np.array([0.1, 0.5, 0.99, 0.7])).tolist()
        [0, 2, 6, 0]
    """
    rate = np.ascontiguousarray(rate, dtype=float)
    u = np.ascontiguousarray(u, dtype=float)
    counts = _compiled().poisson(rate.ravel(), u.ravel(), INVERSION_MAX_MEAN, INVERSION_MAX_SEARCH)
    return _finish_poisson(counts, rate.ravel(), u.ravel()).reshape(rate.shape)


def binomial_from_uniforms(n: np.ndarray, p: np.ndarray | float, u: np.ndarray) -> np.ndarray:
    """``Binomial(n_i, p_i)`` counts by inversion of the uniforms ``u_i``: the least ``k`` with ``F(k) >= u``.

    Exact: a sequential search from ``F(0) = (1 - p)^n`` with the ratio of successive terms
    (compiled, ``inversion``). Above ``p = 1/2`` the failures are searched instead
    (``n - Binomial(n, 1 - p)`` at ``1 - u``, the same inversion read from the top), so the search
    stays short; means above ``INVERSION_MAX_MEAN`` go to ``scipy.stats.binom.ppf``. ``p`` is one
    chance for everyone or one per count. Monotone in ``u``, in ``n`` and in ``p``.

    Example:
        >>> import numpy as np
        >>> binomial_from_uniforms(np.array([3, 3, 3, 0]), 0.5, np.array([0.1, 0.5, 0.95, 0.9])).tolist()
        [0, 1, 3, 0]
    """
    n = np.ascontiguousarray(n, dtype=np.int64)
    u = np.ascontiguousarray(u, dtype=float)
    p = np.ascontiguousarray(p, dtype=float).ravel()
    counts = _compiled().binomial(n.ravel(), p, u.ravel(), INVERSION_MAX_MEAN)
    return _finish_binomial(counts, n.ravel(), p, u.ravel()).reshape(n.shape)
