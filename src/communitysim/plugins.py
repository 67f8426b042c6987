"""Named plug-ins (seeding strategies, posting schedules) that reach every process a sweep runs in.

A :class:`Registry` maps names to callables. Besides the built-in ones and those registered at run
time, a name may be an import path, ``"package.module:function"``: it is imported where it is first
used, so a scenario naming one runs the same in this process, in a sweep's worker processes and on
Dask workers. A callable registered under a short name travels to the workers as its import path
(:func:`exported`, then :func:`install` in the worker); one that has none (a lambda, a function
defined in a notebook or in ``__main__``) stays local, and :func:`local_names` lets a sweep refuse it
with one clear line instead of failing in a worker.

Ground floor: it imports nothing from the package.

Example:
    >>> from communitysim.mechanisms.posting import SCHEDULES
    >>> "math:floor" in SCHEDULES, SCHEDULES["math:floor"](2.5), "nowhere:floor" in SCHEDULES
    (True, 2, False)
    >>> path_of(load("math:floor"))
    'math:floor'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["Registry", "exported", "install", "load", "local_names", "path_of"]

#: Every registry by the scenario field that names its entries, filled as the mechanisms are imported.
REGISTRIES: dict[str, Registry] = {}


def load(path: str) -> Callable[..., Any]:
    """The callable at ``"package.module:function"`` (imported now).

    Raises:
        ValueError: not of that form, not importable, or not callable.
    """
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected an import path 'package.module:function', got {path!r}")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot import {path!r}: {exc}") from None
    if not callable(target):
        raise ValueError(f"{path!r} is not callable")
    return target


def path_of(function: Callable[..., Any]) -> str | None:
    """The import path another process can load ``function`` from, or None (lambda, local, ``__main__``)."""
    module, qualname = getattr(function, "__module__", None), getattr(function, "__qualname__", "")
    if not module or module == "__main__" or "<" in qualname:
        return None
    path = f"{module}:{qualname}"
    try:
        return path if load(path) is function else None
    except ValueError:
        return None


class Registry(dict[str, Callable[..., Any]]):
    """Callables by name; ``"package.module:function"`` names resolve on first use, in any process.

    Attributes:
        field: the scenario field that names an entry (``seeding.strategy``).
        paths: the names registered at run time that other processes can import, with their paths.
        local: the names registered with a callable that other processes cannot import.
    """

    def __init__(self, field: str, builtins: dict[str, Callable[..., Any]]):
        super().__init__(builtins)
        self.field = field
        self.paths: dict[str, str] = {}
        self.local: set[str] = set()
        REGISTRIES[field] = self

    def register(self, name: str, target: Callable[..., Any] | str) -> None:
        """Add ``target`` (a callable or an import path) under ``name``.

        Raises:
            TypeError: neither callable nor a string.
            ValueError: an import path that does not load.
        """
        if isinstance(target, str):
            function, path = load(target), target
        elif callable(target):
            function, path = target, path_of(target)
        else:
            raise TypeError(f"{self.field}: expected a callable or an import path 'package.module:function'")
        self[name] = function
        self.paths.pop(name, None)
        self.local.discard(name)
        if path is None:
            self.local.add(name)
        else:
            self.paths[name] = path

    def __missing__(self, name: str) -> Callable[..., Any]:
        if not isinstance(name, str) or ":" not in name:
            raise KeyError(name)
        try:
            function = load(name)
        except ValueError:
            raise KeyError(name) from None
        self[name] = function
        return function

    def __contains__(self, name: object) -> bool:
        if dict.__contains__(self, name):
            return True
        try:
            self[name]  # type: ignore[index]
        except KeyError:
            return False
        return True


def exported() -> dict[str, dict[str, str]]:
    """The names registered at run time with an import path, by field: what a worker must install."""
    return {field: dict(registry.paths) for field, registry in REGISTRIES.items() if registry.paths}


def install(paths: dict[str, dict[str, str]]) -> None:
    """Register, in this process, what :func:`exported` gave in another one."""
    for field, names in paths.items():
        for name, path in names.items():
            if REGISTRIES[field].paths.get(name) != path:
                REGISTRIES[field].register(name, path)


def local_names() -> dict[str, set[str]]:
    """The names registered with a callable other processes cannot import, by field."""
    return {field: set(registry.local) for field, registry in REGISTRIES.items() if registry.local}
