"""Backtests: does the calibration's forecast band hold what happened next?

1. Synthetic established pages (``tests/test_calibration_established.established_page``: 20k-200k
   followers, slowly bending growth, counts on 2-5 random days a week, gaps of 1-3 weeks, noise and
   small drops), ``--seeds`` of them: fitted on the first 75% of the dates, the 95% band of
   ``growth_band`` on the rest; final-count error, MAPE, held-out dates inside the band.
2. Bass's (1969) yearly sales (``examples/bass1969``): the same backtest.

Prints one line per page and the totals, with the CPU time.
Run: ``.venv/bin/python benchmarks/bench_backtest.py [--seeds 20] [--bootstrap 200]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from communitysim.calibration import backtest, read_export

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_calibration_established import established_page  # noqa: E402


def main() -> int:
    """Run both parts and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="synthetic pages (default 20)")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap fits per page (default 200)")
    args = parser.parse_args()
    start = time.process_time()
    inside, errors = 0, []
    for seed in range(args.seeds):
        check = backtest(established_page(seed), 0.25, bootstrap=args.bootstrap, seed=1)
        inside += bool(check.inside[-1])
        errors.append(abs(check.final_error))
        print(f"page {seed}: final error {check.final_error:+.1%}, MAPE {check.mape:.1%}, "
              f"{check.inside.mean():.0%} of held-out dates inside, last {'inside' if check.inside[-1] else 'OUTSIDE'}",
              flush=True)  # fmt: skip
    cpu = time.process_time() - start
    print(f"established pages: final count inside the 95% band for {inside} of {args.seeds}; absolute error "
          f"median {np.median(errors):.1%}, worst {max(errors):.1%}; {cpu:.0f} s CPU")  # fmt: skip
    for path in sorted((ROOT / "examples" / "bass1969").glob("*.csv")):
        export = read_export(path, {"followers": "Cumulative sales (thousands)"})
        print(f"{path.stem}: {backtest(export, 0.25, bootstrap=args.bootstrap, seed=1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
