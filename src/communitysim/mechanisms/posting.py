"""The community manager's publishing cadence (content types and their effects come with issue 3).

Posts are published at a steady ``strategy.posts_per_week``; the count published by the end of a
step is ``floor(posts_per_week x day / 7)``, so the cadence is the same at any step length.

Example:
    >>> posts_published_by(posts_per_week=7, day=3.0)
    3
"""

from __future__ import annotations

import math

__all__ = ["posts_published_by", "posts_due"]


def posts_published_by(posts_per_week: float, day: float) -> int:
    """Number of brand posts published from day 0 up to ``day`` (days)."""
    return math.floor(posts_per_week * day / 7.0 + 1e-9)


def posts_due(posts_per_week: float, day_start: float, day_end: float) -> int:
    """Number of brand posts published during a step from ``day_start`` to ``day_end``."""
    return posts_published_by(posts_per_week, day_end) - posts_published_by(posts_per_week, day_start)
