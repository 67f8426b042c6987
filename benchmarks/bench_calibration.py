"""Calibration: recovery, interval coverage and time, on pages simulated with known parameters.

1. Engagement decay and posting response: pages of 150 days posting a Poisson number of posts a
   day at evenly spread hours, 3, then 10, then 5 a week, simulated with a post half-life and an
   appetite in (3.2 h, 1/day), (12 h, 0.5/day), (1.3 h, 3/day), ``--seeds`` seeds each; the
   fitted half-life and appetite, their 95% intervals, whether they cover the truth.
2. The share of p that posting brings: slow word-of-mouth pages (p 0.003, q 0.01, 20,000 people,
   180 days, 3 then 12 then 5 posts a week) with shares 0.1, 0.5, 0.9.
3. ``communitysim calibrate examples/page_export.csv`` in-process: seconds.

Prints one line per page and the totals.
Run: ``.venv/bin/python benchmarks/bench_calibration.py [--seeds 6]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import communitysim as cs
from communitysim.calibration import Export, bass_curve, export_of_run, fit_engagement, fit_growth
from communitysim.calibration.engagement import _calendar
from communitysim.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]


def engagement_page(half_life: float, appetite: float, seed: int, days: int = 150) -> Export:
    """A page simulated with a known post half-life and appetite."""
    rng = np.random.default_rng(seed)
    posts = rng.poisson(np.repeat([3, 10, 5], days // 3 + 1)[: days + 1] / 7)
    posts[0] = 0
    t = np.arange(days + 1)
    fields = fit_growth(pd.DataFrame({"day": t, "followers": bass_curve(t, 0.003, 0.05, 6000, 100)}),
                        bootstrap=0).to_scenario()  # fmt: skip
    fields.update(days=days, feed={"organic_reach_share": 0.2, "appetite_posts_per_day": appetite})
    fields["seeding"]["size"] = 100
    fields["engagement"].update(per_view=0.05, post_half_life_hours=half_life)
    fields["strategy"].update(schedule="calendar", calendar_days=_calendar(posts.astype(float)), posts_per_week=3)
    return export_of_run(cs.run(fields, seed=seed).timeseries)


def visibility_page(share: float, seed: int, days: int = 180) -> pd.DataFrame:
    """A slow word-of-mouth page whose posting brings ``share`` of its p."""
    rng = np.random.default_rng(seed)
    calendar = []
    for day in range(days):
        calendar.extend(day + rng.random(rng.poisson((3, 12, 5)[day * 3 // days] / 7)))
    overrides = {"audience.size": 20_000, "days": days, "step_hours": 24, "growth.external_rate_per_day": 0.003,
                 "growth.word_of_mouth_rate_per_day": 0.01, "strategy.schedule": "calendar",
                 "strategy.calendar_days": calendar, "strategy.posts_per_week": 3,
                 "feed.visibility_from_posts_share": share, "seeding.strategy": "random",
                 "seeding.size": 20}  # fmt: skip
    ts = cs.run(ROOT / "scenarios" / "bass_validation.yaml", seed=seed, overrides=overrides).timeseries.iloc[1:]
    return pd.DataFrame({"day": np.arange(len(ts)), "followers": ts["members"].to_numpy(),
                         "posts": ts["posts"].to_numpy()})  # fmt: skip


def main() -> int:
    """Run the three parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6, help="seeds per truth (default 6)")
    seeds = range(1, parser.parse_args().seeds + 1)
    covered = total = 0
    errors = {"half-life": [], "appetite": []}
    for half_life, appetite in ((3.2, 1.0), (12.0, 0.5), (1.3, 3.0)):
        for seed in seeds:
            page = engagement_page(half_life, appetite, seed)
            start = time.perf_counter()
            fit = fit_engagement(page, fit_growth(page, bootstrap=0), bootstrap=100)
            seconds = time.perf_counter() - start
            line = []
            for name, truth, value in (("post_half_life_hours", half_life, fit.post_half_life_hours),
                                       ("appetite_posts_per_day", appetite, fit.appetite_posts_per_day)):  # fmt: skip
                low, high = fit.intervals[name]
                covered += low <= truth <= high
                total += 1
                line.append(f"{name} {value:.3g} (truth {truth:g}, 95% {low:.3g}-{high:.3g})")
            errors["half-life"].append(abs(fit.post_half_life_hours / half_life - 1))
            errors["appetite"].append(max(fit.appetite_posts_per_day / appetite, appetite / fit.appetite_posts_per_day))
            print(f"seed {seed}: " + "; ".join(line) + f"; {seconds:.1f} s", flush=True)
    print(f"decay and response: {covered} of {total} intervals cover the truth; half-life within "
          f"{max(errors['half-life']):.0%}; appetite within a factor {max(errors['appetite']):.2f} "
          f"(median {np.median(errors['appetite']):.2f})")  # fmt: skip
    covered = total = 0
    worst = 0.0
    for share in (0.1, 0.5, 0.9):
        for seed in seeds:
            fit = fit_growth(visibility_page(share, seed), bootstrap=100)
            low, high = fit.intervals["visibility_share"]
            covered += low <= share <= high
            total += 1
            worst = max(worst, abs(fit.visibility_share - share))
            print(f"share {share}: seed {seed}: {fit.visibility_share:.2f} (95% {low:.2f}-{high:.2f})", flush=True)
    print(f"visibility share: within {worst:.2f}; {covered} of {total} intervals cover the truth")
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        cli(["calibrate", str(ROOT / "examples" / "page_export.csv"), "--out", str(Path(folder) / "page.yaml")])
        seconds = time.perf_counter() - start
    print(f"communitysim calibrate examples/page_export.csv: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
