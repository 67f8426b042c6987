import re

import pytest
import yaml

from communitysim.scenario import (
    MAX_AUDIENCE,
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parameter_table,
    parse_set_option,
)
from helpers import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def test_the_required_scenarios_ship():
    names = {p.name for p in SHIPPED}
    assert {"bakery_launch.yaml", "b2b_leads.yaml", "posting_frequency.yaml", "bass_validation.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_scenario_runs_briefly(path):
    import communitysim as cs

    result = cs.run(path, seed=1, overrides={"days": 15, "objectives": []})
    assert result.timeseries["day"].iloc[-1] == 15
    assert result.kpis["members"] >= 0


def test_defaults_fill_what_a_file_leaves_out():
    scenario = load_scenario({"name": "x"})
    assert scenario.audience.size == 5000
    assert scenario.audience.network.kind == "watts_strogatz"
    assert scenario.step_hours == 24 and scenario.n_steps == 365


def test_overrides_reach_nested_fields_list_items_and_mix_keys():
    base = load_scenario(SCENARIOS / "bakery_launch.yaml")
    new = apply_overrides(
        base,
        {
            "seeding.size": 50,
            "audience.network.kind": "barabasi_albert",
            "objectives.0.target": 123,
            "strategy.content_mix": {"informational": 1.0},
        },
    )
    assert new.seeding.size == 50
    assert new.audience.network.kind == "barabasi_albert"
    assert new.objectives[0].target == 123
    assert new.strategy.content_mix == {"informational": 1.0}
    assert base.seeding.size == 20  # frozen: the original is untouched


def test_parse_set_option_reads_values_as_yaml():
    assert parse_set_option("seeding.size=50") == ("seeding.size", 50)
    assert parse_set_option("seeding.strategy=influencers") == ("seeding.strategy", "influencers")
    assert parse_set_option("growth.churn_rate_per_day=1e-3") == ("growth.churn_rate_per_day", 0.001)
    with pytest.raises(ScenarioError, match="expected PATH=VALUE"):
        parse_set_option("seeding.size")


def write(tmp_path, text, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_FILES = [
    ("audiance: {size: 10}\n", "audiance", "unknown field; expected one of: name, description, days"),
    ("audience: {size: ten}\n", "audience.size", "valid integer"),
    ("growth: {churn_rate_per_day: -0.1}\n", "growth.churn_rate_per_day", "greater than or equal to 0"),
    ("strategy: {reply_share: 1.5}\n", "strategy.reply_share", "less than or equal to 1"),
    ("strategy: {content_mix: {informational: 0.5, event: 0.2}}\n", "strategy.content_mix", "sum to 1"),
    ("strategy: {content_mix: {gossip: 1.0}}\n", "strategy.content_mix.gossip", "informational"),
    (f"audience: {{size: {MAX_AUDIENCE * 100}}}\n", "audience.size", "less than or equal to"),
    ("seeding: {strategy: famous_people}\n", "seeding.strategy", "expected one of: close_circle"),
    ("seeding: {size: 50}\naudience: {size: 40}\n", "seeding.size", "more than audience.size"),
    ("objectives: [{kpi: likes, target: 3, by_day: 10}]\n", "objectives.0.kpi", "unknown KPI 'likes'"),
    ("days: 10\nstep_hours: 7\n", "step_hours", "does not divide"),
    ("audience: {size: 100, affinity: {mean: 0.1, spread: 0.4}}\n", "audience.affinity", "spread must be below"),
    ("audience: {network: {kind: file}}\n", "audience.network.path", "file path is required"),
]


@pytest.mark.parametrize(("text", "path", "expected"), BAD_FILES, ids=[b[1] for b in BAD_FILES])
def test_bad_scenarios_get_one_line_naming_file_field_and_expectation(tmp_path, text, path, expected):
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(file)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "\n" not in message
    assert message.startswith(f"{file}: {path}:"), message
    assert expected in message


def test_absurd_size_is_refused_before_any_allocation(tmp_path):
    import tracemalloc

    file = write(tmp_path, f"audience: {{size: {10**12}}}\n")
    tracemalloc.start()
    with pytest.raises(ScenarioError, match=re.escape("audience.size")):
        load_scenario(file)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "the file is empty"), ("name: [unclosed\n", "malformed YAML at line"), ("- 1\n- 2\n", "expected a mapping")],
)
def test_malformed_or_empty_yaml(tmp_path, text, expected):
    file = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=expected) as info:
        load_scenario(file)
    assert str(info.value).startswith(str(file))


def test_missing_file():
    with pytest.raises(ScenarioError, match=re.escape("nope.yaml: no such scenario file")):
        load_scenario("nope.yaml")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"seeding.sise": 3}, "overrides: seeding.sise: unknown field; expected one of: strategy, size"),
        ({"audience.netwrk.kind": "complete"}, "overrides: audience.netwrk: unknown field"),
        ({"objectives.5.target": 3}, "overrides: objectives.5: expected a list index below 2"),
        ({"seeding.size": -1}, "overrides: seeding.size: Input should be greater than or equal to 0"),
        ({"days.x": 1}, "overrides: days.x: days is a value, not a section"),
    ],
)
def test_bad_overrides_name_the_path(overrides, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS / "bakery_launch.yaml", overrides)
    assert str(info.value).startswith(expected), str(info.value)


def test_every_parameter_has_a_unit_and_a_description():
    rows = parameter_table()
    assert len(rows) > 30
    for row in rows:
        assert row["unit"], row["path"]
        assert row["description"], row["path"]


def test_shipped_files_set_only_known_fields():
    # extra="forbid" at every level: a typo in a shipped file would be caught by loading, but
    # also check the YAML keys round-trip through the schema unchanged
    for path in SHIPPED:
        raw = yaml.safe_load(path.read_text())
        dumped = Scenario.model_validate(raw).model_dump()
        for key in raw:
            assert key in dumped
