"""The progress line on a terminal and the log records it is drawn from (``docs/output.md``)."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.cli import EXIT_OK, main
from egov_score.pipeline import load
from egov_score.render import progress_line as progress_module
from egov_score.render.progress_line import LOGGER, clear_progress_line, progress_line
from egov_score.render.review import write_cards
from egov_score.review.division import Review
from egov_score.review.panel import score_panel

SMALL = datasets.path("small")


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def small_run(out: Path) -> None:
    """Read, score every month and write every card of the small data set."""
    job = load(
        units=SMALL / "units.csv",
        values=SMALL / "values.csv",
        framework=SMALL / "framework.toml",
    )
    panel = score_panel(job)
    review = Review(panel=panel, period=panel.periods[-1], hierarchy=job.hierarchy)
    write_cards(review, out, formats=("md",))


CARDS = 2 + 4  # the small data set's districts and blocks


def test_a_terminal_gets_a_line_for_every_step(tmp_path: Path) -> None:
    terminal = FakeTerminal()
    with progress_line(stream=terminal, delay=0):
        small_run(tmp_path / "cards")
    shown = terminal.getvalue()
    assert "reading" in shown
    assert "scoring 2 months" in shown
    assert "writing cards: 100%" in shown
    assert f"{CARDS}/{CARDS}" in shown


def test_a_short_run_gets_no_line(tmp_path: Path) -> None:
    terminal = FakeTerminal()
    with progress_line(stream=terminal, delay=3600):
        small_run(tmp_path / "cards")
    assert terminal.getvalue() == ""


def test_no_line_when_not_a_terminal_or_quiet(tmp_path: Path) -> None:
    plain = io.StringIO()
    with progress_line(stream=plain, delay=0):
        small_run(tmp_path / "a")
    terminal = FakeTerminal()
    with progress_line(stream=terminal, delay=0, quiet=True):
        small_run(tmp_path / "b")
    assert plain.getvalue() == ""
    assert terminal.getvalue() == ""


def test_no_line_and_no_error_without_tqdm(tmp_path: Path, hide_module) -> None:  # type: ignore[no-untyped-def]
    hide_module("tqdm")
    terminal = FakeTerminal()
    with progress_line(stream=terminal, delay=0):
        small_run(tmp_path / "cards")
    assert terminal.getvalue() == ""


def test_the_logger_is_left_as_it_was(tmp_path: Path) -> None:
    logger = logging.getLogger(LOGGER)
    level, handlers = logger.level, list(logger.handlers)
    with pytest.raises(RuntimeError), progress_line(stream=FakeTerminal(), delay=0):
        raise RuntimeError("boom")
    assert (logger.level, logger.handlers) == (level, handlers)


def test_the_library_configures_no_handler() -> None:
    import egov_score  # noqa: F401

    assert logging.getLogger(LOGGER).handlers == []


def test_library_users_get_the_steps_as_log_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        small_run(tmp_path / "cards")
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert info[0].startswith("reading ")
    assert info[1] == "scoring 2 months, 2020-12 to 2021-01"
    assert info[2] == f"writing {CARDS} cards into {tmp_path / 'cards'}"
    cards = [r for r in caplog.records if r.levelno == logging.DEBUG]
    assert [r.getMessage() for r in cards][:1] == [f"card 1 of {CARDS}: district D-087"]
    assert [r.egov_done for r in cards] == list(range(1, CARDS + 1))  # type: ignore[attr-defined]
    assert all(r.name.startswith(f"{LOGGER}.") for r in caplog.records)


def test_the_command_line_shows_the_line_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["demo", "--out", str(tmp_path / "a")]) == EXIT_OK
    assert "writing cards" in terminal.getvalue()
    assert "77/77" in terminal.getvalue()
    assert "Divisional e-governance review" in capsys.readouterr().out
    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["demo", "--out", str(tmp_path / "b"), "--quiet"]) == EXIT_OK
    assert quiet.getvalue() == ""
    assert capsys.readouterr().out == ""  # --quiet: nothing but errors


def test_the_line_is_cleared_before_anything_is_printed() -> None:
    terminal = FakeTerminal()
    logger = logging.getLogger("egov_score.pipeline")
    with progress_line(stream=terminal, delay=0):
        logger.info("reading x", extra={"egov_step": "reading"})
        shown = terminal.getvalue()
        clear_progress_line()
        cleared = terminal.getvalue()[len(shown) :]
        clear_progress_line()  # nothing shown: nothing to do
        assert terminal.getvalue()[len(shown) + len(cleared) :] == ""
    assert "reading" in shown
    assert cleared.strip() == ""
    assert cleared.startswith("\r")
    clear_progress_line()  # outside a run: nothing to do


def test_quiet_report_and_awards_print_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = ["--units", str(SMALL / "units.csv"), "--values", str(SMALL / "values.csv")]
    inputs += ["--framework", str(SMALL / "framework.toml")]
    card = tmp_path / "card.md"
    report = ["report", *inputs, "--unit", "D-087", "--format", "md", "--out", str(card)]
    assert main([*report, "--quiet"]) == EXIT_OK
    assert main(["awards", "--out", str(tmp_path / "awards.md"), "--quiet"]) == EXIT_OK
    assert capsys.readouterr() == ("", "")
    assert card.read_text(encoding="utf-8").startswith("#")
    assert main(report) == EXIT_OK
    assert capsys.readouterr().out == f"wrote {card}\n"
