"""Rewrite the step order of docs/MODEL.md (section 3) from ``communitysim.model.STEP`` (``make docs``).

The list sits between the markers ``<!-- steps:start -->`` and ``<!-- steps:end -->``: one item per
step function, its name and its docstring's first paragraph. ``tests/test_docs.py`` fails when it
is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from communitysim.model import step_order

DOC = Path(__file__).resolve().parents[1] / "docs" / "MODEL.md"
START, END = "<!-- steps:start -->", "<!-- steps:end -->"


def steps() -> str:
    """The markdown list of the steps, in order."""
    return "\n".join(f"{n}. `{name}` — {summary}" for n, (name, summary) in enumerate(step_order(), start=1))


def main() -> int:
    """Rewrite the list in place; print whether it changed."""
    text = DOC.read_text(encoding="utf-8")
    block = re.compile(f"{re.escape(START)}.*?{re.escape(END)}", flags=re.S)
    new = block.sub(lambda _: f"{START}\n{steps()}\n{END}", text, count=1)
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    print(f"{DOC}: {'updated' if new != text else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
