"""Message catalogues: a .po file per language, plugin catalogues, framework names first."""

from __future__ import annotations

import attrs
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import InputError
from egov_score.model.framework import DEFAULT_BANDS, Bands
from egov_score.plugins.builtin import emitra
from egov_score.plugins.section import Msg, Name, Section
from egov_score.render import card as render
from egov_score.render import messages
from egov_score.render.awards import citation
from egov_score.render.review import review_text
from egov_score.review.actions import action_tables
from egov_score.review.awards import Reason, select_awards
from egov_score.review.division import Review
from egov_score.review.panel import score_panel
from egov_score.review.report import build_report

XX_PO = r"""msgid ""
msgstr ""
"Language: xx\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\n"

msgid "report_card"
msgstr "XX card"

msgid "district"
msgstr "XX district"

msgid "emitra.reason.not_inspected"
msgstr "XX not inspected"

msgid "citation"
msgid_plural "citation.plural"
msgstr[0] "{name}: one month"
msgstr[1] "{name}: two months"
msgstr[2] "{name}: {n} months"
"""


@pytest.fixture(scope="module")
def jaipur():
    return datasets.load("jaipur")


@pytest.fixture(scope="module")
def panel(jaipur):
    return score_panel(jaipur)


@pytest.fixture
def xx_folder(tmp_path):
    folder = tmp_path / "locale"
    folder.mkdir()
    (folder / "xx.po").write_text(XX_PO, encoding="utf-8")
    return folder


def test_languages_are_the_po_files():
    assert messages.LANGUAGES == ("en", "hi")
    assert {p.stem for p in messages.LOCALE.glob("*.po")} == {"en", "hi"}


def test_known_answers_in_english_and_hindi():
    assert messages.gettext("en", "rank_of", rank=3, of=7) == "3 of 7"
    assert messages.gettext("hi", "rank_of", rank=3, of=7) == "7 में से 3"
    assert messages.month_name("2021-01", "hi") == "जनवरी 2021"
    assert messages.month_name("2021-01", "en", short=True) == "Jan"
    assert messages.month_name("2021-13", "en") == "2021-13"
    assert messages.gettext("hi", "reason.min_coverage", got=0.4, needs=0.75) == (
        "औसत डेटा उपलब्धता 40%; आवश्यक 75%"
    )


def test_plural_forms_follow_each_language():
    params = {"name": "A", "where": "", "mean": 80, "improvement": 2, "first": "x", "last": "y"}
    one = messages.ngettext("en", "citation", "citation.plural", 1, band="b", **params)
    five = messages.ngettext("en", "citation", "citation.plural", 5, band="b", **params)
    assert "over 1 month," in one
    assert "over 5 months," in five
    # Hindi's rule is plural=(n > 1): 0 takes the singular form, unlike English.
    hindi = messages.messages("hi")
    assert hindi.plural("citation", "citation.plural", 0, band="b", **params) == (
        "A: औसत स्कोर 80.0 (0 माह), x से y तक +2.0 अंक; न्यूनतम श्रेणी b"
    )
    assert "over 0 months," in messages.ngettext(
        "en", "citation", "citation.plural", 0, band="b", **params
    )


def test_unknown_language_is_an_error():
    with pytest.raises(InputError, match=r"language must be one of \['en', 'hi'\]; got 'zz'"):
        messages.gettext("zz", "score")


def test_framework_band_labels_hi_win_over_the_catalogue():
    custom = Bands(edges=DEFAULT_BANDS.edges, labels=DEFAULT_BANDS.labels, labels_hi=tuple("कखगघ"))
    assert messages.band_label(custom, "Front Runner", "hi") == "ग"
    assert messages.band_label(DEFAULT_BANDS, "Front Runner", "hi") == "अग्रणी"
    bare = attrs.evolve(DEFAULT_BANDS, labels_hi=())
    assert messages.band_label(bare, "Front Runner", "hi") == "अग्रणी"  # the catalogue
    assert messages.band_label(bare, "Gold", "hi") == "Gold"  # neither: the label itself
    assert messages.band_label(custom, "Front Runner", "en") == "Front Runner"
    assert messages.band_label(custom, "", "hi") == "अपर्याप्त डेटा"
    reason = Reason(rule="min_band", band="Performer")
    assert render.reason_text(reason, "hi", custom) == "किसी माह श्रेणी ख से नीचे"


def test_a_hindi_card_shows_the_frameworks_band_names(jaipur, panel):
    card = build_report(panel, "D-87", "2021-01", hierarchy=jaipur.hierarchy)
    assert card.band == "Front Runner"
    bands = attrs.evolve(card.framework.bands, labels_hi=("क", "ख", "गुरु", "घ"))
    custom = attrs.evolve(card, framework=attrs.evolve(card.framework, bands=bands))
    assert "| श्रेणी | गुरु |" in render.to_markdown(custom, "hi")
    assert "| श्रेणी | अग्रणी |" in render.to_markdown(card, "hi")
    assert "| Band | Front Runner |" in render.to_markdown(custom, "en")


def test_a_framework_name_hi_wins_and_a_catalogue_name_is_the_fallback(jaipur, panel):
    card = build_report(panel, "D-87", "2021-01", hierarchy=jaipur.hierarchy)
    emitra = next(s for s in card.schemes if s.code == "emitra")
    assert render.display_name(emitra, "hi") == "ई-मित्र प्लस मशीनें"
    assert render.display_name(attrs.evolve(emitra, name_hi=""), "hi") == emitra.name


def test_adding_a_language_is_adding_a_file(jaipur, panel, xx_folder):
    class Marathi:
        @eg.hookimpl
        def egov_score_catalogues(self):
            return xx_folder

    registry = eg.Registry(eg.make_plugin_manager([Marathi()], autoload=False))
    assert registry.catalogues()[-1] == xx_folder
    result = panel.result("2021-01")
    actions = action_tables(result, jaipur.hierarchy, registry, jaipur.tables)
    card = build_report(
        panel, "D-87", "2021-01", hierarchy=jaipur.hierarchy, registry=registry, actions=actions
    )
    assert "xx" not in messages.languages()
    assert "xx" in messages.languages(registry.catalogues())
    md = render.render_card(card, "md", "xx")
    # The plugin's catalogue was in force for that card only: nothing is left behind in the
    # process, so another app with other plugins never sees it.
    assert "xx" not in messages.languages()
    with pytest.raises(eg.InputError, match="language must be one of"):
        messages.messages("xx")
    assert md.startswith("# XX card: Alwar (XX district)")  # its own strings
    assert "## Scheme scores" in md  # a message it lacks falls back to English
    assert "| XX not inspected |" in md  # an e-Mitra reason, in its id from the xx file
    with messages.catalogues(registry.catalogues()):
        xx = messages.messages("xx")
    assert [xx.plural("citation", "citation.plural", n, name="A") for n in (1, 2, 7)] == [
        "A: one month",
        "A: two months",
        "A: 7 months",
    ]


def test_a_catalogue_that_is_no_folder_is_an_error(tmp_path):
    class Broken:
        @eg.hookimpl
        def egov_score_catalogues(self):
            return tmp_path / "missing"

    registry = eg.Registry(eg.make_plugin_manager([Broken()], autoload=False))
    with pytest.raises(eg.PluginError, match=r"must return a folder of <lang>\.po files; got"):
        registry.catalogues()


def test_sections_are_ids_and_data_translated_by_the_renderer():
    section = Section(
        key="t.x",
        title="emitra.machine_table",
        header=("district", "emitra.reasons"),
        rows=((Name("Alwar", "अलवर"), Msg(("emitra.not_inspected", "emitra.not_geotagged"))),),
    )
    with messages.catalogues([emitra.LOCALE]):
        assert render.section_text(section, "hi") == (
            "जिलेवार ई-मित्र प्लस मशीनें",
            ["जिला", "आवश्यक कार्य"],
            [["अलवर", "निरीक्षण, जियो टैगिंग"]],
            "",
        )
        assert render.section_text(section, "en")[2] == [["Alwar", "inspection, geo-tagging"]]
    # Outside the block the plugin's ids are not known: they show as themselves.
    assert render.section_text(section, "en")[0] == "emitra.machine_table"


def test_a_kiosk_plugin_replacing_emitra_supplies_the_review_table(jaipur, panel, tmp_path):
    folder = tmp_path / "kiosk"
    folder.mkdir()
    (folder / "hi.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "kiosk.title"\nmsgstr "कियोस्क"\n',
        encoding="utf-8",
    )

    class Kiosk:
        @eg.hookimpl
        def egov_score_catalogues(self):
            return folder

        @eg.hookimpl
        def egov_score_review_sections(self, result, hierarchy):
            top = result.levels[0]
            return [
                Section(
                    key="kiosk.t",
                    title="kiosk.title",
                    header=("division",),
                    rows=((Name(str(top.names[0]), str(top.names_hi[0])),),),
                )
            ]

    pm = eg.make_plugin_manager([Kiosk()], autoload=False, block=["emitra"])
    rv = Review(panel=panel, period="2021-01", hierarchy=jaipur.hierarchy, registry=eg.Registry(pm))
    text = review_text(rv, "hi")
    assert "कियोस्क\nसंभाग" in text
    assert "ई-मित्र" not in text.split("जिलों के स्कोर")[0]  # no e-Mitra table any more
    with_emitra = Review(
        panel=panel, period="2021-01", hierarchy=jaipur.hierarchy, registry=jaipur.registry
    )
    assert review_text(with_emitra, "hi").splitlines()[2] == "जिलेवार ई-मित्र प्लस मशीनें"


def test_award_reasons_are_data_and_worded_in_both_languages(panel):
    awards = select_awards(panel, "republic_day", 2021)
    for level in awards.rules.levels:
        for c in awards.candidates[level]:
            assert all(isinstance(r, Reason) for r in c.reasons)
    winner = awards.winners["district"][0]
    assert citation(winner, "en", awards.bands).startswith(f"{winner.name} (Jaipur): mean score")
    assert citation(winner, "hi", awards.bands).startswith("अलवर (जयपुर): औसत स्कोर")
