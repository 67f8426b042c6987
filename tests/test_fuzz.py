"""Fuzzing what users type: every numeric field of the scenario schema, and platform exports (CSV).

The promise (README, "Reliability"): a command either succeeds and writes all its outputs, or exits
with status 2 and one line on stderr, having written nothing; never a traceback, never a hang.

Hypothesis draws the inputs; the seeds are Hypothesis's own (derandomized here, so a CI failure
replays the same examples: ``derandomize=True``), and each test's budget is bounded
(``max_examples``) so the file stays under a minute on a busy two-core machine.
"""

import math
import os
import time

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from communitysim.cli import main
from communitysim.scenario import load_scenario, parameter_table
from helpers import SCENARIOS

#: Every numeric field of the schema, as a ``--set`` path (a list's first item for lists).
NUMERIC_PATHS = [
    row["path"].replace("[]", ".0")
    for row in parameter_table()
    if row["unit"] not in ("text", "name", "path", "list", "yes/no")
]
#: The values that broke something once (issue 15), beside Hypothesis's own numbers.
EXTREMES = [0, -1, 1, 0.001, 1e-30, 5e-324, 1e20, 1e308, 2**63, 2**80, math.inf, -math.inf, math.nan]
NUMBERS = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**90), max_value=2**90),
)
FUZZ = settings(
    max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: A crisis scenario small enough to run in a blink: every section of the schema is in play.
TINY = {
    **yaml.safe_load((SCENARIOS / "crisis_product_recall.yaml").read_text()),
    "days": 16,
    "audience": {"size": 60, "network": {"kind": "watts_strogatz", "mean_degree": 4}},
    "seeding": {"strategy": "random", "size": 20, "acceptance_share": 1.0, "invite_after_posts": 0},
    "objectives": [{"kpi": "members", "target": 10, "by_day": 16}],
}


def _text(value):
    """A value as a user types it after ``--set path=`` (``nan``, ``inf``, ``1e+308``, whole numbers)."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _one_line_or_success(code, err, status_ok=(0,)):
    assert code in (*status_ok, 2), err
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


@FUZZ
@given(path=st.sampled_from(NUMERIC_PATHS), value=NUMBERS)
def test_any_number_in_any_field_validates_or_is_one_line(tiny_file, capsys, path, value):
    code = main(["validate", str(tiny_file), f"--set={path}={_text(value)}"])
    _one_line_or_success(code, capsys.readouterr().err)


@settings(FUZZ, max_examples=30)
@given(path=st.sampled_from(NUMERIC_PATHS), value=NUMBERS)
def test_any_number_that_validates_runs_and_writes_all_or_nothing(tiny_file, tmp_path_factory, capsys, path, value):
    try:  # only what a quick run can do: the sizes a user may ask for are bounded elsewhere
        scenario = load_scenario(tiny_file, {path: value})
    except ValueError:
        scenario = None
    if scenario is not None:
        assume(scenario.audience.size <= 500 and scenario.n_steps <= 1000 and scenario.audience.network.kind != "file")
    out = tmp_path_factory.mktemp("run")
    start = time.process_time()
    code = main(["run", str(tiny_file), f"--set={path}={_text(value)}", "--seed", "1", "--out", str(out)])
    _one_line_or_success(code, capsys.readouterr().err)
    assert time.process_time() - start < 30
    written = sorted(p.name for p in out.iterdir())
    assert written == (["dashboard.png", "kpis.json", "timeseries.csv"] if code == 0 else [])


# --- exports ------------------------------------------------------------------------------------

COLUMNS = ["Date", "Lifetime Total Likes", "Posts", "Reactions"]
HOSTILE = st.one_of(
    st.sampled_from(["", "nan", "inf", "-1", "1e20", "1e308", "2e400", "abc", "1,000", "١٢٣", "\x00", "  7 ",
                     "2026-13-45", "2026-01-03T10:00+05:00", "2026-01-03T10:00Z", "03/01/2026", "0x10"]),
    st.text(max_size=12),
    st.floats().map(repr),
)  # fmt: skip


def _export(mutations):
    """A clean 30-day export (a slowing growth, a daily post) with some cells replaced."""
    days = pd.date_range("2026-01-01", periods=30).strftime("%Y-%m-%d")
    rows = [[day, str(round(4000 * (1 - math.exp(-i / 12)))), "1", str(20 + i)] for i, day in enumerate(days)]
    for row, column, text in mutations:
        rows[row % len(rows)][column % len(COLUMNS)] = text
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.to_csv(index=False)


@settings(FUZZ, max_examples=100)
@given(
    mutations=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 3), HOSTILE), max_size=3),
    cut=st.one_of(st.none(), st.integers(0, 400)),
)
def test_any_export_calibrates_or_is_one_line_and_writes_nothing_on_failure(
    tmp_path_factory, capsys, monkeypatch, mutations, cut
):
    import communitysim.calibration as calibration

    def quick_forecast(fit, days, strategies, replications, seed):  # the simulation is tested elsewhere
        return pd.DataFrame({"day": [0.0, days], "median": [1.0, 2.0], "low": [1.0, 1.0], "high": [2.0, 3.0]})

    monkeypatch.setattr(calibration, "forecast", quick_forecast)
    folder = tmp_path_factory.mktemp("export")
    export = folder / "export.csv"
    text = _export(mutations)
    export.write_text(text if cut is None else text[:cut], encoding="utf-8", errors="surrogatepass")
    out = folder / "fit.yaml"
    start = time.process_time()
    code = main(["calibrate", str(export), "--out", str(out), "--bootstrap", "2", "--forecast", "30"])
    _one_line_or_success(code, capsys.readouterr().err)
    assert time.process_time() - start < 20
    assert out.exists() == (code == 0)
    if code == 0:
        load_scenario(out)
    assert sorted(p.name for p in folder.iterdir()) == sorted(["export.csv", *(["fit.yaml"] if code == 0 else [])])
    os.remove(export)
