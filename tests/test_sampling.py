"""Counter-based common random numbers (sampling.PersonalUniforms) and the samplers by inversion.

Every statistical check here uses fixed keys (the draws are deterministic) and a tolerance of 5
standard errors of the estimate: a correct sampler fails such a check with probability below
1e-6, while a sampler off by a few percent in mean or variance fails it at these sample sizes.
"""

import numpy as np
import pytest
from scipy import stats

from communitysim.sampling import (
    INVERSION_MAX_MEAN,
    PersonalUniforms,
    binomial_from_uniforms,
    poisson_from_uniforms,
    step_generator,
)

N = 200_000  # draws per distribution checked
TOLERANCE_SE = 5.0


def _uniforms(*labels, n=N):
    return PersonalUniforms(20260601).child(*labels).of(np.arange(n))


def test_uniforms_are_uniform_and_uncorrelated_across_people_and_steps():
    u = _uniforms("engagement", 3, "views")
    assert ((u >= 0) & (u < 1)).all()
    # mean 1/2 and variance 1/12, within 5 standard errors (SE of the mean: sqrt(1/12 / N))
    assert abs(u.mean() - 0.5) < TOLERANCE_SE * np.sqrt(1 / 12 / N)
    assert abs(u.var() - 1 / 12) < TOLERANCE_SE * np.sqrt(1 / 180 / N)  # Var of (U - 1/2)^2 is 1/180
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # neighbouring ids, the next step and another decision: correlations within 5 SE (1 / sqrt(N))
    next_step = _uniforms("engagement", 4, "views")
    other_decision = _uniforms("engagement", 3, "engaged")
    for a, b in ((u[:-1], u[1:]), (u, next_step), (u, other_decision)):
        assert abs(np.corrcoef(a, b)[0, 1]) < TOLERANCE_SE / np.sqrt(a.size)


def test_a_persons_uniform_does_not_depend_on_who_else_is_drawn():
    draws = PersonalUniforms(7).child("engagement", 12, "views")
    everyone = draws.of(np.arange(10_000))
    rng = np.random.default_rng(3)
    some = np.sort(rng.choice(10_000, size=300, replace=False))
    shuffled = rng.permutation(some)
    np.testing.assert_array_equal(draws.of(some), everyone[some])
    np.testing.assert_array_equal(draws.of(shuffled), everyone[shuffled])
    # a new person added at the end leaves the others' draws as they were
    np.testing.assert_array_equal(draws.of(np.arange(10_001))[:10_000], everyone)
    # and the counts drawn from them, too: a person's count depends on their rate and uniform only
    rate = rng.uniform(0, 3, 10_000)
    counts = poisson_from_uniforms(rate, everyone)
    np.testing.assert_array_equal(poisson_from_uniforms(rate[some], draws.of(some)), counts[some])


def test_another_run_key_gives_other_numbers():
    a = PersonalUniforms(1).child("engagement", 0, "views").of(np.arange(1000))
    b = PersonalUniforms(2).child("engagement", 0, "views").of(np.arange(1000))
    assert not np.isclose(a, b).any()


@pytest.mark.parametrize("rate", [0.02, 0.7, 3.0, 12.0, 28.0, 45.0, 400.0])
def test_poisson_by_inversion_has_the_poisson_mean_and_variance(rate):
    counts = poisson_from_uniforms(np.full(N, rate), _uniforms("poisson", int(rate * 100)))
    se_mean = np.sqrt(rate / N)
    se_var = np.sqrt((rate + 2 * rate**2) / N)  # Var of the sample variance: (mu4 - sigma^4) / N
    assert abs(counts.mean() - rate) < TOLERANCE_SE * se_mean
    assert abs(counts.var() - rate) < TOLERANCE_SE * se_var


@pytest.mark.parametrize(
    ("n", "p"), [(1, 0.3), (5, 0.05), (40, 0.2), (12, 0.5), (7, 0.8), (30, 0.97), (500, 0.3), (3, 1.0), (4, 0.0)]
)
def test_binomial_by_inversion_has_the_binomial_mean_and_variance(n, p):
    counts = binomial_from_uniforms(np.full(N, n), p, _uniforms("binomial", n, int(p * 1000)))
    assert ((counts >= 0) & (counts <= n)).all()
    mean, var = n * p, n * p * (1 - p)
    if var == 0:
        assert (counts == mean).all()
        return
    mu4 = var * (1 + 3 * (n - 2) * p * (1 - p))  # fourth central moment of the binomial
    assert abs(counts.mean() - mean) < TOLERANCE_SE * np.sqrt(var / N)
    assert abs(counts.var() - var) < TOLERANCE_SE * np.sqrt((mu4 - var**2) / N)


def test_inversion_agrees_with_scipys_inverse_cdf():
    # the sequential search is the exact inverse CDF: it matches scipy's ppf on the same uniforms
    # (mixed rates and sizes, both sides of p = 1/2 and of INVERSION_MAX_MEAN)
    rng = np.random.default_rng(11)
    u = _uniforms("exact", n=50_000)
    rate = rng.uniform(0, 2 * INVERSION_MAX_MEAN, u.size)
    np.testing.assert_array_equal(poisson_from_uniforms(rate, u), stats.poisson.ppf(u, rate))
    n = rng.integers(0, 80, u.size)
    p = rng.uniform(0, 1, u.size)
    np.testing.assert_array_equal(binomial_from_uniforms(n, p, u), stats.binom.ppf(u, n, p))


def test_a_persons_counts_drawn_in_one_pass_equal_those_drawn_from_their_uniforms():
    # PersonalUniforms.poisson / .binomial hash and search in one compiled pass: the same counts as
    # the uniforms drawn first, including the high means and long searches left to scipy
    rng = np.random.default_rng(12)
    draws = PersonalUniforms(99).child("engagement", 4, "views")
    ids = np.sort(rng.choice(10**7, size=40_000, replace=False))
    u = draws.of(ids)
    rate = rng.exponential(3.0, ids.size) * (rng.random(ids.size) < 0.9)
    rate[:50] = rng.uniform(INVERSION_MAX_MEAN, 3 * INVERSION_MAX_MEAN, 50)
    np.testing.assert_array_equal(draws.poisson(ids, rate), poisson_from_uniforms(rate, u))
    n = rng.integers(0, 120, ids.size)
    for p in (rng.uniform(0, 1, ids.size), 0.3, 0.9):
        np.testing.assert_array_equal(draws.binomial(ids, n, p), binomial_from_uniforms(n, p, u))
    assert draws.poisson(ids[:0], rate[:0]).size == draws.binomial(ids[:0], n[:0], 0.5).size == 0


def test_counts_are_monotone_in_the_rate_so_a_lever_changes_only_the_counts_it_must():
    u = _uniforms("monotone", n=20_000)
    low = poisson_from_uniforms(np.full(u.size, 0.5), u)
    high = poisson_from_uniforms(np.full(u.size, 0.6), u)
    assert (high >= low).all()
    # raising the rate by 20% changes few people's count: P(count differs) is about 5% here
    assert 0.02 < (high != low).mean() < 0.1
    four = np.full(u.size, 4)
    assert (binomial_from_uniforms(four, 0.6, u) >= binomial_from_uniforms(four, 0.4, u)).all()


def test_step_generators_are_their_own_per_stream_and_step():
    first = step_generator(5, "content", 10).random(3)
    np.testing.assert_array_equal(first, step_generator(5, "content", 10).random(3))
    assert not np.isclose(first, step_generator(5, "content", 11).random(3)).any()
    assert not np.isclose(first, step_generator(5, "crisis", 10).random(3)).any()


def test_the_package_loads_numba_only_when_a_draw_needs_it():
    # numba's import and cached loops cost about 0.45 s of CPU: importing the package (the CLI's help,
    # the notebooks' widgets) does not pay it; the first draw, or load_compiled, does
    import subprocess
    import sys

    code = (
        "import sys, communitysim\n"
        "assert 'numba' not in sys.modules, 'numba loaded on import'\n"
        "from communitysim.sampling import load_compiled\n"
        "assert load_compiled() > 0 and 'numba' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
