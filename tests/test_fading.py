"""The lazily decayed member states (``population.FadingState``) read as the eager computation."""

import numpy as np
import pytest

from communitysim.population import FadingState


@pytest.mark.parametrize("baseline", [0.0, 1.0])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fading_state_reads_as_the_eager_decay(baseline, seed):
    """500 steps of random adds, repeated adds, caps and decays, including a fold of the scale.

    Eager: one array decayed in place each step (``E = b + (E - b) x kept``, as the model did before
    issue 20). Tolerance 1e-12 relative: only the rounding of the two orders of operations differs.
    """
    rng = np.random.default_rng(seed)
    n, ceiling = 200, 4.0
    lazy, eager = FadingState(n, baseline=baseline), np.full(n, baseline)
    folded = False
    for _ in range(500):
        kept = 0.5 ** (rng.uniform(0.04, 3.0) / 0.5)  # a short half-life: the scale folds on the way
        lazy.fade(kept)
        eager = baseline + (eager - baseline) * kept
        folded |= lazy._scale == 1.0
        ids = np.unique(rng.integers(0, n, 20))
        amounts = rng.exponential(1.0, ids.size)
        lazy.add(ids, amounts)
        eager[ids] += amounts
        repeated = rng.integers(0, n, 10)
        lazy.add_at(repeated, 0.5)
        np.add.at(eager, repeated, 0.5)
        raised = np.unique(np.concatenate([ids, repeated]))
        lazy.cap(raised, ceiling)
        np.minimum(eager, ceiling, out=eager)  # the eager cap looks at everyone
        np.testing.assert_allclose(lazy[np.arange(n)], eager, rtol=1e-12, atol=1e-300)
        some = np.flatnonzero(rng.random(n) < 0.5)
        assert lazy.mean(some) == pytest.approx(eager[some].mean(), rel=1e-12)
    assert folded
    np.testing.assert_allclose(lazy.values(), eager, rtol=1e-12)
    lazy.clear()
    assert (lazy.values() == baseline).all()


def test_untouched_people_stay_exactly_at_the_baseline():
    state = FadingState(5, baseline=1.0)
    state.add(np.array([1]), np.array([3.0]))
    for _ in range(100):
        state.fade(0.9)
    values = state.values()
    assert values[0] == 1.0 and values[1] > 1.0
