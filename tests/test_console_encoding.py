"""A console that cannot encode Devanagari (cp1252, ASCII) gets '?' and a note, never a
``UnicodeEncodeError`` traceback; a file or pipe in a non-UTF-8 locale gets UTF-8."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.render.console import REPLACED_NOTE, console_text, prepare_console
from tests.test_output_folders import SCORE

JAIPUR = datasets.path("jaipur")
INPUTS = SCORE[1:7]  # --units, --values and --framework of the small data set
NOTE_START = REPLACED_NOTE.split("(", 1)[0]


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    full = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")}
    full |= env
    return subprocess.run(
        [sys.executable, "-m", "egov_score.cli", *args],
        env=full,
        capture_output=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("encoding", "args"),
    [
        ("cp1252", ["demo", "--lang", "hi", "--formats", "md"]),
        ("ascii", ["review", "--data", str(JAIPUR), "--lang", "hi", "--formats", "md"]),
        ("cp1252", ["report", *INPUTS, "--unit", "अलवर", "--lang", "hi", "--format", "text"]),
        ("ascii", ["report", *INPUTS, "--unit", "D-087", "--lang", "hi", "--format", "md"]),
    ],
    ids=["demo-cp1252", "review-ascii", "report-cp1252", "report-ascii"],
)
def test_hindi_output_on_a_narrow_console_is_replaced_with_a_note(
    encoding: str, args: list[str], tmp_path: Path
) -> None:
    if args[0] in ("demo", "review"):
        args = [*args, "--out", str(tmp_path / "out")]
    done = _run(args, {"PYTHONIOENCODING": encoding})
    err = done.stderr.decode(encoding)
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert "UnicodeEncodeError" not in err
    out = done.stdout.decode(encoding)  # every byte is of the console's encoding
    assert "?" in out
    assert err.count(NOTE_START) == 1
    assert f"({encoding})" in err
    assert "PYTHONUTF8=1" in err


def test_score_runs_on_a_cp1252_console(tmp_path: Path) -> None:
    args = ["score", *INPUTS, "--period", "2021-01", "--out", str(tmp_path / "s")]
    done = _run(args, {"PYTHONIOENCODING": "cp1252"})
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert NOTE_START.encode() not in done.stderr  # nothing needed replacing
    assert b"Alwar" in done.stdout
    assert (tmp_path / "s" / "district.csv").exists()


def test_the_error_path_and_help_on_an_ascii_console() -> None:
    done = _run(["report", *INPUTS, "--unit", "अलवार"], {"PYTHONIOENCODING": "ascii"})
    err = done.stderr.decode("ascii")
    assert done.returncode == 2
    assert "Traceback" not in err
    assert "egov-score: error: --unit must be a unit's code or name; got '?????'" in err
    assert "(district D-087)" in err
    helped = _run(["report", "--help"], {"PYTHONIOENCODING": "ascii"})
    assert helped.returncode == 0
    assert b"Traceback" not in helped.stderr
    assert b"--unit UNIT" in helped.stdout


def test_a_pipe_in_an_ascii_locale_gets_utf8_in_full() -> None:
    env = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    args = ["report", *INPUTS, "--unit", "D-087", "--lang", "hi", "--format", "text"]
    done = _run(args, env)
    assert done.returncode == 0, done.stderr
    assert "अलवर" in done.stdout.decode("utf-8")
    assert NOTE_START.encode() not in done.stderr


def _stream(encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding)


def test_console_text_replaces_and_notes_once() -> None:
    out, err = _stream("cp1252"), io.StringIO()
    prepare_console((), {})  # a new run: nothing noted yet
    assert console_text("Alwar · 2021", out, err) == "Alwar · 2021"
    assert err.getvalue() == ""
    assert console_text("अलवर", out, err) == "????"
    assert console_text("जयपुर", out, err) == "?????"
    assert err.getvalue().count(NOTE_START) == 1
    assert console_text("अलवर", io.StringIO(), err) == "अलवर"  # a text stream: all of it


def test_prepare_console_replaces_on_a_terminal_and_switches_a_file_to_utf8() -> None:
    pipe = _stream("cp1252")
    prepare_console((pipe,), {})
    assert pipe.encoding == "utf-8"
    asked = _stream("cp1252")
    prepare_console((asked,), {"PYTHONIOENCODING": "cp1252"})
    assert asked.encoding == "cp1252"
    assert asked.errors == "replace"
    asked.write("अलवर")  # no UnicodeEncodeError
    asked.flush()
    assert asked.buffer.getvalue() == b"????"  # type: ignore[attr-defined]
