"""Parquet files in and out, through pyarrow or polars, whichever is installed.

:func:`read_parquet` reads a Parquet file into a :class:`~egov_score.io.table.Table` by way of
:func:`~egov_score.io.frames.frame_table`, so its columns are checked as a CSV file's are (row
numbers in messages are positions counted from 0). :func:`write_parquet` writes named columns
(see :func:`~egov_score.io.frames.to_frame`): numbers as float64 with nulls for missing values,
ranks as int64 with nulls, text as UTF-8 strings. pyarrow is used when installed (the
``parquet`` extra), else polars; neither is imported until a Parquet file is read or written.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from egov_score.exceptions import InputError
from egov_score.io.frames import OutColumn, frame_table, to_frame
from egov_score.io.polars_import import import_polars
from egov_score.io.table import Table

__all__ = ["PARQUET_SUFFIXES", "read_parquet", "read_table", "require_parquet", "write_parquet"]

#: File name endings read as Parquet.
PARQUET_SUFFIXES = (".parquet", ".pq")

_EXTRA = "Parquet files need the 'parquet' extra: pip install 'egov-score[parquet]'"


def _engine() -> tuple[str, Any]:
    """("arrow", pyarrow.parquet) or ("polars", polars), the first that imports."""
    try:
        return "arrow", importlib.import_module("pyarrow.parquet")
    except ImportError:
        pass
    try:
        return "polars", import_polars()
    except ImportError:
        raise InputError(_EXTRA) from None


def require_parquet() -> None:
    """Check that Parquet can be written, before a run writes anything.

    Raises:
        InputError: neither pyarrow nor polars can be imported; the message names the extra.
    """
    _engine()


def read_parquet(path: str | os.PathLike[str], *, numeric: Collection[str] = ()) -> Table:
    """Read a Parquet file as a table (see the module); ``numeric`` names the columns kept as
    numbers.

    Raises:
        InputError: the file is missing or not a readable Parquet file, a column holds neither
            numbers nor text, or neither pyarrow nor polars is installed.
    """
    path = Path(path)
    kind, lib = _engine()
    if not path.is_file():
        raise InputError(f"file must exist; got {str(path)!r}")
    try:
        frame = lib.read_table(path) if kind == "arrow" else lib.read_parquet(path)
    except Exception as exc:  # each library raises its own kinds for a damaged file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: must be a readable Parquet file; got {reason}") from None
    return frame_table(frame, source=str(path), numeric=numeric)


def read_table(path: str | os.PathLike[str], *, numeric: Collection[str] = ()) -> Table:
    """A table from a ``.parquet`` file (:func:`read_parquet`), or else by
    :meth:`Table.read <egov_score.io.table.Table.read>` (CSV or Excel)."""
    if Path(path).suffix.lower() in PARQUET_SUFFIXES:
        return read_parquet(path, numeric=numeric)
    return Table.read(path)


def write_parquet(path: str | os.PathLike[str], columns: Mapping[str, OutColumn]) -> Path:
    """Write columns to one Parquet file (see the module).

    Returns:
        The path written.

    Raises:
        InputError: neither pyarrow nor polars is installed.
    """
    out = Path(path)
    kind, lib = _engine()
    if kind == "arrow":
        lib.write_table(to_frame(columns, "arrow"), out)
    else:
        to_frame(columns, "polars").write_parquet(out)
    return out
