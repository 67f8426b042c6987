"""Paired noise: how much two runs on one seed differ beyond the lever's own effect (issue 17).

Prints figures (it is not a test). For each scenario (default ``bakery_launch`` and
``classroom_bakery``) and seeds 1-8, a reference run A (``strategy.quality 0.6``, the scenario's
other settings) and, on the same seed, a run B per lever:

- ``quality``: ``strategy.quality`` 0.6 -> 0.9 (touches only the engagement chances);
- ``replies``: ``strategy.reply_share`` 0 -> 1 (both arms at quality 0.6; A at reply share 0);
- ``tiny``: ``strategy.quality`` 0.6 -> 0.61, a lever whose effect should be close to nothing: its
  spread over seeds is the paired noise itself.

Per lever: the mean and the standard deviation over seeds of the paired difference B - A in members
(day 90 and final day), in % of A's mean members; and the share of the people who were ever
members in either arm whose membership at the end differs between the arms (mean over seeds).
With crises (``--crisis``, default ``crisis_product_recall``): the run against its counterfactual
twin (``members_no_crisis``): mean and SD over seeds of ``members_lost`` at the end (response:
rebuild after 1 h), and the SD of the paired difference of members between rebuilding after 24 h
and after 1 h.

``--against OTHER/src`` runs the same in a child process on another version (for example main
exported with ``git archive 71c5c26 src | tar -x -C OTHER``) and prints both, with the ratio of the
SDs (this / against): below 1, paired runs agree more. Run from the repository root (about 2 minutes
of CPU per version):

    .venv/bin/python benchmarks/bench_paired_noise.py --against /tmp/main/src
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
LEVERS = {  # name: (overrides of arm A, overrides of arm B)
    "quality": ({"strategy.quality": 0.6}, {"strategy.quality": 0.9}),
    "replies": (
        {"strategy.quality": 0.6, "strategy.reply_share": 0.0},
        {"strategy.quality": 0.6, "strategy.reply_share": 1.0},
    ),
    "tiny": ({"strategy.quality": 0.6}, {"strategy.quality": 0.61}),
}
DAY = 90


def _run(scenario: str, seed: int, overrides: dict) -> dict:
    """One run: members at day ``DAY`` and at the end, and who is a member at the end."""
    import numpy as np

    import communitysim as cs
    from communitysim.population import MemberState

    model = cs.CommunityModel(SCENARIOS / f"{scenario}.yaml", seed=seed, overrides={**overrides, "objectives": []})
    ts = model.run().timeseries
    day90 = int(np.interp(DAY, ts["day"], ts["members"]))
    out = {"day90": day90, "final": int(ts["members"].iloc[-1])}
    out["members"] = model.population.state == MemberState.MEMBER
    out["ever"] = model.population.joined_step >= 0
    if "members_no_crisis" in ts:
        out["lost"] = float(ts["members_no_crisis"].iloc[-1] - ts["members"].iloc[-1])
    return out


def _response(scenario: str, delay_hours: float) -> dict:
    """The scenario's first crisis answered by ``rebuild`` after ``delay_hours`` (overrides)."""
    from communitysim.scenario import load_scenario

    first = load_scenario(SCENARIOS / f"{scenario}.yaml").crises[0]
    crisis = {"type": first.type, "start_day": first.start_day, "severity": first.severity}
    return {"crises": [{**crisis, "response": {"strategy": "rebuild", "delay_hours": delay_hours}}]}


def child(scenarios: list[str], seeds: list[int], crisis: str) -> None:
    """Run every pair in this process's version and print the figures as JSON."""
    rows = []
    for scenario in scenarios:
        for seed in seeds:
            arms = {}
            for lever, (a, b) in LEVERS.items():
                key = json.dumps(a, sort_keys=True)
                if key not in arms:
                    arms[key] = _run(scenario, seed, a)
                ra, rb = arms[key], _run(scenario, seed, b)
                ever = ra["ever"] | rb["ever"]
                differ = int((ra["members"] != rb["members"]).sum())
                rows.append(
                    {
                        "scenario": scenario,
                        "lever": lever,
                        "seed": seed,
                        "a90": ra["day90"],
                        "b90": rb["day90"],
                        "a": ra["final"],
                        "b": rb["final"],
                        "differ_share": differ / max(1, int(ever.sum())),
                    }
                )
    crisis_rows = []
    if crisis:
        for seed in seeds:
            early = _run(crisis, seed, _response(crisis, 1.0))
            late = _run(crisis, seed, _response(crisis, 24.0))
            crisis_rows.append({"seed": seed, "lost": early["lost"], "early": early["final"], "late": late["final"]})
    print(json.dumps({"pairs": rows, "crisis": crisis_rows}))


def in_child(args: list[str], source: str | None) -> dict:
    """This script's ``--child`` in a fresh process, on the version in ``source`` (a src folder) or this one."""
    env = {**os.environ, "PYTHONPATH": source} if source else None
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(figures: dict) -> dict:
    """Per (scenario, lever): mean and SD of the paired differences in % of A's mean; share differing."""
    table = {}
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in figures["pairs"]:
        groups.setdefault((row["scenario"], row["lever"]), []).append(row)
    for key, rows in groups.items():
        entry = {}
        for label, a, b in (("day90", "a90", "b90"), ("final", "a", "b")):
            mean_a = statistics.mean(r[a] for r in rows)
            diffs = [100.0 * (r[b] - r[a]) / mean_a for r in rows]
            entry[label] = (statistics.mean(diffs), statistics.stdev(diffs))
        entry["differ"] = statistics.mean(r["differ_share"] for r in rows)
        table[key] = entry
    crisis = figures["crisis"]
    if crisis:
        lost = [r["lost"] for r in crisis]
        mean_early = statistics.mean(r["early"] for r in crisis)
        timing = [100.0 * (r["late"] - r["early"]) / mean_early for r in crisis]
        table[("crisis", "lost")] = {"lost": (statistics.mean(lost), statistics.stdev(lost))}
        table[("crisis", "late-early")] = {"final": (statistics.mean(timing), statistics.stdev(timing))}
    return table


def main() -> None:
    """Parse the arguments; run the children and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", default="bakery_launch,classroom_bakery")
    parser.add_argument("--seeds", default="1-8", help="first-last")
    parser.add_argument("--crisis", default="crisis_product_recall", help="crisis scenario ('' for none)")
    parser.add_argument("--against", default="", help="src folder of another version: the same pairs on it")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    first, last = (int(x) for x in args.seeds.split("-"))
    seeds = list(range(first, last + 1))
    scenarios = args.scenarios.split(",")
    if args.child:
        child(scenarios, seeds, args.crisis)
        return
    child_args = ["--scenarios", args.scenarios, "--seeds", args.seeds, "--crisis", args.crisis]
    versions = {"this": summarise(in_child(child_args, None))}
    if args.against:
        versions["against"] = summarise(in_child(child_args, args.against))
    print(f"# paired noise, seeds {args.seeds}: paired difference B - A in members, % of A's mean over seeds")
    print("| scenario | lever | version | mean day 90 | SD day 90 | mean final | SD final | membership differs |")
    print("|---|---|---|---|---|---|---|---|")
    for key in versions["this"]:
        if key[0] == "crisis":
            continue
        for name, table in versions.items():
            e = table[key]
            print(
                f"| {key[0]} | {key[1]} | {name} | {e['day90'][0]:+.1f}% | {e['day90'][1]:.1f}% "
                f"| {e['final'][0]:+.1f}% | {e['final'][1]:.1f}% | {100 * e['differ']:.1f}% |"
            )
        if args.against:
            this, other = versions["this"][key], versions["against"][key]
            ratios = [this[d][1] / other[d][1] if other[d][1] else float("nan") for d in ("day90", "final")]
            print(f"| {key[0]} | {key[1]} | SD ratio this/against | | {ratios[0]:.2f} | | {ratios[1]:.2f} | |")
    if args.crisis:
        print(f"\n# {args.crisis}: members_lost at the end (run vs twin); response after 24 h vs 1 h")
        print("| version | members_lost mean | members_lost SD | late - early mean | late - early SD |")
        print("|---|---|---|---|---|")
        for name, table in versions.items():
            lost, timing = table[("crisis", "lost")]["lost"], table[("crisis", "late-early")]["final"]
            print(f"| {name} | {lost[0]:.1f} | {lost[1]:.1f} | {timing[0]:+.1f}% | {timing[1]:.1f}% |")


if __name__ == "__main__":
    main()
