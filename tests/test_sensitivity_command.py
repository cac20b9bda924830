"""``egov-score sensitivity`` and ``egov-score review --uncertainty`` (issue 15, point 5)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.cli import main

JAIPUR = datasets.path("jaipur")
UNCERTAINTY = """[uncertainty]
seed = 11
runs = 30
interval = [0.05, 0.95]
weights = {kind = "share", share = 0.5}
normalisation = ["minmax", "zscore"]
"""


@pytest.fixture
def declared(tmp_path: Path) -> Path:
    path = tmp_path / "uncertainty.toml"
    path.write_text(UNCERTAINTY, encoding="utf-8")
    return path


def _run(out: Path, declared: Path, *extra: str) -> int:
    args = ["sensitivity", "--data", str(JAIPUR), "--uncertainty", str(declared)]
    args += ["--month", "2021-01", "--runs", "12", "--out", str(out), "--quiet", *extra]
    return main(args)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path, declared: Path) -> None:
    assert _run(tmp_path / "a", declared) == 0
    assert _run(tmp_path / "b", declared) == 0
    files = _files(tmp_path / "a")
    assert {"ranks.csv", "sensitivity.json", "sensitivity.html"} <= set(files)
    assert files == _files(tmp_path / "b")
    assert _run(tmp_path / "c", declared, "--seed", "12") == 0
    assert _files(tmp_path / "c")["ranks.csv"] != files["ranks.csv"]


def test_ranks_csv_covers_every_level_in_both_scopes(tmp_path: Path, declared: Path) -> None:
    assert _run(tmp_path / "out", declared, "--no-bom") == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "ranks.csv").read_text("utf-8"))))
    assert {r["period"] for r in rows} == {"2021-01"}
    levels = {(r["level"], r["scope"]) for r in rows}
    assert ("district", "level") in levels
    assert ("district", "parent") in levels
    assert ("machine", "level") in levels
    html = (tmp_path / "out" / "sensitivity.html").read_text(encoding="utf-8")
    assert "units in the middle are not shown" in html  # the machines: thousands of them


def test_review_with_uncertainty_shows_intervals_on_the_cards(
    tmp_path: Path, declared: Path
) -> None:
    out = tmp_path / "review"
    args = ["review", "--data", str(JAIPUR), "--uncertainty", str(declared)]
    assert main([*args, "--formats", "md", "--out", str(out), "--quiet"]) == 0
    cards = sorted((out / "district").glob("*.md"))
    assert cards
    assert all("plausible method choice" in p.read_text(encoding="utf-8") for p in cards)
    division = (out / "division.md").read_text(encoding="utf-8")
    assert "Rank intervals under plausible method choices" in division
    awards = out / "awards.md"
    if awards.exists():
        assert "of runs" in awards.read_text(encoding="utf-8")


def test_removal_importance_is_written_for_every_level_of_more_than_one_unit(
    tmp_path: Path, declared: Path
) -> None:
    from egov_score.engine.removal import removal_importance
    from egov_score.pipeline import load

    assert _run(tmp_path / "out", declared, "--no-bom") == 0
    text = (tmp_path / "out" / "removal.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    kinds = {(r["level"], r["kind"]) for r in rows}
    assert ("district", "indicator") in kinds
    assert ("block", "group") in kinds
    assert not any(r["level"] == "division" for r in rows)  # one unit: nothing to compare
    # The same numbers as removing each element by hand through the API.
    expected = removal_importance(load(JAIPUR), level="block", period="2021-01")
    got = {r["element"]: r for r in rows if (r["level"], r["kind"]) == ("block", "indicator")}
    assert list(got) == list(expected.elements)
    for code, mean in zip(expected.elements, expected.mean_abs_rank_change, strict=True):
        assert float(got[code]["mean_abs_rank_change"] or "nan") == pytest.approx(
            float(mean), nan_ok=True
        )
    html = (tmp_path / "out" / "sensitivity.html").read_text(encoding="utf-8")
    assert html.count("<svg") > 3


def test_review_refuses_an_analysis_with_global_normalisation(
    tmp_path: Path, declared: Path, capsys
) -> None:
    out = tmp_path / "review"
    args = ["review", "--data", str(JAIPUR), "--uncertainty", str(declared)]
    assert main([*args, "--normalisation", "global", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "must not be combined with --normalisation global" in err
    assert not out.exists()
