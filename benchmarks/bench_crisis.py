"""Crisis benchmark: an hourly crisis run of 10^5 members over 14 days.

Prints the cost per person-step of the hourly crisis run (every mechanism on, the bad buzz
spreading, then the counterfactual twin that ``members_lost`` needs), against, in the same
process: the same scenario without a crisis at daily steps (the core model), and the naive
per-agent Mesa reference of the growth rule (``benchmarks/naive_mesa.py``) for a few steps.

Run: ``.venv/bin/python benchmarks/bench_crisis.py [--n 1e5] [--reference-steps 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import communitysim as cs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from naive_mesa import NaiveBassModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "crisis_offensive_post.yaml"


def overrides(n: int, with_crisis: bool) -> dict:
    """The offensive-post crisis on n people over 14 days, hourly from day 1 to the end."""
    base = {
        "audience.size": n,
        "seeding.size": n // 2,
        "days": 14,
        "objectives": [],
        "crisis_dynamics.window_days": 14,
        "crises.0.start_day": 1.0,
        "crises.0.response.strategy": "apologize",
    }
    if not with_crisis:
        base["crises"] = []
    return base


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e5, help="audience size (default 1e5)")
    parser.add_argument("--reference-steps", type=int, default=3, help="steps of the naive reference (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each case; medians are printed (default 3)")
    args = parser.parse_args()
    n = int(args.n)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")

    def median_of(run) -> tuple[float, list[float]]:
        times = [run() for _ in range(args.repeats)]
        return float(np.median(times)), times

    holder = {}

    def crisis_run() -> float:
        model = cs.CommunityModel(SCENARIO, seed=1, overrides=overrides(n, True))
        t0 = time.perf_counter()
        while model.day < model.params.days - 1e-9:
            model.step()
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        holder["result"] = model.result()  # brings the counterfactual twin up to date
        holder["twin"] = time.perf_counter() - t1
        holder["steps"] = model.steps
        return elapsed

    crisis_s, crisis_times = median_of(crisis_run)
    steps, result = holder["steps"], holder["result"]
    crisis_ns = crisis_s / (n * steps) * 1e9
    print(f"\n1. hourly crisis run: {n:,} people, 14 days, {steps} steps (hourly from day 1), median of {args.repeats}")
    runs = ", ".join(f"{t:.2f}" for t in crisis_times)
    print(
        f"   steps {crisis_s:.2f} s = {crisis_ns:.0f} ns per person-step (runs {runs} s); twin {holder['twin']:.2f} s"
    )
    print(
        f"   peak negative share {result.kpis['peak_negative_share']:.2f}, "
        f"negative reach {result.kpis['negative_reach']:,.0f}, members lost {result.kpis['members_lost']:.0f}"
    )

    def calm_run() -> float:
        calm = cs.CommunityModel(SCENARIO, seed=1, overrides={**overrides(n, False), "crisis_dynamics.window_days": 1})
        t0 = time.perf_counter()
        calm.run()
        holder["calm_steps"] = calm.steps
        return time.perf_counter() - t0

    calm_s, _ = median_of(calm_run)
    calm_ns = calm_s / (n * holder["calm_steps"]) * 1e9
    target_ns = 60.0 / (1e6 * 365) * 1e9  # the full model's target: 10^6 people x 365 days in 60 s
    print(f"   core model's per-person-step target (10^6 x 365 daily steps in 60 s): {target_ns:.0f} ns")
    print(f"\n2. the core model on the same audience, no crisis, daily steps: {calm_ns:.0f} ns per person-step")
    print(f"   hourly crisis / daily calm, per person-step: {crisis_ns / calm_ns:.2f}x")

    def naive_run() -> float:
        naive = NaiveBassModel(n, p=0.005, q=0.1, dt_days=1 / 24, seed=1)
        t0 = time.perf_counter()
        for _ in range(args.reference_steps):
            naive.step()
        return time.perf_counter() - t0

    naive_s, _ = median_of(naive_run)
    naive_ns = naive_s / (n * args.reference_steps) * 1e9
    print(
        f"\n3. naive per-agent Mesa growth rule, {args.reference_steps} hourly steps: {naive_ns:.0f} ns per agent-step"
    )
    print(f"   naive growth rule / hourly crisis run with every mechanism: {naive_ns / crisis_ns:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
