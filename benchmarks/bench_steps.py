"""Where the time of a step goes: each function of ``model.STEP`` timed on the shipped scenarios.

Prints, for each scenario scaled to N people (as ``bench_scenarios.py`` scales it: first members in
proportion, ``objectives: []``, seed 1, 365 daily steps or the crisis scenarios' own clock), the CPU
time of each step function in ns per person-step, and inside the feed step the share of drawing
the views and engagements (``engagement.engage``). Each scenario runs in a fresh child process;
each step function is wrapped with a CPU-time counter (``time.process_time``, about 0.1 us a call:
negligible at these sizes). The crisis scenarios' counterfactual twin runs the same functions and
is counted with them. "clock and rest" is the run's CPU time outside the step functions.

Run from the repository root (it is not a test; about 1 minute of CPU at 10^5 people):

    .venv/bin/python benchmarks/bench_steps.py --n 1e5
    .venv/bin/python benchmarks/bench_steps.py --n 1e6 --scenarios bakery_launch,posting_frequency
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench_scenarios import SCENARIOS, SEED, overrides

ROOT = Path(__file__).resolve().parent.parent


def _timed(function, totals: dict[str, float], name: str):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.process_time() - start

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def child(name: str, n: int) -> None:
    """Run one scenario with every step function timed; print one JSON line."""
    import communitysim as cs
    from communitysim import model as model_module
    from communitysim.mechanisms import engagement

    path = SCENARIOS / f"{name}.yaml"
    model = cs.CommunityModel(path, seed=SEED, overrides=overrides(path, n))
    totals: dict[str, float] = defaultdict(float)
    model_module.STEP = tuple(_timed(f, totals, f.__name__) for f in model_module.STEP)
    engagement.engage = _timed(engagement.engage, totals, "engage (inside the feed step)")
    start = time.process_time()
    result = model.run()
    run = time.process_time() - start
    steps = len(result.timeseries) - 1
    print(json.dumps({"scenario": name, "n": n, "steps": steps, "run_cpu_s": run, "phases": dict(totals)}))


def main() -> None:
    """Run each scenario in a child and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, default=1e5, help="audience size")
    parser.add_argument("--scenarios", default="", help="scenario names, comma separated (default: all shipped)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(float(args.child[1])))
        return
    n = int(args.n)
    names = args.scenarios.split(",") if args.scenarios else sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    rows = []
    for name in names:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, str(n)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    phases = list(dict.fromkeys(p for r in rows for p in r["phases"] if not p.startswith("engage")))
    if "feed_and_engagement" in phases:  # the feed step, then the part of it that draws views and engagements
        phases.insert(phases.index("feed_and_engagement") + 1, "engage (inside the feed step)")
    print(f"# ns per person-step, CPU time, N = {n:,}, seed {SEED}")
    print("| scenario | all | " + " | ".join(phases) + " | clock and rest |")
    print("|---|" + "---:|" * (len(phases) + 2))
    for r in rows:
        per = 1e9 / (r["n"] * r["steps"])
        inside = sum(v for k, v in r["phases"].items() if not k.startswith("engage"))
        cells = [f"{r['phases'].get(p, 0.0) * per:.1f}" for p in phases]
        rest = (r["run_cpu_s"] - inside) * per
        print(f"| {r['scenario']} | {r['run_cpu_s'] * per:.1f} | " + " | ".join(cells) + f" | {rest:.1f} |")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
