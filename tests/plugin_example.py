"""A user's plug-ins in their own module, as a sweep's workers import them (tests/test_sweeps.py)."""

import numpy as np

from communitysim.mechanisms.seeding import Invitation


def first_ids(model, size, rng):
    """Invite the people with the smallest ids (a seeding strategy)."""
    return Invitation(np.arange(size))


def mondays(strategy, start, end, rng):
    """One event post on each day that is a multiple of 7 (a posting schedule)."""
    return [(float(day), "event") for day in range(int(np.ceil(start)), int(np.ceil(end))) if day % 7 == 0]
