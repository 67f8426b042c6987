"""The scenario: one validated parameter tree, loaded from YAML, with overrides.

Every field has a default, a unit and a description (and, where one exists, a source in
``../shared/DOMAIN.md`` terms); the same metadata drives ``docs/MODEL.md``'s parameter table,
the CLI's ``--set`` and the notebook sliders' ranges (:func:`field_bounds`).

Example:
    >>> from communitysim.scenario import load_scenario
    >>> s = load_scenario("scenarios/bakery_launch.yaml", overrides={"seeding.size": 50})
    >>> s.seeding.size
    50
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator

from communitysim.files import InputError, clean_text, load_yaml, load_yaml_file
from communitysim.mechanisms.cm_actions import CMActionParams
from communitysim.mechanisms.conversation import ConversationParams
from communitysim.mechanisms.crisis import (
    CrisisDynamicsParams,
    CrisisParams,
    CrisisType,
    ResponseParams,
    ResponseStrategy,
)
from communitysim.mechanisms.engagement import EngagementParams
from communitysim.mechanisms.feed import PLATFORMS, FeedParams
from communitysim.mechanisms.growth import GrowthParams
from communitysim.mechanisms.leads import LeadParams
from communitysim.mechanisms.norm import CommunityParams
from communitysim.mechanisms.posting import (
    CONTENT_TYPES,
    ContentParams,
    ContentTypeName,
    ContentTypeParams,
    StrategyParams,
)
from communitysim.mechanisms.replies import RepliesParams
from communitysim.mechanisms.retention import RetentionParams
from communitysim.mechanisms.seeding import LaunchParams, SeedingParams
from communitysim.messages import number, t, t_or
from communitysim.network import NetworkParams
from communitysim.params import Params, ScenarioError, check_seed, frame, param, shown
from communitysim.population import MAX_AUDIENCE, ActivityParams, AffinityParams, AudienceParams

__all__ = [
    "Scenario",
    "Objective",
    "load_scenario",
    "apply_overrides",
    "parse_set_option",
    "pydantic_message",
    "parameter_table",
    "field_bounds",
    "MAX_EDGES",
    "MAX_STEPS",
    "MAX_REPLICATIONS",
    # re-exported from the modules that own them (params.py and each mechanism), so that
    # ``from communitysim.scenario import FeedParams`` keeps working
    "ScenarioError",
    "check_seed",
    "frame",
    "CONTENT_TYPES",
    "ContentTypeName",
    "CrisisType",
    "ResponseStrategy",
    "MAX_AUDIENCE",
    "AudienceParams",
    "NetworkParams",
    "AffinityParams",
    "ActivityParams",
    "GrowthParams",
    "CommunityParams",
    "SeedingParams",
    "LaunchParams",
    "StrategyParams",
    "ContentParams",
    "ContentTypeParams",
    "FeedParams",
    "EngagementParams",
    "ConversationParams",
    "RepliesParams",
    "RetentionParams",
    "LeadParams",
    "CrisisParams",
    "ResponseParams",
    "CrisisDynamicsParams",
    "CMActionParams",
]

#: Largest number of edges (mean_degree x size / 2) a scenario may ask for.
MAX_EDGES = 200_000_000
#: Largest number of steps in one run.
MAX_STEPS = 1_000_000
#: Most replications of a point in a sweep (seeds are spawned up front).
MAX_REPLICATIONS = 10_000
#: Longest scenario name (it becomes part of file names) and description, in characters.
MAX_NAME_CHARS = 100
MAX_DESCRIPTION_CHARS = 5_000


class Objective(Params):
    """A SMART objective: a KPI, a target, a deadline (seed 001, II.3)."""

    kpi: str = Field(
        description="KPI name (see docs/KPIS.md)", json_schema_extra={"unit": "name", "source": "seed 001 II.3"}
    )
    target: float = Field(
        description="value to reach", json_schema_extra={"unit": "KPI's unit", "source": "seed 001 II.3"}
    )
    by_day: float = Field(ge=0, description="deadline", json_schema_extra={"unit": "day", "source": "seed 001 II.3"})
    direction: Literal["at_least", "at_most"] = param("at_least", "pass when achieved >= target, or <= target", "name")

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, value: str) -> str:
        from communitysim.kpis import KPIS

        if value not in KPIS:
            raise ValueError(t("scenario.error.kpi", value=repr(value), allowed=", ".join(KPIS)))
        return value


class Scenario(Params):
    """A whole scenario: audience, growth, first members, strategy, objectives."""

    _given: dict[str, Any] | None = PrivateAttr(default=None)  # the fields as given, before defaults and presets

    name: str = param("unnamed", "short name", "text", max_length=MAX_NAME_CHARS)
    description: str = param(
        "", "what the scenario is about, in a sentence or two", "text", max_length=MAX_DESCRIPTION_CHARS
    )
    days: float = param(365, "horizon", "days", gt=0, le=3650)
    step_hours: float = param(24, "length of a step (rates stay per day)", "hours", gt=0, le=168)
    audience: AudienceParams = AudienceParams()
    growth: GrowthParams = GrowthParams()
    community: CommunityParams = CommunityParams()
    seeding: SeedingParams = SeedingParams()
    launch: LaunchParams = LaunchParams()
    strategy: StrategyParams = StrategyParams()
    content: ContentParams = ContentParams()
    platform: Literal["generic", "facebook", "instagram", "x", "tiktok", "linkedin"] = param(
        "generic",
        "platform preset: sets feed and engagement fields the file leaves out",
        "name",
        "DOMAIN.md s.4-5",
    )
    feed: FeedParams = FeedParams()
    engagement: EngagementParams = EngagementParams()
    conversation: ConversationParams = ConversationParams()
    replies: RepliesParams = RepliesParams()
    retention: RetentionParams = RetentionParams()
    leads: LeadParams = LeadParams()
    crises: list[CrisisParams] = Field(
        default_factory=list,
        description="crisis events (bad buzz) with the CM's responses",
        json_schema_extra={"unit": "list", "source": "Coombs 2007"},
    )
    crisis_dynamics: CrisisDynamicsParams = CrisisDynamicsParams()
    cm_actions: CMActionParams = CMActionParams()
    objectives: list[Objective] = Field(
        default_factory=list,
        description="SMART objectives checked by the scorecard",
        json_schema_extra={"unit": "list", "source": "seed 001 II.3"},
    )

    @model_validator(mode="before")
    @classmethod
    def _platform_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("platform", "generic") in (None, "generic"):
            return data
        preset = PLATFORMS.get(data["platform"])
        if preset is None:
            return data  # the field's own validation names the allowed platforms
        data = dict(data)
        for section, values in preset.items():
            given = data.get(section)
            if given is None:
                given = {}
            if isinstance(given, dict):
                data[section] = {**values, **given}
        return data

    @field_validator("name")
    @classmethod
    def _visible_name(cls, value: str) -> str:
        if clean_text(value) != value.strip():  # NUL, a newline, a right-to-left override...
            raise ValueError(t("scenario.error.name_hidden", name=ascii(value)[:100]))
        return value

    @property
    def dt_days(self) -> float:
        """Length of a step in days."""
        return self.step_hours / 24.0

    @property
    def n_steps(self) -> int:
        """Number of steps in the horizon."""
        return round(self.days * 24.0 / self.step_hours)

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        steps = self.days * 24.0 / self.step_hours
        if not steps < MAX_STEPS + 0.5:  # checked first: a step of 5e-324 hours gives infinitely many
            too_many = t("scenario.error.steps", steps=_count(steps), limit=number(MAX_STEPS))
            raise ValueError(f"step_hours: {too_many}")
        if abs(steps - round(steps)) > 1e-6:
            hours, days = number(self.step_hours, None), number(self.days, None)
            raise ValueError(f"step_hours: {t('scenario.error.step_divide', hours=hours, days=days)}")
        if round(steps) < 1:
            hours, days = number(self.step_hours, None), number(self.days, None)
            raise ValueError(f"days: {t('scenario.error.no_step', hours=hours, days=days)}")
        dynamics = self.crisis_dynamics
        crisis_steps = sum(
            min(dynamics.window_days, self.days - c.start_day) * 24.0 / dynamics.step_hours for c in self.crises
        )
        if not steps + crisis_steps < MAX_STEPS + 0.5:
            too_many = t("scenario.error.steps", steps=_count(steps + crisis_steps), limit=number(MAX_STEPS))
            raise ValueError(f"crisis_dynamics.step_hours: {too_many}")
        n = self.audience.size
        net = self.audience.network
        if net.kind not in ("complete", "file") and net.mean_degree >= n:
            degree = t("scenario.error.degree", degree=number(net.mean_degree, None), size=number(n))
            raise ValueError(f"audience.network.mean_degree: {degree}")
        if net.kind not in ("complete", "file") and net.mean_degree * n / 2 > MAX_EDGES:
            edges = t(
                "scenario.error.edges", degree=number(net.mean_degree, None), size=number(n), limit=number(MAX_EDGES)
            )
            raise ValueError(f"audience.network.mean_degree: {edges}")
        if net.kind == "file" and not net.path:
            raise ValueError(f"audience.network.path: {t('scenario.error.network_path')}")
        if net.kind == "stochastic_block" and net.n_segments > n:
            more = t("scenario.error.more_than_audience", value=number(net.n_segments), size=number(n))
            raise ValueError(f"audience.network.n_segments: {more}")
        if self.seeding.size > n:
            more = t("scenario.error.more_than_audience", value=number(self.seeding.size), size=number(n))
            raise ValueError(f"seeding.size: {more}")
        for i, crisis in enumerate(self.crises):
            if crisis.start_day >= self.days:
                late = t("scenario.error.start_day", day=number(crisis.start_day, None), days=number(self.days, None))
                raise ValueError(f"crises.{i}.start_day: {late}")
        return self


def _count(value: float) -> str:
    """A count for a message, however large (``inf`` and 1e300 too)."""
    return number(value) if value < 1e15 else f"{value:.3g}"


# --- loading and overrides ---------------------------------------------------------------------


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (for 'expected one of')."""
    model: Any = Scenario
    keyed = False  # the previous field is a mapping (``content.types``): this part is one of its keys
    for part in loc[:-1]:
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        field = model.model_fields.get(part) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return None
        annotation = field.annotation
        keyed = get_origin(annotation) is dict
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if model is None:
            return None
    return model


def _one_line(source: str, error: ValidationError) -> str:
    errors = error.errors()
    first = errors[0]
    loc = tuple(p for p in first["loc"] if p != "[key]")  # pydantic marks a bad dict key with "[key]"
    path = ".".join(str(p) for p in loc)
    kind = first["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc)
        what = t("scenario.error.unknown", allowed=", ".join(parent.model_fields) if parent else "?")
    elif kind in ("value_error", "assertion_error"):
        what = str(first["msg"]).removeprefix("Value error, ")
    else:
        what = t("scenario.error.got", what=pydantic_message(first), got=shown(first.get("input")))
    if not path and ": " in what:
        # model-level checks name their own field path: "seeding.size: 30 is more than ..."
        path, what = what.split(": ", 1)
    more = t("scenario.error.more", count=len(errors) - 1) if len(errors) > 1 else ""
    return frame(source, path, what) + more


def pydantic_message(error: Any) -> str:
    """Pydantic's message for a type or bound error, in the current language when the catalogue has its type."""
    context = {
        key: number(value, None) if isinstance(value, int | float) and not isinstance(value, bool) else value
        for key, value in (error.get("ctx") or {}).items()
    }
    if "expected" in context:
        context["expected"] = str(context["expected"]).replace(" or ", t("scenario.check.or"))
    try:
        return t_or(f"scenario.check.{error['type']}", error["msg"], **context)
    except KeyError:  # a context the catalogue's text does not name
        return str(error["msg"])


def _validate(data: Any, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError(frame(source, t("scenario.error.mapping", kind=type(data).__name__)))
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_one_line(source, exc)) from None
    scenario._given = copy.deepcopy(data)
    return scenario


def parse_set_option(text: str) -> tuple[str, Any]:
    """Parse one ``--set a.b.c=value`` option; the value is read as YAML (numbers, lists, names).

    Example:
        >>> parse_set_option("seeding.size=50")
        ('seeding.size', 50)
    """
    if "=" not in text:
        raise ScenarioError(frame(f"--set {text}", t("scenario.error.set_syntax")))
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ScenarioError(frame(f"--set {text}", t("scenario.error.set_empty")))
    try:
        value = load_yaml(raw, "--set") if raw.strip() else ""  # guarded: depth, aliases
    except yaml.YAMLError:
        value = raw
    if isinstance(value, str):  # YAML 1.1 reads 1e-3 as text
        try:
            value = float(value)
        except ValueError:
            pass
    return path, value


def _set_path(given: dict[str, Any], full: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set ``path`` in the fields as given (creating sections), checking it against the full tree."""
    parts = path.split(".")
    node: Any = given
    known: Any = full
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[: depth + 1])
        if isinstance(known, list):
            if not part.isdigit() or int(part) >= len(known):
                raise ScenarioError(frame(source, here, t("scenario.error.index", count=len(known))))
            key: Any = int(part)
        elif isinstance(known, dict):
            key = part
            if key not in known and not last:
                raise ScenarioError(
                    frame(source, here, t("scenario.error.unknown", allowed=", ".join(map(str, known))))
                )
        else:
            raise ScenarioError(frame(source, here, t("scenario.error.not_section", parent=".".join(parts[:depth]))))
        if last:
            node[key] = value
            return
        if isinstance(key, str) and key not in node:
            # a section the file left to its defaults (and presets): start it empty
            node[key] = {} if isinstance(known[key], dict) else copy.deepcopy(known[key])
        node, known = node[key], known[key]


def apply_overrides(scenario: Scenario, overrides: dict[str, Any] | None, source: str = "overrides") -> Scenario:
    """Return a new scenario with dotted-path overrides applied and validated.

    Args:
        scenario: the scenario to start from.
        overrides: ``{"seeding.size": 50, "objectives.0.target": 300}``.
        source: named in error messages (``overrides`` or ``--set``).

    Raises:
        ScenarioError: an unknown path or an invalid value.

    Example:
        >>> apply_overrides(Scenario(), {"audience.size": 300}).audience.size
        300
    """
    if not overrides:
        return scenario
    # overrides go onto the fields as the user gave them, so that presets (platform) still fill the rest
    given = copy.deepcopy(scenario._given) if scenario._given is not None else scenario.model_dump(exclude_unset=True)
    full = scenario.model_dump(mode="python")
    for path, value in overrides.items():
        _set_path(given, full, str(path), value, source)
    return _validate(given, source)


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario,
    overrides: dict[str, Any] | None = None,
    overrides_source: str = "overrides",
) -> Scenario:
    """Load and validate a scenario from a YAML file, a dict or a Scenario, then apply overrides.

    Args:
        source: path to a YAML file, a mapping of fields, or a Scenario.
        overrides: dotted paths to values, as ``--set`` gives them.
        overrides_source: how error messages name the overrides (the CLI names its options).

    Raises:
        ScenarioError: a missing or malformed file, an unknown field, a wrong value.

    Example:
        >>> load_scenario({"audience": {"size": 200}}).audience.size
        200
    """
    if isinstance(source, Scenario):
        scenario = source
    elif isinstance(source, dict):
        scenario = _validate(source, "scenario")
    else:
        path = Path(source)
        name = str(path)
        if not os.path.exists(path):  # False too for a name the system refuses (too long)
            raise ScenarioError(frame(name, t("scenario.error.no_file")))
        try:
            data = load_yaml_file(path)
        except InputError as exc:
            raise ScenarioError(frame(name, str(exc))) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = t("scenario.error.yaml_where", line=mark.line + 1, column=mark.column + 1) if mark else ""
            problem = getattr(exc, "problem", None) or ""  # PyYAML's own words
            raise ScenarioError(frame(name, t("scenario.error.yaml", where=where), problem)) from None
        if data is None:
            raise ScenarioError(frame(name, t("scenario.error.empty")))
        scenario = _validate(data, name)
    return apply_overrides(scenario, overrides, overrides_source)


_CHOICES = ("text", "name", "path", "list")


def _row(path: str, default: str, unit: str, description: str, source: str) -> dict[str, str]:
    return {"path": path, "default": default, "unit": unit, "description": description, "source": source}


def parameter_table() -> list[dict[str, str]]:
    """Every parameter with its path, default, unit, description and source (for the docs).

    A numeric parameter without a published source is marked ``assumption``.

    Example:
        >>> rows = parameter_table()
        >>> rows[0]["path"]
        'name'
    """
    rows: list[dict[str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            path = f"{prefix}{name}"
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, Params):
                walk(annotation, path + ".")
                continue
            extra = field.json_schema_extra or {}
            default = field.get_default(call_default_factory=True) if not field.is_required() else "required"
            unit = str(extra.get("unit", ""))
            source = str(extra.get("source") or ("-" if unit in _CHOICES else "assumption"))
            if isinstance(default, dict) and default and all(isinstance(v, dict | Params) for v in default.values()):
                # a table (``content.types``, ``crisis_dynamics.response_fit``): a row per entry
                rows.append(_row(path, "one row per entry, below", unit, field.description or "", source))
                for key, entry in default.items():
                    values = entry.model_dump() if isinstance(entry, Params) else entry
                    shown_entry = ", ".join(f"{k} {v}" for k, v in values.items())
                    rows.append(_row(f"{path}.{key}", shown_entry, unit, f"{key} ({name})", source))
                entry_type = get_args(annotation)[1]
                if isinstance(entry_type, type) and issubclass(entry_type, Params):
                    walk(entry_type, f"{path}[].")  # what each of an entry's fields means, once
                continue
            shown_default = "" if default is None else str(default)
            rows.append(_row(path, shown_default, unit, field.description or "", source))
            if path == "objectives":
                walk(Objective, "objectives[].")
            if path == "crises":
                walk(CrisisParams, "crises[].")

    walk(Scenario, "")
    return rows


def field_bounds(path: str) -> tuple[float, float]:
    """The range a numeric field accepts (``ge``/``gt`` to ``le``/``lt``): a slider's range, never a silent clamp.

    Raises:
        ValueError: a field without both bounds.

    Example:
        >>> field_bounds("strategy.posts_per_week"), field_bounds("content.types.contest.appeal")
        ((0, 500), (0, 100))
    """
    model: Any = Scenario
    *sections, name = path.split(".")
    for section in sections:
        if get_origin(model) is dict:  # a table's entry (``content.types.contest``): the entries' type
            model = get_args(model)[1]
            continue
        model = model.model_fields[section].annotation
    bounds = {key: getattr(m, key) for m in model.model_fields[name].metadata for key in ("ge", "gt", "le", "lt")
              if getattr(m, key, None) is not None}  # fmt: skip
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le", bounds.get("lt"))
    if low is None or high is None:
        raise ValueError(f"{path}: no range in the schema")
    return low, high
