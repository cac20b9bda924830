"""One job done by a fresh Python process while this one goes on.

The review keeps its second core busy this way: the largest Excel workbook
(:mod:`egov_score.io.workbooks`) and one language's report cards
(:mod:`egov_score.render.card_worker`) are written by a worker process while this process
writes the rest.

A worker is a new interpreter (``sys.executable -c``) that imports the module named, reads
the arguments of that module's job, pickled once, from its standard input, and answers on its
standard output. So no ``if __name__ == "__main__"`` guard is needed in the caller's script
(as ``multiprocessing``'s spawn would need), and no thread or lock of this process is
inherited (as a fork would). Its errors come back as the same exception with the same
message: an :class:`~egov_score.exceptions.EgovScoreError` as an ``InputError`` (bad input or
a limit of a format), an ``OSError`` (a file that cannot be written); any other failure of
the worker is a ``RuntimeError`` naming it.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from egov_score.exceptions import EgovScoreError, InputError

__all__ = ["Worker", "serve"]

#: What a worker runs: the ``_serve`` of the module named, found where this process found it.
_BOOT = (
    "import sys, importlib; sys.path.insert(0, sys.argv[1]); "
    "importlib.import_module(sys.argv[2])._serve()"
)


class Worker:
    """A job running in a worker process: :meth:`wait` for its answer, or :meth:`kill` it.

    Args:
        module: the module whose ``_serve()`` the worker runs (it calls :func:`serve`).
        args: the job's arguments, pickled once and sent to the worker's standard input.
        who: the worker's name in messages (``"the Excel worker process"``).
        task: what it must do, in messages (``"write its workbook"``).

    Raises:
        OSError: no interpreter could be started (an embedded Python): the caller does the
            job itself.
    """

    def __init__(self, module: str, args: tuple[Any, ...], *, who: str, task: str) -> None:
        self.who, self.task = who, task
        payload = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        root = str(Path(__file__).resolve().parents[2])  # the folder holding egov_score
        self.proc: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, "-c", _BOOT, root, module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._answer: tuple[bytes, bytes] = (b"", b"")
        sending = [payload]  # let go of once sent: the worker holds the arguments now
        del payload
        proc = self.proc

        def talk() -> None:  # sends the arguments and collects the answer meanwhile
            stdin, proc.stdin = proc.stdin, None
            if stdin is not None:
                with contextlib.suppress(BrokenPipeError):  # the worker ended early: see wait
                    try:
                        stdin.write(sending.pop())
                    finally:
                        stdin.close()
            self._answer = proc.communicate()

        self._feeder = threading.Thread(target=talk, name=f"egov-score {task}", daemon=True)
        self._feeder.start()

    def wait(self) -> Any:
        """The job's return value, once the worker has ended.

        Raises:
            InputError: the worker's :class:`~egov_score.exceptions.EgovScoreError`, with
                its message.
            OSError: the worker's, with its number, message and file name.
            RuntimeError: the worker failed otherwise, or died without an answer.
        """
        self._feeder.join()
        return _answer_of(self.proc.returncode, *self._answer, who=self.who, task=self.task)

    def kill(self) -> bool:
        """Stop the worker and wait for it to end; whether it had not finished its job."""
        unfinished = self.proc.poll() is None
        self.proc.kill()
        self._feeder.join()
        return unfinished


def _answer_of(status: int | None, out: bytes, err: bytes, *, who: str, task: str) -> Any:
    """The worker's value, or its error raised here."""
    try:
        kind, *args = pickle.loads(out)
    except Exception:  # no answer: the worker died (killed, out of memory, not importable)
        tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(
            f"{who} must {task}; it ended with status {status!r} and no answer "
            f"({' / '.join(tail) or 'no message'})"
        ) from None
    if kind == "ok":
        return args[0]
    if kind == "input":
        raise InputError(args[0])
    if kind == "os":
        errno, strerror, filename, message = args
        raise OSError(errno, strerror, filename) if errno is not None else OSError(message)
    raise RuntimeError(f"{who} failed: {args[0]}")


def serve(job: Callable[..., Any]) -> None:
    """The worker's side: read the job's arguments from stdin, run ``job`` on them, answer
    on stdout with its value or its error (see :class:`Worker`)."""
    out = sys.stdout.buffer
    answer: tuple[Any, ...]
    try:
        answer = ("ok", job(*pickle.loads(sys.stdin.buffer.read())))
    except EgovScoreError as exc:
        answer = ("input", str(exc))
    except OSError as exc:
        answer = ("os", exc.errno, exc.strerror, exc.filename, str(exc))
    except Exception as exc:
        answer = ("other", f"{type(exc).__name__}: {exc}")
    out.write(pickle.dumps(answer))
    out.flush()
