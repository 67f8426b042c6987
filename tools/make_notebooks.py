"""Write the thin notebooks 00-03 from their cells (``make notebooks``), then execute them.

The notebooks hold no model logic: each builds an app from ``communitysim.ui``. Their texts for
learners sit in markdown cells here (English; the French pair comes with the translation issue).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

WELCOME = [
    new_markdown_cell(
        "# Welcome to communitysim\n\n"
        "communitysim is a simulated online brand community. You play its **community manager** (CM): you decide "
        "who the first members are, what to post and how often, how fast to answer, and what to say when a bad buzz "
        "breaks. The simulation shows what your choices do to the KPIs.\n\n"
        "**How to use a widget notebook**: run all cells (menu *Run → Run All Cells*, or open the notebook as an "
        "app with `make app`). Then use the sliders, menus and buttons: no code needed. The code is there for the "
        "curious.\n\n"
        "## The model in plain words: the 4C rule\n"
        "- **Contexte**: an audience of people linked by a social network; each likes the brand more or less and is "
        "more or less active.\n"
        "- **Contenu**: your posts, their type (informational, video, contest, quiz, event, promotional, debate...), "
        "their quality and rhythm.\n"
        "- **Connectivité**: word-of-mouth between friends, your replies, members answering each other.\n"
        "- **Continuité**: keep inventing: repeating the same kind of post wears it out, over-posting tires people.\n\n"
        "## The map\n"
        "| notebook | what you do |\n|---|---|\n"
        "| `01_first_members` | choose the first members and when to invite them; watch word-of-mouth spread |\n"
        "| `02_posting_strategy_lab` | test a posting strategy against the scenario's objectives |\n"
        "| `03_engagement_and_fatigue` | see why engagement decays, why over-posting backfires, who participates |\n"
        "| `04_crisis_exercise` | manage a bad buzz hour by hour, then read the after-action report |\n\n"
        "## Learning objectives\n"
        "After these notebooks you can explain why the first members matter, choose a posting rhythm with evidence, "
        "read engagement KPIs with their denominators, and pick a crisis response that fits the crisis."
    ),
    new_markdown_cell(
        "## A first run\nThe default scenario: a bakery launches its page. The dashboard shows its first year."
    ),
    new_code_cell(
        'import communitysim as cs\n\nresult = cs.run("../scenarios/bakery_launch.yaml", seed=7)\nresult.scorecard'
    ),
    new_code_cell("from communitysim.ui import show\n\nshow(result.plot())"),
    new_markdown_cell(
        "## Where to read more\n"
        "- `docs/MODEL.md`: the model, mechanism by mechanism, with every parameter and its source.\n"
        "- `docs/KPIS.md`: every KPI's formula and denominator.\n"
        "- The course texts behind it: the 4C rule, first members, launch readiness, KPIs and objectives, crises."
    ),
]

LAB = [
    new_markdown_cell(
        "# The posting-strategy lab\n\n"
        "**Learning objectives**: choose how often to post, what to post, how well and how responsively; read the "
        "KPIs; reach the scenario's objectives.\n\n"
        "Set your strategy on the left and click **Run**. The previous run stays dashed on the plots: change one "
        "lever at a time and compare."
    ),
    new_code_cell("from communitysim.ui.posting_lab import posting_lab\n\nlab = posting_lab()\nlab.run()\nlab"),
    new_markdown_cell(
        "## Things to try\n"
        "- Double the posts per week. Does each post get more or less engagement? And all posts together?\n"
        "- Post only contests for a while, then compare members and churn with a varied mix.\n"
        "- Add some *begging for likes*: what happens to members and sentiment?\n"
        "- Answer every comment within an hour, then within two days.\n\n"
        "## Challenges\n"
        "1. Reach every objective of `bakery_launch.yaml`.\n"
        "2. On `posting_frequency.yaml`, find the number of posts per week that maximises total engagements.\n"
        "3. On `b2b_leads.yaml`, get the most qualified leads without losing members."
    ),
]

FIRST_MEMBERS = [
    new_markdown_cell(
        "# First members and launch readiness\n\n"
        "**Learning objectives**: see why the first members decide how a community grows (their circle, their "
        "activity), and why a page is stocked with content before people are invited.\n\n"
        "Choose who is invited first and after how many posts, then **Run**: the network shows members in colour "
        "at the chosen day."
    ),
    new_code_cell("from communitysim.ui.first_members import first_members\n\napp = first_members()\napp.run()\napp"),
    new_markdown_cell(
        "## Things to try\n"
        "- Compare *close circle* with *influencers* and *random* at day 90, then at day 365.\n"
        "- Invite before the first post (0 posts), then after 6 posts.\n\n"
        "## Challenge\nReach 300 members by day 90 on the bakery's audience."
    ),
]

ENGAGEMENT = [
    new_markdown_cell(
        "# Engagement and fatigue\n\n"
        "**Learning objectives**: explain why engagement per post falls when you post more, why total engagement "
        "has a best rhythm, and why most members never comment (90-9-1 participation).\n\n"
        "Click **Sweep** to run the same community at several posting rhythms."
    ),
    new_code_cell(
        "from communitysim.ui.engagement_lab import engagement_lab\n\n"
        "app = engagement_lab()\napp.sweep()\napp.compare()\napp"
    ),
    new_markdown_cell(
        "## Things to try\n"
        "- Raise the attention (appetite): where does the best rhythm move?\n"
        "- Look at the participation bars: who makes most of the comments?\n\n"
        "## Challenge\nFind the rhythm with the most engagements in total (type it under the plots and click "
        "**Check**: the feedback explains why), then explain why more posts do worse."
    ),
]


def write(name: str, cells: list) -> Path:
    """Write one notebook."""
    notebook = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    path = NOTEBOOKS / name
    nbformat.write(notebook, path)
    return path


def main() -> int:
    """Write the notebooks 00-03."""
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in (
        ("00_welcome.ipynb", WELCOME),
        ("01_first_members.ipynb", FIRST_MEMBERS),
        ("02_posting_strategy_lab.ipynb", LAB),
        ("03_engagement_and_fatigue.ipynb", ENGAGEMENT),
    ):
        print(write(name, cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
