"""``egov-score review`` and :func:`egov_score.run_review`: the demo's review on any data folder.

The demo is the review on the built-in data (one code path), so on the exported demo data the
review must write byte for byte the files the demo writes, and print the same tables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import egov_score as eg
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.io.table import Table, write_csv
from egov_score.render.review_run import awards_occasion


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    assert main(["demo", "--export", str(folder)]) == 0
    return folder


def _copy(exported: Path, data: Path, leave_out: str = "") -> Path:
    """A copy of the exported data to spoil, without the file ``leave_out``."""
    data.mkdir()
    for p in exported.iterdir():
        if p.name != leave_out:
            (data / p.name).write_bytes(p.read_bytes())
    return data


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_review_on_the_exported_data_writes_exactly_what_the_demo_writes(
    exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    demo_text = capsys.readouterr().out
    assert main(["review", "--data", str(exported), "--out", str(tmp_path / "review")]) == 0
    review_text = capsys.readouterr().out
    demo, review = _files(tmp_path / "demo"), _files(tmp_path / "review")
    # cards, division, awards, index.{json,html,md}, an action list per district and block,
    # and the folder's manifest
    assert len(demo) == 5 * 4 + 72 * 4 + 2 + 4 + 3 + (5 + 72) + 1
    assert sorted(demo) == sorted(review)
    for name in demo:  # HTML too: nothing in a card depends on where the data was read from
        if name != ".egov-score.json":  # the manifest names its command and time
            assert demo[name] == review[name], name
    assert demo_text.replace(str(tmp_path / "demo"), "OUT") == review_text.replace(
        str(tmp_path / "review"), "OUT"
    )
    assert "Alwar (District)" in review_text  # the award headline


def test_demo_files_are_unchanged_but_for_the_index(tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    top = sorted(p.name for p in tmp_path.iterdir())
    assert top == [
        ".egov-score.json",
        "actions",
        "awards.csv",
        "awards.html",
        "awards.json",
        "awards.md",
        "block",
        "district",
        "division.html",
        "division.md",
        "index.html",
        "index.json",
        "index.md",
    ]


def test_both_languages_write_two_folders_and_one_index(exported: Path, tmp_path: Path) -> None:
    run = eg.run_review(exported, lang="both", formats=["html", "csv"], out=tmp_path)
    assert [e.lang for e in run.editions] == ["en", "hi"]
    for lang in ("en", "hi"):
        names = {p.suffix for p in (tmp_path / lang / "block").iterdir()}
        assert names == {".html", ".csv"}
        assert (tmp_path / lang / "division.html").exists()
        assert (tmp_path / lang / "awards.html").exists()
    assert not (tmp_path / "en" / "awards.md").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<section lang="hi">' in index
    assert '<section lang="en">' in index
    assert '<a href="hi/district/alwar-87.html">अलवर</a>' in index
    assert '<a href="en/district/alwar-87.html">Alwar</a>' in index
    assert 'href="hi/awards.html"' in index
    assert 'href="en/division.html"' in index
    assert index.count('href="en/block/') == 72 * 3  # the name and both formats
    md = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert (
        "- जिला: **अलवर** — [html](<hi/district/alwar-87.html>) · [csv](<hi/district/alwar-87.csv>)"
        in md
    )
    assert "- Block: **Bansur** (Alwar) — [html](<en/block/bansur-574.html>)" in md
    assert run.folder("hi") == tmp_path / "hi"


def test_one_language_writes_into_the_output_folder(exported: Path, tmp_path: Path) -> None:
    run = eg.run_review(exported, lang="hi", formats=["md"], out=tmp_path)
    assert (tmp_path / "district" / "alwar-87.md").read_text(encoding="utf-8").startswith("# मासिक")
    assert not list(tmp_path.glob("*/*.html"))
    md = (tmp_path / "index.md").read_text(encoding="utf-8")
    assert "[संभाग सारांश](<division.md>)" in md
    assert "[पुरस्कार](<awards.md>)" in md
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    assert index["files"]["district"]["D-87"] == "district/alwar-87"
    assert run.awards is not None


def test_a_month_outside_every_award_window_writes_a_note_not_awards(
    exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["review", "--data", str(exported), "--month", "2020-03", "--out", str(tmp_path)]
    assert main(args) == 0
    assert "the award window 2019-08..2019-12 must hold scored months" in capsys.readouterr().out
    assert not list(tmp_path.glob("awards.*"))
    assert "awards" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_awards_on_request_use_the_latest_such_occasion(exported: Path, tmp_path: Path) -> None:
    run = eg.run_review(exported, awards="independence_day", formats=["json"], out=tmp_path)
    assert run.awards is not None
    assert run.awards.window == ("2020-01", "2020-07")
    assert json.loads((tmp_path / "awards.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("month", "occasion", "expected"),
    [
        ("2021-01", None, ("republic_day", 2021)),
        ("2020-07", None, ("republic_day", 2020)),
        ("2020-08", None, ("independence_day", 2020)),
        ("2021-01", "independence_day", ("independence_day", 2020)),
        ("2020-09", "independence_day", ("independence_day", 2020)),
        ("2020-09", "republic_day", ("republic_day", 2020)),
    ],
)
def test_awards_occasion(month: str, occasion: str | None, expected: tuple[str, int]) -> None:
    assert awards_occasion(month, occasion) == expected


def test_an_unknown_occasion_is_named() -> None:
    with pytest.raises(InputError, match=r"--awards must be one of .*; got 'diwali'"):
        awards_occasion("2021-01", "diwali")


def test_the_api_refuses_an_unknown_language_or_format(exported: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"lang must be one of \['en', 'hi', 'both'\]; got 'fr'"):
        eg.run_review(exported, lang="fr", out=tmp_path)
    with pytest.raises(InputError, match=r"formats must be one or more of .*; got \['pdf'\]"):
        eg.run_review(exported, formats=["pdf"], out=tmp_path)
    with pytest.raises(InputError, match="a data folder or a loaded job is needed; got neither"):
        eg.run_review(out=tmp_path)
    assert not list(tmp_path.iterdir())  # refused before anything was written


def test_units_may_come_from_elsewhere(exported: Path, tmp_path: Path) -> None:
    data = _copy(exported, tmp_path / "data", leave_out="units.csv")
    with pytest.raises(InputError, match=r"must hold units\.csv or units\.xlsx"):
        eg.run_review(data, out=tmp_path / "out")
    run = eg.run_review(data, units=exported / "units.csv", formats=["json"], out=tmp_path / "out")
    assert len(run.review.result.level("district").codes) == 5


def test_unit_names_are_data_on_the_index(exported: Path, tmp_path: Path) -> None:
    data = _copy(exported, tmp_path / "data")
    units = Table.from_csv(data / "units.csv")
    names = units.columns["name"].copy()
    names[units.columns["code"] == "D-87"] = "<script>alert(1)</script> [x](javascript:y)"
    write_csv(data / "units.csv", {**units.columns, "name": names})
    eg.run_review(data, formats=["html"], out=tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = (tmp_path / "out" / "index.md").read_text(encoding="utf-8")
    assert "<script>" not in md
    assert "](javascript" not in md


def test_the_review_command_writes_rejects_with_drop_bad_rows(
    exported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _copy(exported, tmp_path / "data")
    pension = Table.from_csv(data / "pension.csv")
    verified = pension.columns["verified"].copy()
    verified[0] = "lots"
    write_csv(data / "pension.csv", {**pension.columns, "verified": verified})
    out = tmp_path / "out"
    args = ["review", "--data", str(data), "--formats", "json", "--out", str(out)]
    assert main(args) == 2
    assert "pension.csv" in capsys.readouterr().err
    assert main([*args, "--drop-bad-rows"]) == 0
    assert "1 cells rejected" in capsys.readouterr().err
    assert (out / "rejects.csv").exists()
