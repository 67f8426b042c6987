"""Every shipped scenario at 10^4, 10^5 and 10^6 people: build, run, memory; the naive Mesa reference.

Prints figures for README's performance table (it is not a test). For each scenario file in
``scenarios/`` and each audience size N, one fresh child process (this script with ``--child``):

- the scenario scaled to N people: ``audience.size = N`` and the first members scaled with it
  (``seeding.size`` keeps its share of the audience), ``objectives: []``, seed 1;
- horizon: 365 daily steps (``days: 365``, ``step_hours: 24``), except the crisis scenarios, which
  keep their own horizon and clock (daily, hourly within ``crisis_dynamics.window_days`` of the
  crisis; their run includes the counterfactual twin that ``members_lost`` needs);
- build (``CommunityModel(...)``) and run (``model.run()``) are timed separately, in wall time and
  in CPU time (user + sys of the process, ``resource.getrusage``: the figure to trust on a machine
  shared with others); ns per person-step = run CPU time / (N x steps);
- peak RSS: the child's ``ru_maxrss`` (interpreter and imports included; "baseline" is the peak
  measured after the imports, before the build).

Then every audience kind is built alone at ``--audience-n`` people (default 10^6), each in a fresh
child: the four generators at the shipped scenarios' mean degrees, and a graph file of
``--file-edges`` random ties (default 10^7) as a space-separated edge list and as GraphML (one
element a line, as networkx writes it), written beforehand to a temporary folder (not timed).

In the same invocation, the naive per-agent Mesa model of ``naive_mesa.py`` (one ``mesa.Agent`` per
person, Python lists of neighbours) runs ``--reference-steps`` daily steps at 10^5 people in its
own child, timed the same way (CPU time of the steps, the build excluded).

Run from the repository root (about 6 minutes of CPU at the default sizes; 40 minutes of wall time on
the shared 2-core machine):

    .venv/bin/python benchmarks/bench_scenarios.py
    .venv/bin/python benchmarks/bench_scenarios.py --sizes 1e4,1e5 --scenarios b2b_leads  # quick

``--against OTHER/src`` compares this version's run times with another version's (for example a
commit exported with ``git archive COMMIT src | tar -x -C OTHER``), alternately in the same
invocation, and prints the same-run ratio (the scenario files and this script are this version's).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEED = 1
DAYS = 365


def max_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 2**20


def cpu_s() -> float:
    """CPU time of this process so far (user + sys), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def overrides(path: Path, n: int) -> dict[str, object]:
    """The shipped scenario scaled to n people (first members in proportion), without objectives."""
    import communitysim as cs

    scenario = cs.load_scenario(path)
    changes: dict[str, object] = {"audience.size": n, "objectives": []}
    seeding = scenario.seeding.size
    if seeding:
        changes["seeding.size"] = max(1, round(seeding * n / scenario.audience.size))
    if not scenario.crises:
        changes.update({"days": DAYS, "step_hours": 24})
    return changes


def child(name: str, n: int) -> None:
    """Build and run one scenario at size n, print one JSON line (runs in its own process)."""
    import communitysim as cs
    from communitysim import sampling

    # the compiled draws' one-off load (numba, about 0.45 s once per process) is timed apart
    load_cpu_s = sampling.load_compiled() if hasattr(sampling, "load_compiled") else 0.0
    baseline = max_rss_mib()
    path = SCENARIOS / f"{name}.yaml"
    changes = overrides(path, n)
    c0, t0 = cpu_s(), time.perf_counter()
    model = cs.CommunityModel(path, seed=SEED, overrides=changes)
    c1, t1 = cpu_s(), time.perf_counter()
    build_rss = max_rss_mib()
    result = model.run()
    c2, t2 = cpu_s(), time.perf_counter()
    print(
        json.dumps(
            {
                "scenario": name,
                "n": n,
                "kind": model.params.audience.network.kind,
                "steps": len(result.timeseries) - 1,
                "build_wall_s": t1 - t0,
                "build_cpu_s": c1 - c0,
                "run_wall_s": t2 - t1,
                "run_cpu_s": c2 - c1,
                "members_end": int(result.timeseries["members"].iloc[-1]),
                "compiled_load_cpu_s": load_cpu_s,
                "baseline_mib": baseline,
                "build_peak_mib": build_rss,
                "peak_mib": max_rss_mib(),
            }
        )
    )


def reference_child(n: int, steps: int) -> None:
    """The naive per-agent Mesa growth rule at size n, ``steps`` daily steps; print one JSON line."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import communitysim as cs
    from naive_mesa import NaiveBassModel

    bass = cs.load_scenario(SCENARIOS / "bass_validation.yaml")
    model = NaiveBassModel(n, bass.growth.external_rate_per_day, bass.growth.word_of_mouth_rate_per_day, 1.0, SEED)
    c0, t0 = cpu_s(), time.perf_counter()
    for _ in range(steps):
        model.step()
    c1, t1 = cpu_s(), time.perf_counter()
    print(json.dumps({"n": n, "steps": steps, "run_wall_s": t1 - t0, "run_cpu_s": c1 - c0, "peak_mib": max_rss_mib()}))


AUDIENCES = {
    "watts_strogatz": {"kind": "watts_strogatz", "mean_degree": 10, "rewiring": 0.1},
    "barabasi_albert": {"kind": "barabasi_albert", "mean_degree": 10},
    "stochastic_block": {"kind": "stochastic_block", "mean_degree": 8, "n_segments": 4, "share_within_segment": 0.85},
    "complete": {"kind": "complete"},
    "edge list": {"kind": "file", "path": "edges.txt"},
    "GraphML": {"kind": "file", "path": "edges.graphml"},
}


def write_graph_files(folder: Path, n: int, edges: int) -> None:
    """A random graph of n people and about ``edges`` ties, as an edge list and as GraphML (pyarrow, fast)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(SEED)
    src = np.concatenate([np.arange(n), rng.integers(0, n, max(edges - n, 0))])  # everyone has a tie
    dst = rng.integers(0, n, src.size)
    with (folder / "edges.txt").open("w") as text, (folder / "edges.graphml").open("w") as graphml:
        graphml.write('<?xml version="1.0" encoding="utf-8"?>\n')
        graphml.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n  <graph edgedefault="undirected">\n')
        ids = pc.cast(pa.array(np.arange(n)), pa.string())
        graphml.write("\n".join(pc.binary_join_element_wise('    <node id="', ids, '" />', "").to_pylist()) + "\n")
        for start in range(0, src.size, 1 << 20):  # in slices: the writer stays small
            u = pc.cast(pa.array(src[start : start + (1 << 20)]), pa.string())
            v = pc.cast(pa.array(dst[start : start + (1 << 20)]), pa.string())
            text.write("\n".join(pc.binary_join_element_wise(u, v, " ").to_pylist()) + "\n")
            ties = pc.binary_join_element_wise('    <edge source="', u, '" target="', v, '" />', "")
            graphml.write("\n".join(ties.to_pylist()) + "\n")
        graphml.write("  </graph>\n</graphml>\n")


def audience_child(name: str, n: int, folder: str) -> None:
    """Build one audience kind of n people alone; print one JSON line."""
    import numpy as np

    from communitysim.network import build_network
    from communitysim.scenario import NetworkParams

    params = dict(AUDIENCES[name])
    if "path" in params:
        params["path"] = str(Path(folder) / params["path"])
    c0, t0 = cpu_s(), time.perf_counter()
    net = build_network(NetworkParams(**params), n, np.random.default_rng(SEED))
    c1, t1 = cpu_s(), time.perf_counter()
    edges = None if net.adjacency is None else net.adjacency.nnz // 2
    out = {"audience": name, "n": n, "edges": edges, "build_wall_s": t1 - t0, "build_cpu_s": c1 - c0}
    print(json.dumps({**out, "peak_mib": max_rss_mib()}))


def in_child(*args: str, source: str | None = None) -> dict[str, object]:
    """Run this script with ``args`` in a fresh interpreter and return its JSON line.

    ``source``: a ``src`` folder of another version of communitysim to import instead of this one.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    env = {**os.environ, "PYTHONPATH": source} if source else None
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(names: list[str], sizes: list[int], against: str, repeats: int) -> list[dict[str, object]]:
    """Each scenario run by this version and by the one in ``against``, alternately, ``repeats`` times each.

    Prints the median run CPU time of each and their same-run ratio (this / against): on a shared
    machine the load moves both alike, so the ratio is steadier than either figure.
    """
    print(f"\n# this version against {against}: median of {repeats} alternate runs each, CPU time")
    print("| scenario | N | steps | run against (s) | run this (s) | ns against | ns this | this / against |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for name in names:
        for n in sizes:
            runs: dict[str, list[float]] = {"against": [], "this": []}
            for _ in range(repeats):
                for which, source in (("against", against), ("this", None)):
                    r = in_child("--child", name, str(n), source=source)
                    runs[which].append(float(r["run_cpu_s"]))
                    rows.append({**r, "version": which})
            old, new = statistics.median(runs["against"]), statistics.median(runs["this"])
            steps = int(r["steps"])
            per = 1e9 / (n * steps)
            print(
                f"| {name} | {n:,} | {steps} | {old:.2f} | {new:.2f} | {old * per:.0f} | {new * per:.0f} "
                f"| {new / old:.2f} |",
                flush=True,
            )
    return rows


def main() -> None:
    """Parse the arguments; run the children and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6", help="audience sizes, comma separated")
    parser.add_argument("--scenarios", default="", help="scenario names, comma separated (default: all shipped)")
    parser.add_argument("--reference-n", type=float, default=1e5, help="size of the naive Mesa reference (0: none)")
    parser.add_argument("--reference-steps", type=int, default=5, help="daily steps of the naive Mesa reference")
    parser.add_argument("--audience-n", type=float, default=1e6, help="size of the audience builds (0: none)")
    parser.add_argument("--file-edges", type=float, default=1e7, help="ties of the graph files")
    parser.add_argument("--against", default="", help="src folder of another version: compare run times (same run)")
    parser.add_argument("--repeats", type=int, default=3, help="with --against: alternate runs of each version")
    parser.add_argument("--audience-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--write-files", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("SCENARIO", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--reference-child", nargs=2, type=int, metavar=("N", "STEPS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(float(args.child[1])))
        return
    if args.reference_child:
        reference_child(*args.reference_child)
        return
    if args.write_files:
        write_graph_files(Path(args.write_files[0]), int(args.write_files[1]), int(args.write_files[2]))
        print("{}")
        return
    if args.audience_child:
        audience_child(args.audience_child[0], int(args.audience_child[1]), args.audience_child[2])
        return
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    names = args.scenarios.split(",") if args.scenarios else sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    if args.against:
        print(json.dumps(compare(names, sizes, str(Path(args.against).resolve()), args.repeats)))
        return
    print(f"# {platform.machine()}, Python {platform.python_version()}, seed {SEED}; CPU time (user + sys)")
    print("| scenario | audience | N | steps | build (s) | run (s) | ns / person-step | peak RSS (MiB) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for name in names:
        for n in sizes:
            r = in_child("--child", name, str(n))
            rows.append(r)
            ns = r["run_cpu_s"] / (n * r["steps"]) * 1e9
            print(
                f"| {name} | {r['kind']} | {n:,} | {r['steps']} | {r['build_cpu_s']:.2f} | {r['run_cpu_s']:.2f} "
                f"| {ns:.0f} | {r['peak_mib']:.0f} |",
                flush=True,
            )
    loads = [r["compiled_load_cpu_s"] for r in rows if r.get("compiled_load_cpu_s")]
    if loads:
        print(f"# before each build, the compiled draws loaded once: {min(loads):.2f}-{max(loads):.2f} s of CPU")
    if args.reference_n:
        n = int(args.reference_n)
        r = in_child("--reference-child", str(n), str(args.reference_steps))
        ns = r["run_cpu_s"] / (n * r["steps"]) * 1e9
        cells = f"{n:,} | {r['steps']} | | {r['run_cpu_s']:.2f} | {ns:.0f} | {r['peak_mib']:.0f}"
        print(f"| naive Mesa (growth rule only) | watts_strogatz | {cells} |")
    if args.audience_n:
        n = int(args.audience_n)
        print(f"\n| audience of {n:,} people, built alone | ties | build (s) | peak RSS (MiB) |")
        print("|---|---:|---:|---:|")
        with tempfile.TemporaryDirectory() as folder:
            in_child("--write-files", folder, str(n), str(int(args.file_edges)))  # the parent stays small
            for name in AUDIENCES:
                r = in_child("--audience-child", name, str(n), folder)
                rows.append(r)
                ties = "closed form" if r["edges"] is None else f"{r['edges']:,}"
                print(f"| {name} | {ties} | {r['build_cpu_s']:.2f} | {r['peak_mib']:.0f} |", flush=True)
    print(json.dumps(rows))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"# total {time.perf_counter() - started:.0f} s wall", file=sys.stderr)
