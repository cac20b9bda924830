"""Pradhan Mantri Awas Yojana - Gramin: houses sanctioned and completed against target, with
geo-tagged photos at every stage.

Reads one table, ``pmayg``: one row per block per month (cumulative for the year). See
``docs/plugins/housing.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Field
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.builtin._common import SAMPLE_UNITS, SAMPLES, columns_to_level, rate
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Scheme, block_table

CODE = "housing"
_COUNTS = {
    "houses_target": "Houses in the year's target",
    "houses_sanctioned": "Houses sanctioned",
    "houses_completed": "Houses completed",
    "houses_geotagged": "Sanctioned houses with geo-tagged photos at every stage reached",
}
TABLE = block_table(
    "pmayg",
    "one row per block per month, cumulative for the financial year",
    Column(name="target", kind="count", description=_COUNTS["houses_target"]),
    Column(
        name="sanctioned",
        kind="count",
        at_most="target",
        description=_COUNTS["houses_sanctioned"],
    ),
    Column(
        name="completed",
        kind="count",
        at_most="sanctioned",
        description=_COUNTS["houses_completed"],
    ),
    Column(
        name="geotagged",
        kind="count",
        at_most="sanctioned",
        description=_COUNTS["houses_geotagged"],
    ),
)
SCHEME = Scheme(
    code=CODE,
    name="PMAY-Gramin housing",
    name_hi="प्रधानमंत्री आवास योजना - ग्रामीण",
    description="Houses sanctioned and completed against target; stage-wise geo-tagged photos.",
    tables=(TABLE,),
    fields=tuple(Field(code=c, level="block", name=n, kind="count") for c, n in _COUNTS.items()),
    indicators=(
        rate(
            "completion_rate",
            "Houses completed against target",
            "लक्ष्य के विरुद्ध पूर्ण आवास",
            "houses_completed",
            "houses_target",
            CODE,
            target=100.0,
            weight=2.0,
        ),
        rate(
            "sanction_rate",
            "Houses sanctioned against target",
            "लक्ष्य के विरुद्ध स्वीकृत आवास",
            "houses_sanctioned",
            "houses_target",
            CODE,
            target=100.0,
        ),
        rate(
            "stage_geotag_compliance",
            "Sanctioned houses geo-tagged at every stage",
            "प्रत्येक चरण पर जियो टैग किए गए आवास",
            "houses_geotagged",
            "houses_sanctioned",
            CODE,
            target=100.0,
        ),
    ),
    samples={TABLE.name: SAMPLES / "pmayg.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the PMAY-G scheme."""
    return [SCHEME]


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Block-level fields from the PMAY-G table."""
    if scheme.code != CODE:
        return None
    mapping = {
        "houses_target": "target",
        "houses_sanctioned": "sanctioned",
        "houses_completed": "completed",
        "houses_geotagged": "geotagged",
    }
    return columns_to_level(tables[TABLE.name], hierarchy, "block", mapping)
