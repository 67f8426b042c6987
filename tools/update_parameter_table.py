"""Rewrite the parameter table of docs/MODEL.md from the scenario schema (``make docs``).

The table sits between the markers ``<!-- parameters:start -->`` and ``<!-- parameters:end -->``;
``tests/test_docs.py`` fails when it is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from communitysim.scenario import parameter_table

DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"


def table() -> str:
    """The markdown table of every parameter."""
    lines = ["| parameter | default | unit | description | source |", "|---|---|---|---|---|"]
    for row in parameter_table():
        default = row["default"].replace("|", "/")
        lines.append(f"| `{row['path']}` | {default} | {row['unit']} | {row['description']} | {row['source']} |")
    return "\n".join(lines)


def main() -> int:
    """Rewrite the table in place; print whether it changed."""
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{table()}\n{END}{tail}"
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"updated {DOC}")
    else:
        print(f"{DOC} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
