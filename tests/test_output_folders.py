"""Output folders: written beside the target and renamed into place, refused over foreign files.

See ``docs/output.md``. A run's block that raises leaves the previous output exactly as it was;
a folder egov-score did not write (no manifest, or files the manifest does not list, or listed
files changed since) is refused unless ``force``; the manifest lists exactly what was written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from egov_score.exceptions import InputError
from egov_score.io import folders
from egov_score.io.folders import (
    MANIFEST,
    check_output_folder,
    foreign_files,
    output_folder,
    read_manifest,
    replace_file,
)

SMALL = datasets.path("small")
SCORE = [
    "score",
    "--units",
    str(SMALL / "units.csv"),
    "--values",
    str(SMALL / "values.csv"),
    "--framework",
    str(SMALL / "framework.toml"),
    "--period",
    "2021-01",
    "--quiet",
]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    """The temporary folders and files a run left beside its target."""
    return sorted(p.name for p in parent.iterdir() if ".egov-score-" in p.name)


def write_run(target: Path, files: dict[str, str], **kwargs: object) -> None:
    with output_folder(target, **kwargs) as tmp:  # type: ignore[arg-type]
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")


def failing_run(target: Path, error: BaseException) -> None:
    """A run that writes half a file and fails."""
    with output_folder(target) as tmp:
        (tmp / "a.csv").write_text("half", encoding="utf-8")
        raise error


# -- the manifest -------------------------------------------------------------------------------


def test_the_manifest_lists_exactly_what_was_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "1\n", "district/D-1.html": "<p>", "division.md": "#"}, command="x")
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == ["a.csv", "district/D-1.html", "division.md"]
    assert manifest["command"] == "x"
    assert manifest["written_by"] == "egov-score"
    assert manifest["version"]
    assert manifest["files"]["a.csv"]["bytes"] == 2
    assert set(snapshot(out)) == {*manifest["files"], MANIFEST}
    assert foreign_files(out) == []
    assert leftovers(tmp_path) == []


def test_a_second_run_replaces_the_first_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"old.csv": "1", "sub/old.md": "x"})
    write_run(out, {"new.csv": "2"})
    assert sorted(snapshot(out)) == [MANIFEST, "new.csv"]  # no stale file of the first run
    assert sorted(read_manifest(out) or {}) == ["new.csv"]
    assert leftovers(tmp_path) == []


def test_an_empty_or_missing_target_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write_run(tmp_path / "empty", {"a": "1"})
    write_run(tmp_path / "deep" / "er" / "new", {"a": "1"})
    assert (tmp_path / "empty" / "a").exists()
    assert (tmp_path / "deep" / "er" / "new" / "a").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_replaced_folder_keeps_its_permissions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o750)
    write_run(out, {"a": "1"})
    assert out.stat().st_mode & 0o777 == 0o750


# -- a failed run leaves the previous output untouched --------------------------------------------


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failure_inside_the_run_leaves_the_old_output_intact(
    tmp_path: Path, error: BaseException
) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old", "district/D-1.md": "old card"})
    before = snapshot(out)
    with pytest.raises(type(error)):
        failing_run(out, error)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_failed_first_run_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        failing_run(tmp_path / "out", RuntimeError("boom"))
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def rename_failing(
    monkeypatch: pytest.MonkeyPatch, fails: Callable[[Path, Path], bool], error: OSError
) -> None:
    """``os.rename`` in the folders module raises ``error`` when ``fails(src, dst)``."""
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if fails(Path(str(src)), Path(str(dst))):
            raise error
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(folders.os, "rename", rename)


def test_a_folder_that_cannot_be_moved_aside_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows a folder with a file open in it cannot be renamed: the error says so."""
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old"})
    before = snapshot(out)
    denied = PermissionError(13, "Access is denied", str(out))
    rename_failing(monkeypatch, lambda src, dst: src == out, denied)
    with pytest.raises(OSError, match="the previous output is untouched") as info:
        write_run(out, {"a.csv": "new"})
    assert "Access is denied" in str(info.value)
    assert "close them and run again" in str(info.value)
    assert info.value.filename == str(out)
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_new_folder_that_cannot_be_moved_in_puts_the_old_one_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old"})
    before = snapshot(out)
    cross = OSError(18, "Invalid cross-device link")
    rename_failing(monkeypatch, lambda src, dst: dst == out and "-new" in src.name, cross)
    with pytest.raises(OSError, match="cross-device"):
        write_run(out, {"a.csv": "new"})
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_an_old_folder_that_cannot_be_removed_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "out"
    write_run(out, {"a.csv": "old"})

    def rmtree(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "in use", str(path))

    monkeypatch.setattr(folders.shutil, "rmtree", rmtree)
    with caplog.at_level(logging.WARNING, logger="egov_score"):
        write_run(out, {"a.csv": "new"})
    assert (out / "a.csv").read_text(encoding="utf-8") == "new"
    assert "could not remove the previous output" in caplog.text


# -- what is refused ------------------------------------------------------------------------------


def test_a_folder_of_foreign_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    for i in range(7):
        (out / f"notes{i}.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(InputError) as info:
        write_run(out, {"a": "1"})
    message = str(info.value)
    assert "an output folder must be empty, missing or written by egov-score" in message
    assert f"got {str(out)!r} holding 7 entries egov-score did not write" in message
    assert "'notes0.txt', 'notes1.txt', 'notes2.txt', 'notes3.txt', 'notes4.txt' and 2 more" in (
        message
    )
    assert "--force" in message
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_force_replaces_a_folder_of_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    write_run(out, {"a": "1"}, force=True)
    assert sorted(snapshot(out)) == [MANIFEST, "a"]


def test_files_the_manifest_does_not_list_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_run(out, {"a": "1", "district/D-1.md": "x"})
    (out / "district" / "mine.txt").write_text("mine", encoding="utf-8")
    (out / "empty").mkdir()
    assert foreign_files(out) == ["district/mine.txt", "empty"]
    with pytest.raises(InputError, match="holding 2 entries"):
        check_output_folder(out)


def test_a_listed_file_changed_since_is_refused(tmp_path: Path) -> None:
    """An exported template the user has edited is theirs now."""
    out = tmp_path / "tpl"
    write_run(out, {"units.csv": "level,code\n"})
    (out / "units.csv").write_text("level,code\nmy,edit\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"'units.csv \(changed\)'"):
        check_output_folder(out)


@pytest.mark.parametrize("text", ["not json", "[]", '{"files": ["a"]}', '{"files": {"a": 1}}'])
def test_a_manifest_egov_score_could_not_have_written_counts_for_nothing(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    (tmp_path / "a").write_text("1", encoding="utf-8")
    assert read_manifest(tmp_path) is None
    assert foreign_files(tmp_path) == [MANIFEST, "a"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_link_inside_the_folder_is_foreign_and_never_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious").write_text("keep", encoding="utf-8")
    out = tmp_path / "out"
    write_run(out, {"a": "1"})
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    assert foreign_files(out) == ["link"]
    write_run(out, {"a": "2"}, force=True)
    assert (elsewhere / "precious").read_text(encoding="utf-8") == "keep"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_target_that_is_a_link_replaces_the_folder_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real"
    write_run(real, {"a": "1"})
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    write_run(link, {"b": "2"})
    assert link.is_symlink()
    assert sorted(snapshot(real)) == [MANIFEST, "b"]


def test_a_target_that_is_a_file_is_an_error_even_with_force(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="an output folder must be a folder; got a file"):
        write_run(target, {"a": "1"}, force=True)
    assert target.read_text(encoding="utf-8") == "x"


def test_the_current_folder_and_its_parents_are_refused_even_with_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = tmp_path / "work" / "inner"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    for target in (".", "..", str(inner), Path(inner.anchor), tmp_path / "home"):
        with pytest.raises(InputError, match="must not be a file system's root, the home folder"):
            check_output_folder(target, force=True)
    assert inner.is_dir()


def test_a_folder_holding_the_inputs_is_refused_even_with_force(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "units.csv").write_text("level,code,name,parent\n", encoding="utf-8")
    for target, inputs in (
        (data, [data]),
        (data, [None, data / "units.csv"]),
        (tmp_path, [data / "units.csv"]),
    ):
        with pytest.raises(InputError, match="must not hold the run's inputs") as info:
            check_output_folder(target, force=True, inputs=inputs)
        assert f"got {str(target)!r} holding " in str(info.value)
    check_output_folder(data / "out", inputs=[data, data / "units.csv"])  # beside them: fine


def test_score_into_its_own_scheme_data_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    datasets.export("small", tmp_path / "data")
    data = tmp_path / "data"
    args = [a.replace(str(SMALL), str(data)) for a in SCORE]
    assert main([*args, "--out", str(data), "--force"]) == EXIT_USAGE
    assert "an output folder must not hold the run's inputs" in capsys.readouterr().err
    assert (data / "units.csv").exists()


# -- one file -------------------------------------------------------------------------------------


def test_replace_file_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = tmp_path / "cards" / "card.md"
    replace_file(card, "old")
    assert card.read_text(encoding="utf-8") == "old"

    def replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(folders.os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        replace_file(card, "new")
    assert card.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in card.parent.iterdir()) == ["card.md"]


# -- the command line -----------------------------------------------------------------------------


def test_score_refuses_foreign_files_then_force_replaces_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "budget.xlsx").write_bytes(b"mine")
    assert main([*SCORE, "--out", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("egov-score: error: an output folder must be empty, missing or written")
    assert "'budget.xlsx'" in err
    assert "give --force" in err
    assert (out / "budget.xlsx").read_bytes() == b"mine"
    assert main([*SCORE, "--out", str(out), "--force"]) == EXIT_OK
    assert sorted(read_manifest(out) or {}) == [
        "block.csv",
        "district.csv",
        "division.csv",
        "machine.csv",
    ]
    assert main([*SCORE, "--out", str(out)]) == EXIT_OK  # its own output: no --force needed


def test_score_checks_the_folder_before_reading_the_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("x", encoding="utf-8")
    args = [a if a != str(SMALL / "values.csv") else str(tmp_path / "missing.csv") for a in SCORE]
    assert main([*args, "--out", str(out)]) == EXIT_USAGE
    assert "'mine.txt'" in capsys.readouterr().err


def test_score_over_a_file_is_a_failed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    assert main([*SCORE, "--out", str(target), "--force"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "output must be writable; cannot write" in err
    assert "an output folder must be a folder; got a file" in err


def test_a_failing_score_leaves_the_old_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main([*SCORE, "--out", str(out)]) == EXIT_OK
    before = snapshot(out)

    def write_csv(self: object, folder: Path, **_: object) -> list[Path]:
        (Path(folder) / "division.csv").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device", str(Path(folder) / "district.csv"))

    monkeypatch.setattr("egov_score.model.result.Result.write_csv", write_csv)
    assert main([*SCORE, "--out", str(out)]) == EXIT_FAILED
    assert "No space left on device" in capsys.readouterr().err
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_demo_export_twice_and_over_an_edited_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpl = tmp_path / "tpl"
    assert main(["demo", "--export", str(tpl), "--quiet"]) == EXIT_OK
    assert sorted(read_manifest(tpl) or {}) == sorted(
        p.name for p in datasets.path("jaipur").iterdir() if p.is_file()
    )
    assert main(["demo", "--export", str(tpl), "--quiet"]) == EXIT_OK
    assert capsys.readouterr().out == ""
    with (tpl / "units.csv").open("a", encoding="utf-8") as fh:
        fh.write("block,B-9999,My block,D-87\n")
    assert main(["demo", "--export", str(tpl)]) == EXIT_USAGE
    assert "'units.csv (changed)'" in capsys.readouterr().err
    assert "B-9999" in (tpl / "units.csv").read_text(encoding="utf-8")
    assert main(["demo", "--export", str(tpl), "--force"]) == EXIT_OK
    assert "B-9999" not in (tpl / "units.csv").read_text(encoding="utf-8")


def test_demo_out_refuses_foreign_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cards"
    out.mkdir()
    (out / "letter.docx").write_bytes(b"mine")
    assert main(["demo", "--out", str(out)]) == EXIT_USAGE
    assert "'letter.docx'" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["letter.docx"]
