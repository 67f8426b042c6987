"""First members and launch readiness: who to invite first, and when; word-of-mouth drawn on the network.

Example:
    >>> app = FirstMembers(overrides={"audience.size": 400, "days": 30, "objectives": []})
    >>> app.run()
    >>> app.result.kpis["day"]
    30.0
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

import communitysim as cs
from communitysim.mechanisms.seeding import STRATEGIES
from communitysim.messages import number, percent, t, tn
from communitysim.scenario import Objective
from communitysim.ui import ScenarioRuns, app_box, display_app, redraw, slider_look
from communitysim.ui.feedback import SeedRuns, compare_over_seeds

__all__ = ["FirstMembers", "challenge_objective", "first_members"]


def challenge_objective(scenario: cs.Scenario) -> Objective | None:
    """The challenge: the scenario's first objective on members (None: the scenario has none)."""
    return next((objective for objective in scenario.objectives if objective.kpi == "members"), None)


class FirstMembers(ScenarioRuns):
    """The first-members app (``app.widget`` is the widget tree).

    Args:
        scenario: file name in the scenarios folder.
        overrides: fixed overrides for every run.
        seed: the seed of every run.
    """

    def __init__(self, scenario: str = "bakery_launch.yaml", overrides: dict[str, Any] | None = None, seed: int = 7):
        super().__init__(scenario, overrides, seed)
        self.seed_runs = SeedRuns()  # the spread seeds' runs, kept: a click runs only the new strategy
        self._chosen: dict[str, Any] | None = None  # the choices of the last run
        look = slider_look("230px")  # a track of at least 200 px; long labels wrap (tested in the browser)
        self.strategy = w.Dropdown(
            options=[
                (t(f"first.strategy.{name}"), name)
                for name in STRATEGIES
                if name in ("close_circle", "influencers", "random", "none")
            ],
            value="close_circle",
            description=t("first.strategy"),
            **look,
        )
        self.size = w.IntSlider(value=20, min=0, max=100, description=t("first.size"), **slider_look("230px"))
        self.invite_after_posts = w.IntSlider(
            value=6, min=0, max=20, description=t("first.invite_after_posts"), **slider_look("230px")
        )
        loaded = cs.load_scenario(self.path, self.fixed)
        days = loaded.days
        self.goal = challenge_objective(loaded)
        self.day = w.IntSlider(
            value=min(90, int(days)), min=0, max=int(days), description=t("first.show_day"), **slider_look("230px")
        )
        self.run_button = w.Button(description=t("common.run"), button_style="primary", icon="play")
        self.run_button.on_click(lambda _: self.run())
        self.day.observe(lambda change: self.draw(), names="value")
        self.challenge = w.HTML()
        self.plots = w.Output()
        controls = w.VBox([self.strategy, self.size, self.invite_after_posts, self.day, self.run_button, self.status])
        challenge = w.HTML()
        if self.goal is not None:
            challenge.value = f"<b>{html.escape(t('common.label', label=t('first.challenge')))}</b> " + html.escape(
                t("first.challenge_goal", target=number(self.goal.target), day=number(self.goal.by_day, None))
            )
        for control in (self.strategy, self.size, self.invite_after_posts, self.day):
            control.tooltip = control.description  # the whole label on hover
        self.widget = app_box([controls, self.plots, challenge, self.challenge, self.scorecard])

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    def run(self) -> None:
        """Run with the chosen first members; keep the last run dashed."""
        chosen = {
            "seeding.strategy": self.strategy.value,
            "seeding.size": self.size.value,
            "seeding.invite_after_posts": self.invite_after_posts.value,
        }
        if self.run_scenario(chosen) is None:
            return
        before, self._chosen = self._chosen, chosen
        self.challenge.value = self.challenge_html()
        self.draw()
        # after the plot: the same two choices on more seeds, so that chance is not read as a lesson
        if before is not None and before != chosen:
            levers = ({**self.fixed, **before}, {**self.fixed, **chosen})
            self.spread, text = compare_over_seeds(
                self.path, (self.previous, self.result), levers, ("members",), seed_runs=self.seed_runs
            )
            self.scorecard.value += text

    def challenge_html(self) -> str:
        """The challenge's feedback: pass or fail, with the reasons this run's choices explain ("" without one)."""
        assert self.result is not None
        if self.goal is None:
            return ""
        ts = self.result.timeseries
        day = min(self.goal.by_day, float(ts["day"].iloc[-1]))
        members = int(ts.loc[ts["day"] <= day, "members"].iloc[-1])
        invited = self.model.population.invited
        joined_day = self.model.member_table()["joined_day"].to_numpy()
        accepted = int((joined_day[invited] <= day).sum())
        ready = self.model.params.launch.posts_ready
        lines = [
            t(
                "first.challenge_score",
                members=tn("common.members", members),
                day=number(day, None),
                accepted=number(accepted),
                invited=number(int(invited.sum())),
            )
        ]
        if members >= self.goal.target if self.goal.direction == "at_least" else members <= self.goal.target:
            colour = "#1b7f3b"
            linked = self.linked_share()
            lines.append(
                t("first.why.pass_linked" if linked >= 0.5 else "first.why.pass_scattered", linked=percent(linked))
            )
        else:
            colour = "#b3261e"
            if self.strategy.value == "none" or self.size.value == 0:
                lines.append(t("first.why.nobody"))
            else:
                if self.invite_after_posts.value < ready:
                    lines.append(t("first.why.too_early", posts=self.invite_after_posts.value, ready=ready))
                if self.strategy.value == "random":
                    lines.append(t("first.why.random", linked=percent(self.linked_share())))
                if self.strategy.value == "influencers":
                    lines.append(t("first.why.influencers"))
                lines.append(t("first.why.more"))
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return f"<ul class='cs-challenge' style='color:{colour}'>{items}</ul>"

    def linked_share(self) -> float:
        """The share of the invited people who have a friend among the other invited (what the ring shows)."""
        invited = np.flatnonzero(self.model.population.invited)
        adjacency = self.model.network.adjacency
        if invited.size == 0:
            return 0.0
        if adjacency is None:  # a complete network: everyone knows everyone
            return 1.0 if invited.size > 1 else 0.0
        among = adjacency[invited][:, invited]
        return float((np.asarray(among.sum(axis=1)).ravel() > 0).mean())

    def members_on(self, day: float) -> np.ndarray:
        """Boolean mask of the people who were members on ``day``."""
        table = self.model.member_table()
        joined = table["joined_day"].to_numpy()
        left = table["left_day"].to_numpy()
        return (joined <= day) & ~(left <= day)

    def draw(self) -> None:
        """Draw the audience on a ring (the small-world's lattice order), members in colour, and the growth."""
        if self.result is None:
            return
        self.figure = Figure(figsize=(10, 4.2), layout="constrained")
        ring, curve = self.figure.subplots(1, 2, width_ratios=[1, 1.3])
        n = self.model.population.n
        angle = 2 * np.pi * np.arange(n) / n
        member = self.members_on(self.day.value)
        invited = self.model.population.invited
        ring.scatter(
            np.cos(angle[~member]), np.sin(angle[~member]), s=2, color="#d0d0d0", label=t("first.legend.others")
        )
        ring.scatter(np.cos(angle[member]), np.sin(angle[member]), s=4, color="C0", label=t("first.legend.members"))
        ring.scatter(
            np.cos(angle[invited]),
            np.sin(angle[invited]),
            s=18,
            color="C3",
            marker="*",
            label=t("first.legend.invited"),
        )
        ring.set_aspect("equal")
        ring.set_xticks([])
        ring.set_yticks([])
        for side in ring.spines.values():
            side.set_visible(False)
        ring.set_xlabel(t("first.ring_caption"), fontsize="small")
        ring.set_title(t("first.ring_title", day=self.day.value, members=tn("common.members", int(member.sum()))))
        ring.legend(loc="lower center", fontsize="small", ncols=3, bbox_to_anchor=(0.5, -0.12))
        for run, style, label in (
            (self.previous, {"linestyle": "--", "color": "grey"}, t("common.previous_run")),
            (self.result, {"color": "C0"}, t("common.this_run")),
        ):
            if run is not None:
                curve.plot(run.timeseries["day"], run.timeseries["members"], label=label, **style)
        curve.axvline(self.day.value, color="C3", linewidth=0.8)
        curve.set(title=t("lab.plot.members"), xlabel=t("lab.plot.day"))
        curve.legend(fontsize="small")
        redraw(self.plots, self.figure)


def first_members(**kwargs: Any) -> FirstMembers:
    """Build the first-members app (the notebook's one call)."""
    return FirstMembers(**kwargs)
