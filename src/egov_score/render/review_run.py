"""The monthly review in one call: ``egov-score review`` and ``egov-score demo`` are this.

:func:`run_review` scores every month of a data folder once, then writes, for the review month
and in each language asked for, the division summary, every district's and block's card in
every format, the awards (when the data holds the latest occasion's window, or the occasion
asked for), and an index page linking them all. ``egov-score demo`` is the same function on
the built-in data.

Output layout (``out``): one language writes straight into ``out`` (``division.html``,
``district/<code>.<fmt>``, ``block/<code>.<fmt>``, ``awards.<fmt>``, ``index.json``);
``lang="both"`` writes ``out/en/`` and ``out/hi/`` laid out the same way. ``index.html`` and
``index.md`` always sit in ``out`` itself and link every language written.

With ``xlsx`` among the formats, two kinds of workbook are written once, in ``out`` itself
(they hold codes, names and numbers, the same in every language): ``scores.xlsx``, the
month's score tables as ``egov-score score --formats xlsx`` writes them
(:meth:`~egov_score.model.result.Result.write_xlsx`), and ``actions/<list key>.xlsx``, every
unit needing action in one sheet per list
(:func:`~egov_score.render.actions.write_action_workbooks`). The index links them; the cards
themselves are not written as Excel.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from egov_score.exceptions import InputError
from egov_score.io.geojson import Boundaries, read_boundaries
from egov_score.io.periods import require_period
from egov_score.io.table import with_bom
from egov_score.io.workbooks import PendingWorkbooks, WorkbookJob, start_workbooks
from egov_score.io.worker import Worker
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.sensitivity import Sensitivity
from egov_score.model.uncertainty import Uncertainty
from egov_score.pipeline import Pipeline, load
from egov_score.plugins.actions import ActionSettings
from egov_score.plugins.tables import REJECTS_FILE, write_rejects
from egov_score.render import card_writer
from egov_score.render.actions import action_workbooks
from egov_score.render.awards import render_awards
from egov_score.render.card_writer import start_cards
from egov_score.render.index import Edition, index_html, index_markdown
from egov_score.render.messages import LANGUAGES
from egov_score.render.review import WRITTEN_FORMATS, card_files, write_cards
from egov_score.review.awards import OCCASIONS, Awards, latest_occasion, select_awards
from egov_score.review.division import Review
from egov_score.review.panel import Panel, score_panel
from egov_score.review.robustness import AwardRobustness, robustness_by_level
from egov_score.review.sensitivity import analyse_sensitivity

__all__ = [
    "BOTH",
    "REVIEW_FORMATS",
    "REVIEW_LANGUAGES",
    "SCORES_WORKBOOK",
    "XLSX",
    "ReviewRun",
    "action_settings",
    "awards_occasion",
    "declared_uncertainty",
    "load_data",
    "review_formats",
    "run_review",
]

#: ``lang`` value that writes every language, each in its own subfolder.
BOTH = "both"
#: The accepted ``lang`` values.
REVIEW_LANGUAGES = (*LANGUAGES, BOTH)
_AWARD_FORMATS = ("md", "html", "json", "csv")
#: The format that adds the Excel workbooks (scores and action lists) to the cards' formats.
XLSX = "xlsx"
#: The accepted ``formats``: the card formats and ``xlsx``.
REVIEW_FORMATS = (*WRITTEN_FORMATS, XLSX)
#: The score tables' workbook, as ``egov-score score --formats xlsx`` names it.
SCORES_WORKBOOK = "scores.xlsx"
_log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class ReviewRun:
    """What one review run did.

    Attributes:
        review: the month's review (scores, cards on demand).
        job: the loaded data (hierarchy, plugins, rejected cells).
        out: the output folder.
        editions: each language's files, in the order written.
        written: every file written, index pages last.
        awards: the awards selected, or None.
        awards_note: why no awards were written (the data holds no month of the latest
            occasion's window), or None.
        rejects: the rejected-cells file, when cells were set aside.
    """

    review: Review
    job: Pipeline
    out: Path
    editions: tuple[Edition, ...]
    written: tuple[Path, ...]
    awards: Awards | None = None
    awards_note: str | None = None
    rejects: Path | None = None

    def folder(self, lang: str) -> Path:
        """The folder holding the cards of ``lang``."""
        for ed in self.editions:
            if ed.lang == lang:
                return self.out / ed.folder if ed.folder else self.out
        raise InputError(f"lang must be one of {[e.lang for e in self.editions]!r}; got {lang!r}")

    def moved(self, old: Path, new: Path) -> ReviewRun:
        """This run as if written into ``new``: after its folder ``old`` was renamed there (the
        CLI writes into a temporary folder that replaces the output folder)."""

        def there(path: Path) -> Path:
            return new / path.relative_to(old)

        return attrs.evolve(
            self,
            out=there(self.out),
            written=tuple(there(p) for p in self.written),
            rejects=None if self.rejects is None else there(self.rejects),
        )


def review_formats(formats: Iterable[str]) -> tuple[str, ...]:
    """The formats of a review, checked before anything is read or written: each one of
    :data:`REVIEW_FORMATS`, ``xlsx`` only beside a card format, and with the ``excel`` extra
    installed.

    Raises:
        InputError: an unknown format, ``xlsx`` alone, or ``xlsx`` without the extra.
    """
    chosen = tuple(dict.fromkeys(formats))
    bad = [f for f in chosen if f not in REVIEW_FORMATS]
    if bad or not chosen:
        raise InputError(
            f"formats must be one or more of {list(REVIEW_FORMATS)!r}; got {list(chosen)!r}"
        )
    if chosen == (XLSX,):
        raise InputError(
            f"formats must hold a card format ({', '.join(WRITTEN_FORMATS)}) beside {XLSX}, "
            f"as the cards are not written as Excel; got {list(chosen)!r}"
        )
    return chosen


def _languages(lang: str) -> tuple[str, ...]:
    if lang == BOTH:
        return LANGUAGES
    if lang not in LANGUAGES:
        raise InputError(f"lang must be one of {list(REVIEW_LANGUAGES)!r}; got {lang!r}")
    return (lang,)


def _month(panel: Panel, month: str | None) -> str:
    if month is None:
        return panel.periods[-1]
    period = require_period(month, what="--month")
    if period not in panel.periods:
        raise InputError(
            f"--month must be a month the data holds, {panel.periods[0]} to "
            f"{panel.periods[-1]}; got {month!r}"
        )
    return period


def awards_occasion(month: str, occasion: str | None = None) -> tuple[str, int]:
    """The occasion whose awards a review of ``month`` writes, and its year: the latest
    occasion up to the month, or the latest ``occasion`` up to it (Independence Day of the
    year before for a month before August).

    Raises:
        InputError: an unknown occasion, or a month that is not ``YYYY-MM``.
    """
    latest, year = latest_occasion(month)
    if occasion is None or occasion == latest:
        return latest, year
    if occasion not in OCCASIONS:
        raise InputError(f"--awards must be one of {sorted(OCCASIONS)!r}; got {occasion!r}")
    month_no = int(month.partition("-")[2])
    return occasion, year if month_no >= OCCASIONS[occasion][0] else year - 1


def load_data(
    data: str | os.PathLike[str],
    *,
    units: str | os.PathLike[str] | None = None,
    framework: str | os.PathLike[str] | None = None,
    block: Iterable[str] = (),
    drop_bad_rows: bool = False,
) -> Pipeline:
    """Load a review's data folder (see :func:`run_review` for the arguments), refusing a
    path that is not a folder and a folder without a units file before anything is read.

    Raises:
        InputError: not a folder, no units file, or bad input in the files.
    """
    folder = Path(data)
    if not folder.is_dir():
        raise InputError(
            f"--data must be a folder of the schemes' tables (as 'egov-score demo --export' "
            f"writes it); got {str(folder)!r}, which is not a folder"
        )
    if units is None and not any((folder / f"units{x}").is_file() for x in (".csv", ".xlsx")):
        raise InputError(
            f"{folder}: the data folder must hold units.csv or units.xlsx, or give the units "
            "file with --units; got neither"
        )
    return load(folder, units=units, framework=framework, block=block, drop_bad_rows=drop_bad_rows)


def declared_uncertainty(
    job: Pipeline, uncertainty: Uncertainty | str | os.PathLike[str] | None = None
) -> Uncertainty | None:
    """The uncertainty an analysis of ``job`` varies: ``uncertainty`` (a declaration, or a
    TOML file holding one, checked against the plugins' methods), else the framework's
    ``[uncertainty]`` table, else None (no analysis).

    Raises:
        FrameworkError: the file cannot be read or its declaration breaks a rule.
    """
    if uncertainty is None:
        return job.framework.uncertainty
    if isinstance(uncertainty, Uncertainty):
        return uncertainty
    engine = job.engine
    return Uncertainty.from_toml(
        uncertainty, normalisers=engine.normalisers, aggregators=engine.aggregators
    )


def action_settings(
    boundaries: Mapping[str, str | os.PathLike[str] | Boundaries],
    hierarchy: Hierarchy,
    *,
    code_property: str = "code",
) -> ActionSettings:
    """The action lists' settings from the boundaries a user gives, one file per level.

    Args:
        boundaries: level name -> a GeoJSON file (or boundaries already read).
        hierarchy: the unit tree the codes must name.
        code_property: the GeoJSON feature property holding the unit code.

    Raises:
        InputError: a level the hierarchy lacks or the machines' own level; a file that
            cannot be read as boundaries (every problem named, see
            :func:`~egov_score.io.geojson.read_boundaries`); a file none of whose features
            names a unit of its level (the wrong level or code property).
    """
    levels = list(hierarchy.level_names[:-1])
    read: dict[str, Boundaries] = {}
    for level, given in boundaries.items():  # a loop over levels
        if level not in levels:
            raise InputError(
                f"--boundaries: the level must be one of {levels!r} (LEVEL=FILE.geojson); "
                f"got {level!r}"
            )
        b = (
            given
            if isinstance(given, Boundaries)
            else read_boundaries(given, code_property=code_property)
        )
        codes = np.asarray(b.polygon_code, dtype=np.str_)
        known = hierarchy.level(level).find(codes) >= 0
        if not known.any():
            example = str(hierarchy.level(level).codes[0])
            raise InputError(
                f"{b.source}: property {code_property!r} of the features must hold the codes "
                f"of {level!r} units (e.g. {example!r}; --boundaries-code-property names the "
                f"property); got none of them, e.g. {str(codes[0])!r}"
            )
        read[level] = b
    return ActionSettings(boundaries=read)


def run_review(
    data: str | os.PathLike[str] | None = None,
    *,
    units: str | os.PathLike[str] | None = None,
    framework: str | os.PathLike[str] | None = None,
    month: str | None = None,
    lang: str = "en",
    formats: Sequence[str] = WRITTEN_FORMATS,
    out: str | os.PathLike[str] = "egov-score-review",
    awards: str | None = None,
    drop_bad_rows: bool = False,
    block: Iterable[str] = (),
    normalisation: str = "period",
    job: Pipeline | None = None,
    boundaries: Mapping[str, str | os.PathLike[str] | Boundaries] | None = None,
    boundaries_code_property: str = "code",
    bom: bool = True,
    sensitivity: Sensitivity | None = None,
    uncertainty: Uncertainty | str | os.PathLike[str] | None = None,
) -> ReviewRun:
    """Run the month's divisional review on a data folder and write every output.

    Args:
        data: the folder of the schemes' tables, laid out as ``egov-score demo --export``
            writes it (``units.csv``, an optional ``framework.toml``, one file per raw table;
            each CSV or Excel).
        units: the units file (default: ``data/units.csv`` or ``.xlsx``).
        framework: a framework TOML (default: ``data/framework.toml`` if present, else every
            scheme with data at its default weights).
        month: the review month, ``YYYY-MM`` (default: the latest in the data).
        lang: ``en``, ``hi`` or ``both`` (``en/`` and ``hi/`` subfolders).
        formats: the card formats: any of ``html``, ``md``, ``json``, ``csv``; and ``xlsx``
            for the score tables' and action lists' workbooks (the ``excel`` extra), beside at
            least one card format.
        out: the output folder (created if needed).
        awards: ``independence_day`` or ``republic_day`` to write that occasion's awards
            (the latest one up to the month); default: the latest occasion's, when the data
            holds months of its window.
        drop_bad_rows: set bad raw cells aside instead of stopping (see :func:`load`); they
            are listed in ``out/rejects.csv``.
        block: plugin names not to load.
        normalisation: ``period`` or ``global`` (see :func:`score_panel`).
        job: an already loaded job (then ``data``, ``units``, ``framework``, ``block`` and
            ``drop_bad_rows`` are not used); ``egov-score demo`` passes the built-in data so.
        boundaries: level name (``district``, ``block``) -> a GeoJSON file of that level's
            units (or :class:`~egov_score.io.geojson.Boundaries`): the action lists then flag
            geo-tagged machines outside their own unit (``geotag_outside_<level>``).
        boundaries_code_property: the GeoJSON feature property holding the unit code.
        bom: start every CSV file (cards, action lists, awards, rejects) with a UTF-8
            byte-order mark, so Excel on Windows reads it as UTF-8 (default); False leaves
            it out.
        sensitivity: an uncertainty and sensitivity analysis of the same data, if any: every
            card then shows its ranks with their intervals, the division page flags calls
            that are not robust, and the awards say how often each winner wins across the
            runs (``docs/analysis.md``, "Uncertainty and sensitivity").
        uncertainty: what an analysis varies (a declaration or its TOML file); without
            ``sensitivity``, the review runs :func:`~egov_score.review.sensitivity.
            analyse_sensitivity` over every month when this is given or the framework
            declares ``[uncertainty]``.

    Returns:
        What was done: the review, the files written, the awards.

    Raises:
        InputError: bad input, named with file, row, column and value; a month the data does
            not hold; an unknown language, format or occasion; an award occasion asked for
            whose window the data does not hold; ``xlsx`` without the ``excel`` extra
            (before anything is read or written).
        OSError: an output that cannot be written.

    Example:
        ``run_review("my-exports", month="2021-01", lang="both", out="review-2021-01")``
    """
    langs = _languages(lang)
    chosen = review_formats(formats)
    card_formats = tuple(f for f in chosen if f != XLSX)
    if job is None:
        if data is None:
            raise InputError("a data folder or a loaded job is needed; got neither")
        job = load_data(
            data, units=units, framework=framework, block=block, drop_bad_rows=drop_bad_rows
        )
    settings = action_settings(
        boundaries or {}, job.hierarchy, code_property=boundaries_code_property
    )
    declared = None if sensitivity is not None else declared_uncertainty(job, uncertainty)
    if (declared is not None or sensitivity is not None) and normalisation != "period":
        # The analysis scores each month on its own: its ranks would not be the cards' ranks.
        raise InputError(
            "an uncertainty analysis normalises each month among its own units, as the "
            "review's default does; it must not be combined with --normalisation "
            f"{normalisation}: got both"
        )
    panel = score_panel(job, normalisation=normalisation)
    period = _month(panel, month)
    if declared is not None:
        sensitivity = analyse_sensitivity(job, uncertainty=declared)
    occasion, year = awards_occasion(period, awards)
    review = Review(
        panel=panel,
        period=period,
        hierarchy=job.hierarchy,
        registry=job.registry,
        tables=job.tables,
        settings=settings,
        sensitivity=sensitivity,
    )
    selected, note = None, None
    try:
        selected = select_awards(panel, occasion, year)
    except InputError as exc:  # the data holds no month of that occasion's window
        if awards is not None:
            raise
        note = str(exc)
    root = Path(out)
    written: list[Path] = []
    workbooks: list[Path] = []
    pending: list[PendingWorkbooks] = []
    try:
        if XLSX in chosen:  # first: a list too long for a sheet stops the run before the cards
            # The score tables start at once (in a worker process when large), while the
            # action lists are built; one worker is enough beside this process.
            pending.append(_start_scores(review, root))
            lists = action_workbooks(review, root)
            pending.append(start_workbooks(lists, worker=pending[0].in_worker is None))
            workbooks = [root / SCORES_WORKBOOK, *(book.path for book in lists)]
            written += workbooks
        robustness = robustness_by_level(selected, sensitivity) or None
        editions, files = _write_editions(
            review, root, langs, card_formats, selected, bom, robustness
        )
        written += files
        rejects = None
        if job.rejected:
            rejects = root / REJECTS_FILE
            write_rejects(job.rejected, rejects, bom=bom)
            written.append(rejects)
        if pending:
            _log.info("writing the workbooks", extra={"egov_step": "writing the workbooks"})
        for waiting in pending:
            waiting.wait()
    except BaseException:
        for waiting in pending:
            waiting.cancel()
        raise
    books = [p.relative_to(root).as_posix() for p in workbooks]
    for name, text in (
        ("index.html", index_html(review, editions, books)),
        ("index.md", index_markdown(review, editions, books)),
    ):
        (root / name).write_text(text, encoding="utf-8")
        written.append(root / name)
    return ReviewRun(
        review=review,
        job=job,
        out=root,
        editions=tuple(editions),
        written=tuple(written),
        awards=selected,
        awards_note=note,
        rejects=rejects,
    )


def _start_scores(review: Review, root: Path) -> PendingWorkbooks:
    """Start writing ``scores.xlsx`` (its columns let go of here once the worker has them)."""
    root.mkdir(parents=True, exist_ok=True)
    sheets, number_formats = review.result.xlsx_sheets()
    job = WorkbookJob(path=root / SCORES_WORKBOOK, sheets=sheets, number_formats=number_formats)
    return start_workbooks([job])


def _start_cards(
    review: Review, root: Path, langs: tuple[str, ...], formats: tuple[str, ...], bom: bool
) -> Worker | None:
    """Start writing the last language's district and block cards in a worker process, when
    there are enough of them (:func:`~egov_score.render.card_writer.start_cards`)."""
    files = card_files(review)
    stems = {code: stem for cards in files.values() for code, stem in cards.items()}
    if len(stems) < card_writer.WORKER_MIN_CARDS:
        return None
    cards = [(stem, review.report(code)) for code, stem in stems.items()]
    return start_cards(cards, root / langs[-1], langs[-1], formats, bom=bom)


def _write_editions(
    review: Review,
    root: Path,
    langs: tuple[str, ...],
    card_formats: tuple[str, ...],
    selected: Awards | None,
    bom: bool,
    robustness: Mapping[str, AwardRobustness] | None = None,
) -> tuple[list[Edition], list[Path]]:
    """Every language's cards, division page, action lists and awards: the editions and the
    files written."""
    written: list[Path] = []
    editions = []
    award_formats = tuple(f for f in card_formats if f in _AWARD_FORMATS)
    same_in_every_language: dict[str, str] = {}  # the awards CSV: every candidate, in codes
    first: Path | None = None  # the first language's folder: its action lists are copied
    # The last language's cards are written by a worker process while this one writes the
    # first's (a state's review: hundreds of cards); None: all of them here.
    worker = _start_cards(review, root, langs, card_formats, bom) if len(langs) > 1 else None
    try:
        for one in langs:
            folder_name = one if len(langs) > 1 else ""
            folder = root / folder_name if folder_name else root
            elsewhere = worker is not None and one == langs[-1]
            written += write_cards(
                review,
                folder,
                one,
                card_formats,
                bom=bom,
                lists_from=first,
                unit_cards=not elsewhere,
            )
            first = first or folder
            page = None
            if selected is not None and award_formats:
                for fmt in award_formats:
                    path = folder / f"awards.{fmt}"
                    if fmt == "csv":
                        if fmt not in same_in_every_language:
                            same_in_every_language[fmt] = render_awards(
                                selected, fmt, one, robustness
                            )
                        text = with_bom(same_in_every_language[fmt], bom)
                    else:
                        text = render_awards(selected, fmt, one, robustness)
                    path.write_text(text, encoding="utf-8")
                    written.append(path)
                page = "awards.html" if "html" in award_formats else f"awards.{award_formats[0]}"
            editions.append(
                Edition(lang=one, folder=folder_name, formats=card_formats, awards=page)
            )
        if worker is not None:
            _log.info("writing the cards", extra={"egov_step": "writing the cards"})
            worker.wait()
    except BaseException:
        if worker is not None:
            worker.kill()
        raise
    return editions, written
