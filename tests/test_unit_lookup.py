"""``--unit`` takes a code or an unambiguous English or Hindi name, and suggests otherwise."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.cli import main
from egov_score.exceptions import InputError
from egov_score.model.hierarchy import Block, District, Division, Hierarchy
from egov_score.model.lookup import find_unit

LEVELS = ("division", "district", "block")


@pytest.fixture(scope="module")
def jaipur() -> Hierarchy:
    return datasets.load("jaipur").hierarchy


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("D-87", "D-87"),
        ("d-87", "D-87"),
        ("alwar", "D-87"),
        ("ALWAR", "D-87"),
        ("  Alwar ", "D-87"),
        ("अलवर", "D-87"),
        ("Bansur", "B-574"),
        ("gp bansur 1", "M-574-001"),
        ("DIV-JAIPUR", "DIV-JAIPUR"),
    ],
)
def test_a_code_or_a_name_in_either_language_finds_the_unit(
    jaipur: Hierarchy, typed: str, code: str
) -> None:
    assert find_unit(jaipur, typed) == code


def test_a_name_typed_decomposed_is_found() -> None:
    h = Hierarchy.from_units(
        [
            Division(code="DIV", name="Top"),
            District(code="D-1", name="Sawāi Mādhopur", name_hi="सवाई माधोपुर", parent="DIV"),
            District(code="D-2", name="Karauli", name_hi="क़रौली", parent="DIV"),
        ],
        LEVELS[:2],
    )
    assert find_unit(h, unicodedata.normalize("NFD", "sawāi mādhopur")) == "D-1"
    assert find_unit(h, unicodedata.normalize("NFD", "क़रौली")) == "D-2"
    assert find_unit(h, unicodedata.normalize("NFC", "क़रौली")) == "D-2"


def test_a_shared_name_lists_every_unit_with_its_code(jaipur: Hierarchy) -> None:
    with pytest.raises(InputError) as caught:
        find_unit(jaipur, "dausa")
    message = str(caught.value)
    assert "must name one unit; got 'dausa', which names 2" in message
    assert "Dausa / दौसा (district D-97)" in message
    assert "(block B-661)" in message
    assert "give the code" in message
    with pytest.raises(InputError, match=r"division DIV-JAIPUR.*district D-102"):
        find_unit(jaipur, "जयपुर")


def test_a_typo_suggests_the_closest_units(jaipur: Hierarchy) -> None:
    with pytest.raises(InputError, match=r"did you mean Alwar / अलवर \(district D-87\)\?"):
        find_unit(jaipur, "Alwr")
    with pytest.raises(InputError, match=r"did you mean .*\(district D-87\)"):
        find_unit(jaipur, "D-78")
    with pytest.raises(InputError, match="no unit's code or name is close"):
        find_unit(jaipur, "zzzzzzzz")


def test_a_code_wins_over_another_units_name() -> None:
    h = Hierarchy.from_units(
        [
            Division(code="DIV", name="Top"),
            District(code="D-1", name="B-2", parent="DIV"),
            Block(code="B-2", name="Other", parent="D-1"),
        ],
        LEVELS,
    )
    assert find_unit(h, "B-2") == "B-2"
    assert find_unit(h, "b-2") == "B-2"


def test_codes_equal_but_for_case_need_the_exact_code() -> None:
    h = Hierarchy.from_units(
        [
            Division(code="DIV", name="Top"),
            District(code="ab", name="North", parent="DIV"),
            District(code="AB", name="South", parent="DIV"),
        ],
        LEVELS[:2],
    )
    assert find_unit(h, "AB") == "AB"
    assert find_unit(h, "ab") == "ab"
    with pytest.raises(InputError, match=r"names 2: North \(district ab\); South \(district AB\)"):
        find_unit(h, "Ab")


_NAMES = st.text(st.sampled_from("abAB अल -"), min_size=1, max_size=5).filter(str.strip)


@given(st.lists(_NAMES, min_size=1, max_size=8))
def test_every_unit_is_found_by_its_code_and_by_a_unique_name(names: list[str]) -> None:
    units = [Division(code="DIV", name="Top")]
    units += [District(code=f"D-{k}", name=n, parent="DIV") for k, n in enumerate(names)]
    h = Hierarchy.from_units(units, LEVELS[:2])
    folded = [n.strip().lower() for n in ["Top", *names]]
    for k, name in enumerate(names):
        assert find_unit(h, f"D-{k}") == f"D-{k}"
        if folded.count(name.strip().lower()) == 1:
            assert find_unit(h, name.upper()) == f"D-{k}"
        else:
            with pytest.raises(InputError, match="must name one unit"):
                find_unit(h, name)


def test_report_takes_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = datasets.path("small")
    args = ["report", "--units", str(small / "units.csv"), "--values", str(small / "values.csv")]
    args += ["--framework", str(small / "framework.toml"), "--format", "json"]
    assert main([*args, "--unit", "अलवर", "--out", str(tmp_path / "hi.json")]) == 0
    assert main([*args, "--unit", "D-087", "--out", str(tmp_path / "code.json")]) == 0
    by_name = (tmp_path / "hi.json").read_text(encoding="utf-8")
    assert by_name == (tmp_path / "code.json").read_text(encoding="utf-8")
    assert main([*args, "--unit", "Alwr"]) == 2
    assert "did you mean Alwar / अलवर (district D-087)?" in capsys.readouterr().err
