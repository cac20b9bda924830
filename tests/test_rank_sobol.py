"""The Sobol' driver for composite ranks (``engine/sobol.py``): a batch scorer plugged in, one
output per level (the mean absolute rank shift), records per level."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.engine.sobol import RANK_SHIFT_OUTPUT, rank_sobol, sobol_records
from egov_score.exceptions import InputError
from egov_score.kernels.sensitivity import (
    choice_index,
    mean_abs_rank_shift,
    saltelli_design,
    sobol_indices,
)

#: Two indicators of six units; the composite is w * x1 + (1 - w) * x2.
X = np.array([[90.0, 10.0], [70.0, 40.0], [50.0, 60.0], [30.0, 80.0], [60.0, 55.0], [20.0, 20.0]])


def ranks_of(scores):
    """Competition ranks of each row (1 = highest), written plainly."""
    return 1 + (scores[:, None, :] > scores[:, :, None]).sum(axis=2)


def scorer(design):
    """Choice 0: the weight w in [0.25, 0.75]; choice 1: the aggregation, arithmetic or the
    minimum of the two; choice 2: a choice nothing reads."""
    w = 0.25 + design[:, 0] / 2
    arithmetic = w[:, None] * X[:, 0] + (1 - w[:, None]) * X[:, 1]
    minimum = np.minimum(X[:, 0], X[:, 1])[None].repeat(len(design), axis=0)
    use_min = choice_index(design[:, 1], 2) == 1
    blocks = np.where(use_min[:, None], minimum, arithmetic)
    return {"block": ranks_of(blocks), "district": ranks_of(blocks[:, :2])}


NOMINAL = {
    "block": ranks_of((0.5 * X[:, 0] + 0.5 * X[:, 1])[None])[0],
    "district": ranks_of((0.5 * X[:2, 0] + 0.5 * X[:2, 1])[None])[0],
}


def test_rank_sobol_estimates_every_level_from_one_batch():
    calls = []

    def counted(design):
        calls.append(design.shape)
        return scorer(design)

    got = rank_sobol(counted, NOMINAL, ("weights", "aggregation", "unused"), 256, 7)
    assert calls == [(256 * 5, 3)]  # the whole design scored in one call
    assert set(got) == {"block", "district"}
    block = got["block"]
    assert block.output == RANK_SHIFT_OUTPUT
    assert block.choices == ("weights", "aggregation", "unused")
    assert block.samples == 256
    # a choice nothing reads: f(AB_i) = f(A) row for row, so exactly 0
    assert block.first[2] == 0
    assert block.total[2] == 0
    assert block.total[0] > 0
    assert block.total[1] > 0
    assert (block.first_low <= block.first_high).all()


def test_rank_sobol_is_the_kernel_on_the_rank_shifts():
    got = rank_sobol(scorer, NOMINAL, ("weights", "aggregation", "unused"), 128, 3, resamples=20)
    rng = np.random.default_rng(3)
    design = saltelli_design(128, 3, rng)
    ranks = scorer(design)
    y = np.column_stack([mean_abs_rank_shift(ranks[lv], NOMINAL[lv]) for lv in NOMINAL])
    est = sobol_indices(y, 128, 3, resamples=20, rng=rng)
    for j, level in enumerate(NOMINAL):
        np.testing.assert_array_equal(got[level].first, est.first[:, j])
        np.testing.assert_array_equal(got[level].total_high, est.total_high[:, j])
    assert got == rank_sobol(
        scorer, NOMINAL, ("weights", "aggregation", "unused"), 128, 3, resamples=20
    )


def test_sobol_records_want_choices_by_levels():
    est = sobol_indices(np.arange(30.0).reshape(15, 2), 5, 1)
    with pytest.raises(InputError, match=r"choices x levels = \(2, 2\); got \(1, 2\)"):
        sobol_records(("a", "b"), ("w", "x"), est, output="o", confidence=0.9, samples=5)


@pytest.mark.parametrize(
    ("score", "choices", "words"),
    [
        (lambda d: {"block": scorer(d)["block"]}, ("w", "m", "u"), r"got none for \['district'\]"),
        (
            lambda d: {k: v[:-1] for k, v in scorer(d).items()},
            ("w", "m", "u"),
            "one row of ranks per design row",
        ),
        (scorer, (), "at least one uncertain choice; got none"),
    ],
)
def test_a_scorer_that_breaks_the_contract_is_named(score, choices, words):
    with pytest.raises(InputError, match=words):
        rank_sobol(score, NOMINAL, choices, 16, 0)
