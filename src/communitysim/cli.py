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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import yaml

from communitysim.scenario import Scenario, ScenarioError, load_scenario, parse_set_option

__all__ = ["main", "scenario_dir"]

#: Runs with more member-steps than this get a progress bar (when stderr is a terminal).
PROGRESS_MIN_MEMBER_STEPS = 5_000_000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def scenario_dir() -> Path:
    """The shipped scenarios: ``./scenarios`` if it exists, else the project's own folder."""
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def _whole(minimum: int):
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}")
        return value

    return parse


_seed = _whole(0)
_positive = _whole(1)


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days > 0, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a number of days > 0, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="communitysim", description="Simulate an online brand community.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("scenarios", help="list the shipped scenarios, one line each")
    listing.add_argument("--dir", type=Path, default=None, help="folder of scenario files (default: scenarios/)")

    for name, text in (("validate", "check a scenario file against the schema"), ("run", "run a scenario")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("scenario", type=Path, help="scenario YAML file")
        sub.add_argument(
            "--set",
            dest="sets",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help="override a field, e.g. --set seeding.size=50 or --set objectives.0.target=300 (repeatable)",
        )
        sub.add_argument("--days", type=_days, default=None, help="horizon in days (overrides the file's days)")
        if name == "run":
            sub.add_argument("--seed", type=_seed, default=7, help="random seed (default 7)")
            sub.add_argument(
                "--out", type=Path, default=None, help="folder for timeseries.csv, kpis.json, dashboard.png"
            )
            sub.add_argument(
                "--progress",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="progress bar (default: on long runs when stderr is a terminal)",
            )

    sweeping = commands.add_parser("sweep", help="seeded replications over a grid of parameters, with 95%% CIs")
    sweeping.add_argument("scenario", type=Path, help="scenario YAML file")
    sweeping.add_argument(
        "--grid",
        dest="grids",
        action="append",
        required=True,
        metavar="PATH=V1,V2,...",
        help="a parameter and its values, e.g. --grid strategy.posts_per_week=1,3,7,14 (repeatable: a 2-D grid)",
    )
    sweeping.add_argument("--reps", type=_positive, default=10, help="replications per grid point (default 10)")
    sensitivity = commands.add_parser("sensitivity", help="rank the levers that move a KPI (Morris or Sobol, SALib)")
    sensitivity.add_argument("scenario", type=Path, help="scenario YAML file")
    sensitivity.add_argument("--method", choices=("morris", "sobol"), default="morris", help="default morris")
    sensitivity.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        help="a lever and its range, e.g. --param strategy.quality=0.2:1 (repeatable; default: the CM's levers)",
    )
    sensitivity.add_argument(
        "--samples", type=_positive, default=None, help="Morris trajectories (10) or Sobol base samples (64)"
    )
    sensitivity.add_argument("--reps", type=_positive, default=1, help="seeded runs averaged per sample (default 1)")
    calibrate = commands.add_parser("calibrate", help="fit the model to a page's export (CSV) and save a scenario")
    calibrate.add_argument("export", type=Path, help="CSV with a date and a followers column at least")
    calibrate.add_argument("--out", type=Path, required=True, help="the scenario YAML to write")
    calibrate.add_argument(
        "--map", dest="maps", action="append", default=[], metavar="FIELD=COLUMN",
        help="the file's column for a field, e.g. --map followers='Total fans' (repeatable)",
    )  # fmt: skip
    calibrate.add_argument("--bootstrap", type=_positive, default=200, help="bootstrap resamples (default 200)")
    calibrate.add_argument("--seed", type=_seed, default=1, help="seed of the bootstrap and forecast (default 1)")
    calibrate.add_argument("--forecast", type=_positive, default=90, help="days to forecast (default 90)")
    calibrate.add_argument("--plot", type=Path, default=None, help="also write the fit and forecast as PNG")
    for sub in (sweeping, sensitivity):
        sub.add_argument("--kpi", default="engagements", help="the KPI to summarise (default engagements)")
        sub.add_argument("--seed", type=_seed, default=1, help="master seed (default 1)")
        sub.add_argument("--days", type=_days, default=None, help="horizon in days (overrides the file's days)")
        sub.add_argument(
            "--set", dest="sets", action="append", default=[], metavar="PATH=VALUE", help="a fixed override"
        )
        sub.add_argument("--backend", choices=("processes", "dask", "serial"), default="processes")
        sub.add_argument("--workers", type=_positive, default=None, help="processes or local Dask workers")
        sub.add_argument("--scheduler", default=None, help="a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786")
        sub.add_argument("--out", type=Path, default=None, help="folder for the Parquet table (and resuming)")
        sub.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bar")
    sweeping.add_argument("--series", action="store_true", help="also keep every run's time series")
    return parser


def _grid(options: list[str]) -> dict[str, list[Any]]:
    """``--grid a.b=1,3,7`` options as a grid (values read as YAML, like ``--set``)."""
    grid: dict[str, list[Any]] = {}
    for text in options:
        if "=" not in text:
            raise ScenarioError(f"--grid {text}: expected PATH=V1,V2,..., for example strategy.posts_per_week=1,3,7")
        path, raw = (part.strip() for part in text.split("=", 1))
        if path in grid:
            raise ScenarioError(f"--grid {text}: {path} is given twice")
        items = [item for item in raw.split(",") if item.strip()]
        if not items:
            raise ScenarioError(f"--grid {text}: {path}: expected at least one value after '='")
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
            raise ScenarioError(f"--param {text}: expected PATH=LOW:HIGH, for example strategy.quality=0.2:1") from None
    return ranges


def _fixed(args: argparse.Namespace) -> dict[str, Any]:
    return dict(parse_set_option(text) for text in args.sets)


def _sweep(args: argparse.Namespace) -> int:
    from communitysim.sweeps import sweep

    grid = _grid(args.grids)
    table = sweep(
        args.scenario, grid, args.reps, args.seed, backend=args.backend, workers=args.workers,
        scheduler=args.scheduler, days=args.days, overrides=_fixed(args), out=args.out, series=args.series,
        progress=args.progress,
    )  # fmt: skip
    summary = table.summary(args.kpi)
    print(f"{table.meta['scenario_name']}: {len(table.runs)} runs ({len(table.points)} points x {args.reps})")
    print(summary.drop(columns="point").to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(table.best(args.kpi))
    if args.out is not None:
        print(f"wrote {_table_path(args.out, table.meta)}")
    return 0


def _table_path(folder: Path, meta: dict[str, Any]) -> Path:
    return folder / f"{meta['kind']}_{meta['scenario_name']}_{meta['identity'][:12]}.parquet"


def _sensitivity(args: argparse.Namespace) -> int:
    from communitysim.sensitivity import sensitivity

    result = sensitivity(
        args.scenario, args.kpi, args.method, _ranges(args.params), args.samples, args.reps, args.seed,
        backend=args.backend, workers=args.workers, scheduler=args.scheduler, days=args.days,
        overrides=_fixed(args), out=args.out, progress=args.progress,
    )  # fmt: skip
    print(result)
    if args.out is not None:
        print(f"wrote {args.out}/ (the ranking and {_table_path(args.out, result.runs.meta).name})")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from communitysim.calibration import fit_engagement, fit_growth, forecast, plot_fit, read_export, save_scenario

    mapping = {}
    for text in args.maps:
        field, sep, column = text.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise ScenarioError(f"--map {text}: expected FIELD=COLUMN, for example followers='Total fans'")
        mapping[field.strip()] = column.strip()
    if args.out.suffix.lower() not in (".yaml", ".yml"):
        raise ScenarioError(f"--out {args.out}: expected a .yaml file name")
    export = read_export(args.export, mapping)
    print(f"{args.export}: {len(export.data)} days from {export.data['date'].iloc[0].date()} "
          f"to {export.data['date'].iloc[-1].date()}, columns: {', '.join(export.data.columns[2:])}")  # fmt: skip
    for first, missing in export.gaps:
        print(f"  gap: {missing} day(s) missing from {first} (not filled: the fit uses the days present)")
    fit = fit_growth(export, bootstrap=args.bootstrap, seed=args.seed)
    print(fit)
    engagement = None
    if "posts" in export.data and any(c in export.data for c in ("reactions", "comments", "shares")):
        engagement = fit_engagement(export, fit)
        print(engagement)
    else:
        print("(no posts and engagement columns: the engagement level keeps the model's defaults)")
    fields = fit.to_scenario(name=args.out.stem, description=f"Calibrated from {args.export.name}.",
                             engagement=engagement)  # fmt: skip
    fields["days"] = args.forecast
    written = save_scenario(fields, args.out)
    ahead = forecast(fit, days=args.forecast, replications=20, seed=args.seed)
    end = ahead.iloc[-1]
    print(f"forecast, day +{args.forecast:g}, current strategy: {end['median']:,.0f} members "
          f"(90% band {end['low']:,.0f} to {end['high']:,.0f})")  # fmt: skip
    if args.plot is not None:
        from communitysim.result import atomic_write_bytes
        from communitysim.ui import figure_png

        atomic_write_bytes(args.plot, figure_png(plot_fit(fit, ahead)))
        print(f"wrote {args.plot}")
    print(f"wrote {written}: use it like any scenario (notebooks, sweeps, exercises)")
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
    return load_scenario(args.scenario, overrides, overrides_source=f"{args.scenario} (with {' '.join(options)})")


def _list(directory: Path | None) -> int:
    folder = directory or scenario_dir()
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        print(f"{folder}: no scenario files", file=sys.stderr)
        return 2
    width = max(len(f.name) for f in files)
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            description = " ".join(str(data.get("description", "")).split())
        except (yaml.YAMLError, AttributeError, UnicodeDecodeError):
            description = "(not a valid scenario file: run `communitysim validate` on it)"
        print(f"{file.name:<{width}}  {description}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    scenario = _load(args)
    print(
        f"{args.scenario}: ok ({scenario.name}: {scenario.audience.size} people, {scenario.days:g} days in "
        f"steps of {scenario.step_hours:g} h, {len(scenario.objectives)} objectives)"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from communitysim.model import CommunityModel

    scenario = _load(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise ScenarioError(f"--out {args.out}: exists and is not a folder")
    progress = args.progress
    if progress is None:
        progress = sys.stderr.isatty() and scenario.audience.size * scenario.n_steps >= PROGRESS_MIN_MEMBER_STEPS
    result = CommunityModel(scenario, seed=args.seed, progress=progress).run()

    print(f"{scenario.name}: {scenario.audience.size} people, {scenario.days:g} days, seed {args.seed}")
    kpis = result.kpis
    print(
        f"day {kpis['day']:g}: {kpis['members']:.0f} members ({kpis['share_members']:.1%} of the audience), "
        f"{kpis['new_members']:.0f} joined, {kpis['churned']:.0f} left, growth {kpis['growth_rate']:.2%} per day"
    )
    card = result.scorecard
    if len(card):
        table = card.assign(passed=card["passed"].map({True: "PASS", False: "fail"}))
        print("\nObjectives:")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    else:
        print("(no objectives in this scenario)")
    if args.out is not None:
        written = result.save(args.out)
        print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    args = _parser().parse_args(argv)
    try:
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
        print(f"communitysim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("communitysim: interrupted; nothing written", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `communitysim scenarios | head -1`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
