"""Engagement benchmark: the whole model (every mechanism on) at scale, and the notebook slider budget.

Prints, for the record in README:

1. 10^6 members x 365 daily steps with every mechanism on (``bakery_launch.yaml`` on 10^6 people,
   half of them members from day 0 so that the engagement mechanisms work on a big community):
   build and run time, peak memory (``ru_maxrss`` of a fresh child process), against the targets
   (60 s, 2 GB); and the growth-only rule (``bass_validation.yaml``'s) on the same audience in the
   same child, as the reference for what the engagement mechanisms cost.
2. 2,000 members x 90 days, construction included (the notebook budget of 0.1 s): median of
   repeated runs.
3. Where the time goes: a cProfile of one run at 10^5 members, top functions by own time.

Run: ``.venv/bin/python benchmarks/bench_engagement.py [--big 1e6] [--repeats 20]``
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import platform
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import communitysim as cs

ROOT = Path(__file__).resolve().parents[1]
BAKERY = ROOT / "scenarios" / "bakery_launch.yaml"
BASS = ROOT / "scenarios" / "bass_validation.yaml"


def big_overrides(n: int) -> dict:
    """Every mechanism on, a community of n people half of whom are members from day 0."""
    return {
        "audience.size": n,
        "seeding.strategy": "random",
        "seeding.size": n // 2,
        "seeding.acceptance_share": 1.0,
        "seeding.invite_after_posts": 0,
        "launch.posts_ready": 0,
        "growth.external_rate_per_day": 0.002,
        "objectives": [],
    }


def child(n: int) -> None:
    """Run in a fresh process: time the full model and the growth-only reference; print JSON."""
    t0 = time.perf_counter()
    model = cs.CommunityModel(BAKERY, seed=1, overrides=big_overrides(n))
    t1 = time.perf_counter()
    result = model.run()
    t2 = time.perf_counter()
    rss_full = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reference = cs.CommunityModel(
        BASS,
        seed=1,
        overrides={"audience.size": n, "audience.network.kind": "watts_strogatz", "step_hours": 24, "days": 365},
    )
    t3 = time.perf_counter()
    reference.run()
    t4 = time.perf_counter()
    print(
        json.dumps(
            {
                "build_s": t1 - t0,
                "run_s": t2 - t1,
                "peak_rss_mib": rss_full,
                "members_end": result.kpis["members"],
                "engagements": result.kpis["engagements"],
                "reference_run_s": t4 - t3,
            }
        )
    )


def slider_budget(repeats: int) -> list[float]:
    """Seconds for 2,000 members x 90 days, construction included."""
    scenario = cs.load_scenario(BAKERY, {"audience.size": 2000, "days": 90, "objectives": []})
    times = []
    for seed in range(repeats):
        t0 = time.perf_counter()
        cs.run(scenario, seed=seed)
        times.append(time.perf_counter() - t0)
    return times


def profile(n: int) -> str:
    """Top functions by own time for one full run of n people."""
    model = cs.CommunityModel(BAKERY, seed=1, overrides=big_overrides(n))
    profiler = cProfile.Profile()
    profiler.enable()
    model.run()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(10)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start : start + 11])


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=float, default=1e6, help="audience of the big run (default 1e6)")
    parser.add_argument("--repeats", type=int, default=20, help="runs of the 2,000 x 90 case (default 20)")
    parser.add_argument("--profile-n", type=float, default=1e5, help="audience of the profiled run (default 1e5)")
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--slider-only",
        action="store_true",
        help="only the 2,000 x 90 case (another version: PYTHONPATH=OTHER/src ... --slider-only)",
    )
    args = parser.parse_args()
    if args.child is not None:
        child(int(args.child))
        return 0
    if args.slider_only:
        times = slider_budget(args.repeats)
        median_ms = np.median(times) * 1000
        print(f"2,000 people x 90 days, {args.repeats} runs (seeds 0-{args.repeats - 1}): median {median_ms:.1f} ms")
        return 0

    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, Python {platform.python_version()}, numpy {np.__version__}")

    n = int(args.big)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(n)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    big = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n1. {n:,} people x 365 days, every mechanism on (bakery_launch, half members at day 0), fresh process")
    print(f"   build {big['build_s']:.2f} s, run {big['run_s']:.1f} s (target < 60 s: {big['run_s'] / 60:.2f} of it)")
    print(f"   peak RSS {big['peak_rss_mib']:.0f} MiB (target < 2048 MiB: {big['peak_rss_mib'] / 2048:.2f} of it)")
    print(f"   members at day 365 {big['members_end']:,.0f}, engagements {big['engagements']:,.0f}")
    print(
        f"   growth-only reference (bass_validation rule, same N, same process): {big['reference_run_s']:.1f} s; "
        f"full model / reference = {big['run_s'] / big['reference_run_s']:.1f}x"
    )
    per_member_step = big["run_s"] / (n * 365) * 1e9
    print(f"   {per_member_step:.0f} ns per person-step")

    times = slider_budget(args.repeats)
    median = float(np.median(times))
    print(f"\n2. 2,000 people x 90 days, construction included, {args.repeats} runs")
    print(
        f"   median {median * 1000:.1f} ms, max {max(times) * 1000:.1f} ms "
        f"(budget 100 ms: median is {median / 0.1:.2f} of it)"
    )

    print(f"\n3. Where the time goes: one run of {int(args.profile_n):,} people, top functions by own time")
    print(profile(int(args.profile_n)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
