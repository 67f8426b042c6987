"""The ``communitysim`` command: list, validate and run scenarios; sweeps and sensitivity analyses.

Bad input (a scenario file, a ``--set``, a flag) exits with status 2 and one line on stderr that
names the file, the field path and what was expected; a failed run writes nothing into ``--out``.

Example:
    $ communitysim scenarios
    $ communitysim validate scenarios/bakery_launch.yaml
    $ communitysim run scenarios/bakery_launch.yaml --seed 7 --days 180 --set seeding.size=50 --out out/
    $ communitysim sweep scenarios/posting_frequency.yaml --grid strategy.posts_per_week=1,7,14 --reps 30 --out res/
    $ communitysim sensitivity scenarios/posting_frequency.yaml --kpi engagements --method morris --out results/
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import yaml

from communitysim import __version__
from communitysim.files import InputError, find_scenario, load_yaml_file, scenario_dir
from communitysim.messages import number, percent, scenario_description, t, t_or, tn
from communitysim.scenario import MAX_REPLICATIONS, Scenario, ScenarioError, frame, load_scenario, parse_set_option

__all__ = ["main"]

#: The working folder of ``communitysim lab`` and ``communitysim app`` when none is named.
WORK_FOLDER = "communitysim-notebooks"
#: Commands whose unknown options go on to the server they start (JupyterLab, Voila).
PASS_ON = ("lab", "app", "class")

#: Runs with more member-steps than this get a progress bar (when stderr is a terminal).
PROGRESS_MIN_MEMBER_STEPS = 5_000_000


def _h(key: str) -> str:
    """A help text from the catalogue, its percent signs escaped for argparse."""
    return t(key).replace("%", "%%")


#: argparse's own messages (its English text, as it passes them to gettext) -> our catalogue's keys.
ARGPARSE_WORDS = {
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "the following arguments are required: %s": "argparse.required",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "expected one argument": "argparse.expected_one",
    "expected at least one argument": "argparse.expected_at_least_one",
    "expected at most one argument": "argparse.expected_at_most_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "one of the arguments %s is required": "argparse.one_required",
    "not allowed with argument %s": "argparse.not_allowed",
    "ignored explicit argument %r": "argparse.ignored",
    "can't open '%(filename)s': %(error)s": "argparse.cannot_open",
    "expected %s arguments": "argparse.expected_n",
}


@contextmanager
def _argparse_words() -> Iterator[None]:
    """Argparse's own words (``invalid choice``...) in the current language while our parser runs.

    argparse looks its messages up through gettext (``argparse._``, ``argparse.ngettext``): they are
    answered from the catalogue for the time of the parse, and restored after it.
    """
    lookup, plural = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def words(message: str) -> str:
        key = ARGPARSE_WORDS.get(message)
        return t(key) if key else lookup(message)

    def plural_words(singular: str, plural_message: str, count: int) -> str:
        return words(singular if count == 1 else plural_message)

    argparse._, argparse.ngettext = words, plural_words  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = lookup, plural  # type: ignore[attr-defined]


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, t("cli.usage") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in the current language: our texts, its headings and (in ``main``) its own error words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("add_help", None)
        super().__init__(*args, add_help=False, formatter_class=_Formatter, **kwargs)
        self._positionals.title = t("cli.positionals")
        self._optionals.title = t("cli.options")
        self.add_argument("-h", "--help", action="help", help=_h("cli.help"))

    def error(self, message: str) -> NoReturn:
        self.exit(2, t("cli.parse_error", prog=self.prog, message=message) + "\n")


def _whole(minimum: int, maximum: int | None = None):
    """An argparse type: a whole number >= ``minimum`` (and <= ``maximum``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(t("cli.whole", minimum=minimum, text=repr(text[:80])))
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(t("cli.whole_at_most", maximum=number(maximum), text=repr(text[:80])))
        return value

    return parse


_seed = _whole(0)
_positive = _whole(1)
#: Bootstrap refits and sensitivity samples a user may ask for (each is a fit or a batch of runs).
MAX_BOOTSTRAP = 10_000
MAX_SAMPLES = 10_000


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("cli.days_expected", text=repr(text))) from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(t("cli.days_expected", text=repr(text)))
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="communitysim", description=t("cli.description"))
    version = f"communitysim {__version__}"
    parser.add_argument("--version", action="version", version=version, help=_h("cli.help.version"))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("scenarios", help=_h("cli.help.scenarios"))
    listing.add_argument("--dir", type=Path, default=None, help=_h("cli.help.dir"))

    for name in ("validate", "run"):
        sub = commands.add_parser(name, help=_h(f"cli.help.{name}"))
        sub.add_argument("scenario", type=Path, help=_h("cli.help.scenario"))
        sub.add_argument(
            "--set",
            dest="sets",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help=_h("cli.help.set"),
        )
        sub.add_argument("--days", type=_days, default=None, help=_h("cli.help.days"))
        if name == "run":
            sub.add_argument("--seed", type=_seed, default=7, help=_h("cli.help.seed"))
            sub.add_argument("--out", type=Path, default=None, help=_h("cli.help.out"))
            sub.add_argument(
                "--progress",
                action=argparse.BooleanOptionalAction,
                default=None,
                help=_h("cli.help.progress"),
            )

    sweeping = commands.add_parser("sweep", help=_h("cli.help.sweep"))
    sweeping.add_argument("scenario", type=Path, help=_h("cli.help.scenario"))
    sweeping.add_argument(
        "--grid",
        dest="grids",
        action="append",
        required=True,
        metavar="PATH=V1,V2,...",
        help=_h("cli.help.grid"),
    )
    sweeping.add_argument("--reps", type=_whole(1, MAX_REPLICATIONS), default=10, help=_h("cli.help.reps"))
    sensitivity = commands.add_parser("sensitivity", help=_h("cli.help.sensitivity"))
    sensitivity.add_argument("scenario", type=Path, help=_h("cli.help.scenario"))
    sensitivity.add_argument("--method", choices=("morris", "sobol"), default="morris", help=_h("cli.help.method"))
    sensitivity.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        help=_h("cli.help.param"),
    )
    sensitivity.add_argument("--samples", type=_whole(1, MAX_SAMPLES), default=None, help=_h("cli.help.samples"))
    sensitivity.add_argument("--reps", type=_whole(1, MAX_REPLICATIONS), default=1, help=_h("cli.help.sample_reps"))
    calibrate = commands.add_parser("calibrate", help=_h("cli.help.calibrate"))
    calibrate.add_argument("export", type=Path, help=_h("cli.help.export"))
    calibrate.add_argument("--out", type=Path, required=True, help=_h("cli.help.scenario_out"))
    calibrate.add_argument(
        "--map", dest="maps", action="append", default=[], metavar="FIELD=COLUMN",
        help=_h("cli.help.map"),
    )  # fmt: skip
    calibrate.add_argument("--bootstrap", type=_whole(1, MAX_BOOTSTRAP), default=200, help=_h("cli.help.bootstrap"))
    calibrate.add_argument("--seed", type=_seed, default=1, help=_h("cli.help.calibrate_seed"))
    calibrate.add_argument("--forecast", type=_positive, default=90, help=_h("cli.help.forecast"))
    calibrate.add_argument("--plot", type=Path, default=None, help=_h("cli.help.plot"))
    calibrate.add_argument("--holdout", type=float, default=None, metavar="SHARE", help=_h("cli.help.holdout"))
    for sub in (sweeping, sensitivity):
        sub.add_argument("--kpi", default="engagements", help=_h("cli.help.kpi"))
        sub.add_argument("--seed", type=_seed, default=1, help=_h("cli.help.master_seed"))
        sub.add_argument("--days", type=_days, default=None, help=_h("cli.help.days"))
        sub.add_argument(
            "--set", dest="sets", action="append", default=[], metavar="PATH=VALUE", help=_h("cli.help.fixed")
        )
        sub.add_argument(
            "--backend", choices=("processes", "dask", "serial"), default="processes", help=_h("cli.help.backend")
        )
        sub.add_argument("--workers", type=_positive, default=None, help=_h("cli.help.workers"))
        sub.add_argument("--scheduler", default=None, help=_h("cli.help.scheduler"))
        sub.add_argument("--out", type=Path, default=None, help=_h("cli.help.table_out"))
        sub.add_argument(
            "--progress", action=argparse.BooleanOptionalAction, default=True, help=_h("cli.help.sweep_progress")
        )
    sweeping.add_argument("--series", action="store_true", help=_h("cli.help.series"))
    for name in ("lab", "app"):
        sub = commands.add_parser(name, help=_h(f"cli.help.{name}"))
        sub.add_argument("folder", type=Path, nargs="?", default=Path(WORK_FOLDER), help=_h("cli.help.folder"))
    from communitysim.classroom.serve import add_class_parser

    add_class_parser(commands, _h)
    return parser


def _grid(options: list[str]) -> dict[str, list[Any]]:
    """``--grid a.b=1,3,7`` options as a grid (values read as YAML, like ``--set``)."""
    grid: dict[str, list[Any]] = {}
    for text in options:
        if "=" not in text:
            raise ScenarioError(frame(f"--grid {text}", t("cli.grid_syntax")))
        path, raw = (part.strip() for part in text.split("=", 1))
        if path in grid:
            raise ScenarioError(frame(f"--grid {text}", t("cli.grid_twice", path=path)))
        items = [item for item in raw.split(",") if item.strip()]
        if not items:
            raise ScenarioError(frame(f"--grid {text}", path, t("cli.grid_empty")))
        grid[path] = [parse_set_option(f"{path}={item.strip()}")[1] for item in items]
    return grid


def _ranges(options: list[str]) -> dict[str, tuple[float, float]] | None:
    """``--param a.b=LOW:HIGH`` options as lever ranges (None: the default levers)."""
    if not options:
        return None
    ranges = {}
    for text in options:
        path, _, raw = text.partition("=")
        low, sep, high = raw.partition(":")
        try:
            if not path.strip() or not sep:
                raise ValueError
            ranges[path.strip()] = (float(low), float(high))
        except ValueError:
            raise ScenarioError(frame(f"--param {text}", t("cli.param_syntax"))) from None
    return ranges


def _fixed(args: argparse.Namespace) -> dict[str, Any]:
    return dict(parse_set_option(text) for text in args.sets)


def _check_kpi(kpi: str) -> None:
    """``--kpi`` checked before anything runs (a sweep can take hours)."""
    from communitysim.kpis import KPIS

    if kpi not in KPIS:
        raise ScenarioError(frame(f"--kpi {kpi}", t("sweep.error.kpi", kpi=repr(kpi), allowed=", ".join(KPIS))))


def _sweep(args: argparse.Namespace) -> int:
    from communitysim.experiments.sweeps import sweep

    _check_kpi(args.kpi)
    grid = _grid(args.grids)
    table = sweep(
        args.scenario, grid, args.reps, args.seed, backend=args.backend, workers=args.workers,
        scheduler=args.scheduler, days=args.days, overrides=_fixed(args), out=args.out, series=args.series,
        progress=args.progress,
    )  # fmt: skip
    summary = table.summary(args.kpi)
    name, runs, points = table.meta["scenario_name"], len(table.runs), len(table.points)
    print(t("cli.sweep_title", name=name, runs=number(runs), points=number(points), reps=number(args.reps)))
    print(summary.drop(columns="point").to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(table.best(args.kpi))
    if args.days is not None:
        late = [o.by_day for o in load_scenario(args.scenario, _fixed(args)).objectives if o.by_day > args.days]
        if late:
            print(beyond_line(late, args.days))
    if args.out is not None:
        print(t("cli.wrote", files=_table_path(args.out, table.meta)))
    return 0


def _table_path(folder: Path, meta: dict[str, Any]) -> Path:
    from communitysim.experiments.sweeps import table_file_name

    return folder / table_file_name(meta)


def _sensitivity(args: argparse.Namespace) -> int:
    from communitysim.experiments.sensitivity import sensitivity

    _check_kpi(args.kpi)
    result = sensitivity(
        args.scenario, args.kpi, args.method, _ranges(args.params), args.samples, args.reps, args.seed,
        backend=args.backend, workers=args.workers, scheduler=args.scheduler, days=args.days,
        overrides=_fixed(args), out=args.out, progress=args.progress,
    )  # fmt: skip
    print(result)
    if args.out is not None:
        print(t("cli.wrote_ranking", folder=args.out, table=_table_path(args.out, result.runs.meta).name))
    return 0


def _check_output(path: Path, option: str) -> None:
    """An output file named on the command line, checked before any work: not a folder, a name the system takes."""
    where = f"{option} {path}"
    if len(path.name.encode("utf-8", errors="replace")) > 255:
        raise ScenarioError(frame(where, t("cli.name_too_long")))
    if path.is_dir():
        raise ScenarioError(frame(where, t("cli.out_is_folder")))
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ScenarioError(frame(where, t("cli.parent_not_folder", parent=parent)))


def _calibrate(args: argparse.Namespace) -> int:
    import communitysim.calibration as cal
    from communitysim.calibration import fit_engagement, fit_growth, forecast, plot_fit, read_export, scenario_text
    from communitysim.scenario import apply_overrides

    mapping = {}
    for text in args.maps:
        field, sep, column = text.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ScenarioError(frame(f"--map {text}", t("cli.map_syntax")))
        mapping[field.strip()] = column.strip()
    # everything the fit does not decide is checked before it: the fit and the bootstrap take time
    if args.out.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError(frame(f"--out {args.out}", t("cli.yaml_name")))
    if args.holdout is not None and not 0 < args.holdout < 1:
        raise ScenarioError(frame(f"--holdout {args.holdout}", t("cal.err.holdout", value=args.holdout)))
    _check_output(args.out, "--out")
    if args.plot is not None:
        _check_output(args.plot, "--plot")
    apply_overrides(Scenario(), {"name": args.out.stem}, f"--out {args.out}")
    apply_overrides(Scenario(), {"days": args.forecast}, f"--forecast {args.forecast}")
    export = read_export(args.export, mapping)
    print(t("cal.cli.read", file=args.export, dates=len(export.data), first=export.data["date"].iloc[0].date(),
            last=export.data["date"].iloc[-1].date(), columns=", ".join(export.data.columns[2:])))  # fmt: skip
    for line in cal.describe_export(export):
        print(line)
    fit = fit_growth(export, bootstrap=args.bootstrap, seed=args.seed)
    print(fit)
    if args.holdout is not None:
        print(cal.backtest(export, args.holdout, bootstrap=args.bootstrap, seed=args.seed))
    engagement = None
    if "posts" in export.data and any(c in export.data for c in ("reactions", "comments", "shares")):
        engagement = fit_engagement(export, fit)
        print(engagement)
    else:
        print(t("cal.cli.no_engagement"))
    fields = fit.to_scenario(name=args.out.stem, description=t("cal.description", source=args.export.name),
                             engagement=engagement)  # fmt: skip
    fields["days"] = args.forecast
    text = scenario_text(fields)  # validated: a fit the tools would refuse stops here, with nothing written
    rhythm = fit.posts_per_week
    current = t("cal.current", posts=number(rhythm, 1)) if rhythm is not None else t("cal.current_unknown")
    ahead = forecast(fit, days=args.forecast, strategies={current: {}}, replications=20, seed=args.seed)
    end = ahead.iloc[-1]
    print(t("cal.cli.forecast", days=number(args.forecast, None), median=number(end["median"]),
            low=number(end["low"]), high=number(end["high"])))  # fmt: skip
    from communitysim.files import atomic_write_bytes

    picture = None
    if args.plot is not None:
        from communitysim.plotting import figure_png

        picture = figure_png(plot_fit(fit, ahead, engagement))
    # the outputs, at the end, each atomically: the plot, then the scenario the other tools read
    if picture is not None:
        args.plot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(args.plot, picture)
        print(t("cli.wrote", files=args.plot))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, text.encode("utf-8"))
    print(t("cal.cli.wrote", path=args.out))
    return 0


def _load(args: argparse.Namespace) -> Scenario:
    """The scenario file with its --set and --days options applied; errors name both."""
    overrides: dict[str, Any] = {}
    options = []
    for text in args.sets:
        path, value = parse_set_option(text)
        overrides[path] = value
        options.append(f"--set {text}")
    if args.days is not None:
        overrides["days"] = args.days
        options.append(f"--days {args.days:g}")
    source = t("scenario.error.with", file=args.scenario, options=" ".join(options))
    return load_scenario(args.scenario, overrides, overrides_source=source)


def _list(directory: Path | None) -> int:
    folder = directory or scenario_dir()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        print(t("cli.no_scenarios", folder=folder), file=sys.stderr)
        return 2
    width = min(max(len(f.stem) for f in files), 40)
    for file in files:
        try:  # bounded and guarded: a FIFO, a folder or an alias bomb named x.yaml is just invalid
            data = load_yaml_file(file) or {}
            description = scenario_description(str(data.get("name", file.stem)), str(data.get("description", "")))
        except (yaml.YAMLError, AttributeError, InputError):
            description = t("cli.invalid_scenario")
        print(f"{file.stem:<{width}}  {description}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args)
    print(
        t(
            "cli.valid", file=args.scenario, name=scenario.name, people=number(scenario.audience.size),
            days=number(scenario.days, None), hours=number(scenario.step_hours, None),
            objectives=len(scenario.objectives),
        )
    )  # fmt: skip
    return 0


def _run(args: argparse.Namespace) -> int:
    from communitysim.model import CommunityModel

    scenario = _load(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError(frame(f"--out {args.out}", t("cli.out_not_folder")))
    progress = args.progress
    if progress is None:
        progress = sys.stderr.isatty() and scenario.audience.size * scenario.n_steps >= PROGRESS_MIN_MEMBER_STEPS
    result = CommunityModel(scenario, seed=args.seed, progress=progress).run()

    people, days = number(scenario.audience.size), number(scenario.days, None)
    print(t("cli.run_title", name=scenario.name, people=people, days=days, seed=args.seed))
    kpis = result.kpis
    print(
        t(
            "cli.run_kpis", day=number(kpis["day"], None), members=number(kpis["members"]),
            share=percent(kpis["share_members"], 1), joined=number(kpis["new_members"]),
            left=number(kpis["churned"]), growth=percent(kpis["growth_rate"], 2),
        )
    )  # fmt: skip
    card = result.scorecard
    if len(card):
        print("\n" + t("cli.objectives"))
        print(_objectives(card).to_string(index=False))
        if card["beyond"].any():
            print(beyond_line(list(card.loc[card["beyond"], "by_day"]), scenario.days))
    else:
        print(t("cli.no_objectives"))
    if args.out is not None:
        written = result.save(args.out)
        print("\n" + t("cli.wrote", files=", ".join(str(p) for p in written)))
    return 0


def beyond_line(by_days: Sequence[float], days: float) -> str:
    """One line saying which objectives (their days) fall after a shorter run's horizon."""
    late = sorted(set(by_days))
    days_of = tn("cli.beyond_days", len(late), late=", ".join(number(v, None) for v in late))
    return tn("cli.beyond_note", len(by_days), days=number(days, None), late=days_of)


def _amount(value: float) -> str:
    """A KPI value for the terminal: whole above 10, as precise as needed below (shares, rates)."""
    return number(value) if abs(value) >= 10 else number(round(value, 4), None)


def _objectives(card: Any) -> Any:
    """The scorecard as a table for the terminal, in the current language."""
    import pandas as pd

    return pd.DataFrame(
        {
            t("cli.col.kpi"): card["kpi"].map(lambda k: t_or(f"lab.kpi.{k}", k)),
            t("common.by_day"): card["by_day"].map(lambda v: number(v, None)),
            t("common.target"): [
                ("≥ " if d == "at_least" else "≤ ") + number(v, None)
                for d, v in zip(card["direction"], card["target"], strict=True)
            ],
            t("common.achieved"): card["achieved"].map(_amount),
            t("cli.col.gap"): card["gap"].map(_amount),
            t("cli.col.passed"): [
                t("cli.beyond") if beyond else t("cli.pass") if passed else t("cli.fail")
                for passed, beyond in zip(card["passed"], card["beyond"], strict=True)
            ],
        }
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    with _argparse_words():
        parser = _parser()
        args, extra = parser.parse_known_args(argv)
        if extra and args.command not in PASS_ON:
            parser.error(t("argparse.unrecognized") % " ".join(extra))
    if getattr(args, "scenario", None) is not None:
        args.scenario = find_scenario(args.scenario)
    try:
        if args.command in ("lab", "app"):
            from communitysim.ui.launch import start

            return start(args.command, args.folder, extra)
        if args.command == "class":
            from communitysim.classroom.serve import serve

            return serve(args, extra)
        if args.command == "scenarios":
            return _list(args.dir)
        if args.command == "validate":
            return _validate(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "sensitivity":
            return _sensitivity(args)
        if args.command == "calibrate":
            return _calibrate(args)
        return _run(args)
    except ScenarioError as exc:
        print(t("cli.error", message=exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `communitysim scenarios | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk, a folder without write access: what was written before is intact
        where = exc.filename if exc.filename is not None else args.command
        reason = exc.strerror or exc.__class__.__name__
        print(t("cli.error", message=frame(str(where), t("cli.os_error", reason=reason))), file=sys.stderr)
        return 1
    except (ArithmeticError, RecursionError, MemoryError) as exc:  # a check we missed: one line, not a traceback
        print(t("cli.error", message=t("cli.internal", kind=exc.__class__.__name__)), file=sys.stderr)
        return 1
