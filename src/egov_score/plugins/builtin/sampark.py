"""The Rajasthan Sampark grievance portal: disposal, timeliness, pendency and satisfaction.

Reads one table, ``sampark``: one row per block per month. See ``docs/plugins/sampark.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Field, Indicator, Normalisation
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.builtin._common import (
    SAMPLE_UNITS,
    SAMPLES,
    columns_to_level,
    numbers,
    rate,
)
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Problem, Scheme, block_table, problems_where

CODE = "sampark"
TABLE = block_table(
    "sampark",
    "one row per block per month",
    Column(name="registered", kind="count", description="grievances registered"),
    Column(name="disposed", kind="count", at_most="registered", description="grievances disposed"),
    Column(
        name="disposed_in_time",
        kind="count",
        at_most="disposed",
        description="grievances disposed within the time limit",
    ),
    Column(
        name="pending_over_30",
        kind="count",
        at_most="registered",
        description="grievances pending for more than 30 days",
    ),
    Column(
        name="avg_disposal_days",
        kind="number",
        description="average days to dispose a grievance (>= 0)",
    ),
    Column(
        name="feedback",
        kind="count",
        at_most="disposed",
        description="disposed grievances with citizen feedback",
    ),
    Column(
        name="satisfied",
        kind="count",
        at_most="feedback",
        description="feedback saying the citizen was satisfied",
    ),
)
_COUNTS = ("registered", "disposed", "disposed_in_time", "pending_over_30", "feedback", "satisfied")
SCHEME = Scheme(
    code=CODE,
    name="Rajasthan Sampark grievances",
    name_hi="राजस्थान सम्पर्क पोर्टल",
    description="Grievances disposed, disposed in time, long pending, disposal days, satisfaction.",
    tables=(TABLE,),
    fields=(
        *(Field(code=c, level="block", name=c.replace("_", " "), kind="count") for c in _COUNTS),
        # Average days roll up weighted by the grievances they average over.
        Field(
            code="avg_disposal_days",
            level="block",
            rollup="weighted_mean",
            weight="disposed",
            name="Average disposal days",
            unit="days",
            kind="amount",
        ),
    ),
    indicators=(
        rate(
            "disposal_rate",
            "Grievances disposed",
            "निस्तारित परिवेदनाएँ",
            "disposed",
            "registered",
            CODE,
            target=100.0,
        ),
        rate(
            "timely_disposal_rate",
            "Grievances disposed within the time limit",
            "समय सीमा में निस्तारित परिवेदनाएँ",
            "disposed_in_time",
            "disposed",
            CODE,
            target=100.0,
            weight=2.0,
        ),
        rate(
            "pending_over_30_share",
            "Grievances pending over 30 days",
            "30 दिवस से अधिक लंबित परिवेदनाएँ",
            "pending_over_30",
            "registered",
            CODE,
            direction=-1,
            target=0.0,
        ),
        Indicator(
            code="disposal_days",
            name="Average days to dispose a grievance",
            name_hi="निस्तारण के औसत दिवस",
            field="avg_disposal_days",
            unit="days",
            direction=-1,
            target=7.0,
            parent=CODE,
            normalise=Normalisation(method="goalposts", lower=0.0, upper=60.0),
        ),
        rate(
            "satisfaction_rate",
            "Citizens satisfied with the disposal",
            "संतुष्ट नागरिक",
            "satisfied",
            "feedback",
            CODE,
            target=100.0,
        ),
    ),
    samples={TABLE.name: SAMPLES / "sampark.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the Sampark scheme."""
    return [SCHEME]


@hookimpl
def egov_score_check_table(
    scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy
) -> Sequence[Problem]:
    """Average disposal days cannot be negative."""
    del hierarchy
    if scheme.code != CODE or name != TABLE.name:
        return []
    with np.errstate(invalid="ignore"):
        negative = numbers(table, "avg_disposal_days") < 0
    return problems_where(table, negative, "avg_disposal_days", "days must be >= 0")


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Block-level fields: the columns as they are."""
    if scheme.code != CODE:
        return None
    mapping = {c: c for c in (*_COUNTS, "avg_disposal_days")}
    return columns_to_level(tables[TABLE.name], hierarchy, "block", mapping)
