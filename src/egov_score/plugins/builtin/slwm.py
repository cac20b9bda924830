"""Solid and liquid waste management under SBM-G phase II: SWM and LWM arrangements and
villages declared ODF Plus (aspiring, rising, model).

Reads one table, ``slwm``: one row per block per month. See ``docs/plugins/slwm.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Field
from egov_score.model.hierarchy import Hierarchy
from egov_score.plugins.builtin._common import SAMPLE_UNITS, SAMPLES, numbers, rate
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Problem, Scheme, block_table, problems_where, spread

CODE = "slwm"
_ODF = ("odf_plus_aspiring", "odf_plus_rising", "odf_plus_model")
TABLE = block_table(
    "slwm",
    "one row per block per month",
    Column(name="villages", kind="count", description="villages in the block"),
    Column(
        name="villages_swm",
        kind="count",
        at_most="villages",
        description="villages with solid waste management arrangements",
    ),
    Column(
        name="villages_lwm",
        kind="count",
        at_most="villages",
        description="villages with liquid waste management arrangements",
    ),
    Column(
        name="odf_plus_aspiring",
        kind="count",
        at_most="villages",
        description="villages declared ODF Plus - aspiring",
    ),
    Column(
        name="odf_plus_rising",
        kind="count",
        at_most="villages",
        description="villages declared ODF Plus - rising",
    ),
    Column(
        name="odf_plus_model",
        kind="count",
        at_most="villages",
        description="villages declared ODF Plus - model",
    ),
)
SCHEME = Scheme(
    code=CODE,
    name="Solid and liquid waste management",
    name_hi="ठोस एवं तरल कचरा प्रबंधन",
    description="SBM-G phase II: SWM and LWM arrangements and ODF Plus villages.",
    tables=(TABLE,),
    fields=(
        Field(code="villages", level="block", name="Villages", kind="count"),
        Field(code="villages_swm", level="block", name="Villages with SWM", kind="count"),
        Field(code="villages_lwm", level="block", name="Villages with LWM", kind="count"),
        Field(
            code="villages_odf_plus", level="block", name="Villages declared ODF Plus", kind="count"
        ),
        Field(
            code="villages_odf_model", level="block", name="ODF Plus model villages", kind="count"
        ),
    ),
    indicators=(
        rate(
            "swm_coverage",
            "Villages with solid waste management",
            "ठोस कचरा प्रबंधन वाले गाँव",
            "villages_swm",
            "villages",
            CODE,
            target=100.0,
        ),
        rate(
            "lwm_coverage",
            "Villages with liquid waste management",
            "तरल कचरा प्रबंधन वाले गाँव",
            "villages_lwm",
            "villages",
            CODE,
            target=100.0,
        ),
        rate(
            "odf_plus_share",
            "Villages declared ODF Plus",
            "ओडीएफ प्लस घोषित गाँव",
            "villages_odf_plus",
            "villages",
            CODE,
            target=100.0,
        ),
        rate(
            "odf_model_share",
            "ODF Plus model villages",
            "ओडीएफ प्लस मॉडल गाँव",
            "villages_odf_model",
            "villages",
            CODE,
            target=100.0,
        ),
    ),
    samples={TABLE.name: SAMPLES / "slwm.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the SLWM scheme."""
    return [SCHEME]


@hookimpl
def egov_score_check_table(
    scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy
) -> Sequence[Problem]:
    """A village is in at most one ODF Plus category: their sum may not exceed the villages."""
    del hierarchy
    if scheme.code != CODE or name != TABLE.name:
        return []
    total = np.sum([numbers(table, c) for c in _ODF], axis=0)
    with np.errstate(invalid="ignore"):
        over = total > numbers(table, "villages")
    rule = "aspiring + rising + model must not exceed 'villages'"
    return problems_where(table, over, "odf_plus_model", rule, np.char.mod("%g", total))


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Block-level fields; ODF Plus villages are the three categories together."""
    if scheme.code != CODE:
        return None
    t = tables[TABLE.name]
    fields = {
        "villages": numbers(t, "villages"),
        "villages_swm": numbers(t, "villages_swm"),
        "villages_lwm": numbers(t, "villages_lwm"),
        "villages_odf_plus": np.sum([numbers(t, c) for c in _ODF], axis=0),
        "villages_odf_model": numbers(t, "odf_plus_model"),
    }
    index = hierarchy.level("block").index(t.columns["code"])
    n = len(hierarchy.level("block"))
    return {f: spread(index, n, np.asarray(v)) for f, v in fields.items()}
