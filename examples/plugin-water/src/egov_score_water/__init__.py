"""Jal Jeevan Mission: functional household tap connections and water-quality tests, per block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from egov_score import Field, Hierarchy, Indicator, Normalisation, Table
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Scheme, TableSpec, to_level

SAMPLES = Path(__file__).parent / "samples"
TABLE = TableSpec(
    name="jjm",
    level="block",
    description="one row per block per month",
    columns=(
        Column(name="code", kind="code", description="block code"),
        Column(name="period", kind="period", description="month, YYYY-MM"),
        Column(name="households", kind="count", description="rural households"),
        Column(
            name="tap_connections",
            kind="count",
            at_most="households",
            description="households with a functional tap connection",
        ),
        Column(name="samples_tested", kind="count", description="water samples tested"),
        Column(
            name="samples_safe",
            kind="count",
            at_most="samples_tested",
            description="samples that met the standard",
        ),
    ),
)
_PERCENT = Normalisation(method="goalposts", lower=0.0, upper=100.0)
SCHEME = Scheme(
    code="water",
    name="Jal Jeevan Mission",
    name_hi="जल जीवन मिशन",
    tables=(TABLE,),
    fields=tuple(
        Field(code=c, level="block")
        for c in ("households", "tap_connections", "samples_tested", "samples_safe")
    ),
    indicators=(
        Indicator(
            code="tap_coverage",
            name="Households with a functional tap",
            name_hi="कार्यशील नल कनेक्शन वाले परिवार",
            numerator="tap_connections",
            denominator="households",
            scale=100.0,
            unit="%",
            parent="water",
            normalise=_PERCENT,
        ),
        Indicator(
            code="safe_water_share",
            name="Water samples meeting the standard",
            name_hi="मानक पर खरे जल नमूने",
            numerator="samples_safe",
            denominator="samples_tested",
            scale=100.0,
            unit="%",
            parent="water",
            normalise=_PERCENT,
        ),
    ),
    samples={"jjm": SAMPLES / "jjm.csv"},
    sample_units=SAMPLES / "units.csv",
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    return [SCHEME]


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, np.ndarray] | None:
    if scheme.code != "water":
        return None
    t = tables["jjm"]
    return {
        f.code: to_level(hierarchy, "block", t.columns["code"], t.floats(f.code))
        for f in SCHEME.fields
    }
