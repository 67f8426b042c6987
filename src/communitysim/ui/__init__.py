"""Widget applications for the notebooks: plain Python, unit-tested, built from the model's API.

Each notebook is a few cells that build one of these apps; every text goes through
``communitysim.messages.t``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from communitysim.files import scenario_dir
from communitysim.messages import t
from communitysim.plotting import figure_png

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from communitysim.result import Result

__all__ = [
    "APP_CSS",
    "ScenarioRuns",
    "app_box",
    "decimal_range_slider",
    "decimal_slider",
    "display_app",
    "download_link",
    "error_html",
    "figure_png",
    "fitted_button",
    "labelled",
    "redraw",
    "schema_slider",
    "scorecard",
    "set_grid",
    "set_slider",
    "show",
    "slider_look",
    "t",
]


class ScenarioRuns:
    """What an app running one scenario keeps: its file, fixed overrides, seed, this run and the one before.

    Also its status line and scorecard, which :meth:`run_scenario` fills.

    Args:
        scenario: file name in the scenarios folder.
        overrides: fixed overrides for every run.
        seed: the seed of every run.
    """

    def __init__(self, scenario: str, overrides: dict[str, Any] | None, seed: int):
        import ipywidgets as w

        self.path = scenario_dir() / scenario
        self.fixed = dict(overrides or {})
        self.seed = seed
        self.result: Result | None = None
        self.previous: Result | None = None
        self.status = w.HTML()
        self.scorecard = w.HTML()

    def run_scenario(self, overrides: dict[str, Any]) -> Result | None:
        """Run with the fixed overrides and ``overrides``; show the scorecard (None and one red line on a mistake)."""
        from communitysim.model import CommunityModel
        from communitysim.scenario import ScenarioError
        from communitysim.ui.feedback import scorecard_html

        try:
            self.model = CommunityModel(self.path, seed=self.seed, overrides={**self.fixed, **overrides})
            result = self.model.run()
        except (ScenarioError, ValueError) as exc:
            self.status.value = error_html(exc)
            return None
        self.previous, self.result = self.result, result
        self.status.value = ""
        self.scorecard.value = scorecard_html(result, self.previous)
        return result


def schema_slider(
    path: str, description: str, step: float = 1, text: Callable[[float], str] | None = None, **look: Any
) -> Any:
    """A slider over all the values the scenario's schema allows for ``path`` (whole numbers when ``step`` is).

    A scenario's value outside a narrower slider would be clamped without a word; this one shows it.
    A decimal ``step`` gives a :func:`decimal_slider` (its readout written by ``text``, by default as the
    language writes numbers); set its value with :func:`set_slider`.
    """
    import ipywidgets as w

    from communitysim.scenario import field_bounds

    low, high = field_bounds(path)
    if isinstance(step, int):
        return w.IntSlider(value=low, min=low, max=high, step=step, description=description, **look)
    return decimal_slider(low, low, high, step, text, description=description, **look)


def decimal_slider(
    value: float, low: float, high: float, step: float, text: Callable[[float], str] | None = None, **kwargs: Any
) -> Any:
    """A slider over ``low``..``high`` by ``step`` whose readout is written as the learner's language writes it.

    ipywidgets' ``FloatSlider`` formats its readout in the browser with a decimal point in every
    language ("0.60", "60%"); this ``SelectionSlider`` shows each value's label, written by ``text`` (by
    default ``messages.number`` with the step's decimals: "0,60" in French; ``messages.percent`` for a
    share: "60 %"). Its ``value`` is the number; :func:`set_slider` sets one off the grid.

    Example:
        >>> decimal_slider(0.6, 0, 1, 0.05).label
        '0.60'
    """
    import ipywidgets as w

    slider = w.SelectionSlider(options=[("", low)], **kwargs)
    set_grid(slider, value, low, high, step, text)
    return slider


def decimal_range_slider(
    value: tuple[float, float],
    low: float,
    high: float,
    step: float,
    text: Callable[[float], str] | None = None,
    **kwargs: Any,
) -> Any:
    """A range slider (from, to) over ``low``..``high`` by ``step``, its ends written as the language writes them.

    ipywidgets' ``FloatRangeSlider`` writes "0.2" in every language; this ``SelectionRangeSlider``
    shows its two ends' labels ("0,20-1,00" in French). Its ``value`` is the pair of numbers;
    :func:`set_slider` sets ends off the grid or outside ``low``..``high`` (never clamped), and
    :func:`set_grid` moves it to another grid.

    Example:
        >>> decimal_range_slider((1, 3), 0, 5, 1).label
        ('1', '3')
    """
    import ipywidgets as w

    slider = w.SelectionRangeSlider(options=[("", low)], **kwargs)
    set_grid(slider, value, low, high, step, text)
    return slider


def set_grid(
    slider: Any,
    value: float | tuple[float, float],
    low: float,
    high: float,
    step: float,
    text: Callable[[float], str] | None = None,
) -> None:
    """Give a :func:`decimal_slider` or a :func:`decimal_range_slider` the values ``low``..``high`` by ``step``.

    Each value's label is written by ``text``, by default as the language writes a number with the
    step's decimals ("0,05" in French, "0.05" in English), or all its own if it has more (off the grid).
    The slider is then set to ``value`` (:func:`set_slider`).

    Example:
        >>> slider = decimal_range_slider((0, 1), 0, 1, 1)
        >>> set_grid(slider, (0.5, 1.5), 0, 2, 0.5)
        >>> slider.label, slider.options[1]
        (('0.5', '1.5'), ('0.5', 0.5))
    """
    from communitysim.messages import number

    decimals = max(0, -Decimal(str(step)).as_tuple().exponent)  # type: ignore[operator]
    write = text or (lambda v: number(v, decimals if round(v, decimals) == v else None))
    grid = [round(low + k * step, decimals + 6) for k in range(round((high - low) / step) + 1)]
    slider._cs_text = write  # how set_slider writes a value off the grid
    slider.options = [(write(v), v) for v in grid]
    set_slider(slider, value)


def set_slider(slider: Any, value: float | tuple[float, float]) -> None:
    """Set a slider's value; on a :func:`decimal_slider`, a value off its grid becomes an option of its own.

    A scenario's 0.63 on a slider by 0.05 is shown as 0.63, never rounded or clamped without a word; on a
    :func:`decimal_range_slider`, ``value`` is a pair (from, to), and an end outside its span extends it.
    """
    text = getattr(slider, "_cs_text", None)
    ends = tuple(value) if isinstance(value, tuple | list) else (value,)
    if text is not None:
        values = [v for _, v in slider.options]
        if any(end not in values for end in ends):
            slider.options = [(text(v), v) for v in sorted({*values, *(float(end) for end in ends)})]
    slider.value = ends if isinstance(value, tuple | list) else value


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

    from communitysim.ui.feedback import scorecard_html

    return HTML(scorecard_html(result))  # type: ignore[arg-type]


#: The apps' shared style: labels wrap instead of being cut, buttons as wide as their words, sliders'
#: tracks at least 200 px (readable at 1280x800 and 1920x1080; tested in the browser).
APP_CSS = """<style>
.cs-app .widget-label, .cs-app .widget-label-basic { white-space: normal; overflow: visible; text-overflow: clip;
  height: auto; min-height: var(--jp-widgets-inline-height); line-height: 1.25; overflow-wrap: break-word; }
.cs-app .widget-inline-hbox { height: auto; min-height: var(--jp-widgets-inline-height); align-items: center; }
.cs-app .widget-button { width: auto; min-width: 7em; overflow: visible; text-overflow: clip; padding: 0 1em;
  align-self: flex-start; flex: 0 0 auto; }
.cs-app .widget-dropdown select { text-overflow: clip; }
.cs-app .widget-hslider .slider-container { min-width: 200px; }
.cs-app .widget-checkbox { width: auto; }
.cs-app .widget-upload { width: auto; min-width: 7em; flex: 0 0 auto; }
.cs-app .widget-upload * { overflow: visible; text-overflow: clip; }
.cs-app .widget-checkbox .widget-label-basic span { white-space: normal; }
</style>"""


def app_box(children: list, **layout: str) -> object:
    """An app's outer box: the shared style first, children below (``ipywidgets.VBox`` with class ``cs-app``)."""
    import ipywidgets as w

    box = w.VBox([w.HTML(APP_CSS), *children], layout=w.Layout(**layout))
    box.add_class("cs-app")
    return box


def slider_look(label_width: str = "180px") -> dict:
    """Keyword arguments for a control with a readable track: a label column, at least 460 px wide in all."""
    import ipywidgets as w

    return {
        "style": {"description_width": label_width},
        "layout": w.Layout(width="98%", min_width="460px", max_width="820px"),
    }


def display_app(widget: object) -> None:
    """Display an app's widget with a "Run this cell" banner as its text fallback (never a raw widget repr).

    Where the widget cannot be drawn (a notebook opened before its cells ran, or reloaded without its
    kernel), JupyterLab shows the text fallback: the banner, instead of ``VBox(children=(...``.
    """
    from IPython.display import display

    bundle = widget._repr_mimebundle_()  # type: ignore[attr-defined]
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    bundle["text/plain"] = t("common.run_this_cell")
    display(bundle, raw=True)


def download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    """An HTML link that downloads ``data`` as ``filename`` (a data: URI: works in JupyterLab and Voila alike)."""
    import base64
    import html

    encoded = base64.b64encode(data).decode("ascii")
    return (
        f"<a download='{html.escape(filename, quote=True)}' href='data:{mime};base64,{encoded}' "
        f"class='cs-download' style='margin-right:1em'>⬇ {html.escape(label)}</a>"
    )


def labelled(widget: Any, text: str, help_text: str = "") -> Any:
    """A control under its label: the label wraps instead of being cut, the control takes the full width.

    The control keeps no description of its own (ipywidgets cuts long ones) and shows ``text``
    (and ``help_text``) as its tooltip; sliders keep at least 200 px of track.
    """
    import html

    import ipywidgets as w

    widget.description = ""
    widget.tooltip = f"{text} {help_text}".strip()
    widget.layout.width = "100%"
    widget.layout.min_width = "220px"
    label = f"<span class='cs-label'>{html.escape(text)}</span>"
    if help_text:
        label += f" <span class='cs-help' style='color:#666;font-size:smaller'>{html.escape(help_text)}</span>"
    return w.VBox([w.HTML(label, layout=w.Layout(margin="2px 0 0 0")), widget], layout=w.Layout(width="100%"))


def fitted_button(text: str, on_click: Any, tooltip: str = "", **kwargs: Any) -> Any:
    """A button as wide as its text (never cut), with a tooltip (``tooltip`` or its text)."""
    import ipywidgets as w

    made = w.Button(
        description=text, tooltip=tooltip or text, layout=w.Layout(width="auto", min_width="80px"), **kwargs
    )
    made.on_click(lambda _: on_click())
    return made
