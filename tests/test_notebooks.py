"""The committed notebooks: written from one template and the catalogue, executed, without errors."""

import importlib.util

import nbformat
import pytest

from helpers import ROOT

spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
make_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_notebooks)

PAIRS = [(name, lang) for lang in make_notebooks.LANGUAGES for name in sorted(make_notebooks.TEMPLATE)]
NOTEBOOKS = sorted(make_notebooks.notebook_name(name, lang) for name, lang in PAIRS)


def test_every_notebook_in_the_folder_comes_from_the_template_in_every_language():
    assert NOTEBOOKS == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize(("name", "lang"), PAIRS)
def test_the_committed_notebook_matches_the_template_and_the_catalogue(name, lang):
    committed = nbformat.read(ROOT / "notebooks" / make_notebooks.notebook_name(name, lang), as_version=4)
    expected = make_notebooks.cells(name, lang)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in expected], (
        f"{name} drifted from tools/make_notebooks.py or the catalogue: run `make notebooks`"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_committed_notebook_was_executed_without_errors(name):
    committed = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{name}: commit it executed (`make notebooks`)"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
