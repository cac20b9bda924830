"""The domain model: the unit tree, the indicator tree, values, results and diagnostics.

attrs records at the edge, numpy columns inside. Parsing lives in classmethod constructors
(:meth:`Hierarchy.from_csv`, :meth:`Framework.from_toml`, :meth:`Values.from_csv`), which read
through :mod:`egov_score.io`.
"""

from egov_score.model.framework import (
    Aggregation,
    Bands,
    Field,
    Framework,
    Group,
    Indicator,
    Normalisation,
)
from egov_score.model.hierarchy import Block, District, Division, Hierarchy, Level, Machine, Unit
from egov_score.model.preparation import Imputation, Screening, Treatment
from egov_score.model.result import (
    Diagnostic,
    LevelResult,
    Provenance,
    Result,
    UnitCodes,
    UnitScore,
)
from egov_score.model.values import Values

__all__ = [
    "Aggregation",
    "Bands",
    "Block",
    "Diagnostic",
    "District",
    "Division",
    "Field",
    "Framework",
    "Group",
    "Hierarchy",
    "Imputation",
    "Indicator",
    "Level",
    "LevelResult",
    "Machine",
    "Normalisation",
    "Provenance",
    "Result",
    "Screening",
    "Treatment",
    "Unit",
    "UnitCodes",
    "UnitScore",
    "Values",
]
