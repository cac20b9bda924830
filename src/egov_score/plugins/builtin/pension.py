"""Social security pensions: annual physical verification, Aadhaar seeding, timely payment.

Reads one table, ``pension``: one row per block per month. A pension stops if the pensioner is
not verified each year; verification is done at e-Mitra / e-Mitra Plus. See
``docs/plugins/pension.md``.
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

CODE = "pension"
_COUNTS = {
    "pensioners": "Pensioners on the rolls",
    "verified": "Pensioners physically verified this year",
    "verified_on_emitra": "Verifications done at e-Mitra / e-Mitra Plus",
    "aadhaar_seeded": "Pensioners with Aadhaar / Jan Aadhaar seeded",
    "paid_on_time": "Pensioners paid on time this month",
}
TABLE = block_table(
    "pension",
    "one row per block per month",
    Column(name="pensioners", kind="count", description=_COUNTS["pensioners"]),
    Column(name="verified", kind="count", at_most="pensioners", description=_COUNTS["verified"]),
    Column(
        name="verified_on_emitra",
        kind="count",
        at_most="verified",
        description=_COUNTS["verified_on_emitra"],
    ),
    Column(
        name="aadhaar_seeded",
        kind="count",
        at_most="pensioners",
        description=_COUNTS["aadhaar_seeded"],
    ),
    Column(
        name="paid_on_time",
        kind="count",
        at_most="pensioners",
        description=_COUNTS["paid_on_time"],
    ),
)
SCHEME = Scheme(
    code=CODE,
    name="Social security pensions",
    name_hi="सामाजिक सुरक्षा पेंशन",
    description="Annual physical verification, Aadhaar seeding and timely payment of pensions.",
    tables=(TABLE,),
    fields=tuple(Field(code=c, level="block", name=n, kind="count") for c, n in _COUNTS.items()),
    indicators=(
        rate(
            "verification_rate",
            "Pensioners physically verified",
            "भौतिक सत्यापित पेंशनर",
            "verified",
            "pensioners",
            CODE,
            target=100.0,
            weight=2.0,
        ),
        rate(
            "emitra_verification_share",
            "Verifications done at e-Mitra",
            "ई-मित्र पर किए गए सत्यापन",
            "verified_on_emitra",
            "verified",
            CODE,
            target=100.0,
        ),
        rate(
            "aadhaar_seeding_rate",
            "Pensioners with Aadhaar seeded",
            "आधार सीडेड पेंशनर",
            "aadhaar_seeded",
            "pensioners",
            CODE,
            target=100.0,
        ),
        rate(
            "timely_payment_rate",
            "Pensioners paid on time",
            "समय पर भुगतान प्राप्त पेंशनर",
            "paid_on_time",
            "pensioners",
            CODE,
            target=100.0,
            weight=2.0,
        ),
    ),
    samples={TABLE.name: SAMPLES / "pension.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the pension scheme."""
    return [SCHEME]


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Block-level fields: the counts as they are."""
    if scheme.code != CODE:
        return None
    return columns_to_level(tables[TABLE.name], hierarchy, "block", {c: c for c in _COUNTS})
