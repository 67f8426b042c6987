"""Write the thin notebook 04_crisis_exercise (then execute it with nbconvert, see below).

The notebook holds no model logic: it builds the app from ``communitysim.ui.crisis_exercise``.

    .venv/bin/python tools/make_crisis_notebook.py
    cd notebooks && ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace 04_crisis_exercise.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAME = "04_crisis_exercise.ipynb"

CELLS = [
    new_markdown_cell(
        "# Crisis exercise: manage a bad buzz, hour by hour\n\n"
        "For trainers and their groups. A crisis breaks on the brand's page: you are the community manager.\n\n"
        "**Learning objectives**\n"
        "- Read a bad buzz as it unfolds: negative share, its peak, how far it reaches, who leaves.\n"
        "- Name the crisis cluster (victim, accidental, preventable) and pick the response that fits it "
        "(Situational Crisis Communication Theory, Coombs 2007).\n"
        "- See why the first hours matter: the same statement made later does less.\n"
        "- Use moderation and follow-up updates without making things worse (the Streisand effect).\n\n"
        "**How to play**: pick a scenario and a seed, click **Start** (the exercise opens when the crisis breaks). "
        "Move the clock (**+1 h**, **+6 h**, **+1 day**), read the feed and the live KPIs, choose your response and "
        "click **Respond now** when you are ready. **Finish** runs to the end and shows the after-action report, "
        "which compares your run with no response and with the best matched response on the same seed; "
        "**Export report** saves it as `out/after_action_report.html`."
    ),
    new_code_cell("from communitysim.ui.crisis_exercise import crisis_exercise\n\napp = crisis_exercise()\napp"),
    new_markdown_cell(
        "## Things to try\n"
        "- Play the same seed with the best matched response, then with the same response 12 hours later: how "
        "much does the delay cost?\n"
        "- Hide most negative comments (moderation above one half): does the bad buzz calm down or flare up?\n"
        "- Add two follow-up updates a day to a fitting response and compare the hours to recover.\n"
        "- Respond with a mismatched strategy on purpose (deny a preventable crisis, joke about a recall) and read "
        "the members lost.\n\n"
        "## Challenges\n"
        "1. Pass every objective of `crisis_offensive_post.yaml`.\n"
        "2. On `crisis_false_rumour.yaml`, find the response that keeps the negative reach lowest. Why not an "
        "apology?\n"
        "3. On `crisis_product_recall.yaml`, beat the best matched response's hours to recover."
    ),
]


def main() -> int:
    """Write notebooks/04_crisis_exercise.ipynb (without outputs: execute it afterwards)."""
    NOTEBOOKS.mkdir(exist_ok=True)
    notebook = new_notebook(cells=CELLS, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    path = NOTEBOOKS / NAME
    nbformat.write(notebook, path)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
