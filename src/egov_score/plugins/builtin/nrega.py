"""MGNREGA: person-days against the labour budget, timely wages, works completed, 100 days.

Reads one table, ``nrega``: one row per block per month (cumulative for the financial year).
See ``docs/plugins/nrega.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Field, Indicator, Normalisation
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.builtin._common import (
    PERCENT,
    SAMPLE_UNITS,
    SAMPLES,
    columns_to_level,
    rate,
)
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Scheme, block_table

CODE = "nrega"
TABLE = block_table(
    "nrega",
    "one row per block per month, cumulative for the financial year",
    Column(name="labour_budget", kind="count", description="approved person-days"),
    Column(name="persondays", kind="count", description="person-days generated"),
    Column(name="musters_closed", kind="count", description="muster rolls closed"),
    Column(
        name="wages_in_15_days",
        kind="percent",
        description="% of closed muster rolls whose wages were paid within 15 days",
    ),
    Column(name="works_started", kind="count", description="works started"),
    Column(
        name="works_completed",
        kind="count",
        at_most="works_started",
        description="works completed",
    ),
    Column(name="households_worked", kind="count", description="households that worked"),
    Column(
        name="households_100_days",
        kind="count",
        at_most="households_worked",
        description="households that completed 100 days",
    ),
)
_COUNTS = {
    "labour_budget": "Approved labour budget (person-days)",
    "persondays": "Person-days generated",
    "musters_closed": "Muster rolls closed",
    "works_started": "Works started",
    "works_completed": "Works completed",
    "households_worked": "Households that worked",
    "households_100_days": "Households with 100 days",
}
_FIELDS = (
    *(Field(code=c, level="block", name=n, kind="count") for c, n in list(_COUNTS.items())[:3]),
    # A percentage rolls up weighted by the muster rolls it is a share of.
    Field(
        code="timely_wage_pct",
        level="block",
        rollup="weighted_mean",
        weight="musters_closed",
        name="Wages paid within 15 days",
        unit="%",
        kind="percent",
    ),
    *(Field(code=c, level="block", name=n, kind="count") for c, n in list(_COUNTS.items())[3:]),
)
SCHEME = Scheme(
    code=CODE,
    name="MGNREGA",
    name_hi="महात्मा गांधी नरेगा",
    description="Employment generated against the labour budget, timely wages, works and days.",
    tables=(TABLE,),
    fields=_FIELDS,
    indicators=(
        Indicator(
            code="labour_budget_achievement",
            name="Person-days against the labour budget",
            name_hi="लेबर बजट के विरुद्ध मानव दिवस",
            numerator="persondays",
            denominator="labour_budget",
            scale=100.0,
            unit="%",
            target=100.0,
            weight=2.0,
            parent=CODE,
            normalise=Normalisation(method="target", target=100.0),
        ),
        Indicator(
            code="timely_wages",
            name="Wages paid within 15 days",
            name_hi="15 दिवस में मजदूरी भुगतान",
            field="timely_wage_pct",
            unit="%",
            target=100.0,
            weight=2.0,
            parent=CODE,
            normalise=PERCENT,
        ),
        rate(
            "work_completion_rate",
            "Works completed of works started",
            "पूर्ण कार्य",
            "works_completed",
            "works_started",
            CODE,
        ),
        rate(
            "hh_100_days_share",
            "Households completing 100 days",
            "100 दिवस पूर्ण करने वाले परिवार",
            "households_100_days",
            "households_worked",
            CODE,
        ),
        Indicator(
            code="avg_days_per_household",
            name="Average days of employment per household",
            name_hi="प्रति परिवार औसत रोजगार दिवस",
            numerator="persondays",
            denominator="households_worked",
            unit="days",
            target=100.0,
            parent=CODE,
            normalise=Normalisation(method="goalposts", lower=0.0, upper=100.0),
        ),
    ),
    samples={TABLE.name: SAMPLES / "nrega.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the MGNREGA scheme."""
    return [SCHEME]


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Block-level fields from the NREGA table."""
    if scheme.code != CODE:
        return None
    mapping = {f.code: f.code for f in _FIELDS}
    mapping["timely_wage_pct"] = "wages_in_15_days"
    return columns_to_level(tables[TABLE.name], hierarchy, "block", mapping)
