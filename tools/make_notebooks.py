"""Write the thin notebooks, in every shipped language, from one template and the catalogue (``make notebooks``).

Each notebook is a list of cells: markdown cells are message keys (their text lives in
``src/communitysim/ui/locales/<lang>/notebooks.yaml``, so a translation is a new catalogue, not a
second copy of the notebooks), code cells build one app from ``communitysim.ui`` and hold no model
logic. Each language's notebook sits beside the English one (``02_x.fr.ipynb``) and switches the
language in its second cell. ``tests/test_notebooks.py`` checks that the committed notebooks match
what this writes, in every language, so the pairs cannot drift apart.

    .venv/bin/python tools/make_notebooks.py          # writes the changed notebooks (no outputs)
    make notebooks                                    # writes, then executes them in place
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from communitysim.messages import LANGUAGES, t

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: notebook file -> cells: ("md", message key) or ("code", source).
TEMPLATE: dict[str, list[tuple[str, str]]] = {
    "00_welcome.ipynb": [
        ("md", "nb.welcome.intro"),
        ("md", "nb.welcome.first_run"),
        (
            "code",
            "# NBVAL_CHECK_OUTPUT\n# (checked by nbval: the same seed gives the same scorecard)\n"
            "import communitysim as cs\nfrom communitysim.ui import scorecard\n\n"
            'result = cs.run("../scenarios/bakery_launch.yaml", seed=7)\nscorecard(result)',
        ),
        ("code", "from communitysim.ui import show\n\nshow(result.plot())"),
        ("md", "nb.welcome.try"),
        ("code", "from communitysim.ui.welcome import welcome_challenge\n\nchallenge = welcome_challenge()\nchallenge"),
        ("md", "nb.welcome.read_more"),
    ],
    "01_first_members.ipynb": [
        ("md", "nb.first.intro"),
        ("code", "from communitysim.ui.first_members import first_members\n\napp = first_members()\napp.run()\napp"),
        ("md", "nb.first.try"),
    ],
    "02_posting_strategy_lab.ipynb": [
        ("md", "nb.lab.intro"),
        ("code", "from communitysim.ui.posting_lab import posting_lab\n\nlab = posting_lab()\nlab.run()\nlab"),
        ("md", "nb.lab.try"),
    ],
    "03_engagement_and_fatigue.ipynb": [
        ("md", "nb.engagement.intro"),
        (
            "code",
            "from communitysim.ui.engagement_lab import engagement_lab\n\napp = engagement_lab()\napp.sweep()\napp",
        ),
        ("md", "nb.engagement.try"),
    ],
    "04_crisis_exercise.ipynb": [
        ("md", "nb.crisis.intro"),
        ("code", "from communitysim.ui.crisis_exercise import crisis_exercise\n\napp = crisis_exercise()\napp"),
        ("md", "nb.crisis.try"),
    ],
    "05_strategy_experiments.ipynb": [
        ("md", "nb.experiments.intro"),
        (
            "code",
            "from communitysim.ui.experiments_lab import experiments_lab\n\napp = experiments_lab()\napp",
        ),
        ("md", "nb.experiments.try"),
    ],
    "06_calibrate_your_community.ipynb": [
        ("md", "nb.calibration.intro"),
        (
            "code",
            "from communitysim.ui.calibration_lab import calibration_lab\n\n"
            "app = calibration_lab()\napp.use_sample()\napp",
        ),
        ("md", "nb.calibration.try"),
    ],
    "09_glossary.ipynb": [("md", "nb.glossary")],
    "07_classroom_facilitator.ipynb": [
        ("md", "nb.facilitator.intro"),
        ("code", "from communitysim.ui.classroom_facilitator import facilitator\n\napp = facilitator()\napp"),
        ("md", "nb.facilitator.try"),
    ],
    "08_classroom_team.ipynb": [
        ("md", "nb.team.intro"),
        ("code", "from communitysim.ui.classroom_team import team\n\napp = team()\napp"),
        ("md", "nb.team.try"),
    ],
}


def notebook_name(name: str, lang: str) -> str:
    """The file of a notebook in a language: English ``02_x.ipynb``, others beside it as ``02_x.fr.ipynb``."""
    return name if lang == "en" else name.replace(".ipynb", f".{lang}.ipynb")


def cells(name: str, lang: str = "en") -> list:
    """The cells of one notebook in one language: markdown from the catalogue, then the language switch."""
    made = [
        new_markdown_cell(t(source, lang=lang)) if kind == "md" else new_code_cell(source)
        for kind, source in TEMPLATE[name]
    ]
    switch = new_code_cell(f'from communitysim.ui.messages import set_language\n\nset_language("{lang}")')
    return [made[0], switch, *made[1:]]  # the switch right after the title: every app below speaks it


def write(name: str, lang: str = "en") -> Path:
    """Write one notebook (without outputs: ``make notebooks`` executes it afterwards)."""
    notebook = new_notebook(
        cells=cells(name, lang), metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    path = NOTEBOOKS / notebook_name(name, lang)
    nbformat.write(notebook, path)
    return path


def changed(name: str, lang: str = "en") -> bool:
    """Whether the committed notebook's cells differ from the template's (or it does not exist)."""
    path = NOTEBOOKS / notebook_name(name, lang)
    if not path.exists():
        return True
    committed = nbformat.read(path, as_version=4).cells
    return [(c.cell_type, c.source) for c in committed] != [(c.cell_type, c.source) for c in cells(name, lang)]


def main() -> int:
    """Write the notebooks whose cells changed (``--all``: every one); the others keep their outputs."""
    NOTEBOOKS.mkdir(exist_ok=True)
    for lang in LANGUAGES:
        for name in TEMPLATE:
            if "--all" in sys.argv or changed(name, lang):
                print(write(name, lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
