"""Workbooks written in a worker process (``egov_score.io.workbooks``): the same workbook as
written in this process, the worker's errors raised here with their messages, every limit
checked before anything starts, and ``review`` with its largest workbook written so."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import egov_score as eg
import egov_score.io.workbooks as wb
from egov_score import datasets
from egov_score.exceptions import InputError
from egov_score.io.workbooks import PendingWorkbooks, WorkbookJob, start_workbooks
from egov_score.io.xlsx import MAX_TEXT, write_xlsx

pytest.importorskip("xlsxwriter")

#: The part of a workbook that holds the time it was written: the only one allowed to differ.
_STAMPED = "docProps/core.xml"


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a workbook but its timestamp, by name."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != _STAMPED}


def _sheets(n: int = 50) -> dict[str, dict[str, Any]]:
    rng = np.random.default_rng(7)
    score = rng.uniform(0, 100, n)
    score[::7] = np.nan
    rank = np.arange(n, dtype=np.int64)
    return {
        "machine": {
            "code": np.array([f"M-{i}" for i in range(n)]),
            "name": np.array(["=HYPERLINK(1)" if i == 3 else f"GP {i}" for i in range(n)]),
            "score": score,
            "rank": np.ma.masked_array(rank, mask=rank % 5 == 0),
            "flag": rank % 2 == 0,
        },
        "notes": {"item": ["a", "b"], "value": ["1", None]},
    }


def _job(path: Path, **sheets: dict[str, Any]) -> WorkbookJob:
    return WorkbookJob(
        path=path, sheets=sheets or _sheets(), number_formats={"score": "0.0"}, freeze_header=True
    )


def test_the_worker_writes_the_same_workbook(tmp_path: Path) -> None:
    here = write_xlsx(tmp_path / "here.xlsx", _sheets(), number_formats={"score": "0.0"})
    pending = start_workbooks([_job(tmp_path / "there.xlsx")], min_cells=0)
    assert pending.in_worker == tmp_path / "there.xlsx"
    assert pending.wait() == [tmp_path / "there.xlsx"]
    assert parts(tmp_path / "there.xlsx") == parts(here)


def test_only_the_largest_goes_to_the_worker_the_rest_here(tmp_path: Path) -> None:
    small = _job(tmp_path / "small.xlsx", s={"x": np.arange(3.0)})
    large = _job(tmp_path / "large.xlsx")
    pending = start_workbooks([small, large], min_cells=100)
    assert pending.in_worker == large.path
    assert pending.wait() == [small.path, large.path]  # in the order given
    assert small.path.is_file()
    assert large.path.is_file()


def test_below_the_threshold_no_worker_starts(tmp_path: Path) -> None:
    pending = start_workbooks([_job(tmp_path / "t.xlsx")])  # 250 cells
    assert pending.in_worker is None
    assert pending.wait() == [tmp_path / "t.xlsx"]
    assert (tmp_path / "t.xlsx").is_file()


def test_a_limit_is_checked_before_anything_starts(tmp_path: Path) -> None:
    ok = _job(tmp_path / "ok.xlsx")
    long = _job(tmp_path / "long.xlsx", s={"text": np.array(["x" * (MAX_TEXT + 1)])})
    with pytest.raises(InputError, match=r"(?s)long\.xlsx.*at most 32,767 characters"):
        start_workbooks([ok, long], min_cells=0)
    assert not list(tmp_path.iterdir())


def test_the_workers_input_error_is_raised_here_with_its_message(tmp_path: Path) -> None:
    long = {"s": {"text": np.array(["x" * (MAX_TEXT + 1)])}}
    with pytest.raises(InputError) as here:
        write_xlsx(tmp_path / "long.xlsx", long)
    job = WorkbookJob(path=tmp_path / "long.xlsx", sheets=long)
    pending = PendingWorkbooks([job], job)  # unchecked: the worker finds it
    with pytest.raises(InputError) as there:
        pending.wait()
    assert str(there.value) == str(here.value)
    assert not (tmp_path / "long.xlsx").exists()


def test_the_workers_os_error_is_raised_here(tmp_path: Path) -> None:
    job = _job(tmp_path / "missing" / "t.xlsx")
    pending = start_workbooks([job], min_cells=0)
    with pytest.raises(FileNotFoundError) as err:
        pending.wait()
    assert err.value.filename == str(job.path)


def test_a_worker_that_dies_is_an_error_not_a_missing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    pending = start_workbooks([_job(tmp_path / "t.xlsx")], min_cells=0)
    with pytest.raises(RuntimeError, match="must write its workbook; it ended with status 1"):
        pending.wait()


def test_without_an_interpreter_the_workbook_is_written_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    pending = start_workbooks([_job(tmp_path / "t.xlsx")], min_cells=0)
    assert pending.in_worker is None
    pending.wait()
    assert (tmp_path / "t.xlsx").is_file()


def test_cancel_stops_the_worker(tmp_path: Path) -> None:
    pending = start_workbooks([_job(tmp_path / "t.xlsx", s={"x": np.arange(3e5)})], min_cells=0)
    proc = pending._proc
    assert proc is not None
    pending.cancel()
    assert proc.returncode is not None
    assert not (tmp_path / "t.xlsx").exists()  # no half-written workbook left


def test_a_failure_in_the_cards_stops_the_worker_and_leaves_no_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_score.render.review_run as review_run

    monkeypatch.setattr(wb, "WORKER_MIN_CELLS", 0)
    started: list[tuple[PendingWorkbooks, Path | None]] = []
    real = wb.start_workbooks

    def spy(*args: Any, **kwargs: Any) -> PendingWorkbooks:
        pending = real(*args, **kwargs)
        started.append((pending, pending.in_worker))
        return pending

    def fail(*args: object, **kwargs: object) -> list[Path]:
        raise OSError("disk full")

    monkeypatch.setattr(review_run, "start_workbooks", spy)
    monkeypatch.setattr(review_run, "write_cards", fail)
    job = datasets.load("jaipur")
    with pytest.raises(OSError, match="disk full"):
        eg.run_review(job=job, formats=("csv", "xlsx"), out=tmp_path / "out")
    pending, in_worker = started[0]
    assert in_worker == tmp_path / "out" / "scores.xlsx"
    assert pending._proc is None  # stopped and waited for
    assert not (tmp_path / "out" / "scores.xlsx").exists()


@pytest.mark.parametrize("lang", ["en", "both"])
def test_review_writes_its_workbooks_the_same_in_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    job = datasets.load("jaipur")
    here = eg.run_review(job=job, lang=lang, formats=("csv", "xlsx"), out=tmp_path / "here")
    monkeypatch.setattr(wb, "WORKER_MIN_CELLS", 0)
    started = []
    real = wb.PendingWorkbooks._start

    def spy(self: PendingWorkbooks, job: WorkbookJob) -> None:
        started.append(job.path.name)
        real(self, job)

    monkeypatch.setattr(wb.PendingWorkbooks, "_start", spy)
    there = eg.run_review(job=job, lang=lang, formats=("csv", "xlsx"), out=tmp_path / "there")
    assert started == ["scores.xlsx"]  # the largest
    assert [p.relative_to(there.out) for p in there.written] == [
        p.relative_to(here.out) for p in here.written
    ]
    for path in here.written:
        other = there.out / path.relative_to(here.out)
        if path.suffix == ".xlsx":
            assert parts(other) == parts(path), path
        else:
            assert other.read_bytes() == path.read_bytes(), path
