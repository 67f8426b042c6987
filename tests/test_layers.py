"""The house's floors: a module imports only from its own floor or lower ones, and no import goes round in a circle.

Imports are read from the source with ``ast``, imports inside functions included (a late import is
still a dependency); imports under ``if TYPE_CHECKING:`` are left out (they never run). ``from
package import name`` counts as an import of ``package.name`` when that is a module, else of
``package``. Python runs a package's ``__init__`` before any of its modules: that is not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "communitysim"

#: The floors, ground first. A name ending in ``.*`` stands for every module of that package.
FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ground",
        (
            "communitysim.messages",
            "communitysim.files",
            "communitysim.params",
            "communitysim.plugins",
            "communitysim.sampling",
            "communitysim.inversion",
        ),
    ),
    ("measures", ("communitysim.kpis",)),  # pure functions of a time series, named by the scenario's objectives
    ("structure", ("communitysim.network", "communitysim.population")),
    ("mechanisms", ("communitysim.mechanisms", "communitysim.mechanisms.*")),
    ("scenario", ("communitysim.scenario",)),
    ("results", ("communitysim.result", "communitysim.plotting")),  # what a run returns: below the model that makes it
    ("model", ("communitysim.model",)),
    (
        "studies",
        (
            "communitysim",
            "communitysim.experiments",
            "communitysim.experiments.*",
            "communitysim.calibration",
            "communitysim.calibration.*",
        ),
    ),
    (
        "exercise",
        (
            "communitysim.classroom",
            "communitysim.classroom.*",
            "communitysim.crisis_feed",
            "communitysim.crisis_feed.*",
            "communitysim.exercise",
            "communitysim.exercise.*",
        ),
    ),
    (
        "top",
        (
            "communitysim.ui",
            "communitysim.ui.*",
            "communitysim.cli",
            "communitysim.__main__",
            "communitysim.classroom.serve",
        ),
    ),  # classroom.serve starts servers, as the cli does
)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(source: str, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package's modules that ``source`` (module ``name``) imports at run time."""
    here = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    todo: list[ast.AST] = [ast.parse(source)]
    while todo:
        node = todo.pop()
        if _type_checking(node):
            todo.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {module for module in found if module in modules and module != name}


def floor_of(module: str) -> int:
    """The index of the module's floor in FLOORS: its own name first, else its package's star."""
    exact = [index for index, (_, members) in enumerate(FLOORS) if module in members]
    stars = [
        (len(member), index)
        for index, (_, members) in enumerate(FLOORS)
        for member in members
        if member.endswith(".*") and module.startswith(member[:-1])
    ]
    if not exact and not stars:
        raise KeyError(module)
    return exact[0] if exact else max(stars)[1]


def upward_imports(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """The imports from a lower floor to a higher one."""
    return sorted((a, b) for a, b in graph.edges if floor_of(b) > floor_of(a))


def import_circles(graph: nx.DiGraph) -> list[list[str]]:
    """The sets of modules that import one another, round in a circle."""
    return [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    names = set(MODULES)
    for name, path in MODULES.items():
        g.add_node(name)
        for target in imports_of(path.read_text(), name, path.name == "__init__.py", names):
            g.add_edge(name, target)
    return g


def test_the_reader_sees_late_imports_and_skips_type_checking_ones():
    source = (
        "from typing import TYPE_CHECKING\nfrom . import files\n"
        "if TYPE_CHECKING:\n    from communitysim.model import M\n"
        "def f():\n    from communitysim.ui import show\n    import communitysim.scenario\n"
    )
    names = {"communitysim.files", "communitysim.model", "communitysim.ui", "communitysim.scenario"}
    found = imports_of(source, "communitysim.kpis", False, names)
    assert found == {"communitysim.files", "communitysim.ui", "communitysim.scenario"}


def test_the_checks_catch_a_planted_upward_import_and_circle():
    planted = nx.DiGraph(
        [
            ("communitysim.params", "communitysim.scenario"),  # the ground floor reaching up
            ("communitysim.mechanisms.feed", "communitysim.mechanisms.engagement"),
            ("communitysim.mechanisms.engagement", "communitysim.mechanisms.feed"),
            ("communitysim.scenario", "communitysim.params"),
        ]
    )
    assert upward_imports(planted) == [("communitysim.params", "communitysim.scenario")]
    assert sorted(import_circles(planted)) == [
        ["communitysim.mechanisms.engagement", "communitysim.mechanisms.feed"],
        ["communitysim.params", "communitysim.scenario"],
    ]


def test_every_module_has_a_floor():
    unplaced = []
    for name in MODULES:
        try:
            floor_of(name)
        except KeyError:
            unplaced.append(name)
    assert not unplaced, f"add to FLOORS: {unplaced}"


def test_no_import_goes_up_a_floor(graph):
    upward = upward_imports(graph)
    assert not upward, "imports from a lower floor to a higher one: " + ", ".join(f"{a} -> {b}" for a, b in upward)


def test_below_the_top_nothing_reaches_the_user_interface(graph):
    top = len(FLOORS) - 1
    for name in MODULES:
        if floor_of(name) < top:
            reached = sorted(m for m in nx.descendants(graph, name) if floor_of(m) == top)
            assert not reached, f"{name} reaches {reached}"


def test_no_import_circle(graph):
    circles = import_circles(graph)
    assert not circles, f"import circles: {circles}"
