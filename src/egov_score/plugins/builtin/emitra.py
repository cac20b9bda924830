"""e-Mitra Plus machines and e-Mitra kiosks: installed, inspected, geo-tagged, transacting.

Reads one table, ``emitra_machines``: one row per machine per month. See
``docs/plugins/emitra.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.model.framework import Field, Indicator, Normalisation
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import LevelResult, Result
from egov_score.plugins.builtin._common import SAMPLE_UNITS, SAMPLES, flag, numbers, rate
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.scheme import Column, Problem, Scheme, TableSpec, problems_where, spread
from egov_score.plugins.section import Cell, Msg, Name, Section

CODE = "emitra"
#: The plugin's message catalogues (``<lang>.po``; ids ``emitra.*``).
LOCALE = Path(__file__).resolve().parent / "emitra_locale"
LOCATIONS = ("gp", "rgsk", "office")

TABLE = TableSpec(
    name="emitra_machines",
    level="machine",
    description="one row per e-Mitra Plus machine per month",
    columns=(
        Column(name="code", kind="code", description="machine code"),
        Column(name="period", kind="period", description="month, YYYY-MM"),
        Column(name="allotted", kind="flag", description="1 if the machine is allotted"),
        Column(name="installed", kind="flag", at_most="allotted", description="1 if installed"),
        Column(
            name="inspected",
            kind="flag",
            at_most="installed",
            description="1 if inspected and repaired this month",
        ),
        Column(name="geotagged", kind="flag", at_most="installed", description="1 if geo-tagged"),
        Column(name="latitude", kind="latitude", required=False, description="degrees north"),
        Column(name="longitude", kind="longitude", required=False, description="degrees east"),
        Column(name="transactions", kind="count", description="transactions this month"),
        Column(name="services", kind="count", required=False, description="services offered"),
        Column(
            name="location",
            kind="choice",
            choices=LOCATIONS,
            description="gp (gram panchayat), rgsk (Rajiv Gandhi Seva Kendra), office "
            "(another department's office)",
        ),
        Column(name="nodal_officer", kind="flag", description="1 if a nodal officer is appointed"),
        Column(name="hours_displayed", kind="flag", description="1 if hours are on a notice board"),
        Column(name="services_displayed", kind="flag", description="1 if services are listed"),
    ),
)

# Every machine-level field is a 0/1 flag but the count of transactions.
_FIELDS = (
    ("allotted", "Machines allotted"),
    ("installed", "Machines installed"),
    ("inspected", "Machines inspected and repaired"),
    ("geotagged", "Machines geo-tagged"),
    ("transacting", "Installed machines with at least one transaction (from `transactions`)"),
    ("transactions", "Transactions"),
    ("nodal_officer", "Installed machines with a nodal officer"),
    ("display_ok", "Installed kiosks displaying both hours and services (product of the flags)"),
    ("rgsk_installed", "Installed machines in Rajiv Gandhi Seva Kendras (others: missing)"),
    ("rgsk_transacting", "Transacting machines in Rajiv Gandhi Seva Kendras (others: missing)"),
)

SCHEME = Scheme(
    code=CODE,
    name="e-Mitra Plus machines",
    name_hi="ई-मित्र प्लस मशीनें",
    description=(
        "Self-service citizen kiosks: installation, inspection and repair, geo-tagging, use, "
        "nodal officers and display of hours and services."
    ),
    tables=(TABLE,),
    fields=tuple(
        Field(code=c, level="machine", name=n, kind="count" if c == "transactions" else "flag")
        for c, n in _FIELDS
    ),
    indicators=(
        rate(
            "installation_rate",
            "Machines installed",
            "स्थापित मशीनें",
            "installed",
            "allotted",
            CODE,
            target=100.0,
        ),
        rate(
            "inspection_rate",
            "Machines inspected and repaired",
            "निरीक्षण एवं मरम्मत की गई मशीनें",
            "inspected",
            "installed",
            CODE,
            target=100.0,
        ),
        rate(
            "geotag_rate",
            "Machines geo-tagged",
            "जियो टैग की गई मशीनें",
            "geotagged",
            "installed",
            CODE,
            target=100.0,
        ),
        rate(
            "transacting_rate",
            "Machines doing transactions",
            "ट्रांजक्शन करने वाली मशीनें",
            "transacting",
            "installed",
            CODE,
            target=100.0,
            weight=2.0,
        ),
        Indicator(
            code="transactions_per_machine",
            name="Transactions per installed machine",
            name_hi="प्रति स्थापित मशीन ट्रांजक्शन",
            numerator="transactions",
            denominator="installed",
            unit="transactions",
            parent=CODE,
            normalise=Normalisation(method="minmax"),
        ),
        rate(
            "nodal_coverage",
            "Machines with a nodal officer",
            "नोडल अधिकारी वाली मशीनें",
            "nodal_officer",
            "installed",
            CODE,
            target=100.0,
        ),
        rate(
            "display_compliance",
            "Kiosks displaying hours and services",
            "समय एवं सेवाएँ प्रदर्शित करने वाले कियोस्क",
            "display_ok",
            "installed",
            CODE,
            target=100.0,
        ),
        rate(
            "rgsk_utilisation",
            "Rajiv Gandhi Seva Kendra machines in use",
            "राजीव गांधी सेवा केन्द्र की मशीनों का उपयोग",
            "rgsk_transacting",
            "rgsk_installed",
            CODE,
            target=100.0,
        ),
    ),
    weight=2.0,
    samples={TABLE.name: SAMPLES / "emitra_machines.csv"},
    sample_units=SAMPLE_UNITS,
    sample_period="2021-01",
)


@hookimpl
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the e-Mitra scheme."""
    return [SCHEME]


@hookimpl
def egov_score_check_table(
    scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy
) -> Sequence[Problem]:
    """A geo-tagged machine must have both coordinates."""
    del hierarchy
    if scheme.code != CODE or name != TABLE.name:
        return []
    tagged = numbers(table, "geotagged") == 1
    no_coords = np.zeros(table.n_rows, dtype=bool)
    for col in ("latitude", "longitude"):
        cells = table.columns.get(col)
        no_coords |= np.ones(table.n_rows, dtype=bool) if cells is None else cells == ""
    return problems_where(
        table, tagged & no_coords, "geotagged", "a geo-tagged machine needs latitude and longitude"
    )


@hookimpl
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Machine-level fields from the machines table."""
    if scheme.code != CODE:
        return None
    t = tables[TABLE.name]
    cols = {
        c: numbers(t, c)
        for c in (
            "allotted",
            "installed",
            "inspected",
            "geotagged",
            "transactions",
            "nodal_officer",
            "hours_displayed",
            "services_displayed",
        )
    }
    installed = cols["installed"]
    with np.errstate(invalid="ignore"):
        # Counted for installed machines only, so each stays within its bounded ratio's
        # denominator (a nodal officer for a machine not yet installed is not coverage).
        transacting = flag(cols["transactions"]) * installed
        display_ok = cols["hours_displayed"] * cols["services_displayed"] * installed
        nodal_officer = cols["nodal_officer"] * installed
    in_rgsk = t.columns["location"] == "rgsk"
    fields = {
        "allotted": cols["allotted"],
        "installed": installed,
        "inspected": cols["inspected"],
        "geotagged": cols["geotagged"],
        "transacting": transacting,
        "transactions": cols["transactions"],
        "nodal_officer": nodal_officer,
        "display_ok": display_ok,
        # Only machines in a Rajiv Gandhi Seva Kendra count; others are not "0 of 0".
        "rgsk_installed": np.where(in_rgsk, installed, np.nan),
        "rgsk_transacting": np.where(in_rgsk, transacting, np.nan),
    }
    index = hierarchy.level("machine").index(t.columns["code"])  # looked up once
    n = len(hierarchy.level("machine"))
    return {f: spread(index, n, v) for f, v in fields.items()}


_REASONS = (
    ("inspected", "emitra.not_inspected"),
    ("transacting", "emitra.not_transacting"),
    ("geotagged", "emitra.not_geotagged"),
    ("nodal_officer", "emitra.no_nodal_officer"),
    ("display_ok", "emitra.display_missing"),
)


@hookimpl
def egov_score_catalogues() -> Path:
    """The e-Mitra labels and sentences, in every language the plugin ships."""
    return LOCALE


@hookimpl
def egov_score_report_sections(
    result: Result, hierarchy: Hierarchy, code: str, level: str
) -> Sequence[Section]:
    """The installed machines under a district or block that need action, and why."""
    if level == "machine" or "machine" not in result.framework.levels:
        return []
    machines = result.level("machine")
    if not all(field in machines.fields for field, _ in (("installed", ""), *_REASONS)):
        return []  # the scheme is not active in this framework
    own = int(hierarchy.level(level).index([code])[0])
    below = np.flatnonzero(hierarchy.ancestors("machine", level) == own)
    installed = machines.fields["installed"][below] == 1
    lacking = (
        np.column_stack([machines.fields[f][below] == 0 for f, _ in _REASONS]) & installed[:, None]
    )
    rows = np.flatnonzero(lacking.any(axis=1))
    blocks = result.level("block") if "block" in result.framework.levels else None
    block_names = (
        blocks.names[machines.parent[below[rows]]]
        if blocks is not None
        else np.array([""] * len(rows))
    )
    table = tuple(
        (
            str(machines.codes[below[r]]),
            str(machines.names[below[r]]),
            str(block_names[k]),
            Msg(tuple(_REASONS[c][1] for c in np.flatnonzero(lacking[r]))),
        )
        for k, r in enumerate(rows)
    )
    return [
        Section(
            key="emitra.machines_needing_action",
            title="emitra.machines_action",
            header=("code", "emitra.location", "block", "emitra.reasons"),
            rows=table,
            note="" if table else "emitra.none_need_action",
        )
    ]


_MACHINE_FIELDS = ("allotted", "installed", "inspected", "geotagged", "transacting")


def _pct(part: float, whole: float) -> str:
    return (
        "–" if not whole or math.isnan(whole) or math.isnan(part) else f"{100 * part / whole:.1f}%"
    )


def _count(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:,.0f}"


def _machine_row(name: Cell, lv: LevelResult, i: int) -> tuple[Cell, ...]:
    """One row of the machine table: counts, and shares of the allotted or installed."""
    f = {k: float(lv.fields[k][i]) for k in _MACHINE_FIELDS}
    cells: list[Cell] = [name, _count(f["allotted"])]
    cells.append(f"{_count(f['installed'])} ({_pct(f['installed'], f['allotted'])})")
    for k in ("inspected", "geotagged", "transacting"):
        cells.append(f"{_count(f[k])} ({_pct(f[k], f['installed'])})")
    return tuple(cells)


@hookimpl
def egov_score_review_sections(result: Result, hierarchy: Hierarchy) -> Sequence[Section]:
    """The machines per district, with the division's total: allotted, installed, inspected,
    geo-tagged and transacting."""
    del hierarchy
    if len(result.levels) < 2:
        return []
    top, districts = result.levels[0], result.levels[1]
    if not all(f in districts.fields for f in _MACHINE_FIELDS):
        return []
    rows = [
        _machine_row(Name(str(districts.names[i]), str(districts.names_hi[i])), districts, i)
        for i in range(len(districts))
    ]
    rows.append(_machine_row(Msg(("total",)), top, 0))
    return [
        Section(
            key="emitra.machines_by_district",
            title="emitra.machine_table",
            header=(districts.level, *(f"emitra.{f}" for f in _MACHINE_FIELDS)),
            rows=tuple(rows),
            numeric=frozenset(range(1, 6)),
        )
    ]
