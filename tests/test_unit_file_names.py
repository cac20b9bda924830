"""Readable card and action-list file names: ``district/alwar-87.html``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.exceptions import InputError
from egov_score.io.table import safe_file_names, unit_file_names
from egov_score.render.review import write_cards
from egov_score.review.division import Review
from egov_score.review.panel import score_panel

_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{d}" for p in ("COM", "LPT") for d in (*"123456789", "¹", "²", "³")
}


def _reference(codes: list[str], names: list[str]) -> list[str]:
    """The rules of :func:`unit_file_names`, one unit at a time."""

    def slug(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")

    stems = []
    for code, name in zip(codes, names, strict=True):
        digits = "".join(c for c in code if c in "0123456789")
        tail = digits or slug(code)
        stem = "-".join(part for part in (slug(name), tail) if part)[:100].strip("-")
        if stem.upper() in _DEVICES:
            stem = "_" + stem
        stems.append(stem or safe_file_names([code])[0])
    folded = Counter(s.lower() for s in stems)
    return [
        f"{s}-{hashlib.sha256(c.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
        if folded[s.lower()] > 1
        else s
        for s, c in zip(stems, codes, strict=True)
    ]


def test_the_demo_units_get_their_name_and_code_digits() -> None:
    names = unit_file_names(["D-87", "B-574", "M-574-001"], ["Alwar", "Bansur", "GP Bansur 1"])
    assert names == ["alwar-87", "bansur-574", "gp-bansur-1-574001"]


def test_a_code_without_digits_and_a_name_without_latin_letters() -> None:
    assert unit_file_names(["ALW", "D-9"], ["Alwar", "अलवर"]) == ["alwar-alw", "9"]
    assert unit_file_names(["Sawāi"], ["Sawāi Mādhopur"]) == ["sawai-madhopur-sawai"]


def test_two_units_that_slug_the_same_get_distinct_stable_names() -> None:
    codes = ["B-1", "B1", "B-2"]
    names = unit_file_names(codes, ["Govindgarh", "GOVINDGARH!", "Govindgarh"])
    assert names[2] == "govindgarh-2"
    assert names[0].startswith("govindgarh-1-")
    assert names[1].startswith("govindgarh-1-")
    assert names[0] != names[1]
    assert (
        unit_file_names(codes[::-1], ["Govindgarh", "GOVINDGARH!", "Govindgarh"][::-1])
        == (names[::-1])
    )  # the same unit gets the same name whatever the order


def test_names_equal_but_for_case_clash_too() -> None:
    names = unit_file_names(["a", "A"], ["", ""])
    assert len({n.casefold() for n in names}) == 2


def test_device_names_path_tricks_and_length_are_made_safe() -> None:
    names = unit_file_names(
        ["CON", "../../x", "aux", "L-1"], ["", "../../evil", "", "x" * 300 + "."]
    )
    assert names[0] == "_con"
    assert names[1] == "evil-x"
    assert names[2] == "_aux"
    assert len(names[3]) <= 100
    assert names[3].startswith("xxx")
    for name in names:
        assert re.fullmatch(r"[a-z0-9_][a-z0-9-]*", name)


def test_same_code_twice_and_mismatched_lengths_are_refused() -> None:
    with pytest.raises(InputError, match="distinct file names"):
        unit_file_names(["B-1", "B-1"], ["A", "A"])
    with pytest.raises(InputError, match="one name"):
        unit_file_names(["B-1"], [])


_CODES = st.text(st.sampled_from("AbC-_./ 0123456789\\:अ"), max_size=8)
_NAMES = st.text(st.sampled_from("Alwar aā-!.0123 जयपुर"), max_size=12)


@given(st.lists(st.tuples(_CODES, _NAMES), max_size=12, unique_by=lambda t: t[0]))
def test_names_match_the_reference_and_are_distinct_and_plain(
    units: list[tuple[str, str]],
) -> None:
    codes = [c for c, _ in units]
    names = [n for _, n in units]
    got = unit_file_names(codes, names)
    assert got == _reference(codes, names)
    assert len({g.casefold() for g in got}) == len(got)
    for name in got:
        assert name
        assert not name.startswith((".", " "))
        assert all(c.isalnum() or c in "-_." for c in name)
        assert name.split(".")[0].upper() not in _DEVICES


def test_the_cards_and_their_links_use_the_readable_names(tmp_path: Path) -> None:
    job = datasets.load("small")
    panel = score_panel(job)
    rv = Review(panel=panel, period=panel.periods[-1], hierarchy=job.hierarchy)
    write_cards(rv, tmp_path, formats=("html",))
    index = json.loads((tmp_path / "index.json").read_text(encoding="utf-8"))
    district = rv.result.level("district")
    code, name = str(district.codes[0]), str(district.names[0])
    stem = index["files"]["district"][code]
    assert stem == "district/" + unit_file_names([code], [name])[0]
    assert (tmp_path / f"{stem}.html").exists()
    assert not list(tmp_path.glob("district/D-*"))
