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

The worker is a new interpreter (``sys.executable -c``) that reads its columns, pickled once,
from its standard input and answers on its standard output, so no ``if __name__ ==
"__main__"`` guard is needed in the caller's script (as ``multiprocessing``'s spawn would
need), and no thread or lock of this process is inherited (as a fork would). Its errors come
back as the same exception with the same message: an ``InputError`` (a limit of the format)
or an ``OSError`` (a file that cannot be written); any other failure of the worker is a
``RuntimeError`` naming it. When no worker can be started, the workbook is written here.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from egov_score.exceptions import EgovScoreError, InputError
from egov_score.io.xlsx import Column, check_xlsx, write_xlsx

__all__ = ["WORKER_MIN_CELLS", "PendingWorkbooks", "WorkbookJob", "start_workbooks"]

#: The fewest cells a workbook holds to be written in a worker process: below it, starting
#: an interpreter (~0.3 s of a core) costs more than it saves.
WORKER_MIN_CELLS = 500_000

#: What the worker runs: this module's :func:`_serve`, found where this process found it.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from egov_score.io.workbooks import _serve; _serve()"
)


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
        self._proc: subprocess.Popen[bytes] | None = None
        self._answer: tuple[bytes, bytes] = (b"", b"")
        self._feeder: threading.Thread | None = None
        if there is not None:
            self._start(there)

    @property
    def in_worker(self) -> Path | None:
        """The workbook the worker process writes, if one does."""
        return self._there if self._proc is not None else None

    def _start(self, job: WorkbookJob) -> None:
        payload = pickle.dumps(
            (str(job.path), job.sheets, dict(job.number_formats), job.freeze_header),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
        root = str(Path(__file__).resolve().parents[2])  # the folder holding egov_score
        try:
            proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, root],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError:  # no interpreter to start (an embedded Python): written here
            self._here.append(job)
            return
        self._proc = proc
        sending = [payload]  # let go of once sent: the worker holds the columns now
        del payload

        def talk() -> None:  # sends the columns and collects the answer meanwhile
            stdin, proc.stdin = proc.stdin, None
            if stdin is not None:
                with contextlib.suppress(BrokenPipeError):  # the worker ended early: see below
                    try:
                        stdin.write(sending.pop())
                    finally:
                        stdin.close()
            self._answer = proc.communicate()

        self._feeder = threading.Thread(target=talk, name="egov-score workbook", daemon=True)
        self._feeder.start()

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
        if self._proc is not None and self._feeder is not None:
            self._feeder.join()
            _raise_for(self._proc.returncode, *self._answer)
            self._proc = None
        return self._order

    def cancel(self) -> None:
        """Stop the worker, if one runs, and remove the workbook it had not finished."""
        proc, self._proc = self._proc, None
        if proc is not None:
            unfinished = proc.poll() is None
            proc.kill()
            if self._feeder is not None:
                self._feeder.join()
            if unfinished and self._there is not None:
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


def _raise_for(status: int | None, out: bytes, err: bytes) -> None:
    """Raise the worker's error, if it reported one or died without an answer."""
    try:
        kind, *args = pickle.loads(out)
    except Exception:  # no answer: the worker died (killed, out of memory, not importable)
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(
            f"the Excel worker process must write its workbook; it ended with status "
            f"{status!r} and no answer ({' / '.join(tail) or 'no message'})"
        ) from None
    if kind == "ok":
        return
    if kind == "input":
        raise InputError(args[0])
    if kind == "os":
        errno, strerror, filename, message = args
        raise OSError(errno, strerror, filename) if errno is not None else OSError(message)
    raise RuntimeError(f"the Excel worker process failed: {args[0]}")


def _serve() -> None:
    """The worker: read one workbook's arguments from stdin, write it, answer on stdout."""
    out = sys.stdout.buffer
    answer: tuple[Any, ...]
    try:
        path, sheets, number_formats, freeze_header = pickle.loads(sys.stdin.buffer.read())
        write_xlsx(path, sheets, number_formats=number_formats, freeze_header=freeze_header)
        answer = ("ok",)
    except EgovScoreError as exc:
        answer = ("input", str(exc))
    except OSError as exc:
        answer = ("os", exc.errno, exc.strerror, exc.filename, str(exc))
    except Exception as exc:
        answer = ("other", f"{type(exc).__name__}: {exc}")
    out.write(pickle.dumps(answer))
    out.flush()
