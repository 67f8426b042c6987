"""Notebook feedback benchmark: from a slider change to the new plots and scorecard, in the posting lab.

Times ``PostingLab.run()`` (the model run, the scorecard, the summary, the figure) plus the PNG
rendering the notebook shows, for the lab's default classroom scenario (``classroom_bakery.yaml``:
2,000 people, 180 days) and for the full-year ``bakery_launch.yaml`` (5,000 people, 365 days),
against the 0.3 s budget of a slider feeling instant.

Run: ``.venv/bin/python benchmarks/bench_ui.py [--repeats 7]``
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from communitysim.ui import figure_png
from communitysim.ui.posting_lab import PostingLab

BUDGET_S = 0.3


def measure(lab: PostingLab, repeats: int) -> tuple[list[float], list[float]]:
    """Seconds for run() and for the PNG, over ``repeats`` slider changes."""
    runs, pngs = [], []
    for i in range(repeats):
        lab.posts_per_week.value = 3 + i % 5
        t0 = time.perf_counter()
        lab.run()
        t1 = time.perf_counter()
        figure_png(lab.figure)
        t2 = time.perf_counter()
        runs.append(t1 - t0)
        pngs.append(t2 - t1)
    return runs, pngs


def main() -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    for label, scenario in (
        ("classroom_bakery.yaml (the lab's default: 2,000 people, 180 days)", "classroom_bakery.yaml"),
        ("bakery_launch.yaml (5,000 people, 365 days)", "bakery_launch.yaml"),
    ):
        runs, pngs = measure(PostingLab(scenario=scenario), args.repeats)
        total = np.median(np.array(runs) + np.array(pngs))
        print(
            f"{label}: run {np.median(runs):.3f} s + plot PNG {np.median(pngs):.3f} s = {total:.3f} s "
            f"(median of {args.repeats}; budget {BUDGET_S} s: {total / BUDGET_S:.1f}x of it)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
