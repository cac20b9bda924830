"""Helpers the built-in plugins share to declare indicators and load tables compactly."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Indicator, Normalisation
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.scheme import spread

__all__ = ["PERCENT", "SAMPLES", "SAMPLE_UNITS", "columns_to_level", "numbers", "rate"]

#: Goalposts 0-100 for rates already in percent.
PERCENT = Normalisation(method="goalposts", lower=0.0, upper=100.0)
#: The folder of the built-in plugins' sample tables.
SAMPLES = Path(__file__).parent / "samples"
#: The units the sample tables refer to (the ``small`` data set).
SAMPLE_UNITS = Path(__file__).parent.parent.parent / "datasets" / "small" / "units.csv"


def rate(
    code: str,
    name: str,
    name_hi: str,
    numerator: str,
    denominator: str,
    parent: str,
    *,
    direction: int = 1,
    target: float | None = None,
    weight: float = 1.0,
    normalise: Normalisation = PERCENT,
    bounded: bool = True,
) -> Indicator:
    """A percentage indicator ``numerator / denominator * 100``, bounded (the numerator is a
    part of the denominator) unless ``bounded=False``."""
    return Indicator(
        code=code,
        name=name,
        name_hi=name_hi,
        numerator=numerator,
        denominator=denominator,
        scale=100.0,
        unit="%",
        direction=direction,
        target=target,
        weight=weight,
        parent=parent,
        normalise=normalise,
        bounded=bounded,
    )


def numbers(table: Table, column: str) -> FloatArray:
    """A checked numeric column as float64 (NaN = empty), parsed once per table."""
    return table.floats(column)


def columns_to_level(
    table: Table, hierarchy: Hierarchy, level: str, mapping: Mapping[str, str]
) -> dict[str, FloatArray]:
    """Fields that are raw columns as they are: field code -> column name, spread onto ``level``."""
    index = hierarchy.level(level).index(table.columns["code"])  # looked up once
    n = len(hierarchy.level(level))
    return {field: spread(index, n, numbers(table, column)) for field, column in mapping.items()}


def flag(values: FloatArray) -> FloatArray:
    """0/1 as float with NaN kept."""
    return np.where(np.isnan(values), np.nan, (values > 0).astype(np.float64))
