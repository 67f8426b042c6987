"""Calibration on the data strategists have: established pages, irregular dates, per-post exports, a backtest.

The synthetic established pages (:func:`established_page`) are what the issue describes from a real
brand page: tens to hundreds of thousands of followers at the start, a few hundred joins a day with
a slowly bending trend, noisy days (joins with a coefficient of variation of 0.3), small drops
(clean-ups of 0.05-0.2% of the followers on 2% of the days), the count read on 2-5 random days a
week with gaps of one to three weeks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Days of an established page's history (one year).
YEAR = 365


def established_page(seed: int, days: int = YEAR) -> pd.DataFrame:
    """An established page's follower counts on the days it was read (``day``, ``followers``), from one seed."""
    rng = np.random.default_rng(seed)
    start = rng.uniform(20_000, 200_000)
    rate = rng.uniform(100, 600) * (1 + rng.uniform(-0.4, 0.4) * np.arange(days) / days)  # slowly bending
    joins = rng.gamma(11.0, rate / 11.0)  # coefficient of variation 0.3
    followers = np.empty(days)
    count = start
    for day in range(days):
        count += joins[day]
        if rng.random() < 0.02:  # a clean-up: a small drop
            count -= rng.uniform(0.0005, 0.002) * count
        followers[day] = count
    week_days = [rng.choice(7, rng.integers(2, 6), replace=False) + 7 * week for week in range(days // 7 + 1)]
    read = np.zeros(days, dtype=bool)
    read[[d for days_ in week_days for d in days_ if d < days]] = True
    read[0] = read[-1] = True
    for _ in range(rng.integers(2, 5)):  # gaps of one to three weeks
        first = rng.integers(10, days - 30)
        read[first : first + rng.integers(7, 22)] = False
    kept = np.flatnonzero(read)
    return pd.DataFrame({"day": kept, "followers": np.round(followers[kept])})
