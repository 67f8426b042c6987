"""How a KPI is shown to a learner: its name in the catalogue, its value by its kind (the one place that decides).

A KPI's display kind follows from its unit in ``communitysim.kpis.KPIS``: counts of people, posts,
views, engagements or comments are whole numbers; shares (``share 0..1``) are percentages; hours
carry their unit with the language's plural; sentiment has a sign; ratios keep one decimal. A new
KPI with one of these units is shown right without touching this module.

Example:
    >>> kpi_text("members", 82.0), kpi_text("engagement_rate_followers", 0.0332), kpi_text("leads", 6.0)
    ('82', '3.3%', '6')
"""

from __future__ import annotations

from communitysim.kpis import KPIS
from communitysim.messages import number, percent, t, t_or, tn

__all__ = ["display_kind", "kpi_name", "kpi_text", "scorecard_table"]

#: Units whose values are counted (shown as whole numbers).
COUNT_UNITS = frozenset({"people", "posts", "views", "engagements", "comments", "people per day", "day"})


def display_kind(kpi: str) -> str:
    """``count``, ``share``, ``hours``, ``signed`` or ``ratio``: how the KPI's value is written.

    Example:
        >>> [display_kind(k) for k in ("members", "active_ratio", "response_time_h", "sentiment", "reach")]
        ['count', 'share', 'hours', 'signed', 'count']
    """
    definition = KPIS.get(kpi)
    unit = definition.unit if definition is not None else ("share" if kpi.endswith("_share") else "")
    if unit in COUNT_UNITS:
        return "count"
    if unit.startswith("share"):
        return "share"
    if unit == "hours":
        return "hours"
    if unit == "-100..100":
        return "signed"
    return "ratio"


def kpi_text(kpi: str, value: float | None) -> str:
    """A KPI's value as a learner reads it: ``82`` members, ``3.3%``, ``4.5 hours``, ``+21``, ``12.4``."""
    if value is None or value != value:  # missing or NaN
        return "–"
    kind = display_kind(kpi)
    value = float(value)
    if kind == "count":
        return number(round(value))
    if kind == "share":
        whole = float(round(100 * value, 1)).is_integer() or abs(value) >= 0.995
        return percent(value, 0 if whole else 1)
    if kind == "hours":
        return tn("common.hours", round(value, 1))
    if kind == "signed":
        return number(round(value), sign=True)
    return number(value, 1 if abs(value) >= 1 else 3 if abs(value) < 0.1 else 2)


def kpi_name(kpi: str) -> str:
    """A KPI's name in the current language (the code's name when the catalogue has none)."""
    return t_or(f"lab.kpi.{kpi}", kpi)


def scorecard_table(card: object) -> list[dict[str, str]]:
    """A scorecard's rows as a learner reads them: the KPI's name, the target, the day, the value, passed or not.

    Example:
        >>> import pandas as pd
        >>> row = dict(kpi="members", direction="at_least", target=300.0, by_day=90.0, achieved=82.0, passed=False)
        >>> scorecard_table(pd.DataFrame([row]))[0]["achieved"]
        '82'
    """
    rows = []
    for _, row in card.iterrows():  # type: ignore[attr-defined]
        sign = "≥" if row["direction"] == "at_least" else "≤"
        rows.append(
            {
                "objective": kpi_name(row["kpi"]),
                "target": f"{sign} {kpi_text(row['kpi'], row['target'])}",
                "by_day": number(row["by_day"], None),
                "achieved": kpi_text(row["kpi"], row["achieved"]),
                "passed": bool(row["passed"]),
                "status": t("common.passed") if bool(row["passed"]) else t("common.failed"),
            }
        )
    return rows
