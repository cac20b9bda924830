"""analyse_sensitivity: rank statistics over the runs, reproducible, and known answers."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import egov_score as eg
from egov_score.engine.batch import BatchScorer, Choices
from egov_score.model.uncertainty import Uncertainty, WeightNoise
from egov_score.review.sensitivity import analyse_sensitivity
from tests.strategies import build_hierarchy, frameworks, hierarchies, to_columns, value_tables

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NOISY = Uncertainty(
    runs=60,
    weights=WeightNoise(kind="share", share=0.5),
    normalisation=("minmax", "percentile"),
    imputation=True,
)


def _small():
    from egov_score import datasets

    return datasets.load("small")


def two_indicators():
    """Three districts scoring (100, 0), (0, 100) and (60, 60) on two min-max indicators."""
    fw = eg.Framework.from_dict(
        {
            "levels": ["division", "district"],
            "field": [{"code": "a", "level": "district"}, {"code": "b", "level": "district"}],
            "indicator": [
                {"code": "x", "field": "a", "parent": "index", "weight": 0.5},
                {"code": "y", "field": "b", "parent": "index", "weight": 0.5},
            ],
            "group": [{"code": "index"}],
        }
    )
    units = [("division", "D", None), ("district", "A", "D"), ("district", "B", "D")]
    units.append(("district", "C", "D"))
    h = build_hierarchy(fw.levels, units)
    values = eg.Values.from_columns(
        {"code": ["A", "B", "C"], "period": ["P"] * 3, "a": [10, 0, 6], "b": [0, 10, 6]}, h, fw
    )
    return eg.Engine(fw, h), values


def hand_ranks(t):
    """Ranks of A, B, C at weights (t, 1 - t): scores 100t, 100(1 - t) and 60, ties = min."""
    scores = [100 * t, 100 * (1 - t), 60.0]
    return [1 + sum(o > s + 1e-9 for o in scores) for s in scores]


def test_weights_swept_over_0_1_give_the_hand_enumeration():
    engine, values = two_indicators()
    scorer = BatchScorer(engine, Uncertainty(weights=WeightNoise(kind="share", share=1.0)))
    sweep = np.linspace(0, 1, 101)
    sets = np.column_stack([sweep, 1 - sweep])
    scorer.weight_sets["index"] = np.vstack([[0.5, 0.5], sets])
    batch = scorer.period(values.at("P"), "P")
    choices = attrs.evolve(Choices.nominal(101), weights=np.arange(1, 102))
    ranks = batch.score(choices)[1].rank
    expected = np.array([hand_ranks(t) for t in sweep.tolist()])
    np.testing.assert_array_equal(ranks, expected)
    # the crossing points by hand: B ties C at t = 0.4, A ties B at 0.5, A ties C at 0.6
    assert hand_ranks(0.4) == [3, 1, 1]
    assert hand_ranks(0.5) == [2, 2, 1]
    assert hand_ranks(0.6) == [1, 3, 1]


def test_random_weights_over_0_1_give_the_enumerated_intervals():
    # Each weight uniform in [0, 1]: t = w1 / (w1 + w2) covers (0, 1), so over enough runs the
    # (0, 1) interval is every rank the enumeration gives: A and B 1-3, C 1-2.
    engine, values = two_indicators()
    un = Uncertainty(runs=400, interval=(0.0, 1.0), weights=WeightNoise(kind="share", share=1.0))
    found = analyse_sensitivity(engine, values, uncertainty=un).level("district", "P").ranks
    assert found.low.tolist() == [1, 1, 1]
    assert found.high.tolist() == [3, 3, 2]
    assert found.nominal.tolist() == [2, 2, 1]  # t = 0.5: A and B tie at 50, C leads with 60


def test_zero_uncertainty_collapses_every_interval_to_the_rank():
    small = _small()
    found = analyse_sensitivity(small, runs=25)
    assert found.choices == ()
    assert found.periods == ("2020-12", "2021-01")
    for (period, level), lv in found.levels.items():
        result = small.score(period).level(level)
        for stats, nominal in ((lv.ranks, result.rank), (lv.parent_ranks, result.rank_in_parent)):
            if stats is None:
                assert level == "division"
                continue
            np.testing.assert_array_equal(stats.nominal, nominal)
            np.testing.assert_array_equal(stats.low, nominal)
            np.testing.assert_array_equal(stats.high, nominal)
            np.testing.assert_array_equal(stats.median, np.where(nominal > 0, nominal, np.nan))
            assert set(stats.ranked_share.tolist()) <= {0.0, 1.0}


def test_the_same_seed_gives_the_same_analysis_and_another_seed_another():
    small = _small()
    a = analyse_sensitivity(small, uncertainty=NOISY)
    b = analyse_sensitivity(small, uncertainty=NOISY)
    assert a == b
    c = analyse_sensitivity(small, uncertainty=NOISY, seed=1)
    assert (c.seed, a.seed) == (1, 0)
    assert any(
        not np.array_equal(a.levels[k].scores, c.levels[k].scores, equal_nan=True)
        for k in a.levels
        if a.levels[k].scores is not None
    )


def test_statistics_count_the_runs():
    small = _small()
    found = analyse_sensitivity(small, uncertainty=NOISY, periods=["2021-01"])
    assert found.periods == ("2021-01",)
    machine = found.level("machine")
    assert machine.scores is not None
    assert machine.scores.shape == (60, 10)
    ranks = machine.ranks
    assert ((ranks.low <= ranks.high) & (ranks.low >= 1)).all()
    np.testing.assert_allclose(ranks.top_share.sum(), 3, atol=0.5)  # ties may add a few
    # the runs' ranks give the statistics, unit by unit (numpy's inverted_cdf, all runs)
    top = found.top_k
    scores = machine.scores
    for u in range(scores.shape[1]):
        runs = [1 + int(np.sum(row > row[u] + 1e-9 * abs(row[u]))) for row in scores]
        assert ranks.low[u] == np.quantile(runs, 0.05, method="inverted_cdf")
        assert ranks.high[u] == np.quantile(runs, 0.95, method="inverted_cdf")
        assert ranks.median[u] == np.median(runs)
        assert ranks.top_share[u] == np.mean([r <= top for r in runs])
        assert ranks.bottom_share[u] == np.mean([r > 10 - found.bottom_k for r in runs])
    assert found.level("division").parent_ranks is None


def test_kept_scores_stop_at_the_size_asked():
    found = analyse_sensitivity(_small(), uncertainty=NOISY, keep_scores_max_units=4)
    assert found.level("block").scores is not None
    assert found.level("machine").scores is None


def test_an_engine_needs_values():
    with pytest.raises(eg.InputError, match="needs values of at least one period"):
        analyse_sensitivity(_small().engine, runs=2)


@SETTINGS
@given(st.data())
def test_shuffled_input_rows_give_the_same_intervals(data):
    levels, units = data.draw(hierarchies())
    fw = data.draw(frameworks(levels, methods=("minmax", "percentile", "zscore")))
    values = data.draw(value_tables(units, fw))
    h = build_hierarchy(levels, units)
    columns = to_columns(units, fw, values)
    order = data.draw(st.permutations(range(len(units))))
    shuffled = {k: [v[i] for i in order] for k, v in columns.items()}
    un = Uncertainty(
        runs=30, weights=WeightNoise(kind="share", share=0.3), normalisation=("minmax", "rank")
    )
    a = analyse_sensitivity(
        eg.Engine(fw, h), eg.Values.from_columns(columns, h, fw), uncertainty=un
    )
    b = analyse_sensitivity(
        eg.Engine(fw, h), eg.Values.from_columns(shuffled, h, fw), uncertainty=un
    )
    assert a == b


def test_sobol_indices_come_from_the_batch_scorer():
    small = _small()
    un = Uncertainty(runs=200, weights=WeightNoise(kind="share", share=0.5), imputation=True)
    found = analyse_sensitivity(small, uncertainty=un, periods=["2021-01"])
    assert set(found.sobol) == {"division", "district", "block", "machine"}
    machine = found.sobol["machine"]
    assert machine.choices == ("weights", "imputation")
    assert machine.samples == 200 // 4
    # the small framework imputes nothing: turning imputation off changes no run, so the
    # choice has exactly no effect, while the weights move the machines' ranks
    assert machine.first[1] == 0
    assert machine.total[1] == 0
    assert machine.total[0] > 0
    assert found == analyse_sensitivity(small, uncertainty=un, periods=["2021-01"])
    assert analyse_sensitivity(small, uncertainty=un, sobol_samples=0).sobol == {}
    assert analyse_sensitivity(small, runs=10).sobol == {}  # nothing uncertain


def test_too_few_runs_for_a_saltelli_design_leave_the_indices_out():
    small = _small()
    # Two choices: a Saltelli design of N * 4 runs needs N >= 2; 5 runs give N = 1.
    un = Uncertainty(runs=5, weights=WeightNoise(kind="share", share=0.5), imputation=True)
    found = analyse_sensitivity(small, uncertainty=un, periods=["2021-01"])
    assert found.sobol == {}
    assert found.runs == 5


def test_periods_are_analysed_in_order_once_each():
    small = _small()
    un = Uncertainty(runs=8, weights=WeightNoise(kind="share", share=0.5))
    periods = small.periods()
    found = analyse_sensitivity(small, uncertainty=un, periods=[*reversed(periods), periods[0]])
    assert found.periods == tuple(sorted(periods))
    assert found == analyse_sensitivity(small, uncertainty=un, periods=periods)
