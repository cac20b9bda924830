"""``render/sensitivity.py``: the analysis as CSV, JSON and an HTML page with inline SVG; the
same analysis gives byte-identical files (issue 15, point 5)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from egov_score import datasets
from egov_score.model.sensitivity import (
    LevelSensitivity,
    RemovalImportance,
    Sensitivity,
    SobolIndices,
)
from egov_score.pipeline import Pipeline
from egov_score.render.sensitivity import (
    SHOWN,
    ranks_csv,
    sensitivity_html,
    sensitivity_json,
    write_sensitivity,
)
from egov_score.review.panel import Panel, score_panel
from tests.sensitivity_fixture import hand_sensitivity, stats_of

Small = tuple[Pipeline, Panel]


@pytest.fixture(scope="module")
def small() -> Small:
    data = datasets.load("small")
    return data, score_panel(data)


def _full(small: Small, seed: int = 7) -> Sensitivity:
    s = hand_sensitivity(small[1], seed=seed)
    one = np.array([0.4, 0.1])
    sobol = SobolIndices(
        level="district",
        output="mean absolute rank shift",
        choices=("weights", "normalisation"),
        first=one,
        total=np.array([0.7, 0.3]),
        first_low=one - 0.05,
        first_high=one + 0.05,
        total_low=np.array([0.6, 0.2]),
        total_high=np.array([0.8, 0.4]),
        confidence=0.95,
        samples=64,
    )
    removal = RemovalImportance(
        level="district",
        kind="indicator",
        elements=("geotag_rate", "inspection_rate"),
        mean_abs_rank_change=np.array([0.5, 0.0]),
        max_abs_rank_change=np.array([1.0, 0.0]),
    )
    return Sensitivity(
        runs=s.runs,
        seed=s.seed,
        choices=s.choices,
        interval=s.interval,
        top_k=s.top_k,
        bottom_k=s.bottom_k,
        robust_share=s.robust_share,
        levels=s.levels,
        sobol={"district": sobol},
        removal={("district", "indicator"): removal},
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_analysis_gives_byte_identical_files(small: Small, tmp_path: Path) -> None:
    first = write_sensitivity(_full(small), tmp_path / "a", hierarchy=small[0].hierarchy)
    write_sensitivity(_full(small), tmp_path / "b", hierarchy=small[0].hierarchy)
    assert {p.name for p in first} == {
        "ranks.csv",
        "sobol.csv",
        "removal.csv",
        "sensitivity.json",
        "sensitivity.html",
    }
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    write_sensitivity(_full(small, seed=8), tmp_path / "c", hierarchy=small[0].hierarchy)
    assert _files(tmp_path / "a")["ranks.csv"] != _files(tmp_path / "c")["ranks.csv"]


def test_ranks_csv_holds_every_unit_per_period_level_and_scope(small: Small) -> None:
    s = _full(small)
    rows = list(csv.DictReader(io.StringIO(ranks_csv(s))))
    expected = sum(2 * len(lv.ranks.codes) for lv in s.levels.values())
    assert len(rows) == expected
    one = next(r for r in rows if r["scope"] == "level" and r["level"] == "district")
    stats = s.levels[(one["period"], "district")].ranks
    i = stats.index(one["code"])
    assert (int(one["low"]), int(one["high"])) == stats.interval(one["code"])
    assert float(one["top_share"]) == stats.top_share[i]


def test_the_json_document_carries_settings_ranks_sobol_and_removal(small: Small) -> None:
    doc = sensitivity_json(_full(small))
    assert doc["schema"] == "egov_score.sensitivity/1"
    assert (doc["runs"], doc["seed"], doc["interval"]) == (40, 7, [0.05, 0.95])
    assert {(x["period"], x["level"]) for x in doc["levels"]} == set(_full(small).levels)
    assert doc["sobol"][0]["total"] == [0.7, 0.3]
    assert doc["removal"][0]["elements"] == ["geotag_rate", "inspection_rate"]
    json.dumps(doc, allow_nan=False)  # no NaN leaks into the document


def test_the_page_draws_intervals_with_titles_and_the_indices_as_bars(small: Small) -> None:
    html = sensitivity_html(_full(small), hierarchy=small[0].hierarchy)
    assert html.count("<svg") >= len(_full(small).levels) * 2 + 2
    assert "<title>Alwar (D-087): Rank 1" in html
    assert "first order" in html
    assert "total order" in html
    assert "Mean rank change when one element is left out" in html
    assert "http" not in re.sub(r'xmlns="http://www.w3.org/2000/svg"', "", html)
    hindi = sensitivity_html(_full(small), "hi", hierarchy=small[0].hierarchy)
    assert "अलवर" in hindi
    assert "प्रथम क्रम" in hindi


def test_a_level_of_many_units_shows_the_best_and_worst_and_says_how_many_are_left_out() -> None:
    n, runs = 230, 5
    rng = np.random.default_rng(0)
    codes = np.array([f"M{k:03d}" for k in range(n)])
    ranks = np.stack([rng.permutation(n) + 1 for _ in range(runs)])
    stats = stats_of("machine", "level", codes, np.arange(1, n + 1), ranks, (0.05, 0.95), 10)
    s = Sensitivity(
        runs=runs,
        seed=0,
        choices=("weights",),
        interval=(0.05, 0.95),
        top_k=10,
        bottom_k=10,
        robust_share=0.6,
        levels={
            ("2021-01", "machine"): LevelSensitivity(level="machine", period="2021-01", ranks=stats)
        },
    )
    html = sensitivity_html(s)
    assert html.count("<g><title>") == SHOWN
    assert f"{n - SHOWN} units in the middle are not shown" in html
    assert html.count("<svg") == SHOWN // 25
