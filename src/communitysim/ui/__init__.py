"""Widget applications for the notebooks: plain Python, unit-tested, built from the model's API.

Each notebook is a few cells that build one of these apps; every text goes through
``communitysim.ui.messages.t``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from communitysim.ui.messages import t

if TYPE_CHECKING:  # matplotlib only when a figure is drawn: the core imports the messages from here
    from matplotlib.figure import Figure

__all__ = ["error_html", "figure_png", "redraw", "scorecard", "show", "t"]


def figure_png(figure: Figure, dpi: int = 100) -> bytes:
    """A matplotlib figure rendered to PNG bytes (no pyplot, no backend needed).

    Drawn once with Agg and encoded with light compression: about half of ``savefig``'s time,
    which matters for the 0.3 s slider feedback (``benchmarks/bench_ui.py``).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    figure.set_dpi(dpi)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def show(figure: Figure) -> None:
    """Display a figure as a PNG image, scaled to fit its container, in a notebook or an ``ipywidgets.Output``."""
    import base64

    from IPython.display import HTML, display

    data = base64.b64encode(figure_png(figure)).decode()
    display(HTML(f'<img src="data:image/png;base64,{data}" style="max-width:100%;height:auto" alt="">'))


def redraw(output: object, figure: Figure) -> None:
    """Replace what an ``ipywidgets.Output`` shows with ``figure`` (nothing outside a kernel, e.g. in tests)."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    output.clear_output(wait=True)  # type: ignore[attr-defined]
    with output:  # type: ignore[attr-defined]
        show(figure)


def error_html(error: Exception) -> str:
    """A user's mistake as one line of red text for a status widget (never a traceback)."""
    import html

    message = " ".join(str(error).split())
    return f"<span style='color:#b3261e'>{html.escape(t('common.error', message=message))}</span>"


def scorecard(result: object) -> object:
    """A run's objectives as a table with pass/fail and why, for a notebook cell (an ``IPython.display.HTML``)."""
    from IPython.display import HTML

    from communitysim.ui.posting_lab import scorecard_html

    return HTML(scorecard_html(result))  # type: ignore[arg-type]
