r"""Master events lists from a spreadsheet (CSV or XLSX) as well as YAML, with one-line errors.

Trainers write their events list where they already work: a spreadsheet with one row per inject
and the columns ``hour`` (crisis hours; empty for an on-demand inject), ``kind``, ``title``,
``body`` and ``effect`` (empty, ``escalate 0.3`` for a new wave of that severity, or a YAML
mapping such as ``{crisis: {type: data_leak, severity: 0.5}}``). ``load_events`` reads the file
and checks it with ``validate_injects``; a bad file gets one line naming the file, the row and the
field. XLSX is read with openpyxl (its first sheet, the first row as the header).

Example:
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("hour,kind,title,body,effect\n2,escalation,A call,Press calls,escalate 0.3\n")
    >>> load_events(path)[0]["effect"]
    {'escalate': {'severity': 0.3}}
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import yaml

from communitysim.classroom.exercise import validate_injects
from communitysim.classroom.store import ClassroomError
from communitysim.messages import t

__all__ = ["COLUMNS", "load_events"]

COLUMNS = ("hour", "kind", "title", "body", "effect")


def _rows(path: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """The header and the rows of a CSV or XLSX file."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = [dict(row) for row in reader]
            return [str(h).strip() for h in reader.fieldnames or []], rows
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    if not values:
        return [], []
    header = [str(h).strip() if h is not None else "" for h in values[0]]
    rows = [dict(zip(header, row, strict=False)) for row in values[1:] if any(v not in (None, "") for v in row)]
    return header, rows


def _effect(value: Any, path: Path, row: int) -> dict[str, Any] | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    match = re.fullmatch(r"escalate[\s:=]+([0-9.]+)", text, re.IGNORECASE)
    if match:
        return {"escalate": {"severity": float(match.group(1))}}
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ClassroomError(t("class.error.events_effect", path=path.name, row=row, value=repr(text)))
    return parsed


def _hour(value: Any, path: Path, row: int) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ClassroomError(t("class.error.events_hour", path=path.name, row=row, value=repr(value))) from None


def load_events(path: str | Path) -> list[dict[str, Any]]:
    """A master events list from a ``.csv``, ``.xlsx``, ``.yaml`` or ``.yml`` file, checked.

    Raises:
        ClassroomError: one line naming the file, the row (or inject) and the field.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".yaml", ".yml"):
        raise ClassroomError(t("class.error.events_file", path=path.name))
    if not path.is_file():
        raise ClassroomError(t("class.error.events_missing", path=path))
    if suffix in (".yaml", ".yml"):
        try:
            return validate_injects(yaml.safe_load(path.read_text(encoding="utf-8")), source=path.name)
        except yaml.YAMLError:
            raise ClassroomError(t("class.error.events_yaml", where=f" ({path.name})")) from None
    header, rows = _rows(path)
    for column in COLUMNS:
        if column not in header:
            raise ClassroomError(t("class.error.events_columns", path=path.name, column=column))
    items = []
    for number, row in enumerate(rows, start=2):  # the header is row 1
        item = {"hour": _hour(row.get("hour"), path, number), "effect": _effect(row.get("effect"), path, number)}
        for column in ("kind", "title", "body"):
            value = row.get(column)
            item[column] = "" if value is None else str(value).strip()
        items.append(item)
    return validate_injects(items, source=path.name)
