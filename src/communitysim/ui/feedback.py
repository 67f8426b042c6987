"""Feedback on objectives computed from the runs the learner saw: what moved the KPI, and why.

Every sentence here is read off the learner's own runs: the levers that differ between this run and
the previous one, and the KPI's values in both; the joins and departures of this run; fatigue only
when this run's members were tired (``mean_fatigue``); a content type only when the mix holds it;
and, when asked, whether any posting rhythm reaches the objective at all (the same run at other
rhythms, same seed). Nothing is said from a fixed script.

Example:
    >>> import communitysim as cs
    >>> result = cs.run({"audience": {"size": 300}, "days": 20,
    ...                  "objectives": [{"kpi": "members", "target": 5000, "by_day": 20}]}, seed=1)
    >>> "joined" in " ".join(objective_feedback(result, result.scorecard.iloc[0]))
    True
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

import communitysim as cs
from communitysim.messages import number, percent, t, tn
from communitysim.ui.display import kpi_name, kpi_text, scorecard_table

if TYPE_CHECKING:  # pragma: no cover
    from communitysim.result import Result

__all__ = ["LEVERS", "SPREAD_SEEDS", "SeedRuns", "changed_levers", "compare_over_seeds", "invitation_day",
           "objective_feedback", "rhythm_reach", "scorecard_html", "spread_line"]  # fmt: skip

#: The seeds, beside the learner's own, on which a lab compares this run with the previous one.
SPREAD_SEEDS = (101, 202)

#: Levers a learner moves in the notebooks (field paths of the scenario).
LEVERS = (
    "strategy.posts_per_week",
    "strategy.quality",
    "strategy.reply_share",
    "strategy.reply_delay_hours",
    "strategy.content_mix",
    "seeding.strategy",
    "seeding.size",
    "seeding.invite_after_posts",
    "feed.appetite_posts_per_day",
)

#: Posting rhythms tried to tell whether an objective is within reach of the rhythm at all.
REACH_RHYTHMS = (0, 2, 5, 10, 20, 42)

#: Mean fatigue above which members are said to be tired (fatigue units; engagement divided by 1 + F).
TIRED = 0.05


def _field(scenario: Any, path: str) -> Any:
    value = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _lever_value(scenario: Any, lever: str) -> str:
    value = _field(scenario, lever)
    if lever.endswith("content_mix"):
        return ", ".join(f"{t(f'lab.type.{k}')} {percent(v)}" for k, v in value.items() if v > 0)
    if lever.endswith(("quality", "reply_share")):
        return percent(value)
    if lever.endswith("reply_delay_hours"):
        return tn("common.hours", value)
    if lever == "seeding.strategy":
        return t(f"first.strategy.{value}")
    return number(value, None)


def changed_levers(now: Any, before: Any) -> list[str]:
    """The levers that differ between two runs of one scenario, as "lever before → now" texts."""
    if before is None or before.scenario.name != now.scenario.name:
        return []
    changes = []
    for lever in LEVERS:
        if _field(before.scenario, lever) != _field(now.scenario, lever):
            was, is_ = _lever_value(before.scenario, lever), _lever_value(now.scenario, lever)
            changes.append(t("feedback.change", lever=t(f"feedback.lever.{lever}"), before=was, now=is_))
    return changes


def invitation_day(result: Any) -> float | None:
    """The day the first members were invited: the end of the step whose posts reached ``seeding.invite_after_posts``.

    With ``seeding.invite_on_day`` set: the end of the first step ending on or after that day. None when
    the run never reached that day or that many posts.
    """
    ts = result.timeseries
    day = result.scenario.seeding.invite_on_day
    if day is not None:
        due = (ts["day"] >= day - 1e-9) & (ts["day"] > 0)  # the model's first step ends after day 0
        return float(ts.loc[due, "day"].iloc[0]) if due.any() else None
    reached = ts["posts"].cumsum() >= result.scenario.seeding.invite_after_posts
    return float(ts.loc[reached, "day"].iloc[0]) if reached.any() else None


def _launch(result: Any, previous: Any) -> str | None:
    """When the posting rhythm changed, on which days the first members were invited in both runs (else None).

    The same day (the posting lab fixes it: ``seeding.invite_on_day``): the difference is the rhythm's
    own. Days apart: the rhythm also moved the launch, and a page that starts sooner has more days to grow.
    """
    if result.scenario.strategy.posts_per_week == previous.scenario.strategy.posts_per_week:
        return None
    now, before = invitation_day(result), invitation_day(previous)
    if now is None or before is None:
        return None
    if abs(now - before) < 1:
        return t("feedback.launch_same", day=number(now, None))
    posts = number(result.scenario.seeding.invite_after_posts, None)
    return t("feedback.launch_moved", now=number(now, None), before=number(before, None), posts=posts)


def _until(ts: pd.DataFrame, day: float) -> pd.DataFrame:
    return ts[ts["day"] <= day + 1e-9]


def _causes(result: Any, kpi: str, day: float) -> list[str]:
    """This run's reasons for a missed objective: only those its own numbers show."""
    ts = _until(result.timeseries, day)
    strategy = result.scenario.strategy
    mix = strategy.content_mix
    appetite_week = 7 * result.scenario.feed.appetite_posts_per_day
    tired = float(ts["mean_fatigue"].max()) > TIRED if "mean_fatigue" in ts else False
    joined, left = int(ts["new_members"].sum()), int(ts["churned"].sum())
    causes = []
    if kpi in ("members", "churned", "share_members", "growth_rate"):
        causes.append(
            t("feedback.flows", joined=tn("common.members", joined), left=number(left), day=number(day, None))
        )
    if strategy.posts_per_week == 0:
        causes.append(t("feedback.no_posts"))
    if tired and kpi in ("members", "churned", "engagements", "engagements_per_post", "active_ratio"):
        causes.append(
            t("feedback.tired", posts=number(strategy.posts_per_week, None), appetite=number(appetite_week, None))
        )
    if mix.get("begging", 0) > 0 and kpi in ("members", "churned", "engagements", "leads"):
        causes.append(t("feedback.begging", share=percent(mix["begging"])))
    if mix.get("promotional", 0) > 0 and kpi in ("engagements", "engagements_per_post", "leads"):
        causes.append(t("feedback.promotional", share=percent(mix["promotional"])))
    if kpi == "leads" and mix.get("informational", 0) + mix.get("event", 0) == 0:
        causes.append(t("feedback.no_informational"))
    if kpi in ("engagements", "members") and 0 < strategy.posts_per_week < 3 and not tired:
        causes.append(t("feedback.few_posts", posts=number(strategy.posts_per_week, None)))
    if strategy.quality < 0.5 and kpi in ("engagements", "members", "leads"):
        causes.append(t("feedback.quality", quality=percent(strategy.quality)))
    if strategy.reply_share < 0.3 and kpi in ("leads", "churned", "members"):
        causes.append(t("feedback.replies", share=percent(strategy.reply_share)))
    if kpi == "churned" and not tired and mix.get("begging", 0) == 0:
        causes.append(t("feedback.churn_base"))
    return causes


def objective_feedback(
    result: Any, row: pd.Series, previous: Any = None, reach: dict[str, Any] | None = None
) -> list[str]:
    """Sentences for one objective of ``result``'s scorecard: its numbers, what moved it, why it failed.

    Args:
        result: the run the learner sees.
        row: the objective's row of ``result.scorecard``.
        previous: the learner's previous run (dashed on the plots), or None.
        reach: from :func:`rhythm_reach` for this objective, or None (not checked).
    """
    kpi, day, passed = row["kpi"], float(row["by_day"]), bool(row["passed"])
    lines = []
    if passed:
        lines.append(t("feedback.pass"))
    else:
        lines.append(t("feedback.fail", gap=kpi_text(kpi, abs(float(row["achieved"]) - float(row["target"])))))
        lines += _causes(result, kpi, day)
    changes = changed_levers(result, previous)
    if changes:
        from communitysim.kpis import kpi_value

        before = kpi_value(previous.timeseries, kpi, min(day, float(previous.timeseries["day"].iloc[-1])))
        lines.append(
            t(
                "feedback.moved",
                changes="; ".join(changes),
                kpi=kpi_name(kpi),
                before=kpi_text(kpi, before),
                now=kpi_text(kpi, row["achieved"]),
            )
        )
        launch = _launch(result, previous) if kpi in ("members", "share_members", "engagements") else None
        if launch:
            lines.append(launch)
    elif previous is not None and previous.scenario.name == result.scenario.name:
        lines.append(t("feedback.same"))
    if reach is not None and not passed:
        if reach["reached"]:
            lines.append(t("feedback.reachable"))
        else:
            lines.append(
                t("feedback.unreachable", posts=number(reach["posts"], None), value=kpi_text(kpi, reach["value"]))
            )
    return lines


def rhythm_reach(results: dict[int, Any], row: pd.Series) -> dict[str, Any]:
    """Whether any of ``results`` (posts per week -> run, same seed, other levers the learner's) meets the objective.

    Returns the best rhythm for the objective, its value, and whether it reaches the target.
    """
    kpi, day, at_least = row["kpi"], float(row["by_day"]), row["direction"] == "at_least"
    from communitysim.kpis import kpi_value

    values = {posts: kpi_value(run.timeseries, kpi, day) for posts, run in results.items()}
    posts = max(values, key=values.get) if at_least else min(values, key=values.get)
    value = values[posts]
    reached = value >= row["target"] if at_least else value <= row["target"]
    return {"posts": posts, "value": value, "reached": bool(reached)}


def spread_line(kpi: str, before: list[dict], now: list[dict], seeds: int, names: tuple[str, str] | None = None) -> str:
    """One KPI over several seeds, the previous strategy against this one (paired by seed), in words.

    Better on every seed, worse on every seed, or within the noise (the sign changes with the seed).
    ``names``: what the two arms are called (before, now); by default the previous strategy and this one.
    """
    pairs = [(b[kpi], n[kpi]) for b, n in zip(before, now, strict=True)]
    before_name, now_name = names or (t("feedback.spread.previous"), t("feedback.spread.this"))
    values = {
        "kpi": kpi_name(kpi), "seeds": seeds, "before_name": before_name, "now_name": now_name,
        "now": f"{kpi_text(kpi, min(n for _, n in pairs))} – {kpi_text(kpi, max(n for _, n in pairs))}",
        "before": f"{kpi_text(kpi, min(b for b, _ in pairs))} – {kpi_text(kpi, max(b for b, _ in pairs))}",
    }  # fmt: skip
    if all(n > b for b, n in pairs):
        return t("feedback.spread.higher", **values)
    if all(n < b for b, n in pairs):
        return t("feedback.spread.lower", **values)
    return t("feedback.spread.noise", **values)


def scorecard_html(result: Result, previous: Result | None = None, reach: dict | None = None) -> str:
    """The objectives as an HTML table: the KPI's name, target and value as a learner reads them, and feedback.

    The feedback is computed from the runs the learner saw (:func:`objective_feedback`): this run's
    numbers, what changed since ``previous``, and for ``reach`` (objective index -> ``rhythm_reach``)
    whether any posting rhythm reaches the objective.
    """
    card = result.scorecard
    if card.empty:
        return f"<p>{html.escape(t('common.no_objectives'))}</p>"
    rows = []
    for (index, row), shown in zip(card.iterrows(), scorecard_table(card), strict=True):
        colour = "#1b7f3b" if shown["passed"] else "#b3261e"
        why = " ".join(objective_feedback(result, row, previous, (reach or {}).get(index)))
        status = shown["status"]
        if row.get("beyond", False):  # the objective's day lies after the run's last day
            status, colour, why = t("common.beyond"), "#5f6368", t("common.beyond_why")
        rows.append(
            "<tr>"
            + "".join(f"<td>{html.escape(shown[k])}</td>" for k in ("objective", "target", "by_day", "achieved"))
            + f"<td style='color:{colour};font-weight:bold'>{html.escape(status)}</td>"
            f"<td>{html.escape(why)}</td>"
            "</tr>"
        )
    head = "".join(
        f"<th>{html.escape(t(k))}</th>"
        for k in ("common.objective", "common.target", "common.by_day", "common.achieved", "lab.result", "lab.why")
    )
    return f"<table class='cs-scorecard'><tr>{head}</tr>{''.join(rows)}</table>"


class SeedRuns:
    """The KPIs of a lab's runs on ``SPREAD_SEEDS``, kept for the lab's life (the last ``size``).

    A lab compares each run with the previous one over the spread seeds; the previous strategy's
    runs were made one click before, so keeping them halves what a click costs. Keyed by the
    scenario (a file by its path and modification time, a Scenario by its fields), the seed and the
    overrides.

    Example:
        >>> runs = SeedRuns()
        >>> first = runs.kpis({"audience": {"size": 200}, "days": 10}, 101, {})
        >>> first is runs.kpis({"audience": {"size": 200}, "days": 10}, 101, {})
        True
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._kpis: dict[tuple[str, int, str], dict[str, Any]] = {}

    def kpis(self, scenario: Any, seed: int, overrides: dict[str, Any]) -> dict[str, Any]:
        """The KPIs of ``scenario`` run on ``seed`` with ``overrides`` (run once, then kept)."""
        key = (_scenario_key(scenario), seed, repr(sorted(overrides.items())))
        if key not in self._kpis:
            if len(self._kpis) >= self.size:
                self._kpis.pop(next(iter(self._kpis)))  # the oldest
            self._kpis[key] = cs.run(scenario, seed=seed, overrides=overrides).kpis
        return self._kpis[key]


def _scenario_key(scenario: Any) -> str:
    if hasattr(scenario, "model_dump_json"):
        return scenario.model_dump_json()
    if isinstance(scenario, (str, Path)):
        return f"{Path(scenario).resolve()}@{Path(scenario).stat().st_mtime_ns}"
    return repr(scenario)


def compare_over_seeds(
    scenario: Any,
    runs: tuple[Result, Result],
    overrides: tuple[dict[str, Any], dict[str, Any]],
    kpis: tuple[str, ...],
    names: tuple[str, str] | None = None,
    seed_runs: SeedRuns | None = None,
) -> tuple[dict[str, list[dict]], str]:
    """The previous run and this one (``runs``, with their ``overrides``), repeated on ``SPREAD_SEEDS``.

    Returns the KPIs of each arm per seed (``before``, ``now``) and a list, one line per KPI of
    ``kpis``: better on every seed, worse on every seed, or within the noise (``spread_line``; ``names``:
    what the two arms are called, by default the previous strategy and this one). ``seed_runs``: the
    lab's kept runs, so that the previous strategy, compared again, is not run again.
    """
    seed_runs = SeedRuns() if seed_runs is None else seed_runs
    spread = {
        arm: [run.kpis] + [seed_runs.kpis(scenario, s, levers) for s in SPREAD_SEEDS]
        for arm, run, levers in zip(("before", "now"), runs, overrides, strict=True)
    }
    lines = [spread_line(key, spread["before"], spread["now"], 1 + len(SPREAD_SEEDS), names) for key in kpis]
    return spread, "<ul class='cs-spread'>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"
