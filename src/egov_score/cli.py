"""The ``egov-score`` command line.

``egov-score score`` scores a user's files; ``egov-score review`` runs the month's divisional
review (tables, every card, awards, an index page) on a data folder; ``egov-score demo`` is the
same review on the data that ships with the package. Exit status: 0 done, 2 bad input or
usage (a message on stderr, no traceback), 1 a failed run (an output that cannot be written,
or an internal error; set ``EGOV_SCORE_DEBUG=1`` to see its traceback). Everything printed has
its control characters shown as escapes, and is written so that a console of any encoding
shows it without a ``UnicodeEncodeError`` (:mod:`egov_score.render.console`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import numpy as np

from egov_score import datasets
from egov_score.engine.weights import EFFECTIVE_WEIGHTS_FILE, effective_weights_report
from egov_score.events import ENGINES, roll_up
from egov_score.events import FIELDS as EVENT_FIELDS
from egov_score.exceptions import EgovScoreError, InputError
from egov_score.io.events import BATCH_ROWS
from egov_score.io.folders import check_output_folder, output_folder, replace_file
from egov_score.io.geojson import Boundaries, read_boundaries
from egov_score.io.parquet import read_table, require_parquet
from egov_score.io.periods import require_period
from egov_score.io.table import path_inside, with_bom
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.lookup import find_unit
from egov_score.model.result import Result
from egov_score.pipeline import Pipeline, levels_of, load
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.plugins.tables import REJECTS_FILE, write_rejects
from egov_score.render import card as render
from egov_score.render.analysis import analysis_html, analysis_json
from egov_score.render.awards import awards_headline, render_awards
from egov_score.render.console import console_text, prepare_console
from egov_score.render.messages import LANGUAGES
from egov_score.render.progress_line import clear_progress_line, progress_line
from egov_score.render.review import WRITTEN_FORMATS, review_text
from egov_score.render.review_run import (
    REVIEW_FORMATS,
    REVIEW_LANGUAGES,
    SCORES_WORKBOOK,
    ReviewRun,
    declared_uncertainty,
    load_data,
    review_formats,
    run_review,
)
from egov_score.render.sensitivity import write_sensitivity
from egov_score.render.text_table import printable, render_table
from egov_score.review.actions import action_tables
from egov_score.review.analysis import COLLINEAR, analyse
from egov_score.review.awards import CRITERIA, OCCASIONS, AwardRules, select_awards
from egov_score.review.panel import Panel, score_panel
from egov_score.review.report import build_report
from egov_score.review.sensitivity import analyse_sensitivity, with_removal

__all__ = ["DEBUG_VARIABLE", "EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]

#: Exit status of a run that did what was asked.
EXIT_OK = 0
#: Exit status of a run that could not finish: an output not written, an internal error.
EXIT_FAILED = 1
#: Exit status of bad input: a file, a value or an argument that breaks a rule.
EXIT_USAGE = 2
#: Set to ``1`` to let an internal error end with its traceback.
DEBUG_VARIABLE = "EGOV_SCORE_DEBUG"

_EXIT_CODES = (
    "exit status: 0 done; 2 bad input or usage (a message, no traceback); 1 the run failed "
    f"(an output could not be written, or an internal error: set {DEBUG_VARIABLE}=1 for its "
    "traceback)"
)


class _UsageError(Exception):
    """An argument broke its rule; argparse has printed the usage and the message."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error returns exit status 2 from :func:`main` rather than
    leaving the process (``--help`` still exits as argparse does)."""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the message (control characters escaped), then stop."""
        self.print_usage(sys.stderr)
        _say(f"{self.prog}: error: {message}", file=sys.stderr)
        raise _UsageError(message)


class _OutputError(Exception):
    """An output could not be written: exit status 1, not bad input."""


@contextlib.contextmanager
def _writing(what: Path | str) -> Iterator[None]:
    """Turn a failure to write ``what`` into :class:`_OutputError`."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = exc.filename if exc.filename is not None else what
        raise _OutputError(
            f"output must be writable; cannot write {str(where)!r}: {reason}"
        ) from exc


def _add_force(p: argparse.ArgumentParser) -> None:
    """Add ``--force``: replace an output folder that holds files egov-score did not write."""
    p.add_argument(
        "--force",
        action="store_true",
        help="replace the output folder even if it holds files egov-score did not write "
        "(or that changed since it wrote them)",
    )


def _input_paths(args: argparse.Namespace) -> list[Path | None]:
    """The input files and folders among a command's arguments."""
    names = ("units", "framework", "values", "scheme_data", "data", "uncertainty")
    return [getattr(args, name, None) for name in names]


def _check_output(target: Path, args: argparse.Namespace) -> None:
    """Refuse an output folder before the run's work starts (see :func:`_output`)."""
    with _writing(target):
        check_output_folder(target, force=args.force, inputs=_input_paths(args))


@contextlib.contextmanager
def _output(target: Path, args: argparse.Namespace, command: str) -> Iterator[Path]:
    """Write a command's output folder: yield a temporary folder beside ``target`` that
    replaces it, with its manifest, when the block ends, and is removed if the block fails.

    A folder holding files egov-score did not write is refused (exit 2) unless ``args.force``;
    so is one that holds an input (``--units``, ``--framework``, ``--values``,
    ``--scheme-data``, ``--data``) whatever ``--force`` says. A target that is a file, or that
    cannot be written or moved into place, is a failed run (exit 1). Call :func:`_check_output`
    first when the run has long work to do before writing.
    """
    folder = output_folder(target, force=args.force, command=command, inputs=_input_paths(args))
    with _writing(target), folder as tmp:
        yield tmp


def _checked(
    name: str, cast: Callable[[str], float], ok: Callable[[float], bool], rule: str
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {rule}; got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"must be {rule}; got {text!r}")
        return value

    parse.__name__ = name  # argparse names the type in some messages
    return parse


#: A share such as a mix weight or a coverage: a finite number in [0, 1].
_share = _checked("share", float, lambda x: math.isfinite(x) and 0 <= x <= 1, "a number in [0, 1]")
#: A count such as runners-up: a whole number >= 0.
_count = _checked("count", int, lambda x: x >= 0, "a whole number >= 0")
#: A count of at least one, such as months.
_positive = _checked("positive", int, lambda x: x >= 1, "a whole number >= 1")
#: A calendar year.
_year = _checked("year", int, lambda x: 1900 <= x <= 9999, "a year from 1900 to 9999")


#: The formats ``score --formats`` writes.
SCORE_FORMATS = ("csv", "xlsx", "parquet")


def _format_list(allowed: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """An argument type for ``--formats``: a comma-separated list of ``allowed`` names, each
    once, in the order given."""

    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",")))
        if not chosen or "" in chosen or any(f not in allowed for f in chosen):
            raise argparse.ArgumentTypeError(
                f"must be a comma-separated list of {', '.join(allowed)}; got {text!r}"
            )
        return chosen

    return parse


#: ``score --formats``: the score tables as CSV files and/or one workbook.
_formats = _format_list(SCORE_FORMATS)


def _fmt(x: float, digits: int = 1) -> str:
    return "" if np.isnan(x) else f"{x:.{digits}f}"


def _add_scoring_inputs(p: argparse.ArgumentParser) -> None:
    """The inputs, ``--period`` and ``--out`` that ``score`` and ``analyse`` share."""
    _add_inputs(p)
    p.add_argument("--period", help="the period to score (required when the values hold several)")
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help="output folder (created if needed; replaced whole when the run succeeds)",
    )


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
    _add_scoring_inputs(p)
    p.add_argument(
        "--formats",
        type=_formats,
        default=("csv",),
        metavar="LIST",
        help="comma-separated output formats: csv (DIR/<level>.csv), xlsx (DIR/scores.xlsx, "
        "one sheet per level and a notes sheet), parquet "
        "(DIR/<level>.parquet; the 'parquet' extra) (default: csv)",
    )
    _add_no_bom(p, "the CSV files")
    p.add_argument(
        "--effective-weights",
        action="store_true",
        help=f"also write DIR/{EFFECTIVE_WEIGHTS_FILE}: every group's children's nominal "
        "weights and effective weights (their share of the group's variance) on each level",
    )
    _add_force(p)
    _add_quiet(p)


def _add_no_bom(p: argparse.ArgumentParser, what: str) -> None:
    """Add ``--no-bom``: CSV files without the UTF-8 byte-order mark Excel needs."""
    p.add_argument(
        "--no-bom",
        action="store_true",
        help=f"write {what} without the UTF-8 byte-order mark that makes Excel on Windows "
        "read them as UTF-8 (for programs that do not skip it)",
    )


def _bom(args: argparse.Namespace) -> bool:
    """Whether the command's CSV files start with a byte-order mark (not ``--no-bom``)."""
    return not getattr(args, "no_bom", False)


def _add_analyse(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "analyse",
        help="write the indicator analysis: correlations, Cronbach's alpha, flagged pairs",
        description=(
            "Score the values of one period as 'score' does, then write DIR/analysis.html "
            "(a correlation heatmap per group, inline SVG) and DIR/analysis.json: Pearson and "
            "Spearman correlations within each group and with the group, Cronbach's alpha, "
            f"negative and near-collinear (|r| > {COLLINEAR:g}) pairs."
        ),
    )
    _add_scoring_inputs(p)
    p.add_argument(
        "--level",
        help="the level whose units are the observations (default: the bottom level)",
    )
    _add_force(p)
    _add_quiet(p)


def _add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--quiet", action="store_true", help="print nothing but errors (no progress line)"
    )


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
        help="hierarchy CSV, .xlsx or .parquet: level,code,name,parent"
        + ("" if required else " (default: the built-in Jaipur division data)"),
    )
    p.add_argument(
        "--framework",
        type=Path,
        help="framework TOML: a full framework, or overrides of the schemes' defaults (with a "
        "'schemes' key); default with --scheme-data: every scheme with data, default weights",
    )
    p.add_argument(
        "--values", type=Path, help="values CSV, .xlsx or .parquet: code,period,<field>..."
    )
    p.add_argument(
        "--scheme-data",
        type=Path,
        metavar="DIR",
        help="folder of schemes' raw tables (<table>.csv or .xlsx, e.g. emitra_machines.csv)",
    )
    p.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help="set aside the raw cells that fail their checks instead of stopping: each becomes "
        f"missing and is listed in {REJECTS_FILE} beside the output (a bad unit code or "
        "period drops its row)",
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
    p.add_argument(
        "--unit",
        required=True,
        metavar="UNIT",
        help="the unit: its code or its English or Hindi name, in any case (D-87, alwar, "
        "अलवर); a name several units share asks for the code",
    )
    p.add_argument("--month", help="the month of the card (default: the latest)")
    p.add_argument(
        "--format",
        choices=("html", "md", "json", "csv", "text"),
        default="html",
        help="output format (default: html)",
    )
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")
    _add_no_bom(p, "a CSV card (--format csv --out FILE) and rejects.csv")
    _add_panel_options(p)
    _add_quiet(p)


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
    p.add_argument(
        "--year", type=_year, default=2021, help="the year of the occasion (default 2021)"
    )
    p.add_argument(
        "--window", metavar="FIRST:LAST", help="the months counted, e.g. 2020-08:2020-12"
    )
    p.add_argument(
        "--criterion",
        choices=CRITERIA,
        default="mean",
        help="mean score over the window (default), improvement over it, or a mix",
    )
    p.add_argument("--mix", type=_share, default=0.5, help="weight of the mean in 'mix', 0-1 (0.5)")
    p.add_argument(
        "--levels",
        default="district,block,machine",
        help="levels that get awards (default: district,block,machine)",
    )
    p.add_argument(
        "--winners",
        help="winners per level, each a level that gets awards "
        "(default: district=1,block=3,machine=5)",
    )
    p.add_argument("--runners-up", type=_count, default=2, help="runners-up per level, >= 0 (2)")
    p.add_argument(
        "--min-coverage",
        type=_share,
        default=0.75,
        help="mean data coverage needed over the window, 0-1 (0.75)",
    )
    p.add_argument(
        "--min-band",
        default="Performer",
        help="no month may fall below this band; 'none' for no rule (Performer)",
    )
    p.add_argument(
        "--min-months", type=_positive, default=3, help="months with a score needed, >= 1 (3)"
    )
    _add_panel_options(p)
    p.add_argument(
        "--format",
        choices=("md", "json", "csv", "html"),
        default="md",
        help="output format (default: md)",
    )
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument("--out", type=Path, help="output file (default: standard output)")
    _add_no_bom(p, "the CSV awards (--format csv --out FILE) and rejects.csv")
    _add_quiet(p)


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
    _add_review_output(p)
    p.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="write the built-in data as the CSV/TOML files a user would start from, and stop",
    )
    _add_force(p)
    _add_quiet(p)


#: ``review``/``demo --formats``: card formats, and ``xlsx`` for the score tables' and action
#: lists' workbooks.
_card_formats = _format_list(REVIEW_FORMATS)


def _level_file(text: str) -> tuple[str, Path]:
    """One ``--boundaries LEVEL=FILE.geojson``."""
    level, sep, path = text.partition("=")
    if not sep or not level.strip() or not path.strip():
        raise argparse.ArgumentTypeError(
            f"must be LEVEL=FILE.geojson (e.g. block=blocks.geojson); got {text!r}"
        )
    return level.strip(), Path(path.strip())


def _boundaries(args: argparse.Namespace) -> dict[str, Boundaries]:
    """``--boundaries`` as level -> polygons, each level at most once, read before the data
    so that a bad file is refused at once."""
    files: dict[str, Path] = {}
    for level, path in getattr(args, "boundaries", None) or ():  # a loop over levels
        if level in files:
            raise InputError(
                f"--boundaries: give each level once; got {level!r} twice ({str(files[level])!r} "
                f"and {str(path)!r})"
            )
        files[level] = path
    code = args.boundaries_code_property
    return {level: read_boundaries(path, code_property=code) for level, path in files.items()}


def _add_review_output(p: argparse.ArgumentParser) -> None:
    """The options ``review`` and ``demo`` share: language, formats, output folder,
    boundaries for the geo-tag checks."""
    p.add_argument(
        "--boundaries",
        type=_level_file,
        action="append",
        metavar="LEVEL=FILE",
        help="GeoJSON polygons of one level's units (e.g. block=blocks.geojson; repeat for "
        "district and block): the action lists flag geo-tags outside their own unit",
    )
    p.add_argument(
        "--boundaries-code-property",
        default="code",
        metavar="NAME",
        help="the GeoJSON feature property holding the unit code (default: code)",
    )
    p.add_argument(
        "--lang",
        choices=REVIEW_LANGUAGES,
        default="en",
        help="language: en, hi, or both (en/ and hi/ subfolders; default: en)",
    )
    p.add_argument(
        "--formats",
        type=_card_formats,
        default=WRITTEN_FORMATS,
        metavar="LIST",
        help=f"card formats, comma-separated (default: {','.join(WRITTEN_FORMATS)}); add xlsx "
        "for OUT/scores.xlsx and OUT/actions/<list>.xlsx",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("egov-score-review"),
        metavar="OUT",
        help="output folder (default: ./egov-score-review)",
    )
    _add_no_bom(p, "the CSV cards, action lists, awards and rejects")


def _add_review(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "review",
        help="run the month's divisional review on a data folder: tables, cards, awards, index",
        description=(
            "Score every month of a data folder laid out like 'egov-score demo --export' writes "
            "it, print the commissioner's tables, and write the division summary, a card for "
            "every district and block in every format, the awards when the data holds the "
            "latest occasion's window (or --awards), and index.html / index.md linking them."
        ),
    )
    _add_data_folder(p)
    p.add_argument("--month", help="the month to review, YYYY-MM (default: the latest)")
    _add_review_output(p)
    p.add_argument(
        "--awards",
        choices=sorted(OCCASIONS),
        metavar="OCCASION",
        help="write this occasion's awards (independence_day or republic_day; default: the "
        "latest occasion's, when the data holds its window)",
    )
    p.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help=f"set aside the raw cells that fail their checks, listed in OUT/{REJECTS_FILE}",
    )
    _add_uncertainty(p)
    _add_plugin_options(p)
    _add_panel_options(p)
    _add_force(p)
    _add_quiet(p)


def _add_data_folder(p: argparse.ArgumentParser) -> None:
    """``--data DIR`` with ``--units`` and ``--framework``: ``review`` and ``sensitivity``."""
    p.add_argument(
        "--data",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder of the schemes' tables, units.csv and an optional framework.toml (CSV or "
        ".xlsx)",
    )
    p.add_argument("--units", type=Path, help="units file (default: DIR/units.csv or .xlsx)")
    p.add_argument(
        "--framework",
        type=Path,
        help="framework TOML (default: DIR/framework.toml, else every scheme with data)",
    )


def _add_uncertainty(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--uncertainty",
        type=Path,
        metavar="F",
        help="TOML file declaring which method choices are uncertain ([uncertainty]; default: "
        "the framework's [uncertainty] table, if any); the cards then show each rank with its "
        "interval, and calls and awards that are not robust are flagged",
    )


def _add_sensitivity(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sensitivity",
        help="score a data folder many times under plausible method choices and write the "
        "rank intervals",
        description=(
            "Score a data folder (laid out as 'egov-score demo --export' writes it) once per "
            "run, each run under one plausible set of method choices drawn from the declared "
            "uncertainty, and write OUT/ranks.csv (every unit's rank statistics per period, "
            "level and scope), OUT/sensitivity.json, OUT/sensitivity.html (a rank-interval "
            "chart per level, inline SVG) and, when computed, OUT/sobol.csv and "
            "OUT/removal.csv."
        ),
    )
    _add_data_folder(p)
    p.add_argument(
        "--runs", type=_positive, help="how many runs, >= 1 (default: the declaration's)"
    )
    p.add_argument(
        "--month", help="the month to analyse, YYYY-MM (default: every month of the data)"
    )
    _add_uncertainty(p)
    p.add_argument(
        "--seed", type=_count, help="the seed, a whole number >= 0 (default: the declaration's)"
    )
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default: en)")
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="OUT",
        help="output folder (created if needed; replaced whole when the run succeeds)",
    )
    p.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help=f"set aside the raw cells that fail their checks, listed in OUT/{REJECTS_FILE}",
    )
    _add_no_bom(p, "the CSV files")
    _add_plugin_options(p)
    _add_force(p)
    _add_quiet(p)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``egov-score``."""
    parser: argparse.ArgumentParser = _Parser(
        prog="egov-score",
        description="Score, rank and report the e-governance performance of a hierarchy.",
        epilog=_EXIT_CODES,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_score(sub)
    _add_analyse(sub)
    _add_report(sub)
    _add_awards(sub)
    _add_plugins(sub)
    _add_review(sub)
    _add_sensitivity(sub)
    _add_demo(sub)
    _add_events(sub)
    for command in sub.choices.values():
        command.epilog = _EXIT_CODES
    return parser


def _summary(result: Result, level: str) -> str:
    lv = result.level(level)
    fw = result.framework
    order = np.lexsort((lv.codes, np.where(lv.rank > 0, lv.rank, np.iinfo(np.int64).max)))
    groups = [g for g in fw.children(fw.root) if g in lv.groups]
    header = ["Rank", "Code", "Name", "Score", "Band", *(fw.groups[g].name or g for g in groups)]
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


def _rejects(job: Pipeline, folder: Path, *, quiet: bool = False, bom: bool = True) -> Path | None:
    """Write the run's rejected cells to ``folder/rejects.csv`` (none: no file) and say how
    many there were on stderr (stdout may hold the card)."""
    if not job.rejected:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = path_inside(folder, REJECTS_FILE)
    write_rejects(job.rejected, path, bom=bom)
    if not quiet:
        _say(f"{len(job.rejected)} cells rejected; see {path}", file=sys.stderr)
    return path


def _cmd_score(args: argparse.Namespace) -> int:
    _check_output(args.out, args)
    if "parquet" in args.formats:
        require_parquet()  # before the inputs are read, as an unknown format would be
    job = _inputs(args)
    framework = job.framework
    period = None if args.period is None else require_period(args.period, what="--period")
    result = job.score(period)
    with _output(args.out, args, "score") as tmp:
        # The workbook first: a breach of Excel's limits then stops the run before any file
        # is written.
        book = result.write_xlsx(tmp / SCORES_WORKBOOK) if "xlsx" in args.formats else None
        written = result.write_csv(tmp, bom=_bom(args)) if "csv" in args.formats else []
        written += result.write_parquet(tmp) if "parquet" in args.formats else []
        written += [book] if book is not None else []
        if args.effective_weights:
            written.append(_write_effective_weights(result, tmp))
        paths = [args.out / p.relative_to(tmp) for p in written]
        rejected = _rejects(job, tmp, quiet=True, bom=_bom(args))
    rejects = None if rejected is None else args.out / rejected.name
    if not args.quiet:
        top = framework.levels[1] if len(framework.levels) > 1 else framework.levels[0]
        _say(f"{framework.name}, period {result.period}: {top} scores\n")
        _say(_summary(result, top))
        for d in result.diagnostics:
            _say(f"note: {d.message}")
        if rejects is not None:
            _say(f"{len(job.rejected)} cells rejected; see {rejects}")
            paths.append(rejects)
        _say("\nwrote " + ", ".join(str(p) for p in paths))
    return 0


def _write_effective_weights(result: Result, folder: Path) -> Path:
    """``folder/effective_weights.json``: :func:`~egov_score.engine.weights.
    effective_weights_report` of ``result``."""
    path = path_inside(folder, EFFECTIVE_WEIGHTS_FILE)
    text = json.dumps(effective_weights_report(result), ensure_ascii=False, indent=2)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _cmd_analyse(args: argparse.Namespace) -> int:
    _check_output(args.out, args)
    job = _inputs(args)
    period = None if args.period is None else require_period(args.period, what="--period")
    result = job.score(period)
    levels = result.framework.levels
    if args.level is not None and args.level not in levels:
        raise InputError(f"--level must be one of {list(levels)!r}; got {args.level!r}")
    analysis = analyse(result, args.level)
    with _output(args.out, args, "analyse") as tmp:
        html = path_inside(tmp, "analysis.html")
        html.write_text(analysis_html(analysis, title=result.framework.name), encoding="utf-8")
        path_inside(tmp, "analysis.json").write_text(analysis_json(analysis), encoding="utf-8")
    if not args.quiet:
        flagged = analysis.flags
        _say(
            f"{result.framework.name}, period {result.period}, level {analysis.level}: "
            f"{len(analysis.groups)} groups, {len(flagged)} flagged pairs"
        )
        for f in flagged:
            _say(f"flag: {f.group}: {f.a} / {f.b}: r = {f.r:.3f} ({f.kind})")
        _say(f"\nwrote {args.out / 'analysis.html'}, {args.out / 'analysis.json'}")
    return 0


def _cmd_plugins(args: argparse.Namespace) -> int:
    registry = Registry(make_plugin_manager(block=args.block))
    rows = [
        [info.name, info.package, info.version, ", ".join(info.schemes) or "-"]
        for info in registry.describe()
    ]
    _say(render_table(["Plugin", "Package", "Version", "Schemes"], rows))
    return 0


def _panel(args: argparse.Namespace, job: Pipeline) -> Panel:
    return score_panel(job, normalisation=args.normalisation)


def _say(text: str, *, file: TextIO | None = None) -> None:
    """Print ``text`` with its control characters shown as escapes (clearing the progress
    line first, if one is shown)."""
    clear_progress_line()
    out = sys.stdout if file is None else file
    print(console_text(printable(text), out), file=out)


def _write(args: argparse.Namespace, text: str) -> None:
    """``report``/``awards`` output: to standard output, or to ``--out`` (a CSV file with the
    byte-order mark for Excel unless ``--no-bom``; standard output never gets one)."""
    if args.out is None:
        _say(text[:-1] if text.endswith("\n") else text)
    else:
        text = with_bom(text, _bom(args)) if args.format == "csv" else text
        with _writing(args.out):
            replace_file(args.out, text)
        if not args.quiet:
            _say(f"wrote {args.out}")


def _parse_counts(text: str) -> dict[str, int]:
    counts = {}
    for part in filter(None, text.split(",")):
        level, _, n = part.partition("=")
        if not n.strip().isdigit():
            raise InputError(f"--winners must look like 'district=1,block=3'; got {text!r}")
        if level.strip() in counts:
            raise InputError(f"--winners must give each level once; got {level.strip()!r} twice")
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
        if window[0] > window[1]:
            raise InputError(f"--window FIRST must not be after LAST; got {args.window!r}")
    levels = tuple(x.strip() for x in args.levels.split(",") if x.strip())
    winners = AwardRules().winners if args.winners is None else _parse_counts(args.winners)
    if args.winners is not None and (odd := [k for k in winners if k not in levels]):
        raise InputError(
            f"--winners must name levels that get awards {list(levels)!r}; got {odd!r}"
        )
    rules = AwardRules(
        levels=levels,
        winners=winners,
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
    here = args.out.parent if args.out is not None else Path.cwd()
    _rejects(job, here, quiet=args.quiet, bom=_bom(args))
    return 0


def _month(args: argparse.Namespace, panel: Panel) -> str:
    """``--month`` as ``YYYY-MM``, or the panel's latest month (periods sort by date)."""
    if args.month is None:
        return panel.periods[-1]
    return require_period(args.month, what="--month")


def _cmd_report(args: argparse.Namespace) -> int:
    job = _inputs(args)
    code = find_unit(job.hierarchy, args.unit)  # before the scoring, so a typo stops at once
    panel = _panel(args, job)
    period = _month(args, panel)
    actions = (
        action_tables(panel.result(period), job.hierarchy, job.registry, job.tables)
        if job.registry is not None
        else ()
    )
    card = build_report(
        panel,
        code,
        period,
        hierarchy=job.hierarchy,
        registry=job.registry,
        actions=actions,
        # A card alone has no lists beside it to link to: its first rows and the counts,
        # so it prints on a few pages (issue 12), and no link.
        linked_lists=False,
    )
    _write(args, render.render_card(card, args.format, args.lang))
    here = args.out.parent if args.out is not None else Path.cwd()
    _rejects(job, here, quiet=args.quiet, bom=_bom(args))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.export is not None:
        with _output(args.export, args, "demo --export") as tmp:
            written = datasets.export("jaipur", tmp)
        if not args.quiet:
            _say("wrote " + ", ".join(str(args.export / p.name) for p in written))
        return 0
    _check_output(args.out, args)
    _check_formats(args)
    args.boundaries = _boundaries(args)
    return _review(args, datasets.load("jaipur"))


def _check_formats(args: argparse.Namespace) -> None:
    """``--formats`` of ``review``/``demo``, checked before the data is read (``xlsx`` beside
    a card format, and the ``excel`` extra for it)."""
    review_formats(args.formats)


def _data_folder(args: argparse.Namespace) -> Pipeline:
    """The data folder of ``review`` and ``sensitivity`` (``--data``, ``--units``,
    ``--framework``, ``--block``, ``--drop-bad-rows``), loaded."""
    return load_data(
        args.data,
        units=args.units,
        framework=args.framework,
        block=args.block,
        drop_bad_rows=args.drop_bad_rows,
    )


def _cmd_review(args: argparse.Namespace) -> int:
    _check_output(args.out, args)
    _check_formats(args)
    args.boundaries = _boundaries(args)
    return _review(args, _data_folder(args))


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    _check_output(args.out, args)
    job = _data_folder(args)
    uncertainty = declared_uncertainty(job, args.uncertainty)
    if uncertainty is None:
        source = str(args.framework or args.data / "framework.toml")
        raise InputError(
            "an uncertainty analysis must know which method choices are uncertain: give "
            f"--uncertainty FILE or an [uncertainty] table in the framework; got neither "
            f"({source!r} declares none)"
        )
    periods = None
    if args.month is not None:
        month, held = require_period(args.month, what="--month"), job.periods()
        if month not in held:
            raise InputError(
                f"--month must be a month the data holds, {held[0]} to {held[-1]}; "
                f"got {args.month!r}"
            )
        periods = [month]
    analysis = analyse_sensitivity(
        job, periods=periods, uncertainty=uncertainty, runs=args.runs, seed=args.seed
    )
    analysis = with_removal(analysis, job)
    with _output(args.out, args, "sensitivity") as tmp:
        written = write_sensitivity(
            analysis, tmp, args.lang, hierarchy=job.hierarchy, bom=_bom(args)
        )
        _rejects(job, tmp, quiet=True, bom=_bom(args))
    if not args.quiet:
        _say(
            f"{analysis.runs} runs (seed {analysis.seed}) over "
            f"{', '.join(analysis.choices) or 'no uncertain choice'}, "
            f"{len(analysis.periods)} months"
        )
        _say("wrote " + ", ".join(str(args.out / p.name) for p in written))
    return 0


def _review(args: argparse.Namespace, job: Pipeline) -> int:
    """``review`` and ``demo``: one code path, :func:`run_review` on a loaded job, written
    into a temporary folder that replaces ``--out`` when the run succeeds."""
    command = "review" if getattr(args, "data", None) is not None else "demo"
    with _output(args.out, args, command) as tmp:
        run = run_review(
            job=job,
            month=args.month,
            lang=args.lang,
            formats=args.formats,
            out=tmp,
            awards=getattr(args, "awards", None),
            normalisation=getattr(args, "normalisation", "period"),
            boundaries=args.boundaries,
            boundaries_code_property=args.boundaries_code_property,
            bom=_bom(args),
            uncertainty=getattr(args, "uncertainty", None),
        )
    run = run.moved(tmp, args.out)
    return 0 if args.quiet else _print_review(run)


def _print_review(run: ReviewRun) -> int:
    """Print what the commissioner reads in the terminal, and where the files went."""
    lang = run.editions[0].lang
    if run.rejects is not None:
        _say(f"{len(run.job.rejected)} cells rejected; see {run.rejects}", file=sys.stderr)
    _say(review_text(run.review, lang, cards_dir=run.out))
    ed = run.editions[0]
    if run.awards is not None and ed.awards is not None:
        _say(f"\n{awards_headline(run.awards, lang)}: {run.folder(lang) / ed.awards}")
    elif run.awards_note is not None:
        _say(f"\n{run.awards_note}")
    return 0


def _add_events(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "events",
        help="roll a transaction log up to a machine-month values table",
        description=(
            "Roll transaction events (Parquet files, a directory of partitions, or CSV for "
            "small inputs; columns machine,timestamp,service,amount,status) up to a values "
            "table code,period," + ",".join(EVENT_FIELDS) + " that score, review and the "
            "e-Mitra plugin read. Months are Asia/Kolkata's (+05:30). See docs/events.md."
        ),
    )
    p.add_argument(
        "--events",
        required=True,
        nargs="+",
        type=Path,
        metavar="PATH",
        help="event files (.parquet, .pq, .csv) or directories of them",
    )
    p.add_argument(
        "--units",
        required=True,
        type=Path,
        help="hierarchy CSV, .xlsx or .parquet; machine codes are its bottom level's units",
    )
    p.add_argument(
        "--engine",
        choices=sorted(ENGINES),
        default="numpy",
        help="the engine that rolls up the events (default: numpy)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        help="with --engine dask: the address of a running Dask scheduler "
        "(e.g. tcp://10.0.0.5:8786); without it a LocalCluster sized to this machine",
    )
    p.add_argument(
        "--drop-bad-rows",
        action="store_true",
        help="set bad rows aside instead of stopping: counted, and written one problem a line "
        "to the rejects file (--rejects, default <out>.rejects.csv)",
    )
    p.add_argument(
        "--rejects",
        type=Path,
        help="where --drop-bad-rows writes the rejects CSV "
        "(file,row_group,row,column,value,reason)",
    )
    p.add_argument(
        "--fields",
        type=_format_list(EVENT_FIELDS),
        default=EVENT_FIELDS,
        metavar="LIST",
        help="comma-separated fields to write (default: all of " + ",".join(EVENT_FIELDS) + ")",
    )
    p.add_argument(
        "--batch-rows",
        type=_positive,
        default=BATCH_ROWS,
        metavar="N",
        help=f"rows read at a time at most: memory is bounded by a batch (default: {BATCH_ROWS})",
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help="the values table to write: a .parquet (the 'parquet' extra) or .csv file",
    )
    _add_no_bom(p, "the CSV files")
    _add_quiet(p)


def _cmd_events(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.suffix.lower() not in (".parquet", ".pq", ".csv"):
        raise InputError(f"--out must end in .parquet or .csv; got {str(out)!r}")
    if out.suffix.lower() != ".csv":
        require_parquet()
    if out.is_dir():
        raise InputError(f"--out must be a file, not a folder; got {str(out)!r}")
    hierarchy = Hierarchy.from_table(read_table(args.units), levels_of(args.units))
    if args.scheduler is not None and args.engine != "dask":
        raise InputError(f"--scheduler needs --engine dask; got --engine {args.engine}")
    rejects = args.rejects if args.rejects is not None else out.with_name(f"{out.stem}.rejects.csv")
    options: dict[str, object] = {}
    if args.engine == "dask":
        options = {"scheduler": args.scheduler, "progress": not args.quiet and sys.stderr.isatty()}
    rollup = roll_up(
        args.events,
        hierarchy,
        engine=args.engine,
        drop_bad_rows=args.drop_bad_rows,
        batch_rows=args.batch_rows,
        options=options,
    )
    with _writing(out):
        rollup.write(out, fields=args.fields, bom=_bom(args))
        if args.drop_bad_rows:
            rollup.rejects.write(str(rejects), bom=_bom(args))
    if not args.quiet:
        _say(
            f"{rollup.rows} events rolled up to {len(rollup.codes)} machine-months "
            f"({np.unique(rollup.periods).size} months); wrote {out}"
        )
        if args.drop_bad_rows:
            _say(f"{rollup.rejects.summary()}; see {rejects}")
    return 0


def _fail(message: str, status: int) -> int:
    _say(f"egov-score: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``egov-score``; returns the exit status: 0 done, 2 bad input or usage, 1 a failed run
    (an output not written, or an internal error, whose traceback ``EGOV_SCORE_DEBUG=1``
    shows)."""
    prepare_console()  # a cp1252 or ASCII console gets '?' and a note, never a traceback
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError:
        return EXIT_USAGE
    if args.version:
        import egov_score

        _say(egov_score.__version__)
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    commands = {
        "score": _cmd_score,
        "analyse": _cmd_analyse,
        "report": _cmd_report,
        "awards": _cmd_awards,
        "plugins": _cmd_plugins,
        "review": _cmd_review,
        "sensitivity": _cmd_sensitivity,
        "demo": _cmd_demo,
        "events": _cmd_events,
    }
    try:
        with progress_line(quiet=getattr(args, "quiet", False)):
            return commands[args.command](args)
    except _OutputError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except (EgovScoreError, OSError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE, "") not in ("", "0"):
            raise
        what = f"{type(exc).__name__}: {exc}"
        return _fail(
            f"internal error ({what}); this is a bug in egov-score or a plugin; run again with "
            f"{DEBUG_VARIABLE}=1 to see the traceback",
            EXIT_FAILED,
        )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
