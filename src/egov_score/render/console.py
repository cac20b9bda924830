"""Text for a console whatever its encoding: never a ``UnicodeEncodeError``.

A Windows console or pipe often encodes in a code page (cp1252, cp437) that has no Devanagari,
and ``PYTHONIOENCODING`` can ask for any encoding. :func:`prepare_console` makes the command's
standard streams safe once, at its start:

- a stream that is not a terminal (a file, a pipe) whose encoding was not asked for by
  ``PYTHONIOENCODING`` is switched to UTF-8, so ``egov-score demo --lang hi > out.txt`` keeps
  every character;
- any other stream keeps its encoding, and a character it cannot encode is written as ``?``.

:func:`console_text` is what the command prints: the text, with what the stream cannot show
replaced, and a one-line note on standard error, once per run, saying how to see it all.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Mapping
from typing import TextIO

__all__ = ["REPLACED_NOTE", "console_text", "prepare_console"]

#: Said once on standard error when a character had to be replaced.
REPLACED_NOTE = (
    "egov-score: note: this console's encoding ({encoding}) cannot show some characters, "
    "printed as '?'; for the full text use UTF-8 (set PYTHONIOENCODING=utf-8, or PYTHONUTF8=1 "
    "with PYTHONIOENCODING unset; Windows cmd: 'set PYTHONUTF8=1') or write to a file (--out, "
    "or '> out.txt')"
)

#: Streams already noted, by id: the note is said once per stream and run.
_noted: set[int] = set()


def _codec(stream: TextIO) -> str | None:
    """The codec name of ``stream``'s encoding (``utf-8``, ``cp1252``), or None if unknown."""
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return None
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return None


def _is_utf(codec: str | None) -> bool:
    """Whether a stream of this codec writes every character (unknown: assumed so)."""
    return codec is None or codec.startswith("utf")


def prepare_console(
    streams: tuple[TextIO, ...] | None = None, environ: Mapping[str, str] | None = None
) -> None:
    """Make ``streams`` (default: standard output and error) write any text without failing.

    A stream already in UTF-8 (or UTF-16/32) is left alone. A stream that is not a terminal,
    when ``PYTHONIOENCODING`` is not set in ``environ``, is switched to UTF-8; any other is
    kept in its encoding with characters it cannot encode replaced by ``?``. A stream that
    cannot be reconfigured (not a :class:`io.TextIOWrapper`) is left as it is; the command's
    own output still goes through :func:`console_text`.
    """
    env = os.environ if environ is None else environ
    _noted.clear()  # a new run (main() called again in one process) notes again
    for stream in streams if streams is not None else (sys.stdout, sys.stderr):
        codec = _codec(stream)
        reconfigure = getattr(stream, "reconfigure", None)
        if _is_utf(codec) or reconfigure is None:
            continue
        try:
            terminal = stream.isatty()
        except (OSError, ValueError):  # a closed or detached stream
            continue
        if not terminal and "PYTHONIOENCODING" not in env:
            reconfigure(encoding="utf-8")
        else:
            reconfigure(errors="replace")


def console_text(text: str, stream: TextIO, note_to: TextIO | None = None) -> str:
    """``text`` as ``stream`` can write it: unchanged when its encoding holds every character,
    else with each one it cannot hold replaced by ``?`` and, the first time for that stream,
    :data:`REPLACED_NOTE` written to ``note_to`` (default: standard error).
    """
    codec = _codec(stream)
    if codec is None or _is_utf(codec):
        return text
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        shown = text.encode(codec, "replace").decode(codec)
        if id(stream) not in _noted:
            _noted.add(id(stream))
            target = sys.stderr if note_to is None else note_to
            note = REPLACED_NOTE.format(encoding=codec)
            print(console_text(note, target, target), file=target)
        return shown
    return text
