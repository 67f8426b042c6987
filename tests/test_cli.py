import json
import subprocess
import sys

import pytest

from communitysim.cli import main
from helpers import ROOT, SCENARIOS

BAKERY = str(SCENARIOS / "bakery_launch.yaml")


def test_scenarios_lists_each_shipped_file_on_one_line(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(list(SCENARIOS.glob("*.yaml")))
    assert any(line.startswith("bakery_launch ") and "bakery" in line for line in lines)


def test_validate(capsys):
    assert main(["validate", BAKERY, "--set", "seeding.size=50"]) == 0
    assert "ok (bakery_launch: 5,000 people, 365 days" in capsys.readouterr().out


def test_run_prints_the_scorecard_and_writes_the_files(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            BAKERY,
            "--seed",
            "7",
            "--days",
            "120",
            "--set",
            "seeding.size=30",
            "--set",
            "objectives.1.by_day=120",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "Objectives:" in text and ("PASS" in text or "fail" in text)
    assert sorted(p.name for p in out.iterdir()) == ["dashboard.png", "kpis.json", "timeseries.csv"]
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["seed"] == 7 and kpis["day"] == 120
    assert len(kpis["scorecard"]) == 2
    assert (out / "dashboard.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "missing.yaml"], "missing.yaml: no such scenario file"),
        (
            ["run", BAKERY, "--set", "seeding.size=-3"],
            "bakery_launch.yaml (with --set seeding.size=-3): seeding.size: Input should be greater than or equal to 0",
        ),
        (
            ["run", BAKERY, "--set", "seeding.sise=3"],
            "(with --set seeding.sise=3): seeding.sise: unknown field; expected",
        ),
        (["run", BAKERY, "--set", "seeding.size"], "--set seeding.size: expected PATH=VALUE"),
        (["run", BAKERY, "--seed", "minus"], "argument --seed: expected a whole number >= 0, got 'minus'"),
        (["run", BAKERY, "--days", "-4"], "argument --days: expected a number of days > 0"),
        (["validate", BAKERY, "--set", "audience.size=1e12"], "(with --set audience.size=1e12): audience.size"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, argv, expected):
    out = tmp_path / "out"
    with_out = [*argv, "--out", str(out)] if argv[0] == "run" else argv
    try:
        code = main(with_out)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert expected in err
    assert "Traceback" not in err
    assert not out.exists()


def test_the_bad_file_is_named(tmp_path, capsys):
    bad = tmp_path / "typo.yaml"
    bad.write_text("growth: {word_of_mouth_rate_per_dya: 0.1}\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: growth.word_of_mouth_rate_per_dya: unknown field; expected one of: external_rate_per_day" in err


def test_python_dash_m_is_the_same_command():
    proc = subprocess.run(
        [sys.executable, "-m", "communitysim", "validate", "scenarios/nope.yaml"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "communitysim: error: scenarios/nope.yaml: no such scenario file"
    proc = subprocess.run(
        [sys.executable, "-m", "communitysim", "run", "scenarios/bass_validation.yaml", "--days", "10"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "bass_validation: 10,000 people, 10 days, seed 7" in proc.stdout


def test_a_run_shorter_than_an_objective_reports_it_beyond_the_horizon(capsys):
    # b2b_leads has objectives at day 120 and two at day 365: a 120-day run judges the first, not the others
    assert main(["run", "b2b_leads", "--days", "120", "--set", "audience.size=300", "--set", "seeding.size=30"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    (late,) = [line for line in lines if line.startswith("2 objectives fall after this 120-day run (day 365):")]
    rows = [line for line in lines if "beyond the horizon" in line and line != late]
    assert len(rows) == 2 and all("365" in row for row in rows)
    assert any(("PASS" in line or "fail" in line) and " 120 " in line for line in lines)


def test_scenarios_are_run_by_name_or_by_a_checkout_path_from_anywhere(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no ./scenarios here: the shipped ones
    assert main(["scenarios"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert "bakery_launch" in names and len(names) == len(list(SCENARIOS.glob("*.yaml")))
    for given in ("bakery_launch", "bakery_launch.yaml", "scenarios/bakery_launch.yaml"):
        assert main(["validate", given]) == 0
        assert "ok (bakery_launch:" in capsys.readouterr().out
    assert main(["validate", "no_such_scenario"]) == 2
    assert "no_such_scenario" in capsys.readouterr().err


def test_version_is_the_package_s(capsys):
    from importlib.metadata import version

    import communitysim

    with pytest.raises(SystemExit):
        main(["--version"])
    printed = capsys.readouterr().out.strip()
    assert printed == f"communitysim {communitysim.__version__}" == f"communitysim {version('communitysim')}"


def test_a_sweep_shorter_than_its_objectives_runs_and_says_so(capsys):
    argv = ["sweep", "posting_frequency", "--grid", "strategy.posts_per_week=1,7", "--reps", "1", "--days", "20",
            "--set", "audience.size=300", "--set", "seeding.size=20",
            "--backend", "serial", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "2 objectives fall after this 20-day run (day 180)" in out
