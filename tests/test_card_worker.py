"""Report cards written by a worker process (``egov_score.render.card_writer``): with two
languages the second language's cards are written there while this process writes the
first's; the files are the same as when every card is written here, the worker's errors are
raised here, and a failed run stops it and leaves no half-written output folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import egov_score as eg
import egov_score.render.card_writer as cw
import egov_score.render.review_run as review_run
from egov_score import datasets
from egov_score.cli import main
from egov_score.io.worker import Worker

FORMATS = ("html", "md", "json", "csv")


@pytest.fixture(scope="module")
def job() -> Any:
    return datasets.load("jaipur")


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[Worker | None]:
    """Every start_cards' answer, recorded."""
    started: list[Worker | None] = []
    real = cw.start_cards

    def spy(*args: Any, **kwargs: Any) -> Worker | None:
        worker = real(*args, **kwargs)
        started.append(worker)
        return worker

    monkeypatch.setattr(review_run, "start_cards", spy)
    return started


def test_the_second_languages_cards_are_the_same_from_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Any
) -> None:
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 10**9)
    here = eg.run_review(job=job, lang="both", formats=FORMATS, out=tmp_path / "here")
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 0)
    started = _spy(monkeypatch)
    there = eg.run_review(job=job, lang="both", formats=FORMATS, out=tmp_path / "there")
    assert len(started) == 1
    assert started[0] is not None
    assert started[0].proc.returncode == 0  # waited for
    rel_here = [p.relative_to(here.out) for p in here.written]
    assert [p.relative_to(there.out) for p in there.written] == rel_here
    assert sum(1 for p in rel_here if p.parts[0] == "hi" and p.parts[1] == "block") > 0
    got = sorted(p.relative_to(there.out) for p in there.out.rglob("*") if p.is_file())
    assert got == sorted(p.relative_to(here.out) for p in here.out.rglob("*") if p.is_file())
    for rel in rel_here:
        assert (there.out / rel).read_bytes() == (here.out / rel).read_bytes(), rel


def test_one_language_or_few_cards_start_no_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Any
) -> None:
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 0)
    started = _spy(monkeypatch)
    eg.run_review(job=job, lang="hi", formats=("csv",), out=tmp_path / "hi")
    assert started == []  # one language: every card here
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 78)  # the demo has 77 cards
    eg.run_review(job=job, lang="both", formats=("csv",), out=tmp_path / "both")
    assert started == []


def test_the_workers_os_error_is_raised_here(tmp_path: Path, job: Any) -> None:
    review = eg.run_review(job=job, formats=("csv",), out=tmp_path / "a").review
    card = review.report(review.result.levels[1].codes[0])
    (tmp_path / "blocked").write_text("a file where the cards' folder must go")
    worker = cw.start_cards(
        [("district/x", card)], tmp_path / "blocked", "hi", ("csv",), min_cards=0
    )
    assert worker is not None
    with pytest.raises(NotADirectoryError) as err:
        worker.wait()
    assert err.value.filename == str(tmp_path / "blocked" / "district")


def test_a_worker_that_dies_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Any
) -> None:
    review = eg.run_review(job=job, formats=("csv",), out=tmp_path / "a").review
    card = review.report(review.result.levels[1].codes[0])
    monkeypatch.setattr(sys, "executable", "/bin/false")
    worker = cw.start_cards([("district/x", card)], tmp_path / "b", "hi", ("csv",), min_cards=0)
    assert worker is not None
    with pytest.raises(RuntimeError, match="card worker process must write its cards; it ended"):
        worker.wait()


def test_without_an_interpreter_every_card_is_written_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Any
) -> None:
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 0)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    started = _spy(monkeypatch)
    run = eg.run_review(job=job, lang="both", formats=("csv",), out=tmp_path / "out")
    assert started == [None]
    assert all(p.is_file() for p in run.written)
    assert (run.out / "hi" / "block").is_dir()


def test_a_failure_here_stops_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, job: Any
) -> None:
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 0)
    started = _spy(monkeypatch)

    def fail(*args: object, **kwargs: object) -> list[Path]:
        raise OSError("disk full")

    monkeypatch.setattr(review_run, "write_cards", fail)
    with pytest.raises(OSError, match="disk full"):
        eg.run_review(job=job, lang="both", formats=("csv",), out=tmp_path / "out")
    (worker,) = started
    assert worker is not None
    assert worker.proc.returncode is not None  # killed and waited for


def test_a_failing_worker_leaves_no_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cw, "WORKER_MIN_CARDS", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, then ends with no answer
    out = tmp_path / "review"
    assert main(["demo", "--lang", "both", "--formats", "csv", "--out", str(out)]) == 1
    assert "card worker process must write its cards" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left beside it either
