"""Compiled inversion of per-person uniforms into counts (numba): the loops of ``sampling``.

Each person's count is found from their own uniform by a sequential search of the CDF, in one
compiled loop over the people (hash, then search), so a step pays one call per decision rather
than a dozen numpy passes and a loop of them. The arithmetic is the textbook search in a fixed
order (``pmf(k) = pmf(k - 1) x ratio(k)``, ``F(k) = F(k - 1) + pmf(k)``); ``sampling`` documents
the draws. Counts that need more than the sequential search (means above ``max_mean``, searches
longer than ``max_search`` terms: ``sampling.INVERSION_MAX_MEAN``) come back as -1 for scipy.

numba is imported with this module; ``sampling`` imports it on the first draw, so importing the
package does not load a compiler. Kernels are cached on disk (``cache=True``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_UNIT = 2.0**-53


@numba.njit(cache=True, inline="always")
def _uniform(offset: np.uint64, person: np.int64) -> float:
    """SplitMix64's finaliser of ``person x golden + offset`` (offset = key + golden), top 53 bits in [0, 1)."""
    z = np.uint64(person) * _GOLDEN + offset
    z = (z ^ (z >> _S30)) * _MIX_1
    z = (z ^ (z >> _S27)) * _MIX_2
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _UNIT


@numba.njit(cache=True)
def uniforms(ids: np.ndarray, offset: np.uint64) -> np.ndarray:
    """Each id's uniform for the key whose offset is ``offset`` (``sampling.PersonalUniforms.of``)."""
    out = np.empty(ids.size)
    for i in range(ids.size):
        out[i] = _uniform(offset, ids[i])
    return out


@numba.njit(cache=True, inline="always")
def _poisson(rate: float, u: float, max_mean: float, max_search: int) -> np.int64:
    if not u > 1.0 - rate:  # u <= exp(-rate) as exp(-rate) >= 1 - rate: 0 without an exp
        return 0
    if rate > max_mean:
        return -1
    pmf = math.exp(-rate)
    cdf = pmf
    k = 0
    while u > cdf:
        if k >= max_search:
            return -1
        k += 1
        pmf *= rate / k
        cdf += pmf
    return k


@numba.njit(cache=True, inline="always")
def _binomial_low(n: np.int64, p: float, u: float, max_mean: float) -> np.int64:
    """Binomial(n, p) for p <= 1/2 by inversion of u."""
    mean = n * p
    if not u > 1.0 - mean:  # u <= (1 - p)^n as (1 - p)^n >= 1 - n p
        return 0
    if mean > max_mean:
        return -1
    cdf = math.exp(n * math.log1p(-p))
    pmf = cdf
    odds = p / (1.0 - p)
    k = 0
    while u > cdf and n > k:
        pmf *= (n - k) / (k + 1) * odds
        k += 1
        cdf += pmf
    return k


@numba.njit(cache=True, inline="always")
def _binomial(n: np.int64, p: float, u: float, max_mean: float) -> np.int64:
    if n <= 0 or p <= 0.0:
        return 0
    if p > 0.5:  # the failures searched from the top: X = n - Y, Y ~ Binomial(n, 1 - p) at 1 - u
        low = _binomial_low(n, 1.0 - p, 1.0 - u, max_mean)
        return -1 if low < 0 else n - low
    return _binomial_low(n, p, u, max_mean)


@numba.njit(cache=True)
def poisson(rate: np.ndarray, u: np.ndarray, max_mean: float, max_search: int) -> np.ndarray:
    """Poisson counts by inversion of given uniforms (-1: left to scipy)."""
    out = np.empty(rate.size, dtype=np.int64)
    for i in range(rate.size):
        out[i] = _poisson(rate[i], u[i], max_mean, max_search)
    return out


@numba.njit(cache=True)
def poisson_keyed(ids: np.ndarray, rate: np.ndarray, offset: np.uint64, max_mean: float, max_search: int) -> np.ndarray:
    """Poisson counts of ``ids`` at ``rate`` from their own uniforms (offset = key + golden; -1: scipy)."""
    out = np.empty(ids.size, dtype=np.int64)
    for i in range(ids.size):
        out[i] = _poisson(rate[i], _uniform(offset, ids[i]), max_mean, max_search)
    return out


@numba.njit(cache=True)
def binomial(n: np.ndarray, p: np.ndarray, u: np.ndarray, max_mean: float) -> np.ndarray:
    """Binomial counts by inversion of given uniforms (``p``: one value or one per count; -1: left to scipy)."""
    out = np.empty(n.size, dtype=np.int64)
    one = p.size == 1
    for i in range(n.size):
        out[i] = _binomial(n[i], p[0] if one else p[i], u[i], max_mean)
    return out


@numba.njit(cache=True)
def binomial_keyed(ids: np.ndarray, n: np.ndarray, p: np.ndarray, offset: np.uint64, max_mean: float) -> np.ndarray:
    """Binomial counts of ``ids`` (``n`` trials at chance ``p``, one value or one per id) from their own uniforms."""
    out = np.empty(ids.size, dtype=np.int64)
    one = p.size == 1
    for i in range(ids.size):
        out[i] = _binomial(n[i], p[0] if one else p[i], _uniform(offset, ids[i]), max_mean)
    return out
