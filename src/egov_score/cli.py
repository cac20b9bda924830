"""The ``egov-score`` command line.

``egov-score score`` scores a user's files; ``egov-score demo`` runs the review on the data that
ships with the package. Bad input exits with status 2 and a message on stderr, no traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from egov_score import datasets
from egov_score._text_table import render_table
from egov_score.engine import Engine
from egov_score.exceptions import EgovScoreError
from egov_score.framework import Framework
from egov_score.hierarchy import Hierarchy
from egov_score.result import Result
from egov_score.values import Values

__all__ = ["build_parser", "main"]


def _fmt(x: float, digits: int = 1) -> str:
    return "" if np.isnan(x) else f"{x:.{digits}f}"


def _add_score(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "score",
        help="score a month of values and write one CSV per level",
        description=(
            "Score the values of one period against a framework over a hierarchy, and write "
            "DIR/<level>.csv for every level with columns code,name,parent,score,rank,"
            "rank_in_parent,band,coverage, one column per group, one per indicator and one "
            "<indicator>_norm per indicator."
        ),
    )
    p.add_argument(
        "--units", required=True, type=Path, help="hierarchy CSV: level,code,name,parent"
    )
    p.add_argument("--framework", required=True, type=Path, help="framework TOML")
    p.add_argument("--values", required=True, type=Path, help="values CSV: code,period,<field>...")
    p.add_argument("--period", help="the period to score (required when the values hold several)")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the review on the data that ships with egov_score",
        description="Score the built-in data set and print the review table.",
    )
    p.add_argument("--month", help="the period to review (default: the latest)")
    p.add_argument(
        "--out", type=Path, default=Path("egov-score-out"), help="output folder for the CSVs"
    )
    p.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="write the built-in data as the CSV/TOML files a user would start from, and stop",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``egov-score``."""
    parser = argparse.ArgumentParser(
        prog="egov-score",
        description="Score, rank and report the e-governance performance of a hierarchy.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_score(sub)
    _add_demo(sub)
    return parser


def _summary(result: Result, level: str) -> str:
    lv = result.level(level)
    fw = result.framework
    order = np.lexsort((lv.codes, np.where(lv.rank > 0, lv.rank, np.iinfo(np.int64).max)))
    groups = [g for g in fw.children(fw.root) if g in lv.groups]
    header = ["Rank", "Code", "Name", "Score", "Band", *groups]
    rows = [
        [
            str(lv.rank[i]) if lv.rank[i] else "-",
            str(lv.codes[i]),
            str(lv.names[i]),
            _fmt(lv.score[i]),
            str(lv.band_label[i]) or "insufficient data",
            *(_fmt(lv.groups[g][i]) for g in groups),
        ]
        for i in order
    ]
    numeric = [True, False, False, True, False, *([True] * len(groups))]
    return render_table(header, rows, numeric)


def _cmd_score(args: argparse.Namespace) -> int:
    framework = Framework.from_toml(args.framework)
    hierarchy = Hierarchy.from_csv(args.units, framework.levels)
    values = Values.from_csv(args.values, hierarchy, framework)
    result = Engine(framework, hierarchy).score(values, args.period)
    paths = result.write_csv(args.out)
    if not args.quiet:
        top = framework.levels[1] if len(framework.levels) > 1 else framework.levels[0]
        print(f"{framework.name}, period {result.period}: {top} scores\n")
        print(_summary(result, top))
        for d in result.diagnostics:
            print(f"note: {d.message}")
        print("\nwrote " + ", ".join(str(p) for p in paths))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.export is not None:
        written = datasets.export("small", args.export)
        print("wrote " + ", ".join(str(p) for p in written))
        return 0
    data = datasets.load("small")
    month = args.month or data.values.period_list[-1]
    result = Engine(data.framework, data.hierarchy).score(data.values, month)
    paths = result.write_csv(args.out)
    print(f"{data.framework.name}, {month}\n")
    for level in data.framework.levels[1:3]:
        print(f"{level.capitalize()}s\n{_summary(result, level)}\n")
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``egov-score``; returns the exit status (0 ok, 2 bad input or usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        import egov_score

        print(egov_score.__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    commands = {"score": _cmd_score, "demo": _cmd_demo}
    try:
        return commands[args.command](args)
    except (EgovScoreError, OSError) as exc:
        print(f"egov-score: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
