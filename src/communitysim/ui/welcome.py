"""The welcome notebook's challenge without code: how many first members reach both of the bakery's objectives?

Example:
    >>> app = WelcomeChallenge(overrides={"audience.size": 400, "days": 30, "objectives": []})
    >>> app.first_members.value = 30
    >>> app.run()
    >>> app.result.scenario.seeding.size
    30
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from communitysim.messages import t
from communitysim.ui import ScenarioRuns, app_box, display_app, slider_look

__all__ = ["WelcomeChallenge", "welcome_challenge"]


class WelcomeChallenge(ScenarioRuns):
    """A slider for the number of first members, a Run button, and the scorecard (``app.widget``).

    Args:
        scenario: file name in the scenarios folder.
        overrides: fixed overrides for every run.
        seed: the seed of every run (the welcome page's first run uses 7 too).
    """

    def __init__(self, scenario: str = "bakery_launch.yaml", overrides: dict[str, Any] | None = None, seed: int = 7):
        super().__init__(scenario, overrides, seed)
        self.first_members = w.IntSlider(value=20, min=0, max=200, description=t("welcome.first_members"),
                                         continuous_update=False, **slider_look("200px"))  # fmt: skip
        self.first_members.tooltip = self.first_members.description
        self.run_button = w.Button(description=t("common.run"), button_style="primary", icon="play")
        self.run_button.on_click(lambda _: self.run())
        self.widget = app_box([self.first_members, self.run_button, self.status, self.scorecard])

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    def run(self) -> None:
        """Run the scenario with the slider's number of first members; show its scorecard with feedback."""
        self.status.value = html.escape(t("common.running"))
        self.run_scenario({"seeding.size": self.first_members.value})


def welcome_challenge(**kwargs: Any) -> WelcomeChallenge:
    """Build the welcome notebook's challenge (the notebook's one call)."""
    return WelcomeChallenge(**kwargs)
