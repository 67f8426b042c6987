"""Sweep throughput: runs per second for 10^4 people x 180 days on 1 and 2 worker processes.

The same sweep (``classroom_bakery.yaml`` at 10,000 people, 180 daily steps, a grid of 4 posting
rhythms x ``--reps`` replications) runs on the ``serial`` backend (the reference: this process,
no pool), then on the ``processes`` backend with 1 and 2 workers (each pool's start-up included, the
forkserver that preloads the package started beforehand, as in any second sweep of a session). Prints
runs per second, the scaling ratio 2 workers / 1 worker, and checks the three tables are equal.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--reps 8]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

import communitysim as cs

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "classroom_bakery.yaml"
GRID = {"strategy.posts_per_week": [1, 5, 10, 20]}
FIXED = {"audience.size": 10_000, "days": 180, "objectives": []}


def timed(**options) -> tuple[float, cs.SweepTable]:
    """Seconds for one sweep, and its table."""
    start = time.perf_counter()
    table = cs.sweep(SCENARIO, GRID, seed=1, overrides=FIXED, progress=False, **options)
    return time.perf_counter() - start, table


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=8, help="replications per grid point (default 8)")
    args = parser.parse_args()
    runs = len(GRID["strategy.posts_per_week"]) * args.reps
    print(f"command: python {' '.join(sys.argv)}  ({os.cpu_count()} cores)")
    print(f"sweep: 10,000 people x 180 days, {runs} runs")
    reference, serial = timed(replications=args.reps, backend="serial")
    # start the forkserver once (it lives as long as this process), so that both pools start alike
    cs.sweep(SCENARIO, {"days": [1]}, 1, overrides={"objectives": []}, backend="processes", progress=False)
    print(f"serial (reference, this process): {reference:.1f} s, {runs / reference:.2f} runs/s")
    rates = {}
    for workers in (1, 2):
        seconds, table = timed(replications=args.reps, backend="processes", workers=workers)
        pd.testing.assert_frame_equal(table.runs, serial.runs)
        rates[workers] = runs / seconds
        print(
            f"processes, {workers} worker{'s' if workers > 1 else ''}: {seconds:.1f} s, {rates[workers]:.2f} runs/s "
            f"({rates[workers] / (runs / reference):.2f}x the reference)"
        )
    print(f"scaling 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (ideal 2x); the tables are identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
