"""The one place user-facing text comes from: gettext catalogues, one ``<lang>.po`` per language.

The core catalogues live in ``render/locale``; a plugin adds its own folder of ``<lang>.po``
files through the ``egov_score_catalogues`` hook: a report card carries the folders of the
plugins that built it (:attr:`~egov_score.review.report.UnitReport.catalogues`) and the
renderers merge them for the time they write it (``with catalogues(card.catalogues):``), so
two apps in one process with different plugins never see each other's. Message ids are
stable keys (``"score"``, ``"band.Performer"``, ``"emitra.machine_table"``), not English text:
``en.po`` holds the English. A language is a file: :data:`LANGUAGES` lists the ``.po`` files
found, and a message missing from a language falls back to English, then to the id itself.

Placeholders are ``str.format`` fields (``{level}``, ``{score:.1f}``), filled from keyword
arguments after translation.
"""

from __future__ import annotations

import contextlib
import functools
import io
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from egov_score.exceptions import InputError
from egov_score.model.framework import Bands

__all__ = [
    "FALLBACK",
    "LANGUAGES",
    "LOCALE",
    "NUMBER_SYSTEMS",
    "Messages",
    "band_label",
    "catalogue_folders",
    "catalogues",
    "gettext",
    "languages",
    "messages",
    "month_name",
    "ngettext",
    "number_system",
    "officer_title",
    "plain_digits",
    "to_digits",
]

#: The folder of the core catalogues.
LOCALE = Path(__file__).resolve().parent / "locale"
#: The language every other one falls back to for a missing message.
FALLBACK = "en"
#: The catalogues' ``number_system`` values: Latin (ASCII) digits or Devanagari digits.
NUMBER_SYSTEMS = ("latn", "deva")


def _stems(folder: Path) -> set[str]:
    return {p.stem for p in folder.glob("*.po")} if folder.is_dir() else set()


#: The plugin catalogue folders in force, merged after the core one in this order: set for
#: the time of one rendering, per thread and per task, never for the whole process.
_in_force: ContextVar[tuple[Path, ...]] = ContextVar("egov_score_catalogues", default=())


@contextlib.contextmanager
def catalogues(folders: Iterable[Path]) -> Iterator[None]:
    """Merge plugin catalogue folders (each holding ``<lang>.po`` files) into every look-up
    inside the ``with`` block; a folder already in force is not added twice.

    Args:
        folders: the folders, e.g. a card's :attr:`~egov_score.review.report.UnitReport.
            catalogues` or :meth:`Registry.catalogues()
            <egov_score.plugins.registry.Registry.catalogues>`.
    """
    current = _in_force.get()
    added = tuple(
        dict.fromkeys(p for p in (Path(f).resolve() for f in folders) if p not in current)
    )
    token = _in_force.set(current + added)
    try:
        yield
    finally:
        _in_force.reset(token)


def catalogue_folders() -> tuple[Path, ...]:
    """The plugin catalogue folders in force here (see :func:`catalogues`), in order."""
    return _in_force.get()


def languages(folders: Sequence[Path] | None = None) -> tuple[str, ...]:
    """The languages with a catalogue in the core folder or any of ``folders`` (default: the
    ones in force), sorted."""
    found = _stems(LOCALE)
    for folder in catalogue_folders() if folders is None else folders:
        found |= _stems(Path(folder))
    return tuple(sorted(found))


#: The languages of the core catalogues (one per ``render/locale/<lang>.po`` file).
LANGUAGES = languages(())


@functools.cache
def _compiled(path: Path) -> bytes:
    """One ``.po`` file compiled to ``.mo`` bytes in memory (so plural forms work)."""
    with path.open("rb") as f:
        catalog = read_po(f)  # the plural rule comes from the file's Plural-Forms header
    buf = io.BytesIO()
    write_mo(buf, catalog)
    return buf.getvalue()


def _merged(lang: str, folders: tuple[Path, ...]) -> Translations | None:
    """The core catalogue of ``lang`` with every folder's, later folders adding messages."""
    merged: Translations | None = None
    for folder in (LOCALE, *folders):
        path = Path(folder) / f"{lang}.po"
        if not path.is_file():
            continue
        found = Translations(fp=io.BytesIO(_compiled(path)))
        if merged is None:
            merged = found
        else:
            merged.merge(found)
    return merged


class Messages:
    """The messages of one language, over the core catalogues and plugin folders.

    Attributes:
        lang: the language.
        folders: the plugin catalogue folders merged after the core one.
    """

    def __init__(self, lang: str, folders: tuple[Path, ...] = ()) -> None:
        known = languages(folders)
        if lang not in known:
            raise InputError(f"language must be one of {list(known)!r}; got {lang!r}")
        self.lang, self.folders = lang, folders
        self._own = _merged(lang, folders)
        chain: NullTranslations = _merged(lang, folders) or NullTranslations()
        if lang != FALLBACK:
            english = _merged(FALLBACK, folders)
            if english is not None:
                chain.add_fallback(english)
        self._chain = chain
        self._number_system: str | None = None

    @property
    def number_system(self) -> str:
        """The digits this catalogue asks for (message ``number_system``): ``latn`` or
        ``deva``.

        Raises:
            InputError: the catalogue names another system.
        """
        if self._number_system is None:
            system = self.lookup("number_system") or "latn"
            if system not in NUMBER_SYSTEMS:
                raise InputError(
                    f"catalogue {self.lang}.po: number_system must be one of "
                    f"{list(NUMBER_SYSTEMS)!r}; got {system!r}"
                )
            self._number_system = system
        return self._number_system

    def lookup(self, msgid: str) -> str | None:
        """The message in this language only (no fallback), or None if it has none."""
        if self._own is None:
            return None
        text = self._own.gettext(msgid)
        return None if text == msgid or not text else text

    def __call__(self, msgid: str, **params: Any) -> str:
        """The message ``msgid`` with its ``{placeholders}`` filled from ``params``."""
        text = self._chain.gettext(msgid)
        return text.format(**params) if params else text

    def plural(self, msgid: str, msgid_plural: str, n: int, **params: Any) -> str:
        """The form of ``msgid`` for count ``n`` (the language's plural rule); ``n`` is also
        a placeholder."""
        return self._chain.ngettext(msgid, msgid_plural, n).format(n=n, **params)


@functools.cache
def _messages(lang: str, folders: tuple[Path, ...]) -> Messages:
    return Messages(lang, folders)


#: The last messages of each language, with the folders' tuple they were found for: a page
#: asks for its messages thousands of times under one set of folders (the same tuple), and
#: the cache's key would hash and compare every folder's path each time.
_LAST: dict[str, tuple[tuple[Path, ...], Messages]] = {}


def messages(lang: str) -> Messages:
    """The messages of ``lang`` over the core and the plugin catalogues in force, cached
    per language and set of folders.

    Raises:
        InputError: no catalogue for ``lang``.
    """
    folders = catalogue_folders()
    last = _LAST.get(lang)
    if last is not None and last[0] is folders:
        return last[1]
    found = _messages(lang, folders)
    _LAST[lang] = (folders, found)
    return found


def gettext(lang: str, msgid: str, **params: Any) -> str:
    """The core message ``msgid`` in ``lang``, placeholders filled from ``params``.

    Raises:
        InputError: no catalogue for ``lang``.
    """
    return messages(lang)(msgid, **params)


def ngettext(lang: str, msgid: str, msgid_plural: str, n: int, **params: Any) -> str:
    """The core message ``msgid`` in ``lang`` in the plural form for ``n``.

    Raises:
        InputError: no catalogue for ``lang``.
    """
    return messages(lang).plural(msgid, msgid_plural, n, **params)


#: ASCII digit -> Devanagari digit, from the Unicode database (Babel writes Latin digits only).
_DEVANAGARI = {
    ord(str(unicodedata.digit(ch))): ch
    for ch in map(chr, range(0x0900, 0x0980))
    if unicodedata.category(ch) == "Nd"
}


def number_system(lang: str) -> str:
    """The digits ``lang``'s catalogue asks for (its message ``number_system``): ``latn``
    (the default, also in Hindi) or ``deva`` (०१२…).

    Raises:
        InputError: the catalogue names another system.
    """
    return messages(lang).number_system


def to_digits(text: str, system: str) -> str:
    """``text``'s ASCII digits written in ``system`` (one of :data:`NUMBER_SYSTEMS`)."""
    return text.translate(_DEVANAGARI) if system == "deva" else text


def plain_digits(text: str, lang: str) -> str:
    """``text``'s ASCII digits in the catalogue's digits (:func:`number_system`): unchanged
    for ``latn``, Devanagari for ``deva``."""
    return to_digits(text, number_system(lang))


def officer_title(title: str, lang: str) -> str:
    """An officer's title from the data in ``lang``: the catalogue's ``officer.<title>``
    (``officer.BDO`` → ``खंड विकास अधिकारी``), else the title as the data gives it."""
    if not title:
        return title
    return messages(lang).lookup(f"officer.{title}") or title


def month_name(period: str, lang: str = "en", *, short: bool = False) -> str:
    """``"2021-01"`` -> ``"January 2021"`` / ``"जनवरी 2021"`` (``short``: the month alone, as
    the catalogue abbreviates it); other periods unchanged."""
    year, _, month = period.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return period
    if short:
        return gettext(lang, f"month_short.{int(month)}")
    month_word = gettext(lang, f"month.{int(month)}")
    return gettext(lang, "month_year", month=month_word, year=plain_digits(year, lang))


def band_label(bands: Bands, label: str, lang: str) -> str:
    """A band's name in ``lang``: the framework's own name first (``labels`` in English,
    ``labels_hi`` in Hindi when given), else the catalogue's ``band.<label>``, else ``label``;
    ``""`` (no band) is the catalogue's ``insufficient``."""
    if not label:
        return gettext(lang, "insufficient")
    if lang == FALLBACK:
        return label
    if lang == "hi" and bands.labels_hi and label in bands.labels:
        return bands.labels_hi[bands.labels.index(label)]
    return messages(lang).lookup(f"band.{label}") or label
