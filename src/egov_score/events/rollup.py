"""Event files rolled up to the machine-month values table, by an engine.

An engine turns event files into one :class:`~egov_score.kernels.events.Partial` and the
:class:`~egov_score.events.checks.Rejects` of their bad rows. :data:`ENGINES` maps a name to
one; ``numpy`` (:func:`numpy_engine`) reads batch by batch, checks each
(:func:`~egov_score.events.checks.check_batch`), makes its partial
(:func:`batch_partial`) and combines the partials as a balanced tree, so memory is bounded by
one batch and the distinct keys. Other engines (polars, Dask) add themselves to
:data:`ENGINES` with the same signature and reuse :func:`batch_partial` and the kernels.

:func:`roll_up` runs an engine and returns an :class:`EventRollup`: the machine-month table
with codes and ``YYYY-MM`` periods, as a values table's columns, a
:class:`~egov_score.model.values.Values` or a frame.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import IntArray, StrArray, array_eq
from egov_score.events.checks import Rejects, check_batch
from egov_score.exceptions import InputError
from egov_score.io.events import BATCH_ROWS, EventBatch, count_rows, event_files, read_batches
from egov_score.io.frames import to_frame
from egov_score.io.parquet import PARQUET_SUFFIXES, write_parquet
from egov_score.io.table import write_csv
from egov_score.kernels.events import (
    FIELDS,
    MAX_MACHINES,
    MachineMonths,
    Partial,
    combine_all,
    empty_partial,
    finish,
    month_labels,
    paise,
    partial_of,
)
from egov_score.model.hierarchy import Hierarchy
from egov_score.model.values import Values

__all__ = [
    "ENGINES",
    "FIELDS",
    "EngineRun",
    "EventEngine",
    "EventRollup",
    "batch_partial",
    "machine_lookup",
    "numpy_engine",
    "roll_up",
]

_log = logging.getLogger(__name__)
_STEP = "rolling up events"


@attrs.frozen
class EngineRun:
    """What an engine returns: the partial of every valid event and the bad rows.

    Attributes:
        partial: the combined partial of the valid rows.
        rejects: the problems found.
        rows: the rows read.
    """

    partial: Partial
    rejects: Rejects
    rows: int


class EventEngine(Protocol):
    """An engine: event files and the bottom level's codes in, an :class:`EngineRun` out."""

    def __call__(
        self,
        files: Sequence[Path],
        machine_codes: StrArray,
        *,
        drop_bad_rows: bool,
        batch_rows: int,
        options: Mapping[str, Any],
    ) -> EngineRun:
        """Roll up ``files`` (see :func:`numpy_engine` for the arguments)."""
        ...


def machine_lookup(machine_codes: StrArray) -> Callable[[StrArray], IntArray]:
    """A function giving the index of each code in ``machine_codes`` (-1 where absent)."""
    codes = np.asarray(machine_codes, dtype=np.str_)
    if len(codes) > MAX_MACHINES:
        raise InputError(
            f"the bottom level may hold at most {MAX_MACHINES} machines; got {len(codes)}"
        )
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]

    def find(wanted: StrArray) -> IntArray:
        wanted = np.asarray(wanted, dtype=np.str_)
        if not len(ordered) or not len(wanted):
            return np.full(len(wanted), -1, dtype=np.intp)
        at = np.minimum(np.searchsorted(ordered, wanted), len(ordered) - 1)
        return np.where(ordered[at] == wanted, order[at], -1).astype(np.intp)

    return find


def batch_partial(
    batch: EventBatch, find: Callable[[StrArray], IntArray], rejects: Rejects
) -> Partial:
    """Check one batch (problems into ``rejects``) and return the partial of its valid rows.

    Args:
        batch: the batch.
        find: the machine lookup (:func:`machine_lookup`).
        rejects: where the problems go.
    """
    valid, machine, success = check_batch(batch, find(batch.machines), rejects)
    if not valid.any():
        return empty_partial()
    return partial_of(
        machine=machine[valid],
        seconds=batch.seconds[valid],
        success=success[valid],
        amount_paise=paise(batch.amount[valid]),
        service=batch.service[valid],
        services=batch.services,
    )


def _progress(done: int, total: int | None) -> None:
    _log.info(
        "%s: %d rows",
        _STEP,
        done,
        extra={"egov_step": _STEP, "egov_done": done, "egov_total": total},
    )


def numpy_engine(
    files: Sequence[Path],
    machine_codes: StrArray,
    *,
    drop_bad_rows: bool = False,
    batch_rows: int = BATCH_ROWS,
    options: Mapping[str, Any] | None = None,
) -> EngineRun:
    """The in-memory numpy engine: batch by batch, one process.

    Args:
        files: the event files (see :func:`~egov_score.io.events.event_files`).
        machine_codes: the codes of the bottom level, in the hierarchy's order.
        drop_bad_rows: keep every problem (for a rejects file), not just the first few.
        batch_rows: rows per batch at most.
        options: engine options (none for this engine).

    Returns:
        The :class:`EngineRun`.
    """
    del options
    find = machine_lookup(machine_codes)
    rejects = Rejects(keep_all=drop_bad_rows)
    sizes = [count_rows(f) for f in files]
    total = None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)
    seen = [0]

    def partials() -> Iterator[Partial]:
        for path in files:
            for batch in read_batches(path, batch_rows=batch_rows):
                seen[0] += len(batch)
                yield batch_partial(batch, find, rejects)
                _progress(seen[0], total)

    partial = combine_all(partials())
    return EngineRun(partial=partial, rejects=rejects, rows=seen[0])


def _polars_engine(files: Sequence[Path], machine_codes: StrArray, **kw: Any) -> EngineRun:
    """The polars engine (:mod:`egov_score.events.polars_engine`), imported when it runs."""
    from egov_score.events.polars_engine import polars_engine

    return polars_engine(files, machine_codes, **kw)


def _dask_engine(files: Sequence[Path], machine_codes: StrArray, **kw: Any) -> EngineRun:
    """The Dask engine (:mod:`egov_score.events.dask_engine`), imported when it runs."""
    from egov_score.events.dask_engine import dask_engine

    return dask_engine(files, machine_codes, **kw)


#: Engines by name; ``--engine`` offers these keys.
ENGINES: dict[str, EventEngine] = {
    "numpy": numpy_engine,
    "polars": _polars_engine,
    "dask": _dask_engine,
}


@attrs.frozen
class EventRollup:
    """The machine-month fields of an event log.

    Attributes:
        codes: each row's machine code.
        periods: each row's month, ``YYYY-MM`` (Asia/Kolkata).
        table: the machine-month table (machine indices, month numbers, fields).
        rejects: the problems of the rows set aside (none unless ``drop_bad_rows``).
        rows: the event rows read.
        bottom_depth: the depth of the machine level in the hierarchy.
        level_sizes: the number of units on each level.
    """

    codes: StrArray = attrs.field(eq=array_eq)
    periods: StrArray = attrs.field(eq=array_eq)
    table: MachineMonths
    rejects: Rejects = attrs.field(eq=False)
    rows: int
    bottom_depth: int
    level_sizes: tuple[int, ...]

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """The values table's columns: ``code``, ``period``, then :data:`FIELDS`."""
        out: dict[str, npt.NDArray[Any]] = {"code": self.codes, "period": self.periods}
        for name in FIELDS:
            out[name] = getattr(self.table, name)
        return out

    def to_values(self, fields: Sequence[str] = FIELDS, *, source: str = "<events>") -> Values:
        """The roll-up as :class:`~egov_score.model.values.Values` (fields of the bottom
        level, as float64), keeping only ``fields``."""
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise InputError(f"fields must be among {list(FIELDS)!r}; got {unknown!r}")
        n = len(self.codes)
        return Values(
            source=source,
            periods=self.periods,
            depth=np.full(n, self.bottom_depth, dtype=np.intp),
            index=np.asarray(self.table.machine, dtype=np.intp),
            columns={f: np.asarray(getattr(self.table, f), dtype=np.float64) for f in fields},
            level_sizes=self.level_sizes,
            field_levels=dict.fromkeys(fields, self.bottom_depth),
        )

    def to_frame(self, kind: str = "pandas") -> Any:
        """The values table as a ``pandas``, ``polars`` or ``arrow`` frame."""
        return to_frame(self.columns(), kind)

    def write(
        self, path: str | os.PathLike[str], *, fields: Sequence[str] = FIELDS, bom: bool = True
    ) -> Path:
        """Write the values table ``code,period,<fields>`` to ``.parquet`` or ``.csv`` (by its
        ending; a CSV starts with a byte-order mark unless ``bom=False``).

        Raises:
            InputError: another ending, an unknown field, or Parquet without pyarrow or
                polars.
        """
        out = Path(path)
        suffix = out.suffix.lower()
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise InputError(f"fields must be among {list(FIELDS)!r}; got {unknown!r}")
        every = self.columns()
        columns = {k: every[k] for k in ("code", "period", *fields)}
        if suffix in PARQUET_SUFFIXES:
            return write_parquet(out, columns)
        if suffix == ".csv":
            write_csv(out, columns, bom=bom)
            return out
        raise InputError(f"a values file must end in .parquet or .csv; got {str(out)!r}")


def roll_up(
    events: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    hierarchy: Hierarchy,
    *,
    engine: str = "numpy",
    drop_bad_rows: bool = False,
    rejects: str | os.PathLike[str] | None = None,
    batch_rows: int = BATCH_ROWS,
    options: Mapping[str, Any] | None = None,
) -> EventRollup:
    """Roll event files up to machine-month fields (see :mod:`egov_score.events`).

    Args:
        events: a file or directory, or several.
        hierarchy: the units; ``machine`` codes must be units of its bottom level.
        engine: a key of :data:`ENGINES`.
        drop_bad_rows: set bad rows aside (counted, and written to ``rejects`` if given)
            instead of refusing the log.
        rejects: where to write the rejects CSV (``file,row_group,row,column,value,reason``).
        batch_rows: rows per batch at most (memory is bounded by a batch).
        options: engine options (for engines that take any).

    Raises:
        InputError: an unknown engine, unreadable files, a missing column, or (without
            ``drop_bad_rows``) any bad row: every problem counted, the first ones listed with
            file, row group and row or line, column and value.
    """
    run_engine = ENGINES.get(engine)
    if run_engine is None:
        raise InputError(f"engine must be one of {sorted(ENGINES)!r}; got {engine!r}")
    given = [events] if isinstance(events, str | os.PathLike) else list(events)
    files = event_files(given)
    bottom = hierarchy.levels[-1]
    run = run_engine(
        files,
        bottom.codes,
        drop_bad_rows=drop_bad_rows,
        batch_rows=batch_rows,
        options=dict(options or {}),
    )
    if not drop_bad_rows:
        run.rejects.raise_if_any(
            ", ".join(str(f) for f in files[:3]) + ("..." if len(files) > 3 else "")
        )
    elif rejects is not None:
        run.rejects.write(str(rejects))
    table = finish(run.partial)
    return EventRollup(
        codes=np.asarray(bottom.codes[table.machine], dtype=np.str_),
        periods=month_labels(table.month),
        table=table,
        rejects=run.rejects,
        rows=run.rows,
        bottom_depth=len(hierarchy.levels) - 1,
        level_sizes=tuple(len(level) for level in hierarchy.levels),
    )
