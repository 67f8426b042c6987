"""Rewrite the KPI regression baseline (tests/baselines/kpis.json) from the shipped scenarios.

Run it deliberately (``make baseline``) when a change is meant to move the KPIs, and say why in
the commit message; ``tests/test_baseline.py`` fails on any other change.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import communitysim as cs

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "baselines" / "kpis.json"
SEED = 1


def compute() -> dict[str, dict[str, float | None]]:
    """Final KPIs of every shipped scenario at seed 1."""
    out = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        kpis = cs.run(path, seed=SEED).kpis
        out[path.name] = {k: (None if math.isnan(v) else v) for k, v in kpis.items()}
    return out


def main() -> int:
    """Write the baseline."""
    BASELINE.parent.mkdir(parents=True, exist_ok=True)
    BASELINE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
