import re

from communitysim.scenario import parameter_table
from helpers import ROOT


def test_the_parameter_table_is_current():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update", ROOT / "tools" / "update_parameter_table.py")
    update = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update)
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


def test_the_step_order_is_the_same_in_code_and_docs():
    import communitysim.model as model

    code = re.findall(r"^\d+\. \*(\w[\w ]*)\*", model.__doc__, flags=re.M)
    doc = re.findall(r"^\d+\. \*\*(\w[\w ]*)\*\*", (ROOT / "docs" / "MODEL.md").read_text(), flags=re.M)
    assert [c.lower() for c in code] == [d.lower() for d in doc]
    assert len(code) == 10


def test_readme_quickstart_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
