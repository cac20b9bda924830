"""TOML files at the edge: read as UTF-8 with clear errors, and the line of every key.

:func:`read_toml` turns every way a TOML file can fail to be read (absent, unreadable, not
UTF-8, empty, not TOML) into a :class:`~egov_score.exceptions.FrameworkError` naming the file
and, for a syntax error, the line and column. :func:`key_lines` finds the line where each key,
table and array item of a (valid) TOML text is written, so that a rule broken by a value can
name the line of the key that holds it.
"""

from __future__ import annotations

import bisect
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from egov_score.exceptions import FrameworkError
from egov_score.io.table import closest_column

__all__ = ["KeyPath", "describe_path", "did_you_mean", "key_lines", "located", "read_toml"]

#: The path of a key in a TOML document: table and key names, and indices into arrays
#: (``("indicator", 2, "normalise", "lower")`` for ``lower`` in the third ``[[indicator]]``).
KeyPath = tuple[str | int, ...]

_RESAVE = "re-save it as UTF-8 (in Notepad: Save As, Encoding 'UTF-8')"
_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """``"; did you mean 'x'?"`` naming the choice closest to ``word``, or ``""`` if none is
    close (difflib's ratio of at least 0.6)."""
    if not isinstance(word, str):
        return ""
    close = closest_column(word, sorted({c for c in choices if isinstance(c, str)}))
    return f"; did you mean {close!r}?" if close is not None else ""


def _decode(raw: bytes, name: str, what: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FrameworkError(
            f"a {what} must be UTF-8 text; got UTF-16 (it starts with a UTF-16 byte-order "
            f"mark); {_RESAVE} ({name})"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        looks = "UTF-16 without a byte-order mark" if b"\x00" in raw else "Latin-1/cp1252"
        raise FrameworkError(
            f"a {what} must be UTF-8 text; got byte {raw[exc.start]:#04x}, which is not UTF-8 "
            f"(the file looks like {looks}); {_RESAVE} ({name}, line {line}, column {column})"
        ) from None


def read_toml(
    path: str | os.PathLike[str], what: str = "framework file"
) -> tuple[dict[str, Any], str]:
    """Read a TOML file: its data and its text (for :func:`key_lines`).

    A UTF-8 byte-order mark is skipped.

    Args:
        path: the file.
        what: what the file is, for messages (``"framework file"``).

    Returns:
        The parsed document and the decoded text.

    Raises:
        FrameworkError: the file is absent or unreadable, not UTF-8 (UTF-16, Latin-1), empty
            or holding only comments, or not valid TOML (naming the line and column).
    """
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FrameworkError(f"{what} must exist; got {name!r}") from None
    except OSError as exc:
        raise FrameworkError(
            f"{what} must be a readable file; got {name!r} ({exc.strerror or exc})"
        ) from None
    text = _decode(raw, name, what)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise FrameworkError(
            f"{what} must be valid TOML of sensible depth; got arrays or tables nested too "
            f"deeply to read ({name})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        if m := _AT_LINE.search(msg):
            where = f"{name}, line {m[1]}, column {m[2]}"
            msg = msg[: m.start()]
        else:
            where = f"{name}, at the end" if _AT_END.search(msg) else name
            msg = _AT_END.sub("", msg)
        msg = msg.rstrip(". ")
        raise FrameworkError(
            f"{what} must be valid TOML; got {msg[:1].lower()}{msg[1:]} ({where})"
        ) from None
    if not data:
        got = "an empty file" if not text.strip() else "only comments and blank lines"
        raise FrameworkError(f"a {what} must hold settings; got {got} ({name})")
    return data, text


def describe_path(path: KeyPath, data: Mapping[str, Any] | None = None) -> str:
    """Words for where a key path is in a TOML file: ``"[[indicator]] 'geotag_rate', key
    'normalise.lower'"``, ``"[weights], key 'pension'"``, ``"key 'levels'"``.

    Args:
        path: the key path.
        data: the document, to name an ``[[array]]`` table by its ``code``.
    """
    if not path:
        return ""
    head, rest = str(path[0]), list(path[1:])
    parts: list[str] = []
    value = data.get(head) if isinstance(data, Mapping) else None
    item = (
        value[rest[0]]
        if rest and isinstance(rest[0], int) and isinstance(value, list) and rest[0] < len(value)
        else None
    )
    if isinstance(item, Mapping) or (rest and isinstance(rest[0], int) and data is None):
        index = int(rest.pop(0))
        code = item.get("code") if isinstance(item, Mapping) else None
        parts.append(
            f"[[{head}]] {code!r}" if isinstance(code, str) else f"[[{head}]] #{index + 1}"
        )
    elif (rest and not isinstance(rest[0], int)) or isinstance(value, Mapping):
        parts.append(f"[{head}]")
    elif (
        not rest
        and isinstance(value, list)
        and value
        and all(isinstance(v, Mapping) for v in value)
    ):
        parts.append(f"[[{head}]]")
    else:
        rest = [head, *rest]
    if rest:
        index = next((n for n, k in enumerate(rest) if isinstance(k, int)), len(rest))
        key = ".".join(str(k) for k in rest[:index])
        if key:
            parts.append(f"key {key!r}")
        if index < len(rest):
            parts.append(f"item {int(rest[index]) + 1}")
    return ", ".join(parts)


def located(
    source: str,
    lines: Mapping[KeyPath, int],
    path: KeyPath,
    data: Mapping[str, Any] | None = None,
) -> str:
    """`` (file, line N, words)`` for the deepest part of ``path`` whose line is known (see
    :func:`key_lines`), else `` (file)``: the tail of an error message."""
    for n in range(len(path), 0, -1):
        if (line := lines.get(path[:n])) is not None:
            return f" ({source}, line {line}, {describe_path(path[:n], data)})"
    return f" ({source})"


class _Scanner:
    """A lenient scanner of TOML text that tomllib has already accepted: it records the line
    of every table header, key and array item, and skips everything else."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[KeyPath, int] = {}
        self.arrays: dict[KeyPath, int] = {}

    def peek(self, k: int = 1) -> str:
        return self.s[self.i : self.i + k]

    def line(self) -> int:
        return bisect.bisect_left(self.newlines, self.i) + 1

    def mark(self, path: KeyPath) -> None:
        self.lines.setdefault(path, self.line())

    def blank(self, newlines: bool = True) -> None:
        """Skip spaces (and newlines and comments if ``newlines``)."""
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif newlines and c == "#":
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            else:
                return

    def string(self) -> str:
        """Skip a string of any of the four kinds; return its text."""
        start = self.i
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                self.i += 3
                while self.i < len(self.s) and self.peek(3) != quote:
                    self.i += 2 if quote == '"""' and self.peek() == "\\" else 1
                self.i += 3
                while self.peek() == quote[0]:  # up to two quotes may end the content
                    self.i += 1
                return self.s[start : self.i]
        quote = self.peek()
        self.i += 1
        while self.i < len(self.s) and self.peek() not in (quote, "\n"):
            self.i += 2 if quote == '"' and self.peek() == "\\" else 1
        self.i += 1
        raw = self.s[start : self.i]
        if quote == "'":
            return raw[1:-1]
        try:
            value = tomllib.loads(f"k = {raw}")["k"]
        except tomllib.TOMLDecodeError:
            return raw[1:-1]
        return str(value)

    def key(self) -> list[str]:
        """A (dotted) key."""
        parts: list[str] = []
        while True:
            self.blank(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                start = self.i
                while self.i < len(self.s) and (self.s[self.i].isalnum() or self.s[self.i] in "_-"):
                    self.i += 1
                if self.i == start:  # not a key: step over the character, never loop
                    self.i += 1
                parts.append(self.s[start : self.i])
            self.blank(newlines=False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def value(self, path: KeyPath) -> None:
        self.blank(newlines=False)
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "{":
            self.i += 1
            while self.i < len(self.s):
                self.blank()
                if self.peek() in ("}", ""):
                    break
                keys = self.key()
                for n in range(1, len(keys) + 1):
                    self.mark(path + tuple(keys[:n]))
                self.blank()
                if self.peek() == "=":
                    self.i += 1
                self.value(path + tuple(keys))
                self.blank()
                if self.peek() == ",":
                    self.i += 1
            self.i += 1
        elif c == "[":
            self.i += 1
            index = 0
            while self.i < len(self.s):
                self.blank()
                if self.peek() in ("]", ""):
                    break
                self.mark((*path, index))
                self.value((*path, index))
                index += 1
                self.blank()
                if self.peek() == ",":
                    self.i += 1
            self.i += 1
        else:
            start = self.i
            while self.i < len(self.s) and self.s[self.i] not in ",]}\n#":
                self.i += 1
            if self.i == start:
                self.i += 1

    def resolve(self, keys: list[str]) -> KeyPath:
        """A table header's path, with the current index of every array of tables in it."""
        path: KeyPath = ()
        for k in keys:
            path = (*path, k)
            if path in self.arrays:
                path = (*path, self.arrays[path] - 1)
        return path

    def document(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.blank()
            if self.i >= len(self.s):
                return self.lines
            if self.peek(2) == "[[":
                self.i += 2
                keys = self.key()
                array = (*self.resolve(keys[:-1]), keys[-1]) if keys else ()
                count = self.arrays.get(array, 0)
                self.arrays[array] = count + 1
                self.mark(array)
                table = (*array, count)
                self.mark(table)
            elif self.peek() == "[":
                self.i += 1
                table = self.resolve(self.key())
                self.mark(table)
            else:
                keys = self.key()
                for n in range(1, len(keys) + 1):
                    self.mark(table + tuple(keys[:n]))
                self.blank(newlines=False)
                if self.peek() == "=":
                    self.i += 1
                self.value(table + tuple(keys))
            # the rest of the line: a closing bracket, spaces, a comment
            end = self.s.find("\n", self.i)
            self.i = len(self.s) if end < 0 else end


def key_lines(text: str) -> dict[KeyPath, int]:
    """The line (1-based) where each table, key and array item of a TOML text is written.

    For an array of tables the path with its index (``("indicator", 2)``) gives the line of
    that table's header, the path without (``("indicator",)``) the first one's. The text should
    be valid TOML (as :func:`read_toml` gives); on any other text the result is a best effort,
    never an exception.
    """
    return _Scanner(text).document()
