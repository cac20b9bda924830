"""The analysis report (issue 14 point 6): correlations, Cronbach's alpha, flags, HTML and JSON."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.kernels.correlation import (
    average_ranks,
    cronbach_alpha,
    pearson,
    pearson_matrix,
    spearman_matrix,
)
from egov_score.render.analysis import analysis_html, analysis_json
from egov_score.review.analysis import analyse
from tests.test_cli import ARGS

SMALL = datasets.path("small")
INPUTS = ARGS[1:]  # the score command's inputs: analyse takes the same

X = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
Y = np.array([2.0, 4.0, 5.0, 4.0, 5.0])


# -- known answers, by hand ------------------------------------------------------------------


def test_pearson_by_hand():
    # dx = -2 -1 0 1 2, dy = -2 0 1 0 1: sum dx dy = 6, sum dx^2 = 10, sum dy^2 = 6
    assert pearson(X, Y) == pytest.approx(6 / math.sqrt(60), abs=1e-15)


def test_spearman_by_hand_with_average_ranks_for_ties():
    # ranks of Y: 1, 2.5, 4.5, 2.5, 4.5; d = -2 -.5 1.5 -.5 1.5: sum dx d = 7, sum d^2 = 9
    assert average_ranks(Y).tolist() == [1.0, 2.5, 4.5, 2.5, 4.5]
    rho = spearman_matrix(np.column_stack([X, Y]))
    assert rho[0, 1] == pytest.approx(7 / math.sqrt(90), abs=1e-15)
    assert rho[0, 0] == rho[1, 1] == 1.0


def test_cronbach_alpha_by_hand():
    # var X = 2.5, var Y = 1.5, sums 3 6 8 8 10 with var 7: alpha = 2 * (1 - 4/7) = 6/7
    alpha, n = cronbach_alpha(np.column_stack([X, Y]))
    assert alpha == pytest.approx(6 / 7, abs=1e-15)
    assert n == 5


def test_cronbach_alpha_uses_pairwise_covariances_as_coinr():
    # one row missing Y: var X and cov(X, Y) over their own rows, as R's cov(use = "pairwise")
    m = np.column_stack([np.append(X, 100.0), np.append(Y, np.nan)])
    cov = np.cov(np.append(X, 100.0), ddof=1), np.var(Y, ddof=1), np.cov(X, Y, ddof=1)[0, 1]
    want = 2 * (1 - (cov[0] + cov[1]) / (cov[0] + cov[1] + 2 * cov[2]))
    alpha, complete = cronbach_alpha(m)
    assert alpha == pytest.approx(want, abs=1e-12)
    assert complete == 5


# COINr's "Analysis" vignette (docs/articles/analysis.html), on the ASEM raw data:
# get_corr(coin, dset = "Raw", iCodes = list("Environ"), Levels = 1) and
# get_cronbach(coin, dset = "Raw", iCodes = "P2P", Level = 1) = 0.05126659.
ASEM = Path(__file__).resolve().parent.parent / "examples" / "asem" / "data"


def asem_column(rows, code):
    return np.array([float(r[code]) if r[code] not in ("", "NA") else np.nan for r in rows])


def test_asem_correlations_and_alpha_match_coinr():
    with open(ASEM / "ASEM_iData.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(ASEM / "ASEM_iMeta.csv", encoding="utf-8") as fh:
        p2p = [m["iCode"] for m in csv.DictReader(fh) if m["Parent"] == "P2P"]
    co2 = asem_column(rows, "CO2")
    for code, want in (("MatCon", 0.7222051), ("PrimEner", 0.3268484), ("Renew", -0.5986338)):
        assert round(pearson(co2, asem_column(rows, code)), 7) == want
    # printed to 2 places in COINr's wide matrix
    assert round(pearson(asem_column(rows, "Forest"), asem_column(rows, "Renew")), 2) == 0.35
    assert round(pearson(asem_column(rows, "MatCon"), asem_column(rows, "PrimEner")), 2) == 0.38
    alpha, _ = cronbach_alpha(np.column_stack([asem_column(rows, c) for c in p2p]))
    assert round(alpha, 8) == 0.05126659


def test_pairwise_complete_and_undefined_cases():
    x = np.array([1.0, 2.0, np.nan, 4.0])
    y = np.array([1.0, np.nan, 3.0, 2.0])
    # the pair (1, 1), (4, 2): two points, r = 1
    assert pearson(x, y) == 1.0
    assert math.isnan(pearson(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])))
    assert math.isnan(pearson(np.array([1.0]), np.array([2.0])))
    assert math.isnan(cronbach_alpha(np.column_stack([X]))[0])


# -- against a slow pure-Python reference ----------------------------------------------------


def ref_pearson(xs, ys):
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if a == a and b == b]
    if len(pairs) < 2:
        return math.nan
    ma = math.fsum(a for a, _ in pairs) / len(pairs)
    mb = math.fsum(b for _, b in pairs) / len(pairs)
    sab = math.fsum((a - ma) * (b - mb) for a, b in pairs)
    saa = math.fsum((a - ma) ** 2 for a, _ in pairs)
    sbb = math.fsum((b - mb) ** 2 for _, b in pairs)
    if saa == 0 or sbb == 0:
        return math.nan
    return sab / math.sqrt(saa * sbb)


def ref_ranks(xs):
    return [1 + sum(1 for y in xs if y < x) + (sum(1 for y in xs if y == x) - 1) / 2 for x in xs]


def ref_spearman(xs, ys):
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if a == a and b == b]
    return ref_pearson(ref_ranks([a for a, _ in pairs]), ref_ranks([b for _, b in pairs]))


# Scores as a report shows them (0-100, three decimals): no subnormal spreads that underflow.
cells = st.one_of(
    st.just(math.nan), st.integers(0, 5).map(float), st.floats(0, 100).map(lambda x: round(x, 3))
)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda n: st.lists(st.tuples(cells, cells, cells), min_size=n, max_size=n)
    )
)
def test_matrices_match_the_reference(rows):
    m = np.array(rows, dtype=np.float64)
    r, rho = pearson_matrix(m), spearman_matrix(m)
    for i in range(3):
        for j in range(3):
            want_r = ref_pearson(m[:, i].tolist(), m[:, j].tolist())
            want_rho = ref_spearman(m[:, i].tolist(), m[:, j].tolist())
            for got, want in ((r[i, j], want_r), (rho[i, j], want_rho)):
                if math.isnan(want):
                    # a spread lost to rounding may still be found by the reference: both tiny
                    assert math.isnan(got) or abs(got) <= 1.0
                else:
                    assert got == pytest.approx(want, abs=1e-9)
                assert np.isnan(got) or -1.0 <= got <= 1.0
    assert np.array_equal(r, r.T, equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(cells, cells, cells), min_size=0, max_size=12))
def test_alpha_matches_the_reference(rows):
    m = np.array(rows, dtype=np.float64).reshape(len(rows), 3)
    got, n = cronbach_alpha(m)
    assert n == sum(1 for r in rows if all(c == c for c in r))

    def cov(i, j):
        pairs = [(r[i], r[j]) for r in rows if r[i] == r[i] and r[j] == r[j]]
        if len(pairs) < 2:
            return None
        ma = math.fsum(a for a, _ in pairs) / len(pairs)
        mb = math.fsum(b for _, b in pairs) / len(pairs)
        return math.fsum((a - ma) * (b - mb) for a, b in pairs) / (len(pairs) - 1)

    c = {(i, j): cov(i, j) for i in range(3) for j in range(3)}
    total = math.fsum(v for v in c.values() if v is not None)
    diagonal = [c[i, i] for i in range(3) if c[i, i] is not None]
    if total <= 1e-9 or not diagonal:
        return  # no spread (or rounding of none): undefined either way
    want = 1.5 * (1 - math.fsum(diagonal) / total)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-6)


# -- the records, the report and the command -------------------------------------------------


@pytest.fixture(scope="module")
def result():
    job = eg.load(
        units=SMALL / "units.csv", framework=SMALL / "framework.toml", values=SMALL / "values.csv"
    )
    return job.score("2021-01")


def test_analyse_covers_every_group_and_flags_pairs(result):
    a = analyse(result)
    assert a.level == "machine"
    assert [g.group for g in a.groups] == ["index", "machines", "use"]
    machines = a.group("machines")
    assert machines.children == ("inspection_rate", "geotag_rate", "transacting_rate")
    lv = result.level("machine")
    want = ref_pearson(
        lv.normalised["inspection_rate"].tolist(), lv.normalised["geotag_rate"].tolist()
    )
    assert machines.pearson[0, 1] == pytest.approx(want, abs=1e-12)
    assert machines.parent_pearson[0] == pytest.approx(
        ref_pearson(lv.normalised["inspection_rate"].tolist(), lv.groups["machines"].tolist()),
        abs=1e-12,
    )
    kinds = {(f.a, f.b, f.kind) for f in a.flags}
    assert ("inspection_rate", "transacting_rate", "collinear") in kinds
    assert ("inspection_rate", "geotag_rate", "negative") in kinds
    assert all(f.r < 0 for f in a.flags if f.kind == "negative")
    assert all(abs(f.r) > 0.9 for f in a.flags if f.kind == "collinear")


def test_collinear_threshold_is_a_parameter(result):
    assert not [f for f in analyse(result, collinear=1.0).flags if f.kind == "collinear"]
    with pytest.raises(InputError, match="collinear must be in"):
        analyse(result, collinear=0)
    with pytest.raises(InputError):
        analyse(result).group("nope")


def test_json_is_strict_and_html_self_contained(result):
    a = analyse(result, "block")
    doc = json.loads(analysis_json(a))
    assert doc["level"] == "block"
    assert {g["group"] for g in doc["groups"]} == {"index", "machines", "use"}
    html = analysis_html(a)
    assert html.count("<svg") == 2 * len(a.groups)
    assert 'viewBox="0 0 ' in html
    assert 'name="viewport"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "<script" not in html


def test_analyse_command_writes_html_and_json(tmp_path, capsys):
    out = tmp_path / "an"
    assert main(["analyse", *INPUTS, "--out", str(out), "--level", "block"]) == 0
    assert (out / "analysis.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["level"] == "block"
    assert "flagged pairs" in capsys.readouterr().out


def test_analyse_command_refuses_an_unknown_level(tmp_path, capsys):
    assert main(["analyse", *INPUTS, "--out", str(tmp_path / "x"), "--level", "state"]) == 2
    assert "--level must be one of" in capsys.readouterr().err
