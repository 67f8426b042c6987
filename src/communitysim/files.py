"""Where the shipped data lives: scenarios, notebooks and sample exports, read through ``importlib.resources``.

Installed from a wheel, they are package data (``communitysim/scenarios``, ``communitysim/notebooks``,
``communitysim/examples``); in a source checkout that still keeps them at the project's root, the
root's folders are used. Every module asks here rather than building paths of its own.

Example:
    >>> shipped("scenarios").joinpath("bakery_launch.yaml").is_file()
    True
    >>> scenario_path("bakery_launch").name
    'bakery_launch.yaml'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["KINDS", "find_scenario", "scenario_names", "scenario_path", "shipped"]

#: The kinds of shipped data, each a folder.
KINDS = ("scenarios", "notebooks", "examples")
#: Extensions of a scenario file.
SCENARIO_SUFFIXES = (".yaml", ".yml")


def shipped(kind: str) -> Path:
    """The folder of a kind of shipped data (package data, else the checkout's root folder)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of shipped data {kind!r}; expected one of: {', '.join(KINDS)}")
    packaged = Path(str(resources.files("communitysim") / kind))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / kind


def scenario_names() -> list[str]:
    """The names of the shipped scenarios (file names without ``.yaml``), sorted."""
    folder = shipped("scenarios")
    return sorted(p.stem for p in folder.iterdir() if p.suffix in SCENARIO_SUFFIXES)


def scenario_path(name: str) -> Path:
    """A shipped scenario's file by its name (``bakery_launch`` or ``bakery_launch.yaml``)."""
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix in SCENARIO_SUFFIXES else name
    for suffix in SCENARIO_SUFFIXES:
        path = shipped("scenarios") / f"{stem}{suffix}"
        if path.is_file():
            return path
    return shipped("scenarios") / f"{stem}.yaml"


def find_scenario(given: str | Path) -> Path:
    """A scenario as the user gave it: an existing file, else the shipped scenario of that name.

    ``scenarios/bakery_launch.yaml`` (a checkout's path, typed anywhere), ``bakery_launch.yaml`` and
    ``bakery_launch`` all find the shipped scenario when no such file exists where the user is.
    A name that is neither is returned as given (the loader then says the file is missing).
    """
    path = Path(given)
    if path.exists():
        return path
    if path.name and (path.parent in (Path(), Path("scenarios"))):
        candidate = scenario_path(path.name)
        if candidate.is_file():
            return candidate
    return path
