"""The crisis exercise's after-action reports, written once for the solo exercise and the classroom.

HTML pieces (every text escaped: team names, rationales and statements are untrusted): ``table``,
the timeline, the comparison with silence and the best matched response, the objectives with
SCCT's why, the standalone ``document``; and their files: ``report_path`` (a new name each time),
``export`` (HTML, or PDF through ``report_pdf``), written atomically.

Example:
    >>> "&lt;b&gt;</td>" in table(["a"], [[e("<b>")]])
    True
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pandas as pd

import communitysim as cs
from communitysim.exercise.session import BEST_DELAY_HOURS, COMPARED_KPIS, Applied, ExerciseError
from communitysim.files import atomic_write_bytes
from communitysim.messages import catalogue, language, number, percent, t

__all__ = [
    "body_of",
    "comparison_html",
    "document",
    "e",
    "export",
    "format_kpi",
    "missing",
    "objectives_html",
    "report_path",
    "report_pdf",
    "table",
    "timeline_html",
]

RED, GREEN = "#b3261e", "#1b7f3b"
_CELL = "border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top"
_SHARES = {"negative_share", "negative_share_6h", "peak_negative_share"}
_HOURS = {"hours", "hours_to_peak", "hours_to_recover", "crisis_response_h"}
#: Objectives with their own feedback sentences (others get the default one).
FEEDBACK_KPIS = ("peak_negative_share", "hours_to_recover", "members_lost", "negative_reach")


def e(text: object) -> str:
    """Text as HTML (escaped, quotes included)."""
    return html.escape(str(text), quote=True)


def missing(value: float | None) -> bool:
    """Whether a KPI value is missing (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_kpi(kpi: str, value: float | None) -> str:
    """A crisis KPI value for people: shares in %, hours with ``h``, people as whole numbers (catalogue words)."""
    if missing(value):
        return t("crisis.value.not_recovered") if kpi == "hours_to_recover" else t("crisis.value.none")
    value = float(value)  # type: ignore[arg-type]
    if kpi in _SHARES:
        return percent(value)
    if kpi == "members_lost":  # whole people, never below 0 (a few won back are not a negative loss)
        return number(max(round(value), 0))
    if kpi in _HOURS:
        return t("crisis.value.hours", value=number(round(value, 1), None))
    if kpi in ("sentiment", "mention_sentiment", "mention_sentiment_6h"):
        return number(value, sign=True)
    return number(value)


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """An HTML table with inline styles (it looks the same in a page and in a file).

    ``headers`` are plain text (escaped here; none: no header row); the cells of ``rows`` are HTML.
    """
    head = "".join(f"<th style='{_CELL};background:#f2f2f2'>{e(h)}</th>" for h in headers)
    head = f"<tr>{head}</tr>" if head else ""
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table class='cs-table' style='border-collapse:collapse;margin:4px 0'>{head}{body}</table>"


def timeline_html(timeline: list[Applied], effects: list[str] | None = None, rationales: bool = False) -> str:
    """The timeline as a table: hour, event, details; with each entry's effect and the rationale when given."""
    headers = [t("crisis.timeline.hour"), t("crisis.timeline.event"), t("crisis.timeline.details")]
    headers += [t("class.report.effect")] if effects is not None else []
    headers += [t("class.report.rationale")] if rationales else []
    rows = []
    for index, entry in enumerate(timeline):
        row = [e(number(entry.hour, None)), e(entry.title), e(entry.details)]
        row += [e(effects[index])] if effects is not None else []
        row += [e(entry.rationale)] if rationales else []
        rows.append(row)
    return table(headers, rows)


def comparison_html(
    best_strategy: str, kpis: dict[str, dict[str, float]], kpi_names: Iterable[str] = COMPARED_KPIS
) -> str:
    """The learner's run against silence and the best matched response: one row each (``kpis``: run -> KPIs)."""
    labels = {
        "learner": t("crisis.report.learner"),
        "silence": t("crisis.report.silence"),
        "best": t("crisis.report.best", strategy=t(f"crisis.strategy.{best_strategy}"),
                  hours=number(BEST_DELAY_HOURS, None)),
    }  # fmt: skip
    names = list(kpi_names)
    rows = [[f"<b>{e(labels[run])}</b>", *(e(format_kpi(k, values[k])) for k in names)] for run, values in kpis.items()]
    return table([t("crisis.report.run"), *(t(f"crisis.kpi.{k}") for k in names)], rows)


def _feedback(cluster: str, kpi: str, passed: bool, achieved: float, target: float, by_day: float) -> str:
    family = kpi if kpi in FEEDBACK_KPIS else "default"
    verdict = "pass" if passed else "never" if kpi == "hours_to_recover" and missing(achieved) else "fail"
    return t(f"crisis.feedback.{family}.{verdict}", achieved=format_kpi(kpi, achieved), target=format_kpi(kpi, target),
             day=number(by_day, None), advice=t(f"crisis.scct.{cluster}"))  # fmt: skip


def objectives_html(scorecard: pd.DataFrame, cluster: str) -> str:
    """The scenario's objectives with pass or fail and why (SCCT's advice for the crisis's cluster)."""
    if scorecard.empty:
        return f"<p>{e(t('common.no_objectives'))}</p>"
    rows = []
    for _, row in scorecard.iterrows():
        kpi, passed = str(row["kpi"]), bool(row["passed"])
        label = t(f"crisis.kpi.{kpi}") if f"crisis.kpi.{kpi}" in catalogue(language()) else kpi
        sign = "≥" if row["direction"] == "at_least" else "≤"
        verdict = t("common.passed") if passed else t("common.failed")
        rows.append([
            e(label), e(f"{sign} {format_kpi(kpi, row['target'])}"), e(number(row["by_day"], None)),
            e(format_kpi(kpi, row["achieved"])), f"<b style='color:{GREEN if passed else RED}'>{e(verdict)}</b>",
            e(_feedback(cluster, kpi, passed, row["achieved"], row["target"], row["by_day"])),
        ])  # fmt: skip
    headers = [t(k) for k in ("common.objective", "common.target", "common.by_day", "common.achieved",
                              "crisis.report.result", "crisis.report.why")]  # fmt: skip
    return table(headers, rows)


def document(title: str, body: str, intro: Iterable[str] = ()) -> str:
    """A standalone HTML report: the title, ``intro`` lines (plain text), ``body`` (HTML), the version's footer."""
    style = (
        "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:960px;margin:2em auto;"
        "padding:0 1em;color:#222;line-height:1.45}h1{font-size:1.6em}h3{margin-top:1.4em}img{max-width:100%}"
        "table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;"
        "vertical-align:top}footer{margin-top:2em;color:#777;font-size:small}"
    )
    lines = "".join(f"<p>{e(line)}</p>" for line in intro)
    footer = t("crisis.report.generated", version=cs.__version__)
    return (
        f"<!DOCTYPE html>\n<html lang='{e(language())}'>\n<head>\n<meta charset='utf-8'>\n<title>{e(title)}</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n<h1>{e(title)}</h1>\n{lines}{body}\n<footer>{e(footer)}</footer>\n"
        "</body>\n</html>\n"
    )


def body_of(document_html: str) -> str:
    """The part of a standalone report shown in a page (inside ``<body>``)."""
    return document_html.split("<body>", 1)[1].split("</body>", 1)[0]


#: Characters of each name kept in a report's file name (the hash keeps long names apart).
NAME_CHARS = 40


def report_path(folder: str | Path, kind: str, *names: str, suffix: str = ".html", now: datetime | None = None) -> Path:
    """A new report file in ``folder``, named from ``names`` and the time, that no other names can share.

    Each name is shortened to letters and digits (``NAME_CHARS`` at most, for readability) and a
    hash of the exact names is appended, so "Red 1" and "Red-1" never write the same file, and a
    300-character name still fits a file name; a second export at the same second gets ``-2``.

    Example:
        >>> a = report_path("out", "report", "S", "Red 1", now=datetime(2026, 1, 2, 3, 4, 5))
        >>> b = report_path("out", "report", "S", "Red-1", now=datetime(2026, 1, 2, 3, 4, 5))
        >>> a.name.startswith("report_S_Red_1_20260102-030405_"), a != b
        (True, True)
    """
    readable = "_".join(
        "".join(c if c.isalnum() else "_" for c in name)[:NAME_CHARS].strip("_") or "x" for name in names
    )
    digest = hashlib.sha256(json.dumps(list(names)).encode("utf-8")).hexdigest()[:8]
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(folder) / f"{kind}_{readable}_{stamp}_{digest}"
    path, copy = base.with_name(base.name + suffix), 1
    while path.exists():
        copy += 1
        path = base.with_name(f"{base.name}-{copy}{suffix}")
    return path


def export(document_html: str, path: str | Path) -> Path:
    """Write a report atomically: HTML, or PDF when ``path`` ends in ``.pdf``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = report_pdf(document_html) if path.suffix.lower() == ".pdf" else document_html.encode("utf-8")
    atomic_write_bytes(path, data)
    return path


#: A font with the symbols the reports use (Debian's fonts-dejavu-core, installed with chromium).
PDF_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def report_pdf(document_html: str) -> bytes:
    """A report's HTML as PDF bytes (xhtml2pdf: pure Python; tables and text, no images needed)."""
    import io
    import logging

    from xhtml2pdf import pisa

    if PDF_FONT.is_file():
        face = f"@font-face{{font-family:DejaVu;src:url('{PDF_FONT}')}}body,td,th{{font-family:DejaVu}}"
        document_html = document_html.replace("<style>", f"<style>{face}", 1)
    else:  # the PDF's built-in fonts lack these symbols
        for symbol, plain in (("≤", "<="), ("≥", ">="), ("–", "-"), ("—", "-")):
            document_html = document_html.replace(symbol, html.escape(plain))
    buffer = io.BytesIO()
    logging.getLogger("xhtml2pdf").setLevel(logging.ERROR)  # CSS it ignores (border-collapse) is fine
    status = pisa.CreatePDF(document_html, dest=buffer, encoding="utf-8")
    if status.err:
        raise ExerciseError(t("class.error.pdf", count=status.err))
    return buffer.getvalue()
