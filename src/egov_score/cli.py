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
from egov_score.exceptions import EgovScoreError, InputError
from egov_score.io.periods import require_period
from egov_score.model.result import Result
from egov_score.pipeline import Pipeline, load
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.render import card as render
from egov_score.render.awards import awards_headline, render_awards
from egov_score.render.messages import LANGUAGES
from egov_score.render.review import review_text, write_cards
from egov_score.render.text_table import render_table
from egov_score.review.awards import (
    CRITERIA,
    OCCASIONS,
    AwardRules,
    latest_occasion,
    select_awards,
)
from egov_score.review.division import Review
from egov_score.review.panel import Panel, score_panel
from egov_score.review.report import build_report

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
    _add_inputs(p)
    p.add_argument("--period", help="the period to score (required when the values hold several)")
    p.add_argument("--out", required=True, type=Path, help="output folder (created if needed)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _add_plugin_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--block",
        action="append",
        default=[],
        metavar="PLUGIN",
        help="do not load this plugin (a built-in's name such as 'pension', or an entry "
        "point's name); repeatable",
    )


def _add_plugins(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "plugins",
        help="list the loaded plugins with their package, version and schemes",
        description=(
            "List the plugins: the built-in ones, then those installed under the 'egov_score' "
            "entry-point group (unless EGOV_SCORE_DISABLE_PLUGIN_AUTOLOAD is set)."
        ),
    )
    _add_plugin_options(p)


def _add_inputs(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    p.add_argument(
        "--units",
        required=required,
        type=Path,
        help="hierarchy CSV or .xlsx: level,code,name,parent"
        + ("" if required else " (default: the built-in Jaipur division data)"),
    )
    p.add_argument(
        "--framework",
        type=Path,
        help="framework TOML: a full framework, or overrides of the schemes' defaults (with a "
        "'schemes' key); default with --scheme-data: every scheme with data, default weights",
    )
    p.add_argument("--values", type=Path, help="values CSV or .xlsx: code,period,<field>...")
    p.add_argument(
        "--scheme-data",
        type=Path,
        metavar="DIR",
        help="folder of schemes' raw tables (<table>.csv or .xlsx, e.g. emitra_machines.csv)",
    )
    p.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help="drop raw rows that fail their checks (listed in the output) instead of stopping",
    )
    _add_plugin_options(p)


def _add_report(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "report",
        help="write one unit's monthly report card",
        description=(
            "Score every month of the data and write the report card of one district or block "
            "for one month: score, band, ranks, change since last month, schemes, strongest and "
            "weakest indicators, machines that need action and a 12-month trend."
        ),
    )
    _add_inputs(p)
    p.add_argument("--unit", required=True, metavar="CODE", help="the unit's code")
    p.add_argument("--month", help="the month of the card (default: the latest)")
    p.add_argument(
        "--format",
        choices=("html", "md", "json", "csv", "text"),
        default="html",
        help="output format (default: html)",
    )
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")
    _add_panel_options(p)


def _add_awards(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "awards",
        help="select the e-governance award winners for 15 August or 26 January",
        description=(
            "Rank every district, block and machine over the award window (by default the "
            "months since the previous occasion) and list the winners with a citation, the "
            "runners-up and why each near miss was not eligible. Without --units, the built-in "
            "Jaipur division data is used."
        ),
    )
    _add_inputs(p, required=False)
    p.add_argument(
        "--occasion",
        choices=sorted(OCCASIONS),
        default="republic_day",
        help="independence_day (15 August) or republic_day (26 January; default)",
    )
    p.add_argument("--year", type=int, default=2021, help="the year of the occasion (default 2021)")
    p.add_argument(
        "--window", metavar="FIRST:LAST", help="the months counted, e.g. 2020-08:2020-12"
    )
    p.add_argument(
        "--criterion",
        choices=CRITERIA,
        default="mean",
        help="mean score over the window (default), improvement over it, or a mix",
    )
    p.add_argument("--mix", type=float, default=0.5, help="weight of the mean in 'mix' (0.5)")
    p.add_argument(
        "--levels",
        default="district,block,machine",
        help="levels that get awards (default: district,block,machine)",
    )
    p.add_argument(
        "--winners",
        default="district=1,block=3,machine=5",
        help="winners per level (default: district=1,block=3,machine=5)",
    )
    p.add_argument("--runners-up", type=int, default=2, help="runners-up per level (2)")
    p.add_argument(
        "--min-coverage",
        type=float,
        default=0.75,
        help="mean data coverage needed over the window, 0-1 (0.75)",
    )
    p.add_argument(
        "--min-band",
        default="Performer",
        help="no month may fall below this band; 'none' for no rule (Performer)",
    )
    p.add_argument("--min-months", type=int, default=3, help="months with a score needed (3)")
    _add_panel_options(p)
    p.add_argument(
        "--format",
        choices=("md", "json", "csv", "html"),
        default="md",
        help="output format (default: md)",
    )
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")


def _add_panel_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--normalisation",
        choices=("period", "global"),
        default="period",
        help="normalise among each month's units (default) or across all months, so that "
        "scores compare over time",
    )


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the Jaipur division's review on the data that ships with egov_score",
        description=(
            "Review the built-in Jaipur division data (2995 e-Mitra Plus machines, six schemes, "
            "February 2020 - January 2021): print the commissioner's tables and write a report "
            "card for every district and block and a division summary."
        ),
    )
    p.add_argument("--month", help="the month to review (default: the latest, 2021-01)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("egov-score-review"),
        help="folder for the report cards (default: ./egov-score-review)",
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
    _add_report(sub)
    _add_awards(sub)
    _add_plugins(sub)
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
            lv.band_of(i) or "insufficient data",
            *(_fmt(lv.groups[g][i]) for g in groups),
        ]
        for i in order
    ]
    numeric = [True, False, False, True, False, *([True] * len(groups))]
    return render_table(header, rows, numeric)


def _inputs(args: argparse.Namespace) -> Pipeline:
    if args.values is None and args.scheme_data is None:
        raise InputError("give --values, --scheme-data or both; got neither")
    if args.scheme_data is None and args.framework is None:
        raise InputError("--framework is required with --values alone")
    return load(
        args.scheme_data,
        units=args.units,
        framework=args.framework,
        values=args.values,
        block=args.block,
        drop_bad_rows=args.drop_bad_rows,
    )


def _cmd_score(args: argparse.Namespace) -> int:
    job = _inputs(args)
    framework = job.framework
    period = None if args.period is None else require_period(args.period, what="--period")
    result = job.score(period)
    paths = result.write_csv(args.out)
    if not args.quiet:
        top = framework.levels[1] if len(framework.levels) > 1 else framework.levels[0]
        print(f"{framework.name}, period {result.period}: {top} scores\n")
        print(_summary(result, top))
        for d in result.diagnostics:
            print(f"note: {d.message}")
        print("\nwrote " + ", ".join(str(p) for p in paths))
    return 0


def _cmd_plugins(args: argparse.Namespace) -> int:
    registry = Registry(make_plugin_manager(block=args.block))
    rows = [
        [info.name, info.package, info.version, ", ".join(info.schemes) or "-"]
        for info in registry.describe()
    ]
    print(render_table(["Plugin", "Package", "Version", "Schemes"], rows))
    return 0


def _panel(args: argparse.Namespace, job: Pipeline) -> Panel:
    return score_panel(job, normalisation=args.normalisation)


def _write(args: argparse.Namespace, text: str) -> None:
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")


def _parse_counts(text: str) -> dict[str, int]:
    counts = {}
    for part in filter(None, text.split(",")):
        level, _, n = part.partition("=")
        if not n.strip().isdigit():
            raise InputError(f"--winners must look like 'district=1,block=3'; got {text!r}")
        counts[level.strip()] = int(n)
    return counts


def _cmd_awards(args: argparse.Namespace) -> int:
    job = datasets.load("jaipur") if args.units is None else _inputs(args)
    window = None
    if args.window:
        first, sep, last = args.window.partition(":")
        if not sep:
            raise InputError(f"--window must be FIRST:LAST; got {args.window!r}")
        window = (require_period(first, what="--window"), require_period(last, what="--window"))
    rules = AwardRules(
        levels=tuple(x.strip() for x in args.levels.split(",") if x.strip()),
        winners=_parse_counts(args.winners),
        runners_up=args.runners_up,
        criterion=args.criterion,
        mix=args.mix,
        min_coverage=args.min_coverage,
        min_band=None if args.min_band.lower() == "none" else args.min_band,
        min_months=args.min_months,
        window=window,
    )
    awards = select_awards(_panel(args, job), args.occasion, args.year, rules)
    _write(args, render_awards(awards, args.format, args.lang))
    return 0


def _month(args: argparse.Namespace, panel: Panel) -> str:
    """``--month`` as ``YYYY-MM``, or the panel's latest month (periods sort by date)."""
    if args.month is None:
        return panel.periods[-1]
    return require_period(args.month, what="--month")


def _cmd_report(args: argparse.Namespace) -> int:
    job = _inputs(args)
    panel = _panel(args, job)
    period = _month(args, panel)
    card = build_report(panel, args.unit, period, hierarchy=job.hierarchy, registry=job.registry)
    _write(args, render.render_card(card, args.format, args.lang))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.export is not None:
        written = datasets.export("jaipur", args.export)
        print("wrote " + ", ".join(str(p) for p in written))
        return 0
    job = datasets.load("jaipur")
    panel = score_panel(job)
    month = _month(args, panel)
    review = Review(panel=panel, period=month, hierarchy=job.hierarchy, registry=job.registry)
    write_cards(review, args.out, args.lang)
    print(review_text(review, args.lang, cards_dir=args.out))
    occasion, year = latest_occasion(month)
    try:
        awards = select_awards(panel, occasion, year)
    except InputError as exc:  # the data holds no month of that award's window
        print(f"\n{exc}")
        return 0
    for fmt in ("md", "html", "json", "csv"):
        text = render_awards(awards, fmt, args.lang)
        (args.out / f"awards.{fmt}").write_text(text, encoding="utf-8")
    print(f"\n{awards_headline(awards, args.lang)}: {args.out / 'awards.html'}")
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
    commands = {
        "score": _cmd_score,
        "report": _cmd_report,
        "awards": _cmd_awards,
        "plugins": _cmd_plugins,
        "demo": _cmd_demo,
    }
    try:
        return commands[args.command](args)
    except (EgovScoreError, OSError) as exc:
        print(f"egov-score: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
