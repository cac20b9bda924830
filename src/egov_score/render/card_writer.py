"""Report cards written to files: here, or by a worker process while this one goes on.

A state's review writes a card for every district and block in every format and language:
hundreds of pages, a few seconds of a core per language. With two languages,
:func:`start_cards` hands the second language's cards to a worker process
(:class:`~egov_score.io.worker.Worker`: a fresh interpreter fed the cards pickled once), which
renders and writes them with :func:`write_card_files`, the function this process uses for the
first language, so the files are the same. The worker's errors come back here with their
messages; a run that fails kills it (and a run writing into
:func:`~egov_score.io.folders.output_folder` then leaves no half-written folder).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from egov_score.io.table import path_inside, with_bom
from egov_score.io.worker import Worker, serve
from egov_score.render.card import render_card
from egov_score.review.report import UnitReport

__all__ = ["WORKER_MIN_CARDS", "card_paths", "start_cards", "write_card_files"]

#: The fewest cards worth a worker process: below it, starting an interpreter and sending it
#: the cards (~0.5 s of a core) costs more than writing them here.
WORKER_MIN_CARDS = 200
_log = logging.getLogger(__name__)


def card_paths(
    stems: Sequence[str], out: str | os.PathLike[str], formats: Sequence[str]
) -> list[Path]:
    """The files of the cards ``stems`` (``district/alwar-87``) in ``formats``, in the order
    :func:`write_card_files` writes them; each inside ``out``
    (:func:`~egov_score.io.table.path_inside`).

    Raises:
        InputError: a path that resolves outside ``out``.
    """
    return [path_inside(out, f"{stem}.{fmt}") for stem in stems for fmt in formats]


def write_card_files(
    cards: Sequence[tuple[str, UnitReport]],
    out: str | os.PathLike[str],
    lang: str,
    formats: Sequence[str],
    *,
    bom: bool = True,
) -> list[Path]:
    """Render each card in each format and write it to ``out/<stem>.<format>``, the CSV ones
    with a UTF-8 byte-order mark unless ``bom=False``; the folders are made as needed.

    Args:
        cards: each card's file stem (``district/alwar-87``) and data.
        out: the folder of one language's cards.
        lang: the language.
        formats: the card formats (:data:`~egov_score.render.card.CARD_FORMATS`).
        bom: start the CSV cards with a byte-order mark.

    Returns:
        The files written, card by card, format by format.

    Raises:
        InputError: a path outside ``out`` or an unknown format.
        OSError: a file that cannot be written.
    """
    for folder_name in sorted({stem.rpartition("/")[0] for stem, _ in cards}):
        path_inside(out, folder_name).mkdir(parents=True, exist_ok=True)
    written = []
    total = len(cards)
    for done, (stem, card) in enumerate(cards, start=1):  # a card is a page: one per unit
        for fmt in formats:
            path = path_inside(out, f"{stem}.{fmt}")
            text = render_card(card, fmt, lang)
            text = with_bom(text, bom) if fmt == "csv" else text
            path.write_text(text, encoding="utf-8")
            written.append(path)
        _log.debug(
            "card %d of %d: %s %s",
            done,
            total,
            card.level,
            card.code,
            extra={"egov_step": "writing cards", "egov_done": done, "egov_total": total},
        )
    return written


def start_cards(
    cards: Sequence[tuple[str, UnitReport]],
    out: str | os.PathLike[str],
    lang: str,
    formats: Sequence[str],
    *,
    bom: bool = True,
    min_cards: int | None = None,
) -> Worker | None:
    """Start writing ``cards`` (see :func:`write_card_files`) in a worker process, when they
    are at least ``min_cards`` (default :data:`WORKER_MIN_CARDS`) and an interpreter can be
    started; None otherwise (write them here).

    The worker is :meth:`~egov_score.io.worker.Worker.wait`-ed for (its ``InputError``,
    ``OSError`` or failure raised there) or :meth:`~egov_score.io.worker.Worker.kill`-ed.
    """
    least = WORKER_MIN_CARDS if min_cards is None else min_cards
    if len(cards) < max(least, 1):
        return None
    args = (list(cards), str(out), lang, tuple(formats), bom)
    try:
        return Worker(__name__, args, who="the card worker process", task="write its cards")
    except OSError:  # no interpreter to start (an embedded Python)
        return None


def _serve() -> None:
    """The worker: write the cards read from stdin."""
    serve(_write)


def _write(
    cards: list[tuple[str, UnitReport]], out: str, lang: str, formats: tuple[str, ...], bom: bool
) -> int:
    return len(write_card_files(cards, out, lang, formats, bom=bom))
