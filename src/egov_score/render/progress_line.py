"""A progress line on a terminal, drawn from the library's log records.

The library says what it is doing through :mod:`logging` (logger ``egov_score``: INFO for the
steps of a run, DEBUG for details) and configures no handler. A step's record carries
``extra={"egov_step": <step>}``, and a counted step also ``"egov_done"`` and ``"egov_total"``
(``writing cards``, card N of M). :func:`progress_line` listens to those records for the time of
a run and shows them as one line on standard error, through tqdm (the ``progress`` extra), once
the run has taken :data:`DELAY` seconds. Without tqdm, with ``quiet``, or when the stream is not
a terminal, nothing is shown and nothing fails.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["DELAY", "LOGGER", "clear_progress_line", "progress_line"]

#: The library's logger: every module logs to a child of it.
LOGGER = "egov_score"
#: Seconds a run goes on before its progress line appears.
DELAY = 2.0


class _StepLine(logging.Handler):
    """Shows ``egov_step`` records as a tqdm bar (a counted step) or a bare line (a step)."""

    def __init__(self, bar: Any, stream: TextIO, delay: float) -> None:
        super().__init__(logging.DEBUG)
        self._new_bar = bar
        self._stream = stream
        self._until = time.monotonic() + delay
        self._bar: Any = None
        self._step: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Move the line on to the record's step; ignore records that name none."""
        step = getattr(record, "egov_step", None)
        if not isinstance(step, str) or time.monotonic() < self._until:
            return
        done = getattr(record, "egov_done", None)
        total = getattr(record, "egov_total", None)
        if self._bar is None or step != self._step:
            self.close_bar()
            self._bar = self._new_bar(
                desc=step, total=total, file=self._stream, leave=False, dynamic_ncols=True
            )
            self._step = step
        if isinstance(total, int) and self._bar.total != total:
            self._bar.total = total
        if isinstance(done, int):
            self._bar.update(done - self._bar.n)
            if done == total:  # the counted step is over: clear its line for what is printed next
                self._bar.refresh()
                self.close_bar()

    def close_bar(self) -> None:
        """Clear the line, if one is shown."""
        if self._bar is not None:
            self._bar.close()
        self._bar = None
        self._step = None

    def close(self) -> None:
        """Clear the line and stop listening."""
        self.close_bar()
        super().close()


_shown: list[_StepLine] = []  # the handler of the progress_line block running, if any


def clear_progress_line() -> None:
    """Clear the progress line, if one is shown, so that what is printed next starts on a clean
    line (the next step draws a new one)."""
    for handler in _shown:
        handler.close_bar()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


@contextlib.contextmanager
def progress_line(
    *, quiet: bool = False, stream: TextIO | None = None, delay: float | None = None
) -> Iterator[None]:
    """Show the steps the library logs as a progress line on ``stream`` during the block.

    Args:
        quiet: show nothing.
        stream: where the line goes (default: standard error); nothing is shown unless it is a
            terminal.
        delay: seconds before the line appears (default :data:`DELAY`), so short runs print no
            line at all.
    """
    stream = sys.stderr if stream is None else stream
    delay = DELAY if delay is None else delay
    if quiet or not _is_terminal(stream):
        yield
        return
    try:
        from tqdm import tqdm  # the optional 'progress' extra
    except ImportError:
        yield
        return
    logger = logging.getLogger(LOGGER)
    handler = _StepLine(tqdm, stream, delay)
    level = logger.level
    logger.addHandler(handler)
    _shown.append(handler)
    if logger.getEffectiveLevel() > logging.DEBUG:  # card N of M is a DEBUG record
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        _shown.remove(handler)
        logger.setLevel(level)
        handler.close()
