"""Numbers as an Indian reader reads them: 12,34,567 and "12.3 lakh", in every language.

Every number a person reads (HTML, Markdown, terminal text, the words of a card) goes through
this module; numbers meant for machines (JSON, the score and action-list CSVs, the card CSV's
value columns) stay plain (``1234567.25``). Grouping and the lakh/crore short forms come from
CLDR through Babel, in the language's Indian locale (``en`` → ``en_IN``, ``hi`` → ``hi_IN``):
the thousands are grouped once, then every two digits (``#,##,##0``).

A number is rounded first by Python's own formatting (``f"{x:.1f}"``, as the cards always were)
and the rounded decimal is then grouped by Babel, so grouping never changes a digit. Babel's
pattern objects are parsed once per locale and precision, and each distinct value is formatted
once (a cache), so a column of thousands of values costs one Babel call per distinct value.

Devanagari digits (०१२…) are a catalogue setting: the message ``number_system`` of a language's
catalogue is ``latn`` (the default, also for Hindi: official Hindi documents and data portals
use international digits) or ``deva``. Babel formats with Latin digits only, so ``deva`` maps
the digits afterwards through the Unicode database (``unicodedata.digit``).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal
from typing import Any

import numpy as np
from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, format_compact_decimal, parse_pattern

from egov_score.render.messages import NUMBER_SYSTEMS, number_system, to_digits

__all__ = [
    "LAKH",
    "LOCALES",
    "MISSING",
    "NUMBER_SYSTEMS",
    "Localised",
    "babel_locale",
    "format_column",
    "format_count",
    "format_number",
    "format_plain",
    "format_short",
    "format_signed",
    "format_text",
    "number_system",
]

#: The Babel locale each language's numbers are written in; any other language ``xx`` is
#: tried as ``xx_IN``, then ``xx``.
LOCALES = {"en": "en_IN", "hi": "hi_IN"}
#: From here up, :func:`format_short` writes lakh and crore (``12.3 lakh``).
LAKH = 100_000
#: What a missing number is shown as.
MISSING = "–"
_INFINITE = (math.inf, -math.inf)


@functools.cache
def babel_locale(lang: str) -> Locale:
    """The Babel locale of ``lang``'s numbers (:data:`LOCALES`; ``xx_IN``, else ``xx``, else
    ``en_IN`` for a language CLDR does not know)."""
    for name in (LOCALES.get(lang), f"{lang}_IN", lang):
        if name is None:
            continue
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(LOCALES["en"])


@functools.cache
def _pattern(lang: str, digits: int, grouped: bool, signed: bool) -> NumberPattern:
    """The locale's own decimal pattern (``#,##,##0.###`` in ``en_IN``) with ``digits``
    fixed decimals; ungrouped, ``0`` and the decimals; ``signed``, with a plus sign."""
    base = babel_locale(lang).decimal_formats[None].pattern.split(";")[0].split(".")[0]
    if not grouped:
        base = "0"
    body = base + ("." + "0" * digits if digits else "")
    return parse_pattern(f"+{body};-{body}" if signed else body)


@functools.lru_cache(maxsize=1 << 16)
def _apply(text: str, lang: str, digits: int, grouped: bool, signed: bool, system: str) -> str:
    shown = _pattern(lang, digits, grouped, signed).apply(Decimal(text), babel_locale(lang))
    return to_digits(shown, system)


def _rounded(x: float, digits: int) -> str | None:
    """``x`` rounded as Python writes it (``f"{x:.1f}"``), or None when missing."""
    if x != x or x in _INFINITE:  # NaN is the one value not equal to itself
        return None
    return f"{x:.{digits}f}"


def format_number(x: float, lang: str = "en", digits: int = 1, *, grouped: bool = True) -> str:
    """``x`` with ``digits`` decimals in Indian grouping: ``1234567.25`` → ``"12,34,567.2"``
    (the digits of ``f"{x:.1f}"``); ``"–"`` for NaN or infinity.

    Args:
        x: the number.
        lang: the language (its locale's separators, its catalogue's digits).
        digits: decimals shown.
        grouped: group the digits (False for a year or a code-like number).
    """
    text = _rounded(x, digits)
    if text is None:
        return MISSING
    return _apply(text, lang, digits, grouped, False, number_system(lang))


#: A number written as plain text: an optional minus, digits, optional decimals.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def format_text(text: str, lang: str = "en") -> str:
    """A number already written as plain text (``"1065"``, ``"2995.5"``) in Indian grouping
    with the same digits (``"1,065"``); any other text unchanged."""
    if not _PLAIN.fullmatch(text):
        return text
    digits = len(text.partition(".")[2])
    return _apply(text, lang, digits, True, False, number_system(lang))


def format_signed(x: float, lang: str = "en", digits: int = 1) -> str:
    """``x`` with its sign always shown: ``+1.9``, ``-0.3``, ``+12,345.0``; ``"–"`` if
    missing."""
    text = _rounded(x, digits)
    if text is None:
        return MISSING
    return _apply(text, lang, digits, True, True, number_system(lang))


def format_count(n: int | float, lang: str = "en") -> str:
    """A whole number in Indian grouping: ``2995`` → ``"2,995"``, ``1234567`` →
    ``"12,34,567"``; ``"–"`` if missing."""
    return format_number(n, lang, 0)


def format_plain(n: int, lang: str = "en") -> str:
    """A whole number without grouping, in the catalogue's digits (a year: ``2021``)."""
    return format_number(n, lang, 0, grouped=False)


@functools.lru_cache(maxsize=1 << 14)
def _short(text: str, lang: str, system: str) -> str:
    shown = format_compact_decimal(
        Decimal(text), format_type="long", locale=babel_locale(lang), fraction_digits=1
    )
    return to_digits(shown, system)


def format_short(x: float, lang: str = "en") -> str:
    """A big count in words where space is short: ``12345678`` → ``"1.2 crore"`` (Hindi
    ``"1.2 करोड़"``), ``1234567`` → ``"12.3 lakh"``; below one lakh the whole number
    (``"12,345"``), as CLDR's "thousand" is not how Indian readers count."""
    text = _rounded(x, 0)
    if text is None:
        return MISSING
    if abs(float(text)) < LAKH:
        return format_count(float(text), lang)
    return _short(text, lang, number_system(lang))


def format_column(values: Any, lang: str = "en", digits: int = 1) -> np.ndarray[Any, Any]:
    """:func:`format_number` of every value of a column, formatting each distinct value
    once.

    Args:
        values: numbers (array-like).
        lang: the language.
        digits: decimals shown.

    Returns:
        an array of strings, one per value.
    """
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if not len(arr):
        return np.zeros(0, dtype=np.str_)
    rounded = np.char.mod(f"%.{digits}f", arr)  # the same digits as f"{x:.{digits}f}"
    distinct, back = np.unique(rounded, return_inverse=True)
    system = number_system(lang)
    words = [
        MISSING
        if text.lstrip("+-") in ("nan", "inf")
        else _apply(text, lang, digits, True, False, system)
        for text in distinct.tolist()
    ]
    return np.asarray(words, dtype=np.str_)[back.reshape(-1)]


#: The format specs :class:`Localised` writes in the language's way: an optional ``+``, an
#: optional precision, ``f`` or ``d`` (or nothing).
_SPEC = re.compile(r"(\+?)(?:\.(\d+))?([fd]?)")


class Localised:
    """A number for a catalogue message: ``{mean:.1f}`` and ``{x:+.1f}`` in the message
    format it with Indian grouping and the catalogue's digits (:func:`format_number`,
    :func:`format_signed`), so a catalogue keeps its Python format specs; any other spec is
    Python's own.

    Args:
        value: the number.
        lang: the language.
    """

    def __init__(self, value: float, lang: str) -> None:
        self.value, self.lang = value, lang

    def __format__(self, spec: str) -> str:
        m = _SPEC.fullmatch(spec)
        if m is None:
            return format(self.value, spec)
        sign, precision, kind = m.groups()
        if precision is None:
            precision = (
                "6" if kind == "f" else "0" if kind == "d" or isinstance(self.value, int) else ""
            )
        if precision == "":  # a bare {x} of a float: Python's shortest repr, in the digits
            return to_digits(format(self.value, spec), number_system(self.lang))
        digits = int(precision)
        if sign:
            return format_signed(self.value, self.lang, digits)
        return format_number(self.value, self.lang, digits)

    def __str__(self) -> str:
        return format(self, "")
