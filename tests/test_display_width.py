"""Terminal columns of Devanagari (and wide) text, and tables aligned by them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.cli import main
from egov_score.render.text_table import display_width, render_table


@pytest.mark.parametrize(
    ("text", "width"),
    [
        ("अलवर", 4),  # four letters
        ("जिला", 4),  # ज ि ल ा: the spacing vowel signs (Mc) take a column each
        ("झुंझुनूं", 3),  # u, uu and anusvara sit on their letters (Mn)
        ("श्रेणी", 4),  # a conjunct: the virama and e-sign take none
        ("ज़िला", 4),  # the nukta takes none
        ("क\u200dष", 2),  # a zero-width joiner takes none
        ("中文", 4),  # East Asian wide: two columns each
        ("ＡＢ", 4),  # fullwidth
        ("e\u0301", 1),  # a Latin combining acute
        ("Alwar", 5),
        ("", 0),
    ],
)
def test_display_width_known(text, width):
    assert display_width(text) == width


def _reference(text: str) -> int:
    """The same rule, one character at a time, spelled out."""
    total = 0
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") or unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


hindi = st.text(
    alphabet=st.characters(min_codepoint=0x0900, max_codepoint=0x097F) | st.sampled_from(" -1"),
    max_size=12,
)


@given(hindi, hindi)
def test_width_adds_up_and_matches_the_reference(a, b):
    assert display_width(a + b) == display_width(a) + display_width(b)
    assert display_width(a) == _reference(a)


def _starts(line: str, cells: list[str]) -> list[int]:
    """The display column where each cell starts in ``line``, looking left to right."""
    out, at = [], 0
    for cell in cells:
        at = line.index(cell, at)
        out.append(display_width(line[:at]))
        at += len(cell)
    return out


def test_hindi_table_columns_line_up():
    header = ["जिला", "श्रेणी", "स्कोर"]
    rows = [["अलवर", "अग्रणी", "76.8"], ["झुंझुनूं", "प्रदर्शक", "73.4"], ["जयपुर", "उपलब्धि", "100.0"]]
    lines = render_table(header, rows, [False, False, True]).splitlines()
    rule = lines[1]
    spans = [(i, i + len(run)) for i, run in _runs(rule)]
    for line, cells in zip([lines[0], *lines[2:]], [header, *rows], strict=True):
        starts = _starts(line, cells)
        assert starts[:2] == [spans[0][0], spans[1][0]], line  # left-aligned: same start
        end = starts[2] + display_width(cells[2])
        assert end == spans[2][1], line  # right-aligned: same end


def _runs(rule: str) -> list[tuple[int, str]]:
    out, i = [], 0
    for part in rule.split("  "):
        out.append((i, part))
        i += len(part) + 2
    return out


def test_score_summary_is_headed_by_scheme_names(tmp_path, capsys):
    small = Path(datasets.__file__).parent / "small"
    args = ["score", "--units", str(small / "units.csv"), "--values", str(small / "values.csv")]
    args += ["--framework", str(small / "framework.toml"), "--period", "2021-01"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    header = next(line for line in capsys.readouterr().out.splitlines() if "Rank" in line)
    assert "Machines working" in header
    assert "use" not in header.split()  # the group's code
