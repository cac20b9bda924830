"""``egov-score score --effective-weights``: nominal and effective weights beside the scores."""

from __future__ import annotations

import json
import math

import pytest

from egov_score import datasets
from egov_score.cli import main
from egov_score.engine.weights import effective_weights_report
from tests.test_cli import ARGS


def test_score_writes_effective_weights_when_asked(tmp_path):
    assert main([*ARGS, "--out", str(tmp_path / "a"), "--quiet"]) == 0
    assert not (tmp_path / "a" / "effective_weights.json").exists()
    assert main([*ARGS, "--out", str(tmp_path / "b"), "--quiet", "--effective-weights"]) == 0
    report = json.loads((tmp_path / "b" / "effective_weights.json").read_text(encoding="utf-8"))
    assert report["period"] == "2021-01"
    machines = report["levels"]["machine"]["machines"]
    # declared weights 1, 1, 2: nominal shares 1/4, 1/4, 1/2
    assert machines["transacting_rate"]["weight"] == 2.0
    assert machines["transacting_rate"]["nominal"] == pytest.approx(0.5)
    effective = [c["effective"] for c in machines.values()]
    assert math.fsum(effective) == pytest.approx(1.0)
    # the division alone: no variance, no effective weight
    division = report["levels"]["division"]["index"]
    assert all(c["effective"] is None for c in division.values())


def test_the_report_matches_the_library():
    job = datasets.load("small")
    result = job.score("2021-01")
    report = effective_weights_report(result)
    assert list(report["levels"]) == list(job.framework.levels)
