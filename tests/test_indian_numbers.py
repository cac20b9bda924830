"""Indian number formatting (render/numbers.py): known answers from CLDR through Babel, the
Devanagari digits setting, and properties against a slow pure-Python reference."""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from egov_score.exceptions import InputError
from egov_score.plugins.section import Msg, Num, Section
from egov_score.render.card import section_text
from egov_score.render.messages import catalogues, month_name
from egov_score.render.numbers import (
    Localised,
    format_column,
    format_count,
    format_number,
    format_plain,
    format_short,
    format_signed,
    format_text,
)

# Known answers: CLDR's en_IN and hi_IN decimal pattern #,##,##0.### (three digits, then
# groups of two) and their long compact forms (0 lakh, 0 crore; 0 लाख, 0 करोड़).
KNOWN = [
    (1234567, 0, "12,34,567"),
    (12345678, 0, "1,23,45,678"),
    (100000, 0, "1,00,000"),
    (99999, 0, "99,999"),
    (999, 0, "999"),
    (0, 0, "0"),
    (-1234567, 0, "-12,34,567"),
    (1234567.25, 1, "12,34,567.2"),  # the digits of f"{x:.1f}" (half to even in binary)
    (76.83, 1, "76.8"),
    (0.15, 1, "0.1"),  # 0.15 is 0.1499… in binary: as the cards always wrote it
]


@pytest.mark.parametrize(("value", "digits", "shown"), KNOWN)
@pytest.mark.parametrize("lang", ["en", "hi"])
def test_indian_grouping_known_answers(value, digits, shown, lang):
    assert format_number(value, lang, digits) == shown


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (12345678, "en", "1.2\u202fcrore"),
        (1234567, "en", "12.3\u202flakh"),
        (100000, "en", "1\u202flakh"),
        (12345678, "hi", "1.2 करोड़"),
        (1234567, "hi", "12.3 लाख"),
        (12345, "en", "12,345"),  # below a lakh: the whole number, not "12.3 thousand"
        (12345, "hi", "12,345"),
    ],
)
def test_short_forms_lakh_and_crore(value, lang, shown):
    assert format_short(value, lang) == shown


def test_signed_count_plain_and_missing():
    assert format_signed(1.94, "en") == "+1.9"
    assert format_signed(0.0, "en") == "+0.0"
    assert format_signed(-123456.78, "hi") == "-1,23,456.8"
    assert format_count(2995, "en") == "2,995"
    assert format_plain(2021, "en") == "2021"  # a year is not grouped
    for missing in (math.nan, math.inf, -math.inf):
        assert format_number(missing) == format_signed(missing) == format_short(missing) == "–"


def test_localised_keeps_a_catalogue_format_spec():
    assert f"{Localised(1234567.25, 'en'):.1f}" == "12,34,567.2"
    assert f"{Localised(2.0, 'hi'):+.1f}" == "+2.0"
    assert f"{Localised(1234567, 'en')}" == "12,34,567"
    assert f"{Localised(0.5, 'en'):.0%}" == "50%"  # other specs are Python's own


def test_num_cells_grouped_for_people_plain_for_machines():
    section = Section(
        key="x.s",
        title="t",
        header=("name", "count"),
        rows=((Msg(("total",)), Num(1234567, share=98.123)), ("a", Num(math.nan))),
    )
    _, _, rows, _ = section_text(section, "en")
    assert rows == [["Total", "12,34,567 (98.1%)"], ["a", "–"]]
    _, _, rows, _ = section_text(section, "en", plain=True)
    assert rows == [["Total", "1234567 (98.1%)"], ["a", "–"]]


def _deva_catalogue(tmp_path: Path, system: str) -> Path:
    folder = tmp_path / system
    folder.mkdir()
    (folder / "hi.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "number_system"\nmsgstr "{system}"\n',
        encoding="utf-8",
    )
    return folder


def test_devanagari_digits_are_a_catalogue_setting(tmp_path):
    assert format_number(1234567.25, "hi") == "12,34,567.2"  # off by default
    with catalogues([_deva_catalogue(tmp_path, "deva")]):
        assert format_number(1234567.25, "hi") == "१२,३४,५६७.२"
        assert format_short(12345678, "hi") == "१.२ करोड़"
        assert month_name("2021-01", "hi") == "जनवरी २०२१"
        assert format_number(1234567.25, "en") == "12,34,567.2"  # English unchanged


def test_unknown_number_system_is_named(tmp_path):
    with (
        catalogues([_deva_catalogue(tmp_path, "roman")]),
        pytest.raises(InputError, match=r"hi\.po: number_system must be one of .*got 'roman'"),
    ):
        format_number(1, "hi")


def _reference(x: float, digits: int) -> str:
    """Indian grouping by hand, the slow way: the last three digits, then pairs."""
    text = f"{x:.{digits}f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, frac = text.partition(".")
    head, tail = whole[:-3], whole[-3:]
    pairs = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    grouped = ",".join([*pairs, tail])
    return sign + grouped + ("." + frac if frac else "")


finite = st.floats(min_value=-1e15, max_value=1e15, allow_nan=False)


@given(finite, st.integers(0, 3), st.sampled_from(["en", "hi"]))
def test_grouping_matches_a_slow_reference(x, digits, lang):
    assert format_number(x, lang, digits) == _reference(x, digits)


@given(finite, st.integers(0, 3))
def test_formatted_number_parses_back_to_the_rounded_value(x, digits):
    shown = format_number(x, "en", digits)
    assert parse_decimal(shown, locale="en_IN", strict=True) == Decimal(f"{x:.{digits}f}")


@pytest.fixture(scope="module")
def deva(tmp_path_factory):
    return _deva_catalogue(tmp_path_factory.mktemp("catalogue"), "deva")


@given(finite)
def test_devanagari_digits_parse_back(deva, x):
    with catalogues([deva]):
        shown = format_number(x, "hi", 1)
    ascii_digits = "".join(
        str(unicodedata.digit(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in shown
    )
    assert parse_decimal(ascii_digits, locale="hi_IN") == Decimal(f"{x:.1f}")


@given(st.floats(min_value=-1e11, max_value=1e11, allow_nan=False))
def test_short_form_is_within_rounding_of_the_value(x):
    shown = format_short(x, "en")
    if abs(round(x)) < 100_000:
        assert shown == format_number(x, "en", 0)
        return
    number, _, word = shown.partition("\u202f")
    scale = {"lakh": 1e5, "crore": 1e7}[word]
    assert abs(float(number) * scale - x) <= 0.05 * scale + 0.5


@given(st.lists(st.one_of(finite, st.just(math.nan)), max_size=30), st.integers(0, 2))
def test_a_column_is_formatted_like_each_value(values, digits):
    column = format_column(np.asarray(values, dtype=np.float64), "en", digits)
    assert column.tolist() == [format_number(x, "en", digits) for x in values]


def test_numbers_written_as_text_in_numeric_columns_are_grouped():
    section = Section(
        key="x.s",
        title="t",
        header=("code", "count"),
        rows=(("1234567", "1234567"), ("B-1", "2995.50"), ("x", "n/a")),
        numeric=frozenset({1}),
    )
    _, _, rows, _ = section_text(section, "hi")
    assert rows == [["1234567", "12,34,567"], ["B-1", "2,995.50"], ["x", "n/a"]]
    _, _, rows, _ = section_text(section, "hi", plain=True)
    assert rows == [["1234567", "1234567"], ["B-1", "2995.50"], ["x", "n/a"]]
    assert format_text("-1234567.891") == "-12,34,567.891"
    assert format_text("12 lakh") == "12 lakh"
