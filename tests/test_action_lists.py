"""Action lists: every e-Mitra reason a known answer, the order, the grouping, the files, the
card and division sections."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

import egov_score as eg
from egov_score.cli import main
from egov_score.io.table import Table
from egov_score.render import card as render
from egov_score.render import messages
from egov_score.render.actions import write_action_lists
from egov_score.review.actions import action_tables, card_sections, division_section, list_paths
from egov_score.review.division import Review
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report

LEVELS = ("division", "district", "block", "machine")
UNITS = """level,code,name,parent
division,DIV,Division,
district,D-1,North,DIV
district,D-2,South,DIV
block,B-1,Alpha,D-1
block,B-2,Beta,D-1
block,B-3,Gamma,D-2
machine,M-OK,GP Ok,B-1
machine,M-INSP,GP Insp,B-1
machine,M-TX,GP Tx,B-1
machine,M-GEO,GP Geo,B-2
machine,M-NODAL,Office Nodal,B-2
machine,M-HOURS,GP Hours,B-2
machine,M-SERV,GP Serv,B-3
machine,M-SABHA,GP Sabha,B-3
machine,M-MULTI,GP Multi,B-3
machine,M-NOTINST,GP Notinst,B-3
"""
HEADER = (
    "code,period,allotted,installed,inspected,geotagged,latitude,longitude,transactions,"
    "services,location,nodal_officer,hours_displayed,services_displayed,gram_sabha,"
    "nodal_officer_name,nodal_officer_phone"
)
GOOD = {
    "allotted": "1",
    "installed": "1",
    "inspected": "1",
    "geotagged": "1",
    "latitude": "27.5",
    "longitude": "76.5",
    "transactions": "20",
    "services": "30",
    "location": "gp",
    "nodal_officer": "1",
    "hours_displayed": "1",
    "services_displayed": "1",
    "gram_sabha": "1",
    "nodal_officer_name": "Ramesh Kumar",
    "nodal_officer_phone": "9414012345",
}
#: Each machine fails exactly the check its code names (M-MULTI three, M-NOTINST none: a
#: machine not installed has nothing to act on yet).
BROKEN = {
    "M-OK": {},
    "M-INSP": {"inspected": "0"},
    "M-TX": {"transactions": "0"},
    "M-GEO": {"geotagged": "0", "latitude": "", "longitude": ""},
    "M-NODAL": {
        "nodal_officer": "0",
        "nodal_officer_name": "",
        "nodal_officer_phone": "",
        "location": "office",
    },
    "M-HOURS": {"hours_displayed": "0", "nodal_officer_name": "<script>x</script> | *Ram*"},
    "M-SERV": {"services_displayed": "0", "nodal_officer_phone": "0141-2740000"},
    "M-SABHA": {"gram_sabha": "0", "nodal_officer_name": '=HYPERLINK("http://x")'},
    "M-MULTI": {
        "inspected": "0",
        "geotagged": "0",
        "latitude": "",
        "longitude": "",
        "nodal_officer": "0",
        "nodal_officer_name": "",
        "nodal_officer_phone": "",
    },
    "M-NOTINST": dict.fromkeys(
        (
            "installed",
            "inspected",
            "geotagged",
            "transactions",
            "services",
            "nodal_officer",
            "hours_displayed",
            "services_displayed",
            "gram_sabha",
        ),
        "0",
    )
    | {"latitude": "", "longitude": ""},
}
#: Every reason of the e-Mitra list, in order: the geo-tag check's reason right after
#: ``not_geotagged`` (issue 11).
ALL_REASONS = (
    "not_inspected",
    "not_transacting",
    "not_geotagged",
    "geotag_suspect",
    "no_nodal_officer",
    "hours_not_displayed",
    "services_not_displayed",
    "not_announced",
)
EXPECTED = {
    "M-INSP": {"not_inspected"},
    "M-TX": {"not_transacting"},
    "M-GEO": {"not_geotagged"},
    "M-NODAL": {"no_nodal_officer"},
    "M-HOURS": {"hours_not_displayed"},
    "M-SERV": {"services_not_displayed"},
    "M-SABHA": {"not_announced"},
    "M-MULTI": {"not_inspected", "not_geotagged", "no_nodal_officer"},
}


def machines_csv(drop: tuple[str, ...] = ()) -> str:
    cols = [c for c in HEADER.split(",") if c not in drop]
    lines = [",".join(cols)]
    for i, (code, broken) in enumerate(BROKEN.items()):
        # Every machine at its own place, 4 decimals, ~110 m apart: a clean geo-tag (issue 11's
        # geo-tag checks judge a shared or 1-decimal location suspect).
        spot = {"latitude": f"27.5{i:02d}3", "longitude": f"76.5{i:02d}7"}
        row = {"code": code, "period": "2021-01", **GOOD, **spot, **broken}
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow([row[c] for c in cols])
        lines.append(out.getvalue())
    return "\n".join(lines) + "\n"


def make_review(tmp_path, drop: tuple[str, ...] = ()) -> Review:
    (tmp_path / "units.csv").write_text(UNITS, encoding="utf-8")
    (tmp_path / "emitra_machines.csv").write_text(machines_csv(drop), encoding="utf-8")
    registry = eg.Registry()
    framework = registry.framework(LEVELS, active=["emitra"])
    hierarchy = eg.Hierarchy.from_csv(tmp_path / "units.csv", LEVELS)
    tables = {"emitra": {"emitra_machines": Table.from_csv(tmp_path / "emitra_machines.csv")}}
    job = eg.Pipeline.build(framework, hierarchy, registry=registry, tables=tables)
    return Review(
        panel=score_panel(job),
        period="2021-01",
        hierarchy=hierarchy,
        registry=registry,
        tables=job.tables,
    )


@pytest.fixture
def review(tmp_path):
    return make_review(tmp_path)


def reasons_of(table) -> dict[str, set[str]]:
    m = table.matrix
    return {
        str(code): {table.reasons.reasons[k] for k in np.flatnonzero(m[i])}
        for i, code in enumerate(table.codes)
    }


def test_every_reason_is_a_known_answer(review):
    (table,) = review.actions
    assert table.reasons.reasons == ALL_REASONS
    assert reasons_of(table) == EXPECTED  # M-OK and M-NOTINST need nothing


def test_most_reasons_first_then_by_code(review):
    (table,) = review.actions
    assert table.codes.tolist() == ["M-MULTI", *sorted(set(EXPECTED) - {"M-MULTI"})]
    assert table.counts.tolist() == [3, *[1] * 7]


def test_lists_are_grouped_under_every_district_and_block(review):
    (table,) = review.actions
    blocks = review.hierarchy.level("block").codes.tolist()
    b3 = table.rows_of("block", blocks.index("B-3"))
    assert table.codes[b3].tolist() == ["M-MULTI", "M-SABHA", "M-SERV"]
    counts = table.counts_by("district", 2)
    assert counts.sum(axis=1).tolist() == [5, 5]  # reasons, not machines
    assert table.reasons.details["nodal_officer_phone"].dtype.kind == "U"


def test_the_lists_are_written_as_csv_beside_the_cards(review, tmp_path):
    out = tmp_path / "out"
    written = write_action_lists(review, out)
    assert len(written) == 2 + 3  # every district and block, even with nothing to do
    path = out / "actions" / "emitra.machines" / "block" / "gamma-3.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "code",
        "name",
        "district",
        "block",
        "nodal_officer_name",
        "nodal_officer_phone",
        "geotag_check",
        "reasons",
        *ALL_REASONS,
    ]
    assert rows[1][:8] == ["M-MULTI", "GP Multi", "South", "Gamma", "", "", "", "3"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["M-SERV"][5] == "0141-2740000"  # a phone is text: its leading 0 kept
    assert by_code["M-SABHA"][4].startswith("'=")  # a formula is neutralised
    assert by_code["M-SABHA"][8:] == ["0", "0", "0", "0", "0", "0", "0", "1"]


def test_a_card_shows_counts_the_first_rows_and_links_the_list(review):
    blocks = review.hierarchy.level("block").codes.tolist()
    names = review.hierarchy.level("block").names.tolist()
    counts, first = card_sections(
        review.actions, "block", blocks.index("B-3"), blocks, first=2, names=names
    )
    assert [row[1] for row in counts.rows] == ["1", "0", "1", "0", "1", "0", "1", "1", "3"]
    assert [row[0] for row in first.rows] == ["M-MULTI", "M-SABHA"]
    assert first.note == "actions.more"
    assert first.link == "../actions/emitra.machines/block/gamma-3.csv"
    card = review.report("B-3")
    md = render.to_markdown(card, "hi")
    assert "[पूरी कार्रवाई सूची (CSV)](../actions/emitra.machines/block/gamma-3.csv)" in md
    assert "ग्राम सभा में जानकारी नहीं दी" in md
    html = render.to_html(card, "en")
    assert '<a href="../actions/emitra.machines/block/gamma-3.csv">' in html
    assert "not announced in the gram sabha" in html


def test_a_short_list_is_shown_whole(tmp_path):
    rv = make_review(tmp_path)
    blocks = rv.hierarchy.level("block").codes.tolist()
    (table,) = rv.actions
    assert len(table.rows_of("block", blocks.index("B-1"))) == 2
    names = rv.hierarchy.level("block").names.tolist()
    sections = card_sections(rv.actions, "block", blocks.index("B-1"), blocks, names=names)
    assert sections[1].note == ""
    assert sections[1].link.endswith("/alpha-1.csv")


def test_the_division_page_counts_per_district(review):
    (section,) = division_section(review.actions, review.result)
    assert section.header[-1] == "actions.any"
    with messages.catalogues(review.registry.catalogues()):
        _, header, rows, _ = render.section_text(section, "en")
    assert header[1] == "not inspected/repaired"
    assert rows == [
        ["North", "1", "1", "1", "0", "1", "1", "0", "0", "5"],
        ["South", "1", "0", "1", "0", "1", "0", "1", "1", "3"],
        ["Total", "2", "1", "2", "0", "2", "1", "1", "1", "8"],
    ]


def test_without_the_optional_columns_their_reason_and_details_are_left_out(tmp_path):
    rv = make_review(tmp_path, drop=("gram_sabha", "nodal_officer_name", "nodal_officer_phone"))
    (table,) = rv.actions
    assert "not_announced" not in table.reasons.reasons
    assert list(table.reasons.details) == ["geotag_check"]  # from the coordinates
    assert "M-SABHA" not in table.codes.tolist()
    ind = rv.result.level("block").indicators["gram_sabha_rate"]
    assert np.isnan(ind).all()  # missing, not "none announced"


def test_the_gram_sabha_indicator_is_a_known_answer(review):
    blocks = review.result.level("block")
    rate = dict(zip(blocks.codes.tolist(), blocks.indicators["gram_sabha_rate"], strict=True))
    assert rate["B-3"] == pytest.approx(100 * 2 / 3)  # Serv, Multi of Serv, Sabha, Multi
    assert rate["B-1"] == pytest.approx(100.0)


def test_a_values_run_gives_the_reasons_its_fields_hold(review):
    (table,) = action_tables(review.result, review.hierarchy, review.registry, None)
    assert table.reasons.reasons == (
        "not_inspected",
        "not_transacting",
        "not_geotagged",
        "no_nodal_officer",
        "not_announced",
    )
    assert table.reasons.details == {}
    assert reasons_of(table) == {
        c: r & set(table.reasons.reasons)
        for c, r in EXPECTED.items()
        if r & set(table.reasons.reasons)
    }


def test_list_files_of_unsafe_codes_stay_inside(review):
    (table,) = review.actions
    paths = list_paths(table, "block", ["../../evil", "B-2", "CON"], ["../..", "Beta", "nul"])
    assert paths[1] == "actions/emitra.machines/block/beta-2.csv"
    for p in paths:
        assert p.startswith("actions/emitra.machines/block/")
        assert ".." not in p.split("/")
        assert p.count("/") == 3


def test_a_card_written_alone_shows_the_whole_list_and_no_link(review):
    card = build_report(
        review.panel,
        "D-2",
        "2021-01",
        hierarchy=review.hierarchy,
        registry=review.registry,
        actions=review.actions,
        whole_lists=True,
    )
    first = next(s for s in card.sections if s.key == "emitra.machines.first")
    assert [row[0] for row in first.rows] == ["M-MULTI", "M-SABHA", "M-SERV"]
    assert first.link == ""
    assert "](../actions" not in render.to_markdown(card)


def test_the_report_command_shows_the_machines_of_its_unit(tmp_path, capsys):
    rv = make_review(tmp_path)
    del rv
    args = ["report", "--units", str(tmp_path / "units.csv"), "--scheme-data", str(tmp_path)]
    assert main([*args, "--unit", "B-3", "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert "| M-SERV | GP Serv | Ramesh Kumar | 0141-2740000 |  | services not displayed |" in out


def test_names_from_the_data_are_data_on_every_card(review):
    card = review.report("B-2")
    html = render.to_html(card)
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; | *Ram*" in html
    assert r"\<script\>x\</script\> \| \*Ram\*" in render.to_markdown(card)
