"""The records of an uncertainty and sensitivity analysis check themselves when built."""

from __future__ import annotations

import numpy as np
import pytest

from egov_score.exceptions import InputError
from egov_score.model.sensitivity import (
    LevelSensitivity,
    RankStatistics,
    RemovalImportance,
    Sensitivity,
    SobolIndices,
)


def _stats(**over: object) -> RankStatistics:
    cols: dict[str, object] = {
        "level": "district",
        "scope": "level",
        "codes": np.array(["a", "b", "c"]),
        "nominal": np.array([1, 2, 0], dtype=np.int64),
        "median": np.array([1.0, 2.5, np.nan]),
        "low": np.array([1, 2, 0], dtype=np.int64),
        "high": np.array([2, 3, 0], dtype=np.int64),
        "top_share": np.array([0.9, 0.1, 0.0]),
        "bottom_share": np.array([0.0, 0.6, 0.0]),
        "ranked_share": np.array([1.0, 1.0, 0.0]),
    }
    cols.update(over)
    return RankStatistics(**cols)  # type: ignore[arg-type]


def test_interval_reads_a_unit_by_code() -> None:
    stats = _stats()
    assert stats.interval("b") == (2, 3)
    assert stats.interval("c") == (0, 0)
    with pytest.raises(InputError, match="got 'z'"):
        stats.interval("z")


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"scope": "state"}, "scope must be one of"),
        ({"median": np.array([1.0])}, r"median must hold one value per unit \(3\)"),
        ({"low": np.array([3, 2, 0], dtype=np.int64)}, "low must not be worse than high"),
        ({"top_share": np.array([1.5, 0.0, 0.0])}, "top_share must be a share"),
    ],
)
def test_rank_statistics_refuse_inconsistent_columns(over: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _stats(**over)


def test_level_sensitivity_checks_its_scores_matrix() -> None:
    stats = _stats()
    ok = LevelSensitivity(level="district", period="2021-01", ranks=stats, scores=np.zeros((4, 3)))
    assert ok == LevelSensitivity(
        level="district", period="2021-01", ranks=_stats(), scores=np.zeros((4, 3))
    )
    assert ok != LevelSensitivity(level="district", period="2021-01", ranks=_stats())
    with pytest.raises(InputError, match="scores must be runs × 3 units"):
        LevelSensitivity(level="district", period="2021-01", ranks=stats, scores=np.zeros(3))


def test_sobol_and_removal_records_check_lengths_and_kinds() -> None:
    one = np.array([0.5])
    with pytest.raises(InputError, match="total must hold one value per unit"):
        SobolIndices(
            level="district",
            output="mean absolute rank shift",
            choices=("weights",),
            first=one,
            total=np.array([0.5, 0.1]),
            first_low=one,
            first_high=one,
            total_low=one,
            total_high=one,
            confidence=0.95,
            samples=64,
        )
    with pytest.raises(InputError, match="kind must be one of"):
        RemovalImportance(
            level="district",
            kind="pillar",
            elements=("x",),
            mean_abs_rank_change=one,
            max_abs_rank_change=one,
        )


def test_sensitivity_finds_a_level_by_period_and_refuses_bad_settings() -> None:
    level = LevelSensitivity(level="district", period="2021-01", ranks=_stats())
    later = LevelSensitivity(level="district", period="2021-02", ranks=_stats())
    common: dict[str, object] = {
        "runs": 100,
        "seed": 1,
        "choices": ("weights",),
        "interval": (0.05, 0.95),
        "top_k": 3,
        "bottom_k": 3,
        "robust_share": 0.6,
    }
    result = Sensitivity(
        levels={("2021-01", "district"): level, ("2021-02", "district"): later},
        **common,  # type: ignore[arg-type]
    )
    assert result.periods == ("2021-01", "2021-02")
    assert result.level("district") is later
    assert result.level("district", "2021-01") is level
    with pytest.raises(InputError, match="got 'block' in '2021-01'"):
        result.level("block", "2021-01")
    with pytest.raises(InputError, match="interval must be two quantiles"):
        Sensitivity(levels={}, **{**common, "interval": (0.9, 0.1)})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="robust_share must lie in"):
        Sensitivity(levels={}, **{**common, "robust_share": 0.0})  # type: ignore[arg-type]
