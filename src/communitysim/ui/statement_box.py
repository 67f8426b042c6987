"""The written statement and the CM actions on a team's page: the learner writes, the reader reads, the learner decides.

The learner writes the statement as they would post it and clicks *Read my statement*: the reader
(``crisis_feed.statements.read_statement``, offline) shows the SCCT strategies it found with the
phrases that showed them, the tone, the length, the readability and whether the statement names
what happened, and sets the page's strategy and tone menus to what it read. The learner confirms
or corrects them and makes the statement; the model acts on the confirmed strategy, the feed
quotes the learner's words. The CM action buttons (delete or keep the post, pause the scheduled
posts, answer the journalist, publish an FAQ, escalate internally, reply to comments) are logged
and take effect at once (``mechanisms.cm_actions``).

Example:
    >>> box = StatementBox()
    >>> box.text.value = "We are sorry. We removed the post and will review how it was approved."
    >>> reading = box.read("offensive_post")
    >>> reading.strategy, reading.answers_facts
    ('rebuild', True)
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from communitysim.crisis_feed.statements import Reading, read_statement
from communitysim.mechanisms.cm_actions import CM_ACTIONS
from communitysim.messages import language, number, t
from communitysim.ui import labelled

__all__ = ["StatementBox", "reading_html"]

#: Reading ease from which a statement reads easily, and under which it is hard (Flesch's scale).
EASY, HARD = 60.0, 50.0


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def reading_html(reading: Reading) -> str:
    """What the reader found, for the learner (escaped; every text from the catalogue)."""
    strategy = t(f"crisis.strategy.{reading.strategy}") if reading.strategies else t("cm.reading.none")
    items = [t("cm.reading.strategy", strategy=strategy)]
    for name in reading.strategies:
        cues = reading.cues.get(name if name != "rebuild" else "remedy", []) + (
            reading.cues.get("apologize", []) if name == "rebuild" else []
        )
        if cues:
            quoted = ", ".join(f"« {c} »" if language() == "fr" else f"“{c}”" for c in cues)
            items.append(t("cm.reading.because", strategy=t(f"crisis.strategy.{name}"), cues=quoted))
    items.append(t("cm.reading.tone", tone=t(f"class.tone.{reading.tone}")))
    items.append(t("cm.reading.length", words=number(reading.words), sentences=number(reading.sentences)))
    score = reading.readability
    if score == score:  # not NaN
        verdict = (
            t("cm.reading.easy")
            if score >= EASY
            else t("cm.reading.hard")
            if score < HARD
            else t("cm.reading.standard")
        )
        items.append(t("cm.reading.readability", scale=t(f"cm.reading.scale.{reading.language}"),
                       score=number(score), verdict=verdict))  # fmt: skip
    if reading.answers_facts is not None:
        items.append(
            t("cm.reading.facts", facts=", ".join(reading.facts)) if reading.answers_facts else t("cm.reading.no_facts")
        )
    body = "".join(f"<li>{_e(i)}</li>" for i in items)
    return (
        f"<div class='cs-reading'><b>{_e(t('cm.reading.title'))}</b><ul>{body}</ul>"
        f"<i>{_e(t('cm.reading.confirm'))}</i></div>"
    )


class StatementBox:
    """The statement area, its reading, and the CM action buttons (``box.widget``).

    Args:
        strategy, tone: the page's menus, set to what the reader found (the learner may change them).
        on_action: called with an action's name when its button is clicked.
    """

    def __init__(
        self,
        strategy: w.Dropdown | None = None,
        tone: w.Dropdown | None = None,
        on_action: Callable[[str], None] | None = None,
    ):
        self.strategy, self.tone, self.on_action = strategy, tone, on_action
        self.text = w.Textarea(placeholder=t("cm.statement_help"), layout=w.Layout(height="90px"))
        self.read_button = w.Button(description=t("cm.read"), icon="search", tooltip=t("cm.read"),
                                    layout=w.Layout(width="auto", min_width="80px"))  # never cut  # fmt: skip
        self.reading = w.HTML()
        self.last: Reading | None = None
        self.crisis_type: str | None = None
        self.read_button.on_click(lambda _: self.read(self.crisis_type))
        self.action_buttons = []
        for action in CM_ACTIONS:
            label = t(f"class.action.{action}")
            button = w.Button(description=label, tooltip=label, layout=w.Layout(width="auto", min_width="80px"))
            button.on_click(lambda _, a=action: self.on_action(a) if self.on_action else None)
            self.action_buttons.append(button)
        actions = w.VBox([w.HTML(f"<b>{_e(t('cm.actions'))}</b>"), w.HBox(self.action_buttons,
                          layout=w.Layout(flex_flow="row wrap"))])  # fmt: skip
        self.widget = w.VBox([labelled(self.text, t("cm.statement")), self.read_button, self.reading, actions])

    def read(self, crisis_type: str | None = None) -> Reading | None:
        """Read the statement; show what was found and set the page's menus to it."""
        if not self.text.value.strip():
            self.reading.value = f"<p style='color:#b3261e'>{_e(t('cm.empty'))}</p>"
            return None
        reading = read_statement(self.text.value, language(), crisis_type)
        self.last = reading
        self.reading.value = reading_html(reading)
        if self.strategy is not None and reading.strategies:
            self.strategy.value = reading.strategy
        if self.tone is not None:
            self.tone.value = reading.tone
        return reading

    def enable(self, on: bool) -> None:
        """Enable or disable the buttons (before joining, after the horizon)."""
        for button in (self.read_button, *self.action_buttons):
            button.disabled = not on
