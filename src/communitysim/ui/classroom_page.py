"""What the classroom pages (the facilitator's and a team's) share: the database field, the status line."""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as w

from communitysim.classroom import ClassroomError, Store, default_path
from communitysim.messages import t
from communitysim.ui import display_app, download_link

__all__ = ["ClassroomPage", "download_links"]

_MIME = {".html": "text/html", ".pdf": "application/pdf"}


def download_links(*paths: Path) -> str:
    """Links that download the written reports from the page (JupyterLab and Voila alike)."""
    links = "".join(
        download_link(path.read_bytes(), path.name, _MIME.get(path.suffix, "application/octet-stream"),
                      t("common.download", name=path.name))
        for path in paths
    )  # fmt: skip
    return f"<p class='cs-downloads'>{links}</p>"


_RED, _GREEN = "#b3261e", "#1b7f3b"
#: Set by ``communitysim class``: the pages are served to a class, on its database only.
SERVED = "COMMUNITYSIM_CLASSROOM_SERVED"


class ClassroomPage:
    """A page on the classroom database: ``path`` (a text field) and ``status`` (a line), set by subclasses."""

    store: Store | None
    path: w.Text
    status: w.HTML
    widget: w.Widget

    def _ipython_display_(self) -> None:
        display_app(self.widget)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.value = f"<span style='color:{_RED if error else _GREEN}'>{html.escape(text)}</span>"

    def _open(self) -> Store:
        """The database the path field names (opened again when the field changes).

        Served to a class (``communitysim class`` sets ``COMMUNITYSIM_CLASSROOM_SERVED``), the field is
        locked on the served database: a page cannot open another file on the server.
        """
        if os.environ.get(SERVED):
            self.path.value, self.path.disabled = str(default_path()), True
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
