"""What the classroom pages (the facilitator's and a team's) share: the database field, the status line."""

from __future__ import annotations

import html

import ipywidgets as w
from IPython.display import display

from communitysim.classroom import ClassroomError, Store

__all__ = ["ClassroomPage"]

_RED, _GREEN = "#b3261e", "#1b7f3b"


class ClassroomPage:
    """A page on the classroom database: ``path`` (a text field) and ``status`` (a line), set by subclasses."""

    store: Store | None
    path: w.Text
    status: w.HTML
    widget: w.Widget

    def _ipython_display_(self) -> None:
        display(self.widget)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.value = f"<span style='color:{_RED if error else _GREEN}'>{html.escape(text)}</span>"

    def _open(self) -> Store:
        """The database the path field names (opened again when the field changes)."""
        if self.store is None or self.store.path != self.path.value:
            self.store = Store(self.path.value)
        return self.store

    def _list_sessions(self, field: w.Dropdown) -> list[str] | None:
        """Offer the database's sessions in ``field``; None: an unreadable database (said on the status line)."""
        try:
            names = self._open().session_names()
        except ClassroomError as exc:
            self._say(str(exc), error=True)
            return None
        field.options = names
        return names
