"""Output folders that are replaced whole or not at all, and never over someone else's files.

:func:`output_folder` gives a run a fresh temporary folder beside the target (so on the same file
system) and, when the run's block ends without an exception, writes the manifest
(:data:`MANIFEST`) into it and renames it into place: the previous folder is moved aside, the new
one moved in, and only then is the old one removed. An exception or Ctrl-C inside the block
removes the temporary folder and leaves the previous output exactly as it was.

Before anything is written, :func:`check_output_folder` refuses a target that holds files
egov-score did not write (a non-empty folder without a manifest, or with files its manifest does
not list) unless ``force`` is given, and refuses always a target that is a file, a file system's
root, the home folder, or a folder that holds the current folder.

:func:`replace_file` is the same promise for one file: a temporary file beside it, renamed over it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from egov_score.exceptions import InputError

__all__ = [
    "LISTED_FOREIGN",
    "MANIFEST",
    "check_output_folder",
    "foreign_files",
    "output_folder",
    "read_manifest",
    "replace_file",
]

_log = logging.getLogger(__name__)

#: The manifest every output folder holds: the files egov-score wrote there, the command, the
#: version and the time (UTC).
MANIFEST = ".egov-score.json"
#: How many foreign files a refusal names before it says how many more there are.
LISTED_FOREIGN = 5
_STEM = 60  # characters of the target's name kept in the names of its temporary folders


def _version() -> str:
    try:
        return metadata.version("egov-score")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _raise(exc: OSError) -> None:
    raise exc


def _entries(folder: Path) -> tuple[list[str], list[str]]:
    """The files (symbolic links included, never followed) and the folders under ``folder``,
    as POSIX paths relative to it."""
    files: list[str] = []
    folders: list[str] = []
    for root, dirnames, filenames in os.walk(folder, onerror=_raise):
        here = Path(root).relative_to(folder)
        for name in list(dirnames):
            if (Path(root) / name).is_symlink():  # a link to a folder counts as a file
                files.append((here / name).as_posix())
                dirnames.remove(name)
            else:
                folders.append((here / name).as_posix())
        files.extend((here / name).as_posix() for name in filenames)
    return files, folders


def _stamp(path: Path) -> dict[str, int]:
    """A file's size and modification time (ns): what shows it was changed after it was written."""
    st = path.lstat()
    return {"bytes": st.st_size, "modified_ns": st.st_mtime_ns}


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, dict[str, int]] | None:
    """The files an output folder's manifest lists, each with its size and modification time
    (ns) when written; ``None`` when the folder has no manifest egov-score could have written
    (missing, not JSON, or without its ``files`` table)."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not all(
        isinstance(v, dict)
        and set(v) == {"bytes", "modified_ns"}
        and all(type(x) is int for x in v.values())
        for v in files.values()
    ):
        return None
    return files


def foreign_files(folder: str | os.PathLike[str]) -> list[str]:
    """The entries of ``folder`` that egov-score did not write, sorted: every file and folder
    when it has no manifest, else those its manifest does not list, and the listed files changed
    since (their size or modification time differs; named with ``(changed)``). A folder counts
    as listed when a listed file lies in it."""
    root = Path(folder)
    files, folders = _entries(root)
    listed = read_manifest(root)
    if listed is None:
        return sorted(files + folders)
    holding = {p.as_posix() for f in listed for p in Path(f).parents}
    foreign = [f for f in files if f != MANIFEST and f not in listed]
    changed = [f"{f} (changed)" for f in files if f in listed and _stamp(root / f) != listed[f]]
    return sorted(foreign + changed + [d for d in folders if d not in holding])


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except RuntimeError:  # no home folder can be found
        return None


def _with_parents(path: str | os.PathLike[str]) -> tuple[Path, ...]:
    real = Path(path).resolve()
    return (real, *real.parents)


def _final(target: str | os.PathLike[str]) -> Path:
    """The absolute target; a symbolic link stands for the folder it names."""
    path = Path(os.path.abspath(target))
    return path.resolve() if path.is_symlink() else path


def check_output_folder(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Refuse an output folder a run must not replace.

    A missing target or an empty folder is fine, and so is a folder holding only files a
    previous run wrote (listed in its :data:`MANIFEST`).

    Args:
        target: the output folder.
        force: allow a folder holding files egov-score did not write.
        inputs: the run's input files and folders (``None`` entries are skipped): the output
            folder may not be one of them or hold one, whatever ``force``.

    Raises:
        InputError: the folder holds files egov-score did not write (the first
            :data:`LISTED_FOREIGN` are named) and ``force`` is false; or, whatever ``force``,
            the target is a file system's root, the home folder, holds the current folder or
            holds one of ``inputs``.
        NotADirectoryError: the target is a file.
    """
    final = _final(target)
    if not os.path.lexists(final):
        return
    if not final.is_dir():
        raise NotADirectoryError(
            errno.ENOTDIR, "an output folder must be a folder; got a file", str(target)
        )
    cwd = Path.cwd().resolve()
    real = final.resolve()
    if real.parent == real or real == _home() or real in (cwd, *cwd.parents):
        raise InputError(
            "an output folder must not be a file system's root, the home folder or a folder "
            f"that holds the current folder, as it is replaced whole; got {str(target)!r}"
        )
    held = [str(i) for i in inputs if i is not None and real in _with_parents(i)]
    if held:
        raise InputError(
            "an output folder must not hold the run's inputs, as it is replaced whole; got "
            f"{str(target)!r} holding {held[0]!r}: choose another folder"
        )
    if force:
        return
    foreign = foreign_files(final)
    if foreign:
        shown = ", ".join(repr(f) for f in foreign[:LISTED_FOREIGN])
        more = len(foreign) - LISTED_FOREIGN
        if more > 0:
            shown += f" and {more} more"
        noun = "entry" if len(foreign) == 1 else "entries"
        raise InputError(
            f"an output folder must be empty, missing or written by egov-score, as it is "
            f"replaced whole; got {str(target)!r} holding {len(foreign)} {noun} egov-score did "
            f"not write or that changed since ({MANIFEST} lists what it wrote): {shown}; "
            "give --force to replace it anyway, or choose another folder"
        )


def _beside(final: Path, kind: str) -> Path:
    return final.parent / f".{final.name[:_STEM]}.{secrets.token_hex(6)}.egov-score-{kind}"


def _write_manifest(folder: Path, command: str) -> None:
    files, _ = _entries(folder)
    manifest = {
        "written_by": "egov-score",
        "version": _version(),
        "command": command,
        "written_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": {f: _stamp(folder / f) for f in sorted(files) if f != MANIFEST},
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def _replace(new: Path, final: Path) -> None:
    """Move ``new`` into ``final``'s place: the old folder aside, the new one in, the old one
    removed; if the new one cannot be moved in, the old one is put back."""
    if not os.path.lexists(final):
        os.rename(new, final)
        return
    old = _beside(final, "old")
    try:
        os.rename(final, old)
    except OSError as exc:
        raise OSError(
            exc.errno,
            f"{exc.strerror or exc}; the previous output is untouched. A folder cannot be moved "
            "aside while a program holds a file in it open or (on Windows) a terminal or "
            "Explorer window stands in it: close them and run again",
            str(final),
        ) from exc
    try:
        os.rename(new, final)
    except BaseException:
        os.rename(old, final)  # put the previous output back
        raise
    try:
        shutil.rmtree(old)
    except OSError as exc:  # the new output is in place; only the old copy is left over
        _log.warning("could not remove the previous output, moved aside to %s: %s", old, exc)


@contextlib.contextmanager
def output_folder(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    command: str = "",
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Iterator[Path]:
    """A temporary folder to write a run's output into, renamed to ``target`` at the end.

    Use it as ``with output_folder(out, force=False, command="score") as tmp:`` and write every
    file into ``tmp``. When the block ends normally the manifest (:data:`MANIFEST`, listing
    every file in ``tmp``) is added and ``tmp`` replaces ``target``; when it raises (Ctrl-C
    included) ``tmp`` is removed and ``target`` is left as it was. The temporary folder lies
    beside ``target`` (a hidden ``.<name>.<random>.egov-score-new``), so the rename stays on one
    file system; a target that is a symbolic link is followed, and the folder it names is
    replaced. The target is checked by :func:`check_output_folder` on entry and again just
    before it is replaced.

    Args:
        target: the output folder.
        force: replace a folder even if it holds files egov-score did not write.
        command: what wrote the folder, recorded in the manifest (e.g. ``"demo"``).
        inputs: the run's input files and folders, which the target may not hold.

    Raises:
        InputError: see :func:`check_output_folder`.
        OSError: the folder cannot be written or moved into place (on Windows a folder in use
            cannot be renamed: the error says so, and the previous output is untouched).
    """
    final = _final(target)
    inputs = tuple(inputs)
    check_output_folder(target, force=force, inputs=inputs)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _beside(final, "new")
    tmp.mkdir()
    try:
        if final.is_dir():  # the replacement keeps the folder's permissions
            os.chmod(tmp, stat.S_IMODE(final.stat().st_mode))
        yield tmp
        _write_manifest(tmp, command)
        # The target may have changed during the run.
        check_output_folder(target, force=force, inputs=inputs)
        _replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_file(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it, renamed over it,
    so a failure never leaves a half-written file (the folder is created if needed)."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _beside(final, "part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
