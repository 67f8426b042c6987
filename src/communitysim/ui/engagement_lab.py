"""Engagement and fatigue: a sweep over posting rhythms, and who participates (90-9-1).

Example:
    >>> app = EngagementLab(overrides={"audience.size": 800, "seeding.size": 200, "days": 30}, frequencies=(1, 7, 21))
    >>> app.sweep()
    >>> len(app.table)
    3
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

import communitysim as cs
from communitysim.files import scenario_dir
from communitysim.messages import number, t, tn
from communitysim.ui import app_box, decimal_slider, display_app, error_html, redraw, slider_look
from communitysim.ui.feedback import SPREAD_SEEDS, SeedRuns, compare_over_seeds

__all__ = ["CONTRASTS", "EngagementLab", "engagement_lab"]

#: The contrasts' strategies (content mixes at 7 posts a week).
CASES = {
    "one_type": {"strategy.content_mix": {"entertainment": 1.0}},
    "varied": {"strategy.content_mix": {"entertainment": 0.34, "quiz_poll": 0.33, "event": 0.33}},
    "informational": {"strategy.content_mix": {"informational": 1.0}},
    "debates": {"strategy.content_mix": {"informational": 0.5, "debate": 0.5}},
}
#: Each contrast: (the case the course warns against, the one it recommends, the KPI that shows the lesson).
CONTRASTS = {
    "novelty": ("one_type", "varied", "engagements_per_post"),
    "debates": ("informational", "debates", "member_interactions"),
}


class EngagementLab:
    """Posting rhythm sweep and participation (``app.widget`` is the widget tree).

    Args:
        scenario: file name in the scenarios folder.
        overrides: fixed overrides for every run (a smaller audience keeps the sweep quick).
        frequencies: posts per week to compare.
        seed: the seed of every run.
    """

    def __init__(
        self,
        scenario: str = "posting_frequency.yaml",
        overrides: dict[str, Any] | None = None,
        frequencies: tuple[int, ...] = (1, 3, 5, 7, 10, 14, 21, 28, 42),
        seed: int = 7,
    ):
        self.path = scenario_dir() / scenario
        self.seed_runs = SeedRuns()  # the spread seeds' runs, kept: a contrast already compared is not run again
        self.fixed = {
            "platform": "generic",  # a community group: members see and say more than on a brand page
            "audience.size": 5000,
            "seeding.size": 1000,
            "days": 120,
            "objectives": [],
            **(overrides or {}),
        }
        self.frequencies = frequencies
        self.seed = seed
        self.table = pd.DataFrame()
        style = {"description_width": "260px"}
        base = cs.load_scenario(self.path, self.fixed)
        self.appetite = decimal_slider(
            base.feed.appetite_posts_per_day, 0.5, 4, 0.25, description=t("eng.appetite"), **slider_look("260px")
        )
        self.sweep_button = w.Button(description=t("eng.sweep"), button_style="primary", icon="play")
        self.sweep_button.on_click(lambda _: self.sweep())
        self.status = w.HTML()
        self.best = w.HTML()
        self.plots = w.Output()
        self.contrasts = w.HTML()
        self.compare_button = w.Button(description=t("eng.compare"), icon="balance-scale")
        self.compare_button.on_click(lambda _: self.compare())
        self.guess = w.IntText(value=7, description=t("eng.guess"), style=style, layout=w.Layout(width="380px"))
        self.check_button = w.Button(description=t("eng.check"), icon="check")
        self.check_button.on_click(lambda _: self.check())
        self.feedback = w.HTML()
        for control in (self.appetite, self.guess):
            control.tooltip = control.description  # the whole label on hover
        self.widget = app_box(
            [
                self.appetite,
                self.sweep_button,
                self.status,
                self.plots,
                w.HTML(f"<b>{html.escape(t('eng.challenge'))}</b>"),
                w.HBox([self.guess, self.check_button]),
                self.feedback,
                self.best,  # the answer, only once the learner has checked a guess
                w.HTML(f"<b>{html.escape(t('eng.contrasts'))}</b>"),
                self.compare_button,
                self.contrasts,
            ]
        )

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    def sweep(self) -> None:
        """Run every rhythm on the same seed; plot per-post and total engagement, and participation."""
        rows = []
        try:
            for n in self.frequencies:
                overrides = {
                    **self.fixed,
                    "strategy.posts_per_week": n,
                    "feed.appetite_posts_per_day": self.appetite.value,
                }
                kpis = cs.run(self.path, seed=self.seed, overrides=overrides).kpis
                rows.append({"posts_per_week": n, **kpis})
        except (cs.ScenarioError, ValueError) as exc:
            self.status.value = error_html(exc)
            return
        self.status.value = ""
        self.table = pd.DataFrame(rows)
        self.best.value = ""  # told after the learner's guess (the challenge), not before
        self.feedback.value = ""
        self.figure = self._figure()
        redraw(self.plots, self.figure)

    def check(self) -> None:
        """The challenge: is the learner's rhythm within 10% of the best total engagement of the sweep?"""
        if self.table.empty:
            self.sweep()
        if self.table.empty:
            return
        guess = self.guess.value
        if guess not in set(self.table["posts_per_week"]):
            choices = ", ".join(str(n) for n in self.table["posts_per_week"])
            self.feedback.value = html.escape(t("eng.guess_unknown", choices=choices))
            return
        row = self.table.loc[self.table["posts_per_week"] == guess].iloc[0]
        top = self.table.loc[self.table["engagements"].idxmax()]
        numbers = {  # read off the sweep the learner sees: the guess against the sweep's best rhythm
            "posts": guess, "total": number(row["engagements"]), "per_post": number(row["engagements_per_post"], 1),
            "left": tn("common.members", int(row["churned"])), "best_posts": int(top["posts_per_week"]),
            "best_total": number(top["engagements"]), "best_per_post": number(top["engagements_per_post"], 1),
            "best_left": number(top["churned"]),
        }  # fmt: skip
        if row["engagements"] >= 0.9 * top["engagements"]:
            text, colour = t("eng.check_pass", **numbers), "#1b7f3b"
        elif guess > top["posts_per_week"]:
            key = "eng.check_fail_more_left" if row["churned"] > top["churned"] else "eng.check_fail_more"
            text, colour = t(key, **numbers), "#b3261e"
        else:
            text, colour = t("eng.check_fail_less", **numbers), "#b3261e"
        self.feedback.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"
        best_row = self.table.loc[self.table["engagements"].idxmax()]
        self.best.value = html.escape(
            t("eng.best", posts=int(best_row["posts_per_week"]), engagements=number(best_row["engagements"]))
        )

    def compare(self) -> None:
        """Two contrasts: one content type versus a varied mix, debates versus information.

        The table shows the lab's seed; under it, each contrast on ``feedback.SPREAD_SEEDS`` more seeds, in
        words: the difference holds on every seed, or it changes sign with the seed (within the noise).
        ``self.spread[contrast]`` holds the KPIs of both cases per seed (``before``: the case the course
        warns against; ``now``: the one it recommends).
        """
        base = {**self.fixed, "strategy.posts_per_week": 7}
        overrides = {name: {**base, **o} for name, o in CASES.items()}
        try:
            runs = {name: cs.run(self.path, seed=self.seed, overrides=o) for name, o in overrides.items()}
            self.spread, lines = {}, []
            for contrast, (worse, better, kpi) in CONTRASTS.items():
                names = (t(f"eng.arm.{worse}"), t(f"eng.arm.{better}"))
                pair = (runs[worse], runs[better]), (overrides[worse], overrides[better])
                self.spread[contrast], line = compare_over_seeds(self.path, *pair, (kpi,), names, self.seed_runs)
                lines.append(line)
        except (cs.ScenarioError, ValueError) as exc:
            self.status.value = error_html(exc)
            return
        kpis = {name: run.kpis for name, run in runs.items()}
        rows = [
            (t("eng.case.one_type"), number(kpis["one_type"]["engagements_per_post"], 2), t("eng.why.novelty")),
            (t("eng.case.varied"), number(kpis["varied"]["engagements_per_post"], 2), ""),
            (t("eng.case.informational"), number(kpis["informational"]["member_interactions"]), t("eng.why.debates")),
            (t("eng.case.debates"), number(kpis["debates"]["member_interactions"]), ""),
        ]
        head = "".join(f"<th>{html.escape(t(k))}</th>" for k in ("eng.case", "eng.value", "lab.why"))
        body = "".join(f"<tr>{''.join(f'<td>{html.escape(c)}</td>' for c in row)}</tr>" for row in rows)
        seeds = html.escape(t("eng.seeds", seed=self.seed, more=", ".join(str(s) for s in SPREAD_SEEDS)))
        table = f"<table class='cs-contrasts'><tr>{head}</tr>{body}</table>"
        self.contrasts.value = f"{table}<small>{seeds}</small>{''.join(lines)}"
        self.contrast_kpis = kpis

    def _figure(self) -> Figure:
        table = self.table
        figure = Figure(figsize=(11, 3.6), layout="constrained")
        per_post, total, who = figure.subplots(1, 3)
        per_post.plot(table["posts_per_week"], table["engagements_per_post"], marker="o")
        per_post.set(title=t("eng.per_post"), xlabel=t("eng.posts_per_week"))
        total.plot(table["posts_per_week"], table["engagements"], marker="o", color="C1")
        total.set(title=t("eng.total"), xlabel=t("eng.posts_per_week"))
        middle = table.iloc[len(table) // 2]
        shares = [middle["lurker_share"], middle["contributor_share"], middle["creator_share"]]
        labels = [t("eng.lurkers"), t("eng.contributors"), t("eng.creators")]
        who.bar(labels, [100 * s for s in shares], color=["#bbbbbb", "C0", "C3"])
        who.set(title=t("eng.participation", posts=int(middle["posts_per_week"])), ylabel="%")
        return figure


def engagement_lab(**kwargs: Any) -> EngagementLab:
    """Build the engagement and fatigue app (the notebook's one call)."""
    return EngagementLab(**kwargs)
