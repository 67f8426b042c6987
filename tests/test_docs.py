import re

from communitysim.scenario import parameter_table
from helpers import ROOT


def _tool(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_parameter_table_is_current():
    update = _tool("update_parameter_table")
    doc = (ROOT / "docs" / "MODEL.md").read_text()
    assert f"{update.START}\n{update.table()}\n{update.END}" in doc, "run `make docs`"


def test_every_parameter_is_in_the_model_description_with_its_default_and_unit():
    doc = (ROOT / "docs" / "MODEL.md").read_text()
    for row in parameter_table():
        line = next((x for x in doc.splitlines() if x.startswith(f"| `{row['path']}` |")), None)
        assert line is not None, f"docs/MODEL.md lacks {row['path']}"
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == row["default"].replace("|", "/"), row["path"]
        assert cells[2] == row["unit"], row["path"]


def test_the_step_order_in_the_docs_is_the_one_the_model_runs():
    from communitysim.model import STEP

    update = _tool("update_step_order")
    doc = (ROOT / "docs" / "MODEL.md").read_text()
    block = doc.split(update.START, 1)[1].split(update.END, 1)[0]
    listed = re.findall(r"^\d+\. `([\w.]+)` — ", block, flags=re.M)
    assert listed == [f"{f.__module__.split('.')[-1]}.{f.__name__}" for f in STEP], "run `make docs`"
    assert f"{update.START}\n{update.steps()}\n{update.END}" in doc, "a step's docstring changed: run `make docs`"


def test_a_step_calls_each_function_of_STEP_once_in_order(monkeypatch):
    import communitysim.model as model

    names = [f.__name__ for f in model.STEP]
    calls = []

    def traced(function):
        def step_function(built):
            calls.append(function.__name__)
            function(built)

        return step_function

    monkeypatch.setattr(model, "STEP", tuple(traced(f) for f in model.STEP))
    built = model.CommunityModel({"audience": {"size": 50}, "days": 2}, seed=1)
    built.step()
    assert calls == names
    assert built.steps == 1 and len(built.result().timeseries) == 2  # the step collected its row


def test_readme_quickstart_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
