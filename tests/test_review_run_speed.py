"""What the state-sized review does once instead of once per card or per language (issue 11's
speed target), with the same outputs: the action lists formatted once and copied into the
other language's folder; each level's columns ranked once for all its cards; each level's
list file names made once."""

from __future__ import annotations

from pathlib import Path

import pytest

import egov_score as eg
import egov_score.review.report as report_module
from egov_score import datasets
from egov_score.io.table import unit_file_names
from egov_score.kernels.rank import rank_in_groups
from egov_score.render.actions import write_action_lists
from egov_score.review import actions as actions_module
from egov_score.review.report import build_report
from tests.demo import jaipur_review


@pytest.fixture(scope="module")
def job() -> eg.Pipeline:
    return datasets.load("jaipur")


def _files(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_both_languages_hold_the_same_action_lists_as_one(job: eg.Pipeline, tmp_path: Path) -> None:
    both = eg.run_review(job=job, lang="both", formats=("csv",), out=tmp_path / "both")
    alone = eg.run_review(job=job, lang="hi", formats=("csv",), out=tmp_path / "hi")
    lists = _files(alone.out / "actions")
    assert lists
    assert _files(both.folder("en") / "actions") == lists
    assert _files(both.folder("hi") / "actions") == lists


def test_the_second_language_copies_the_first_ones_lists(tmp_path: Path) -> None:
    rv = jaipur_review()
    first = write_action_lists(rv, tmp_path / "en")
    marked = first[0]
    marked.write_bytes(b"copied, not formatted again\n")
    second = write_action_lists(rv, tmp_path / "hi", same_as=tmp_path / "en")
    assert [p.relative_to(tmp_path / "hi") for p in second] == [
        p.relative_to(tmp_path / "en") for p in first
    ]
    assert (tmp_path / "hi" / marked.relative_to(tmp_path / "en")).read_bytes() == (
        b"copied, not formatted again\n"
    )


def test_a_levels_columns_are_ranked_once_for_all_its_cards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rv = jaipur_review()
    calls: list[int] = []
    real = rank_in_groups

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(report_module, "rank_in_groups", counted)
    report_module._FACTS.clear()
    blocks = rv.result.level("block").codes.tolist()
    build_report(rv.panel, blocks[0], rv.period, hierarchy=rv.hierarchy)
    once = len(calls)
    assert once > 0
    for code in blocks[1:5]:
        build_report(rv.panel, code, rv.period, hierarchy=rv.hierarchy)
    assert len(calls) == once  # the other cards of the level rank nothing again


def test_cards_built_with_the_levels_facts_kept_equal_cards_built_afresh() -> None:
    rv = jaipur_review()
    codes = [*rv.result.level("district").codes.tolist(), *rv.result.level("block").codes]
    kept = [
        build_report(rv.panel, str(c), rv.period, hierarchy=rv.hierarchy, registry=rv.registry)
        for c in codes
    ]
    for code, card in zip(codes, kept, strict=True):
        report_module._FACTS.clear()
        afresh = build_report(
            rv.panel, str(code), rv.period, hierarchy=rv.hierarchy, registry=rv.registry
        )
        assert repr(card) == repr(afresh)  # NaN fields: equal as text


def test_a_levels_list_names_are_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rv = jaipur_review()
    calls: list[int] = []
    real = unit_file_names

    def counted(*args: object, **kwargs: object) -> list[str]:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions_module, "unit_file_names", counted)
    actions_module._list_paths.cache_clear()
    lv = rv.result.level("block")
    for i in range(5):
        actions_module.card_sections(
            rv.actions, "block", i, lv.codes.tolist(), names=lv.names.tolist()
        )
    assert len(calls) == 1
