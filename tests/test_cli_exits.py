"""The command line's exits: 2 for bad input or usage, 1 for a failed run, never a traceback;
arguments checked before any work; everything printed free of terminal control characters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from egov_score import cli, datasets
from egov_score.cli import DEBUG_VARIABLE, EXIT_FAILED, EXIT_OK, EXIT_USAGE, build_parser, main
from egov_score.exceptions import InputError
from tests.test_cli import ARGS

SMALL = datasets.path("small")
SCORE = ARGS  # score the small data's January 2021


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--mix", "5"], "argument --mix: must be a number in [0, 1]; got '5'"),
        (["--mix", "-0.1"], "argument --mix: must be a number in [0, 1]; got '-0.1'"),
        (["--mix", "inf"], "argument --mix: must be a number in [0, 1]; got 'inf'"),
        (["--min-coverage", "1.5"], "argument --min-coverage: must be a number in [0, 1]"),
        (["--runners-up=-1"], "argument --runners-up: must be a whole number >= 0; got '-1'"),
        (["--min-months", "0"], "argument --min-months: must be a whole number >= 1; got '0'"),
        (["--min-months", "x"], "argument --min-months: must be a whole number >= 1; got 'x'"),
        (["--year", "99999"], "argument --year: must be a year from 1900 to 9999"),
    ],
)
def test_award_arguments_are_checked_as_usage_errors(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["awards", *args]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert fragment in err
    assert "usage: egov-score awards" in err


def test_valid_edges_are_accepted() -> None:
    ns = build_parser().parse_args(
        ["awards", "--mix", "0", "--min-coverage", "1", "--runners-up", "0", "--min-months", "1"]
    )
    assert (ns.mix, ns.min_coverage, ns.runners_up, ns.min_months) == (0.0, 1.0, 0, 1)


def test_help_names_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit status: 0 done; 2 bad input" in out
    assert DEBUG_VARIABLE in out
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    assert "exit status" in capsys.readouterr().out


def test_an_unwritable_output_is_a_failed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main([*SCORE, "--out", str(blocker)]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.startswith("egov-score: error: output must be writable; cannot write")
    assert str(blocker) in err
    assert "Traceback" not in err


def test_a_report_that_cannot_be_written_is_a_failed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    target = tmp_path / "file" / "card.md"
    report = ["report", *SCORE[1:7], "--unit", "D-087", "--format", "md", "--out", str(target)]
    assert main(report) == EXIT_FAILED
    assert "output must be writable" in capsys.readouterr().err


def test_an_unexpected_exception_is_an_internal_error_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(args: object) -> int:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "_cmd_plugins", boom)
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)
    assert main(["plugins"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "egov-score: error: internal error (ZeroDivisionError: division by zero)" in err
    assert f"{DEBUG_VARIABLE}=1" in err
    monkeypatch.setenv(DEBUG_VARIABLE, "1")
    with pytest.raises(ZeroDivisionError):
        main(["plugins"])


def test_error_messages_show_control_characters_as_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bad(args: object) -> int:
        raise InputError("units.csv: got \x1b[2J\u202eevil")

    monkeypatch.setattr(cli, "_cmd_plugins", bad)
    assert main(["plugins"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "\u202e" not in err
    assert "got \\x1b[2J\\u202eevil" in err


def test_report_to_stdout_strips_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    units = (SMALL / "units.csv").read_text(encoding="utf-8")
    (tmp_path / "units.csv").write_text(
        units.replace("Alwar", "Alwar\x1b[2J\x1b]0;title\x07"), encoding="utf-8"
    )
    args = [a if a != str(SMALL / "units.csv") else str(tmp_path / "units.csv") for a in SCORE]
    assert main([*args, "--out", str(tmp_path / "o")]) == EXIT_OK
    for fmt in ("text", "md", "csv"):
        report = ["report", *args[1:7], "--unit", "D-087", "--format", fmt]
        assert main(report) == EXIT_OK
        out = capsys.readouterr().out
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "Alwar\\x1b" in out


def test_a_traceback_never_reaches_the_shell(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "egov_score.cli", "awards", "--mix", "7"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == EXIT_USAGE
    assert "Traceback" not in proc.stderr
