"""Run the Voila learner journeys many times, two at once, and count the pages that never loaded.

A Voila page used to wait for ever under load: its kernel had run every cell and replied, but
Voila's server never read the reply (its shell socket held it; the poll waiting on it had lost its
wake-up to one of jupyter_client's raw sends). ``communitysim.ui.kernel_client`` is the fix; this
script is how the hang was measured and how to measure it again (after an upgrade of pyzmq,
jupyter_client, ipykernel or Voila, or before retiring that client):

    .venv/bin/python tools/voila_hang_check.py --rounds 5

Each round runs ``tests/e2e/test_learner_journey_e2e.py -k voila`` (English and French, six
notebooks each) in ``--parallel`` processes at once: the load of two at once on two cores made the
hang frequent (9 of 23 journeys with jupyter_client's own client and ipykernel 7.4.0, 2026-12-01).
Exit status 1 if a page never loaded.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from communitysim.messages import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
HANG = "Page.goto: Timeout"


def journeys(tag: str, basetemp: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-o", "addopts=", "-q",
               "tests/e2e/test_learner_journey_e2e.py", "-k", "voila", f"--basetemp={basetemp / tag}"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--parallel", type=int, default=2, help="journey runs at once (default 2)")
    args = parser.parse_args(argv)
    print(f"ipykernel {version('ipykernel')}, pyzmq {version('pyzmq')}, voila {version('voila')}")
    journeys_run = hangs = failures = 0
    with tempfile.TemporaryDirectory(prefix="voila-hang-") as tmp:
        for round_ in range(args.rounds):
            runs = [journeys(f"r{round_}-{i}", Path(tmp)) for i in range(args.parallel)]
            for i, run in enumerate(runs):
                out = run.communicate()[0]
                hung, failed = out.count(HANG), run.returncode != 0  # once per journey whose page never loaded
                journeys_run += len(LANGUAGES)  # a run plays the journey in each language
                hangs += hung
                failures += failed
                print(
                    f"round {round_ + 1} run {i + 1}: {'failed' if failed else 'passed'}, {hung} page(s) never loaded"
                )
    print(f"{hangs} of {journeys_run} Voila journeys hung ({failures} failing run(s))")
    return 1 if hangs else 0


if __name__ == "__main__":
    sys.exit(main())
