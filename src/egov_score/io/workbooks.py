"""Excel workbooks written while other work goes on: the largest in a worker process.

XlsxWriter takes a workbook one cell at a time, in Python, so a state's 100,000-row machine
sheet keeps a core busy for seconds. :func:`start_workbooks` checks every workbook's limits at
once (a breach is an :class:`~egov_score.exceptions.InputError` before anything is written),
then hands the largest one, when it holds at least :data:`WORKER_MIN_CELLS` cells, to a
fresh Python process that writes it with :func:`~egov_score.io.xlsx.write_xlsx` while this
process goes on (the review writes its cards meanwhile). :meth:`PendingWorkbooks.wait`
writes the others here, then waits for the worker. The cells are those
:func:`~egov_score.io.xlsx.write_xlsx` writes in this process: the worker runs the same
function on the same columns.

The worker is a new interpreter (:class:`~egov_score.io.worker.Worker`) that reads its
columns, pickled once, from its standard input and answers on its standard output. Its errors
come back as the same exception with the same message: an ``InputError`` (a limit of the
format) or an ``OSError`` (a file that cannot be written); any other failure of the worker is
a ``RuntimeError`` naming it. When no worker can be started, the workbook is written here.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from egov_score.io.worker import Worker, serve
from egov_score.io.xlsx import Column, check_xlsx, write_xlsx

__all__ = ["WORKER_MIN_CELLS", "PendingWorkbooks", "WorkbookJob", "start_workbooks"]

#: The fewest cells a workbook holds to be written in a worker process: below it, starting
#: an interpreter (~0.3 s of a core) costs more than it saves.
WORKER_MIN_CELLS = 500_000


@attrs.frozen(kw_only=True)
class WorkbookJob:
    """One workbook to write: the arguments of :func:`~egov_score.io.xlsx.write_xlsx`.

    Attributes:
        path: the ``.xlsx`` file.
        sheets: sheet name -> column name -> column.
        number_formats: column name -> Excel number format.
        freeze_header: keep the header row in view.
    """

    path: Path = attrs.field(converter=Path)
    sheets: Mapping[str, Mapping[str, Column]]
    number_formats: Mapping[str, str] = attrs.field(factory=dict)
    freeze_header: bool = True

    @property
    def cells(self) -> int:
        """How many cells the workbook holds (header rows not counted)."""
        return sum(len(col) for cols in self.sheets.values() for col in cols.values())

    def write(self) -> Path:
        """Write the workbook in this process."""
        return write_xlsx(
            self.path,
            self.sheets,
            number_formats=self.number_formats,
            freeze_header=self.freeze_header,
        )


class PendingWorkbooks:
    """Workbooks being written: :meth:`wait` for them, or :meth:`cancel` them."""

    def __init__(self, jobs: Sequence[WorkbookJob], there: WorkbookJob | None) -> None:
        self._order = [j.path for j in jobs]
        self._here = [j for j in jobs if j is not there]
        self._there = there.path if there is not None else None
        self._worker: Worker | None = None
        if there is not None:
            self._start(there)

    @property
    def _proc(self) -> subprocess.Popen[bytes] | None:
        return self._worker.proc if self._worker is not None else None

    @property
    def in_worker(self) -> Path | None:
        """The workbook the worker process writes, if one does."""
        return self._there if self._worker is not None else None

    def _start(self, job: WorkbookJob) -> None:
        args = (str(job.path), job.sheets, dict(job.number_formats), job.freeze_header)
        try:
            self._worker = Worker(
                __name__, args, who="the Excel worker process", task="write its workbook"
            )
        except OSError:  # no interpreter to start (an embedded Python): written here
            self._here.append(job)

    def wait(self) -> list[Path]:
        """Write the workbooks left to this process, then wait for the worker's.

        Returns:
            Every workbook's path, in the order given to :func:`start_workbooks`.

        Raises:
            InputError: a limit of the format (already checked, so only a worker's own).
            OSError: a file that cannot be written.
            RuntimeError: the worker process failed otherwise.
        """
        try:
            for job in self._here:
                job.write()
        except BaseException:
            self.cancel()
            raise
        if self._worker is not None:
            worker, self._worker = self._worker, None
            worker.wait()
        return self._order

    def cancel(self) -> None:
        """Stop the worker, if one runs, and remove the workbook it had not finished."""
        worker, self._worker = self._worker, None
        if worker is not None and worker.kill() and self._there is not None:
            self._there.unlink(missing_ok=True)


def start_workbooks(
    jobs: Sequence[WorkbookJob], *, min_cells: int | None = None, worker: bool = True
) -> PendingWorkbooks:
    """Check every workbook, then start writing the largest in a worker process when it
    holds at least ``min_cells`` cells; the others are written by
    :meth:`PendingWorkbooks.wait`.

    Args:
        jobs: the workbooks.
        min_cells: the fewest cells worth a worker process (default
            :data:`WORKER_MIN_CELLS`; ``0``: always one, for a non-empty list).
        worker: False to write every workbook in this process (when a worker already
            runs: one is enough beside this process on two cores).

    Raises:
        InputError: a workbook breaks a limit of the format (every problem named, see
            :func:`~egov_score.io.xlsx.write_xlsx`), or the ``excel`` extra is missing;
            nothing is started then.
    """
    for job in jobs:  # a loop over workbooks
        check_xlsx(job.path, job.sheets)
    least = WORKER_MIN_CELLS if min_cells is None else min_cells
    there = max(jobs, key=lambda j: j.cells, default=None)
    if there is not None and (there.cells < least or not worker):
        there = None
    return PendingWorkbooks(jobs, there)


def _serve() -> None:
    """The worker: write one workbook from the arguments read from stdin."""
    serve(_write)


def _write(
    path: str, sheets: Mapping[str, Mapping[str, Column]], number_formats: Any, freeze: bool
) -> None:
    write_xlsx(path, sheets, number_formats=number_formats, freeze_header=freeze)
