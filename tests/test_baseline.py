"""KPI regression baseline: the shipped scenarios' final KPIs at seed 1 do not move by accident.

When a change is meant to move them, run `make baseline` and say why in the commit message.
"""

import importlib.util
import json
import math

import pytest

from helpers import ROOT

spec = importlib.util.spec_from_file_location("update_baseline", ROOT / "tools" / "update_baseline.py")
update = importlib.util.module_from_spec(spec)
spec.loader.exec_module(update)

BASELINE = json.loads(update.BASELINE.read_text())


def test_every_shipped_scenario_has_a_baseline():
    assert set(BASELINE) == {p.name for p in (ROOT / "scenarios").glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_kpis_match_the_baseline(name):
    import communitysim as cs

    kpis = cs.run(ROOT / "scenarios" / name, seed=update.SEED).kpis
    expected = BASELINE[name]
    assert set(kpis) == set(expected), "a KPI was added or removed: run `make baseline`"
    for key, value in kpis.items():
        if expected[key] is None:
            assert math.isnan(value), key
        else:
            assert value == pytest.approx(expected[key], rel=1e-9, abs=1e-12), f"{name}: {key} moved; `make baseline`?"
