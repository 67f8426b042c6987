"""The ``communitysim`` command: list, validate and run scenarios.

Bad input (a scenario file, a ``--set``, a flag) exits with status 2 and one line on stderr that
names the file, the field path and what was expected; a failed run writes nothing into ``--out``.

Example:
    $ communitysim scenarios
    $ communitysim validate scenarios/bakery_launch.yaml
    $ communitysim run scenarios/bakery_launch.yaml --seed 7 --days 180 --set seeding.size=50 --out out/
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


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


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
    return parser


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
