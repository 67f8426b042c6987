"""The base of the parameter tree: every mechanism's ``*Params`` class derives from :class:`Params`.

Each mechanism declares its parameters beside its code (``mechanisms/feed.py`` holds
``FeedParams``, ``network.py`` holds ``NetworkParams``...), each field with :func:`param`: a
default, a description, a unit and, where one exists, a source (``../shared/DOMAIN.md`` terms;
a numeric field without one is an assumption). ``scenario.py`` assembles the tree. This module is
on the ground floor: it imports nothing of the model.

Example:
    >>> class DemoParams(Params):
    ...     rate_per_day: float = param(0.1, "how often it happens", "per day", "assumption", ge=0, le=1)
    >>> DemoParams().rate_per_day
    0.1
    >>> DemoParams.model_fields["rate_per_day"].json_schema_extra
    {'unit': 'per day', 'source': 'assumption'}
"""

from __future__ import annotations

import numbers
import reprlib
from collections.abc import Collection, Mapping
from functools import partial
from typing import Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from communitysim.messages import t

__all__ = [
    "Params",
    "ScenarioError",
    "check_seed",
    "frame",
    "known_name",
    "over_defaults",
    "over_table",
    "param",
    "shown",
    "table",
]

#: How an error message shows the value it refuses: short, however large the value (a huge list, a long text).
_SHORT = reprlib.Repr(maxlevel=2, maxlist=4, maxdict=4, maxstring=80, maxother=80, maxlong=40)


def shown(value: Any) -> str:
    """``value`` as an error message shows it: short, however large.

    Example:
        >>> shown(list(range(100)))
        '[0, 1, 2, 3, ...]'
    """
    return _SHORT.repr(value)


class ScenarioError(ValueError):
    """A scenario, an override or an input file is invalid; the message is one line.

    The message names the file (or ``overrides``), the field path and what was expected.
    """


def frame(*parts: str) -> str:
    """A one-line error in the language's punctuation: ``file: field: what`` (``file : champ : quoi``)."""
    return t("scenario.sep").join(part for part in parts if part)


def check_seed(seed: Any, source: str = "seed") -> int:
    """``seed`` as an int when it is a whole number >= 0 (numpy's too), else one line naming ``source``.

    Example:
        >>> check_seed(7)
        7
    """
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise ScenarioError(frame(source, t("scenario.error.seed", got=shown(seed))))


def known_name(value: str, names: Collection[str], message: str) -> str:
    """``value`` when ``names`` holds it, else a ValueError: the catalogue's ``message`` listing the names.

    For a field that names an entry of a mechanism's table (a seeding strategy, a posting schedule).

    Example:
        >>> known_name("steady", {"steady", "weekdays"}, "scenario.error.schedule")
        'steady'
    """
    if value not in names:
        raise ValueError(t(message, value=repr(value), allowed=", ".join(sorted(names))))
    return value


def over_defaults(defaults: Mapping[str, Any], given: Any) -> Any:
    """A table parameter as given, laid over its default: what is given changes only the entries it names.

    For tables (``content.types``, ``crisis_dynamics.response_fit``): a file or ``--set`` changes
    one figure without restating the table. What is not a mapping is left for validation to refuse.

    Example:
        >>> over_defaults({"a": {"x": 1, "y": 2}, "b": {"x": 3}}, {"a": {"y": 5}})
        {'a': {'x': 1, 'y': 5}, 'b': {'x': 3}}
    """
    if isinstance(given, BaseModel):
        given = given.model_dump()
    if not isinstance(given, Mapping):
        return given
    merged = {key: value.model_dump() if isinstance(value, BaseModel) else value for key, value in defaults.items()}
    for key, value in given.items():
        base = merged.get(key)
        merged[key] = over_defaults(base, value) if isinstance(base, Mapping) else value
    return merged


def param(default: Any, description: str, unit: str, source: str | None = None, **kw: Any) -> Any:
    """A parameter field: its default, what it is, its unit and its source (none: an assumption).

    ``kw`` are pydantic's bounds and options (``ge``, ``le``, ``gt``, ``lt``, ``max_length``...);
    the bounds are the sliders' ranges (:func:`communitysim.scenario.field_bounds`).
    """
    extra = {"unit": unit} if source is None else {"unit": unit, "source": source}
    return Field(default, description=description, json_schema_extra=extra, **kw)


def table(defaults: Mapping[str, Any], description: str, unit: str, source: str | None = None) -> Any:
    """A table parameter (``content.types``): ``defaults`` unless given; what is given is laid over them.

    Use it as the field's default and :func:`over_table` in its type, so that a file or ``--set``
    changes one figure without restating the table.
    """
    extra = {"unit": unit} if source is None else {"unit": unit, "source": source}
    return Field(default_factory=lambda: dict(defaults), description=description, json_schema_extra=extra)


def over_table(defaults: Mapping[str, Any]) -> BeforeValidator:
    """The validator that lays what is given over ``defaults`` (:func:`over_defaults`), for a table's type.

    Example:
        >>> from typing import Annotated
        >>> class Weights(Params):
        ...     by_kind: Annotated[dict[str, float], over_table({"a": 1.0, "b": 2.0})] = table(
        ...         {"a": 1.0, "b": 2.0}, "weight of each kind", "x")
        >>> Weights(by_kind={"b": 3.0}).by_kind
        {'a': 1.0, 'b': 3.0}
    """
    return BeforeValidator(partial(over_defaults, defaults))


class Params(BaseModel):
    """A frozen section of the parameter tree that refuses unknown keys and infinite or NaN numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)
