"""The divisional review on the built-in Jaipur data, report cards and their renderers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.cli import main
from egov_score.datasets.synthetic import MONTHS, generate
from egov_score.plugins.section import Section
from egov_score.render import card as render
from egov_score.render import messages
from egov_score.render.review import review_text, write_cards
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report
from tests import demo

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report-card.schema.json").read_text(encoding="utf-8"))
DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.fixture(scope="module")
def jaipur():
    return datasets.load("jaipur")


@pytest.fixture(scope="module")
def panel(jaipur):
    return score_panel(jaipur)


@pytest.fixture(scope="module")
def review(jaipur, panel):
    return demo.jaipur_review(jaipur, panel)


@pytest.fixture(scope="module")
def cards(review, tmp_path_factory):
    out = tmp_path_factory.mktemp("cards")
    write_cards(review, out)
    return out


def test_real_units(jaipur):
    h = jaipur.hierarchy
    assert len(h.level("district")) == 5
    assert len(h.level("block")) == 72
    assert len(h.level("machine")) == 2995
    alwar = h.unit("D-87")
    assert (alwar.name, alwar.name_hi, alwar.lgd_code) == ("Alwar", "अलवर", "87")
    # Govindgarh is a block of both Alwar and Jaipur: codes, not names, are keys.
    blocks = h.level("block")
    assert (blocks.names == "Govindgarh").sum() == 2


def test_review_month_matches_the_source_document(review):
    division = review.result.level("division")
    f = {k: division.fields[k][0] for k in ("allotted", "installed", "inspected", "transacting")}
    assert f == {"allotted": 2995, "installed": 2995, "inspected": 2621, "transacting": 2939}
    assert round(division.indicators["inspection_rate"][0], 2) == 87.51
    assert round(division.indicators["transacting_rate"][0], 2) == 98.13
    text = review_text(review)
    total = next(line for line in text.splitlines() if line.startswith("Total"))
    assert total.split()[1:] == [
        "2,995",
        "2,995",
        "(100.0%)",
        "2,621",
        "(87.5%)",
        "2,785",
        "(93.0%)",
        "2,939",
        "(98.1%)",
    ]


def test_history_moves_and_alwar_leads_on_pensions(panel):
    first = panel.result("2020-02").level("district")
    last = panel.result("2021-01").level("district")
    assert panel.periods == MONTHS
    assert not np.array_equal(first.rank, last.rank)  # districts change places over the year
    alwar = int(np.flatnonzero(last.codes == "D-87")[0])
    pension_ranks = [r.level("district").group_ranks["pension"][alwar] for r in panel.results]
    assert sum(r == 1 for r in pension_ranks) >= 10
    dausa = int(np.flatnonzero(last.codes == "D-97")[0])
    assert last.score[dausa] - first.score[dausa] > 20  # Dausa improves the most


def test_review_text_flags_the_weak_and_praises_the_strong(review):
    text = review_text(review, cards_dir=Path("out"))
    assert re.search(r"Praised: Alwar — leads the division on: .*Social security pensions", text)
    assert text.count("Needs to improve:") == 2
    assert "Five best blocks" in text
    assert "Five weakest blocks" in text
    assert text.rstrip().endswith("Report cards written to: out")


def test_every_district_and_block_gets_a_card(cards):
    index = json.loads((cards / "index.json").read_text(encoding="utf-8"))
    assert len(index["cards"]["district"]) == 5
    assert len(index["cards"]["block"]) == 72
    for level, codes in index["cards"].items():
        for code in codes:
            for fmt in ("html", "md", "json", "csv"):
                stem = index["files"][level][code]
                assert (cards / f"{stem}.{fmt}").stat().st_size > 200
    assert "Jaipur" in (cards / "division.md").read_text(encoding="utf-8")


def test_json_cards_validate_against_the_schema(cards):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    paths = sorted(cards.glob("*/*.json"))
    assert len(paths) == 77
    for path in paths:
        validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_html_is_self_contained(cards):
    for path in [*cards.glob("*/*.html"), cards / "division.html"]:
        html = path.read_text(encoding="utf-8")
        assert "<svg" in html
        for external in ("<script", "<link", "src=", "url(", "@import", "@font-face"):
            assert external not in html, (path, external)
        # The one link a card has: its full action list, a file beside the cards.
        links = re.findall(r'href="([^"]*)"', html)
        assert all(
            re.fullmatch(r"\.\./actions/emitra\.machines/\w+/[\w.-]+\.csv", h) for h in links
        )
        assert all((path.parent / h).is_file() for h in links), (path, links)
        assert re.findall(r"https?://[^\"' ]+", html) == [
            "http://www.w3.org/2000/svg"
        ] * html.count("<svg")


def test_hindi_labels_are_devanagari_and_used(review, tmp_path):
    hindi = messages.messages("hi")
    for key in ("report_card", "schemes", "trend", "band.Performer", "month.1"):
        assert DEVANAGARI.search(hindi(key)), key
    write_cards(review, tmp_path, lang="hi", formats=("html",))
    html = (tmp_path / "district" / "alwar-87.html").read_text(encoding="utf-8")
    assert '<html lang="hi">' in html
    for key in ("report_card", "schemes", "trend"):
        assert hindi(key) in html
    assert "जियो टैग नहीं" in html  # from the e-Mitra plugin's own catalogue
    assert "अलवर" in html
    assert "जनवरी 2021" in html


def test_card_contents(review):
    card = review.report("B-574")
    assert card.level == "block"
    assert card.officer == "BDO"
    assert card.parent_name == "Alwar"
    assert card.previous_period == "2020-12"
    assert len(card.trend) == 12
    assert card.rank_in_parent >= 1
    assert card.parent_peers == 16  # Alwar's blocks
    assert [s.code for s in card.schemes] == [
        "emitra",
        "pension",
        "housing",
        "nrega",
        "slwm",
        "sampark",
    ]
    assert len(card.strongest) == 3
    assert len(card.weakest) == 3
    assert card.strongest[0].rank <= card.weakest[-1].rank
    prev = review.panel.result("2020-12").unit("B-574")
    assert card.score_change == pytest.approx(card.score - prev.score)
    assert card.rank_change == prev.rank - card.rank
    machines = next(s for s in card.sections if s.key == "emitra.machines.first")
    below = set(review.hierarchy.children("B-574"))
    assert machines.rows
    assert {row[0] for row in machines.rows} <= below


def test_machines_needing_action_by_hand(review):
    card = review.report("B-574")
    m = review.result.level("machine")
    counts = next(s for s in card.sections if s.key == "emitra.machines.counts")
    first = next(s for s in card.sections if s.key == "emitra.machines.first")
    with messages.catalogues(card.catalogues):
        _, _, cells, _ = render.section_text(first, "en")
        _, _, tally, _ = render.section_text(counts, "en")
    rows = {row[0]: row[-1] for row in cells}
    needing = []
    for code in review.hierarchy.children("B-574"):
        i = int(np.flatnonzero(m.codes == code)[0])
        lacks = [
            m.fields[f][i] == 0
            for f in ("inspected", "transacting", "geotagged", "nodal_officer", "display_ok")
        ]
        needing.append(any(lacks))
        if code in rows:
            assert any(lacks)
            if lacks[0]:
                assert "not inspected/repaired" in rows[code]
    assert tally[-1] == ["Any reason", str(sum(needing))]
    assert len(rows) == min(10, sum(needing))


def test_a_plugin_adds_a_section(jaipur, panel):
    class Note:
        @eg.hookimpl
        def egov_score_report_sections(self, result, hierarchy, code, level):
            name = result.unit(code).name
            return [
                Section(key="note.hello", title=f"Note for {name}", header=("a",), rows=(("1",),))
            ]

    registry = eg.Registry(eg.make_plugin_manager([Note()], autoload=False))
    card = build_report(panel, "D-87", "2021-01", hierarchy=jaipur.hierarchy, registry=registry)
    assert [s.key for s in card.sections] == ["note.hello"]
    assert "Note for Alwar" in render.to_html(card)
    assert "Note for Alwar" in render.to_markdown(card)


def test_csv_and_markdown_renderers(review):
    card = review.report("D-97")
    md = render.to_markdown(card)
    assert md.startswith("# Monthly progress report card: Dausa (District)")
    csv_text = render.to_csv(card)
    assert csv_text.splitlines()[0] == "section,item,label,value,score,rank,peers,change"
    assert sum(line.startswith("trend,") for line in csv_text.splitlines()) == 12


def test_generator_is_deterministic_and_reproduces_the_shipped_data(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, seed=7, machines=400)
    generate(b, seed=7, machines=400)
    for path in a.iterdir():
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    generate(tmp_path / "c", seed=8, machines=400)
    assert (tmp_path / "c" / "units.csv").read_bytes() != (a / "units.csv").read_bytes()
    shipped = datasets.path("jaipur")
    generate(tmp_path / "d")
    for path in shipped.iterdir():
        assert path.read_bytes() == (tmp_path / "d" / path.name).read_bytes(), path.name


def test_demo_cli(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "cards")]) == 0
    out = capsys.readouterr().out
    assert "2,621 (87.5%)" in out
    assert (tmp_path / "cards" / "district" / "alwar-87.html").exists()
    assert "e-Governance awards 2021: Republic Day (26 January) — Alwar (District)" in out
    awards = json.loads((tmp_path / "cards" / "awards.json").read_text(encoding="utf-8"))
    assert awards["window"] == ["2020-08", "2020-12"]
    assert main(["demo", "--lang", "hi", "--month", "2020-12", "--out", str(tmp_path / "hi")]) == 0
    out = capsys.readouterr().out
    assert "संभागीय ई-गवर्नेंस समीक्षा" in out
    assert "दिसंबर 2020" in out


def test_demo_export_is_a_template(tmp_path, capsys):
    assert main(["demo", "--export", str(tmp_path / "tpl")]) == 0
    tpl = tmp_path / "tpl"
    assert (
        main(
            [
                "score",
                "--units",
                str(tpl / "units.csv"),
                "--framework",
                str(tpl / "framework.toml"),
                "--scheme-data",
                str(tpl),
                "--period",
                "2021-01",
                "--out",
                str(tmp_path / "scores"),
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "report",
                "--units",
                str(tpl / "units.csv"),
                "--scheme-data",
                str(tpl),
                "--framework",
                str(tpl / "framework.toml"),
                "--unit",
                "D-114",
                "--format",
                "json",
            ]
        )
        == 0
    )
    card = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert card["unit"]["code"] == "D-114"


def test_report_cli_formats(tmp_path, capsys):
    tpl = datasets.path("jaipur")
    args = [
        "report",
        "--units",
        str(tpl / "units.csv"),
        "--scheme-data",
        str(tpl),
        "--framework",
        str(tpl / "framework.toml"),
        "--unit",
        "D-114",
    ]
    assert main([*args, "--format", "json"]) == 0
    card = json.loads(capsys.readouterr().out)
    jsonschema.validate(card, SCHEMA)
    assert card["unit"]["name"] == "Sikar"
    assert main([*args, "--format", "html", "--lang", "hi", "--out", str(tmp_path / "s.html")]) == 0
    assert "सीकर" in (tmp_path / "s.html").read_text(encoding="utf-8")
    assert main([*args, "--unit", "NOPE"]) == 2
