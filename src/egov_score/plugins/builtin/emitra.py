"""e-Mitra Plus machines and e-Mitra kiosks: installed, inspected, geo-tagged, transacting.

Reads one table, ``emitra_machines``: one row per machine per month. See
``docs/plugins/emitra.md``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.io.table import Table
from egov_score.kernels.geo import GeoReport, geotag_problems
from egov_score.model.framework import Field, Indicator, Normalisation
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.result import LevelResult, Result
from egov_score.plugins.actions import ActionReasons, ActionSettings
from egov_score.plugins.builtin._common import SAMPLE_UNITS, SAMPLES, flag, numbers, rate
from egov_score.plugins.hookspecs import hookimpl
from egov_score.plugins.locations import Locations
from egov_score.plugins.scheme import Column, Problem, Scheme, TableSpec, problems_where, spread
from egov_score.plugins.section import Cell, Msg, Name, Num, Section

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
        Column(
            name="transactions",
            kind="count",
            required=False,
            description="transactions this month (may come from a values table instead, such "
            "as `egov-score events` writes from the transaction log)",
        ),
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
        Column(
            name="gram_sabha",
            kind="flag",
            required=False,
            at_most="installed",
            description="1 if the machine and its services were announced in the gram sabha",
        ),
        Column(
            name="nodal_officer_name",
            kind="text",
            required=False,
            description="the nodal officer's name (the VDO for a gram panchayat's machine; a "
            "staff member of the department for one in its office)",
        ),
        Column(
            name="nodal_officer_phone",
            kind="phone",
            required=False,
            description="the nodal officer's phone: a 10-digit mobile or a landline with STD code",
        ),
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
    ("gram_sabha", "Machines announced in the gram sabha (missing without the column)"),
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
        rate(
            "gram_sabha_rate",
            "Machines announced in the gram sabha",
            "ग्राम सभा में जानकारी दी गई मशीनें",
            "gram_sabha",
            "installed",
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
        c: numbers(t, c) if c in t.columns else np.full(t.n_rows, np.nan)
        for c in (
            "allotted",
            "installed",
            "inspected",
            "geotagged",
            "transactions",  # optional: missing without the column or a values table
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
        # An optional column: without it the field is missing, not "none announced".
        "gram_sabha": numbers(t, "gram_sabha")
        if "gram_sabha" in t.columns
        else np.full(t.n_rows, np.nan),
    }
    index = hierarchy.level("machine").index(t.columns["code"])  # looked up once
    n = len(hierarchy.level("machine"))
    return {f: spread(index, n, v) for f, v in fields.items()}


#: The reasons a machine is on the action list: code, message id, and the column (of the raw
#: table, or the field when the run has no raw table) whose 0 on an installed machine is that
#: reason. ``geotag_suspect`` (:data:`GEOTAG_SUSPECT`) comes right after ``not_geotagged``,
#: from the month's latitude and longitude text, in :func:`_geotag_suspect`.
REASONS = (
    ("not_inspected", "emitra.reason.not_inspected", "inspected"),
    ("not_transacting", "emitra.reason.not_transacting", "transactions"),
    ("not_geotagged", "emitra.reason.not_geotagged", "geotagged"),
    ("no_nodal_officer", "emitra.reason.no_nodal_officer", "nodal_officer"),
    ("hours_not_displayed", "emitra.reason.hours_not_displayed", "hours_displayed"),
    ("services_not_displayed", "emitra.reason.services_not_displayed", "services_displayed"),
    ("not_announced", "emitra.reason.not_announced", "gram_sabha"),
)
#: The reason for a geo-tagged installed machine whose coordinates fail a check of
#: :func:`~egov_score.kernels.geo.geotag_problems`: code, message id; and its detail column
#: (the failing check's name, e.g. ``geotag_imprecise``) with that column's message id.
GEOTAG_SUSPECT = ("geotag_suspect", "emitra.reason.geotag_suspect")
GEOTAG_CHECK = ("geotag_check", "emitra.geotag_check")
#: Reasons read from a field when the month has no raw table (a values table scored).
_FIELD_OF = {"transactions": "transacting"}
#: The text columns shown beside the reasons: column, message id.
DETAILS = (
    ("nodal_officer_name", "emitra.nodal_officer_name"),
    ("nodal_officer_phone", "emitra.nodal_officer_phone"),
)


@hookimpl
def egov_score_catalogues() -> Path:
    """The e-Mitra labels and sentences, in every language the plugin ships."""
    return LOCALE


#: The last geo-tag report (:func:`_geotag_report`), kept while its table lives: a review
#: month's action lists and maps judge the same machines of the same table, so the checks
#: run once for both.
_LAST_REPORT: list[
    tuple[
        weakref.ref[Table],
        weakref.ref[Hierarchy],
        weakref.ref[ActionSettings],
        np.ndarray,
        np.ndarray,
        tuple[np.ndarray, GeoReport],
    ]
] = []


def _geotag_report(
    table: Table,
    index: np.ndarray,
    tagged: np.ndarray,
    hierarchy: Hierarchy,
    settings: ActionSettings,
) -> tuple[np.ndarray, GeoReport]:
    """The machines judged (indices of ``tagged``) and their geo-tag checks.

    Only the installed, geo-tagged machines are judged, against each other (a machine not
    tagged says nothing about where the others are). The coordinates are the text as written,
    so decimals are counted as the data has them.
    """
    for table_ref, hierarchy_ref, settings_ref, kept_index, kept_tagged, kept in _LAST_REPORT:
        if (
            table_ref() is table
            and hierarchy_ref() is hierarchy
            and settings_ref() is settings
            and np.array_equal(kept_index, index)
            and np.array_equal(kept_tagged, tagged)
        ):
            return kept
    n = len(tagged)
    text = {}
    for col in ("latitude", "longitude"):
        text[col] = np.full(n, "", dtype=table.columns[col].dtype)
        text[col][index] = table.columns[col]
    judged = np.flatnonzero(tagged)
    parent = hierarchy.level_names[hierarchy.depth("machine") - 1]
    block = hierarchy.ancestors("machine", parent)[judged] if judged.size else judged
    levels = [lv for lv in settings.boundaries if lv in hierarchy.level_names]
    unit_codes = {
        lv: np.asarray(hierarchy.level(lv).codes, dtype=np.str_)[
            hierarchy.ancestors("machine", lv)[judged]
        ]
        for lv in levels  # a loop over levels
    }
    report = geotag_problems(
        text["latitude"][judged],
        text["longitude"][judged],
        block,
        settings=settings.geo,
        boundaries={lv: settings.boundaries[lv] for lv in levels},
        unit_codes=unit_codes,
    )
    _LAST_REPORT[:] = [
        (
            weakref.ref(table, lambda _: _LAST_REPORT.clear()),  # let go of with the table
            weakref.ref(hierarchy),
            weakref.ref(settings),
            index.copy(),
            tagged.copy(),
            (judged, report),
        )
    ]
    return judged, report


def _geotag_suspect(
    table: Table,
    index: np.ndarray,
    tagged: np.ndarray,
    hierarchy: Hierarchy,
    settings: ActionSettings,
) -> tuple[np.ndarray, np.ndarray]:
    """Which geo-tagged machines' coordinates fail a geo-tag check, and the first failing
    check's name per machine (``""`` where none fails or the machine is not judged); see
    :func:`_geotag_report`."""
    n = len(tagged)
    judged, report = _geotag_report(table, index, tagged, hierarchy, settings)
    suspect = np.zeros(n, dtype=bool)
    suspect[judged] = report.failing
    check = np.full(n, "", dtype=report.reason.dtype if judged.size else np.str_)
    check[judged] = report.reason
    return suspect, check


def _reason_flags(
    table: Table | None,
    machines: LevelResult,
    hierarchy: Hierarchy,
    settings: ActionSettings,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each reason's bool column over the machines, and the text columns (empty without the
    raw table). A reason whose column the data lacks is left out; ``geotag_suspect`` needs the
    raw table (the coordinates as written)."""
    n = len(hierarchy.level("machine"))
    if table is None:
        installed = machines.fields["installed"] == 1
        values = {
            col: machines.fields[_FIELD_OF.get(col, col)]
            for _, _, col in REASONS
            if _FIELD_OF.get(col, col) in machines.fields
        }
        return {
            code: installed & (values[col] == 0) for code, _, col in REASONS if col in values
        }, {}
    index = hierarchy.level("machine").index(table.columns["code"])  # looked up once
    installed = spread(index, n, numbers(table, "installed")) == 1
    flags = {}
    check = None
    for code, _, col in REASONS:
        if col in table.columns:
            flags[code] = installed & (spread(index, n, numbers(table, col)) == 0)
        if code == "not_geotagged" and {col, "latitude", "longitude"} <= set(table.columns):
            tagged = installed & (spread(index, n, numbers(table, col)) == 1)
            flags[GEOTAG_SUSPECT[0]], check = _geotag_suspect(
                table, index, tagged, hierarchy, settings
            )
    details = {}
    for col, _ in DETAILS:
        if col in table.columns:
            text = np.full(n, "", dtype=table.columns[col].dtype)
            text[index] = np.char.strip(table.columns[col])
            details[col] = text
    if check is not None:
        details[GEOTAG_CHECK[0]] = check
    return flags, details


@hookimpl
def egov_score_action_reasons(
    result: Result,
    hierarchy: Hierarchy,
    tables: Mapping[str, Mapping[str, Table]],
    settings: ActionSettings,
) -> Sequence[ActionReasons]:
    """The installed machines that need action, one column per reason: not inspected and
    repaired, not transacting, not geo-tagged, geo-tag suspect (with the failing check), no
    nodal officer, hours or services not on the notice board, not announced in the gram sabha
    (when the data says); with the nodal officer's name and phone."""
    if "machine" not in result.framework.levels or "machine" not in hierarchy.level_names:
        return []
    machines = result.level("machine")
    if "installed" not in machines.fields:
        return []  # the scheme is not active in this framework
    table = tables.get(CODE, {}).get(TABLE.name)
    flags, details = _reason_flags(table, machines, hierarchy, settings)
    labels = {code: label for code, label, _ in REASONS} | dict([GEOTAG_SUSPECT])
    detail_labels = dict(DETAILS) | dict([GEOTAG_CHECK])
    return [
        ActionReasons(
            key="emitra.machines",
            level="machine",
            reasons=tuple(flags),
            labels=tuple(labels[c] for c in flags),
            flags=flags,
            details=details,
            detail_labels=tuple(detail_labels[col] for col in details),
        )
    ]


#: The statuses of installed machines on the maps, in legend order: transacting (at least one
#: transaction this month), not transacting (none).
MAP_STATUSES = ("emitra.status.transacting", "emitra.status.not_transacting")
#: The legend line counting installed machines not drawn (not geo-tagged, or failing a check).
MAP_UNLOCATED = "emitra.map.unlocated"


@hookimpl
def egov_score_locations(
    result: Result,
    hierarchy: Hierarchy,
    tables: Mapping[str, Mapping[str, Table]],
    settings: ActionSettings,
) -> Sequence[Locations]:
    """Where the installed machines are (the geo-tags that pass every geo-tag check the action
    lists apply) and whether each transacts this month."""
    if "machine" not in hierarchy.level_names or "machine" not in result.framework.levels:
        return []
    table = tables.get(CODE, {}).get(TABLE.name)
    if table is None or not {"latitude", "longitude"} <= set(table.columns):
        return []
    n = len(hierarchy.level("machine"))
    index = hierarchy.level("machine").index(table.columns["code"])  # looked up once
    installed = spread(index, n, numbers(table, "installed")) == 1
    tagged = installed & (spread(index, n, numbers(table, "geotagged")) == 1)
    transactions = spread(
        index,
        n,
        numbers(table, "transactions")
        if "transactions" in table.columns
        else np.full(table.n_rows, np.nan),
    )
    judged, report = _geotag_report(table, index, tagged, hierarchy, settings)
    good = ~report.failing
    latitude, longitude = np.full(n, np.nan), np.full(n, np.nan)
    latitude[judged[good]] = report.latitude[good]
    longitude[judged[good]] = report.longitude[good]
    with np.errstate(invalid="ignore"):
        status = np.select(
            [installed & (transactions > 0), installed & (transactions == 0)], [0, 1], -1
        )
    return [
        Locations(
            key="emitra.machines",
            level="machine",
            latitude=latitude,
            longitude=longitude,
            status=status.astype(np.intp),
            labels=MAP_STATUSES,
            unlocated=MAP_UNLOCATED,
        )
    ]


_MACHINE_FIELDS = ("allotted", "installed", "inspected", "geotagged", "transacting")


def _share(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole``; NaN when either is missing or ``whole`` is 0."""
    return (
        float("nan") if not whole or math.isnan(whole) or math.isnan(part) else 100 * part / whole
    )


def _machine_row(name: Cell, lv: LevelResult, i: int) -> tuple[Cell, ...]:
    """One row of the machine table: counts, and shares of the allotted or installed (numbers
    the renderer writes in the reader's grouping)."""
    f = {k: float(lv.fields[k][i]) for k in _MACHINE_FIELDS}
    cells: list[Cell] = [name, Num(f["allotted"])]
    cells.append(Num(f["installed"], share=_share(f["installed"], f["allotted"])))
    for k in ("inspected", "geotagged", "transacting"):
        cells.append(Num(f[k], share=_share(f[k], f["installed"])))
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
