"""The debrief that teaches: response times from each inject, every statement with what was read, SCCT advice.

For a learner or a team (``debrief_html``, in the solo report, the team's and the class report):

- the **response time from each inject**: hours from the inject to the team's next move (a
  statement or a CM action), or none;
- **every statement** with the words written, what the reader found in them (strategy, the
  phrases that showed it, readability, facts named), the strategy the team confirmed, and SCCT's
  verdict on it for the crisis's cluster (Coombs 2007), with why;
- the **observer notes** pinned to injects from the facilitator page;
- for the trainer, a **rubric** (``rubric_html``): the matched strategies, acceptable ones, ones
  to avoid, the time to beat, the CM actions expected, with points (a team's one-page printable
  debrief is ``classroom.exercise.debrief_document``).

Example:
    >>> scct_verdict("preventable", "deny", 2.0).startswith("Your response, Deny")
    True
"""

from __future__ import annotations

from communitysim.exercise.report import e, table
from communitysim.exercise.session import BEST_DELAY_HOURS, CrisisSession
from communitysim.mechanisms.crisis import RESPONSE_FIT, best_response, cluster_of
from communitysim.messages import number, t

__all__ = ["ONE_PAGE", "debrief_html", "response_times", "rubric_html", "scct_verdict"]

#: Timeline entries that are the learner's own moves (the rest are injects, notes, storm settings and the end aside).
MOVES = ("decision", "action")
#: A compact page: the debrief prints on one A4 page.
ONE_PAGE = (
    "@page{size:a4;margin:1.2cm}body{font-size:9px;max-width:none;margin:0}h1{font-size:14px}h2,h3{font-size:11px}"
)


def scct_verdict(cluster: str, strategy: str | None, first_hour: float | None) -> str:
    """SCCT's verdict on a response for a crisis cluster, with why, and whether it came late.

    ``strategy`` None or ``silence``: no statement. A strategy fits when its fit is at least half
    the best one's (``RESPONSE_FIT``), helps a little when positive, and is a mismatch otherwise.
    """
    advice = t(f"crisis.scct.{cluster}")
    if strategy is None or strategy == "silence":
        return t("crisis.challenge.silence", advice=advice)
    fit = RESPONSE_FIT[cluster][strategy]
    best = RESPONSE_FIT[cluster][best_response(cluster)]
    key = "match" if fit >= 0.5 * best else "weak" if fit > 0 else "mismatch"
    text = t(f"crisis.challenge.{key}", strategy=t(f"crisis.strategy.{strategy}"),
             cluster=t(f"crisis.cluster.{cluster}"), advice=advice)  # fmt: skip
    if first_hour is not None and first_hour > BEST_DELAY_HOURS + 1e-9:
        text += " " + t("crisis.challenge.late", hours=number(first_hour, None), best=number(BEST_DELAY_HOURS, None))
    return text


def response_times(run: CrisisSession) -> list[tuple[float, str, float | None]]:
    """Each inject the team received: (its hour, its title, hours to the team's next move or None)."""
    moves = sorted(entry.hour for entry in run.timeline if entry.kind in MOVES)
    rows = []
    for entry in run.timeline:
        if entry.kind in (*MOVES, "note", "intensity", "finish"):
            continue
        after = next((hour for hour in moves if hour >= entry.hour - 1e-9), None)
        rows.append((entry.hour, entry.title, None if after is None else round(after - entry.hour, 6)))
    return rows


def debrief_html(run: CrisisSession) -> str:
    """A team's debrief: response times, statements with their reading and SCCT's verdict, observer notes."""
    times = table(
        [t("debrief.inject"), t("debrief.hour"), t("debrief.response_time")],
        [[e(title), e(number(hour, None)),
          e(t("debrief.hours", hours=number(delay, None)) if delay is not None else t("debrief.no_response"))]
         for hour, title, delay in response_times(run)],
    )  # fmt: skip
    statements = []
    first = next((hour for hour, p in run.decisions if p.get("strategy") not in (None, "silence")), None)
    for hour, payload in run.decisions:
        reading = payload.get("reading") or {}
        read = reading.get("strategy")
        cues = ", ".join(c for cs in (reading.get("cues") or {}).values() for c in cs)
        confirmed = t(f"crisis.strategy.{payload['strategy']}")
        if read and read != payload["strategy"]:
            confirmed = t("debrief.corrected", strategy=confirmed, read=t(f"crisis.strategy.{read}"))
        facts = reading.get("answers_facts")
        details = [
            t("debrief.read", strategy=t(f"crisis.strategy.{read}"), cues=cues or "–") if read else t("debrief.menu"),
            t("debrief.readability", score=number(reading["readability"])) if reading.get("readability") else "",
            (t("debrief.facts_yes") if facts else t("debrief.facts_no")) if facts is not None else "",
        ]
        statements.append([
            e(number(hour, None)), e(payload.get("statement") or t("crisis.statement." + payload["strategy"])),
            "<br>".join(e(d) for d in details if d), e(confirmed),
            e(scct_verdict(run.cluster, payload["strategy"], first)),
        ])  # fmt: skip
    said = table([t("debrief.hour"), t("debrief.words"), t("debrief.what_was_read"), t("debrief.strategy"),
                   t("crisis.report.why")], statements) if statements else (
        f"<p>{e(scct_verdict(run.cluster, None, None))}</p>")  # fmt: skip
    notes = [entry for entry in run.timeline if entry.kind == "note"]
    rows = [[e(number(n.hour, None)), e(n.title), e(n.details)] for n in notes]
    pinned = table([t("debrief.hour"), t("debrief.inject"), t("debrief.note")], rows) if notes else ""
    return f"<h3>{e(t('debrief.times_title'))}</h3>{times}<h3>{e(t('debrief.statements_title'))}</h3>{said}" + (
        f"<h3>{e(t('debrief.notes_title'))}</h3>{pinned}" if pinned else ""
    )


def rubric_html(crisis_type: str, history: bool = False) -> str:
    """The trainer's answer key for a crisis: strategies by SCCT fit, the time to beat, the expected actions."""
    cluster = cluster_of(crisis_type, history)
    fits = RESPONSE_FIT[cluster]
    best = best_response(cluster)
    good = [s for s, f in fits.items() if s != best and f >= 0.5 * fits[best]]
    avoid = [s for s, f in fits.items() if f < 0]
    names = lambda items: ", ".join(t(f"crisis.strategy.{s}") for s in items) or "–"  # noqa: E731
    actions = ["answer_journalist", "reply_comments", "publish_faq"]
    if crisis_type in ("offensive_post", "employee_misconduct"):
        actions.insert(0, "delete_post")
    rows = [
        [e(t("debrief.rubric.best")), e(names([best])), "4"],
        [e(t("debrief.rubric.good")), e(names(good)), "2"],
        [e(t("debrief.rubric.avoid")), e(names(avoid)), "0"],
        [e(t("debrief.rubric.time")), e(t("debrief.hours", hours=number(BEST_DELAY_HOURS, None))), "2"],
        [e(t("debrief.rubric.actions")), e(", ".join(t(f"class.action.{a}") for a in actions)), "1 / 1"],
        [e(t("debrief.rubric.words")), e(t("debrief.rubric.words_detail")), "2"],
    ]
    return (
        f"<h3>{e(t('debrief.rubric.title', cluster=t(f'crisis.cluster.{cluster}')))}</h3>"
        + table([t("debrief.rubric.criterion"), t("debrief.rubric.expected"), t("debrief.rubric.points")], rows)
        + f"<p>{e(t(f'crisis.scct.{cluster}'))}</p>"
    )
