"""The rules an event row must meet, checked a batch at a time, and the rows that break them.

:func:`check_batch` finds, column by column, the rows of an
:class:`~egov_score.io.events.EventBatch` that break a rule and returns the valid rows' mask and a
:class:`Rejects` of the rest. A :class:`Rejects` counts every problem by column and keeps either
the first few as messages (for the error) or all of them as columns (for the rejects file with
``drop_bad_rows``); two of them merge, so batches checked anywhere add up.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import IntArray, StrArray
from egov_score.exceptions import InputError
from egov_score.io.events import REQUIRED, EventBatch
from egov_score.io.table import write_csv
from egov_score.io.timestamps import FIRST_YEAR, LAST_YEAR
from egov_score.kernels.events import MAX_AMOUNT

__all__ = ["MAX_LISTED", "REJECT_COLUMNS", "RULES", "Rejects", "check_batch"]

#: How many problems an error message lists before it counts the rest.
MAX_LISTED = 20
#: What must hold of each column.
RULES: Mapping[str, str] = {
    "machine": "machine must be the code of a unit on the bottom level of the units file",
    "timestamp": (
        "timestamp must be a Parquet timestamp or ISO 8601 text (YYYY-MM-DDTHH:MM[:SS[.fff]] "
        f"with an optional Z or ±HH:MM) in the years {FIRST_YEAR}-{LAST_YEAR}"
    ),
    "service": "service must not be empty",
    "amount": f"amount must be a number of rupees >= 0 and at most {MAX_AMOUNT:.0e}",
    "status": "status must be 'success' or 'failed'",
}
#: The columns of a rejects file.
REJECT_COLUMNS = ("file", "row_group", "row", "column", "value", "reason")
#: The status cells accepted (after spaces are stripped and letters lowered).
STATUSES = ("success", "failed")


@attrs.define
class Rejects:
    """The problems of some event rows.

    Attributes:
        keep_all: keep every problem (for a rejects file), else only :data:`MAX_LISTED`.
        counts: problems per column.
        rows_dropped: rows with at least one problem.
        listed: the kept problems as message lines.
        table: the kept problems as :data:`REJECT_COLUMNS` lists (``row_group`` -1 for CSV).
    """

    keep_all: bool = False
    counts: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(REQUIRED, 0))
    rows_dropped: int = 0
    listed: list[str] = attrs.field(factory=list)
    table: dict[str, list[object]] = attrs.field(
        factory=lambda: {name: [] for name in REJECT_COLUMNS}
    )

    @property
    def total(self) -> int:
        """The number of problems."""
        return sum(self.counts.values())

    def merge(self, other: Rejects) -> None:
        """Add ``other``'s problems to these (in place; lists in order, ``self`` first)."""
        for column, count in other.counts.items():
            self.counts[column] = self.counts.get(column, 0) + count
        self.rows_dropped += other.rows_dropped
        room = len(other.listed) if self.keep_all else MAX_LISTED - len(self.listed)
        self.listed.extend(other.listed[: max(room, 0)])
        if self.keep_all:
            for name in REJECT_COLUMNS:
                self.table[name].extend(other.table[name])

    def raise_if_any(self, what: str) -> None:
        """Raise an :class:`InputError` listing the problems, if there are any."""
        if not self.total:
            return
        shown = list(self.listed)
        rest = self.total - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more")
        noun = "problem" if self.total == 1 else "problems"
        rows = "row" if self.rows_dropped == 1 else "rows"
        raise InputError(
            f"{what}: {self.total} {noun} in {self.rows_dropped} {rows} (counts by column: "
            f"{self._count_text()}); fix them or pass --drop-bad-rows to set those rows "
            f"aside in a rejects file:\n  " + "\n  ".join(shown)
        )

    def _count_text(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.counts.items() if v) or "none"

    def summary(self) -> str:
        """One line: rows dropped and problems per column."""
        rows = "row" if self.rows_dropped == 1 else "rows"
        return f"{self.rows_dropped} {rows} dropped ({self._count_text()})"

    def write(self, path: str, *, bom: bool = True) -> None:
        """Write the kept problems as a CSV of :data:`REJECT_COLUMNS` (the one CSV writer;
        with a byte-order mark for Excel unless ``bom=False``)."""
        columns: dict[str, npt.NDArray[np.generic] | list[object]] = dict(self.table)
        columns["row_group"] = np.array(self.table["row_group"], dtype=np.int64)
        columns["row"] = np.array(self.table["row"], dtype=np.int64)
        write_csv(path, columns, bom=bom)


def _add(
    rejects: Rejects,
    batch: EventBatch,
    column: str,
    bad: npt.NDArray[np.bool_],
    coded: tuple[StrArray, IntArray] | None,
) -> None:
    """Record the rows of ``batch`` where ``bad`` holds, with their cells (from the coded
    names of a text column, else from the batch)."""
    positions = np.flatnonzero(bad)
    count = len(positions)
    if not count:
        return
    rejects.counts[column] = rejects.counts.get(column, 0) + count
    keep = count if rejects.keep_all else max(MAX_LISTED - len(rejects.listed), 0)
    shown = positions[:keep]
    if not len(shown):
        return
    if coded is not None:
        cells = _named(coded[0], coded[1][shown])
    else:
        cells = np.array(batch.cells(column, shown), dtype=np.str_)
    rule = RULES[column]
    rejects.listed.extend(
        f"{batch.where(int(p))}, column {column!r}: {rule}; got {str(v)!r}"
        for p, v in zip(shown.tolist(), cells.tolist(), strict=True)
    )
    if rejects.keep_all:
        group = -1 if batch.row_group is None else batch.row_group
        rejects.table["file"].extend([batch.source] * len(shown))
        rejects.table["row_group"].extend([group] * len(shown))
        rejects.table["row"].extend(batch.rows[shown].tolist())
        rejects.table["column"].extend([column] * len(shown))
        rejects.table["value"].extend(str(v) for v in cells.tolist())
        rejects.table["reason"].extend([rule] * len(shown))


def _named(names: StrArray, codes: IntArray) -> StrArray:
    """The name of every code (empty for -1)."""
    padded = np.append(np.asarray(names, dtype=np.str_), "")
    return padded[np.where(codes < 0, len(names), codes)]


def check_batch(
    batch: EventBatch, machine_index: IntArray, rejects: Rejects
) -> tuple[npt.NDArray[np.bool_], IntArray, npt.NDArray[np.bool_]]:
    """Check a batch's rows, recording the problems in ``rejects``.

    Args:
        batch: the batch.
        machine_index: the bottom-level index of each of ``batch.machines`` (-1 = unknown).
        rejects: where the problems go.

    Returns:
        The mask of valid rows, each row's machine index (-1 where unknown) and whether each
        row succeeded.
    """
    lookup = np.append(np.asarray(machine_index, dtype=np.intp), -1)
    machine = lookup[np.where(batch.machine < 0, len(batch.machines), batch.machine)]
    status_names = np.strings.lower(np.strings.strip(np.asarray(batch.statuses, dtype=np.str_)))
    status_kind = np.append(
        np.select([status_names == STATUSES[0], status_names == STATUSES[1]], [1, 0], default=-1),
        -1,
    )
    status = status_kind[np.where(batch.status < 0, len(batch.statuses), batch.status)]
    amount = batch.amount
    with np.errstate(invalid="ignore"):
        amount_ok = np.isfinite(amount) & (amount >= 0) & (amount <= MAX_AMOUNT)
    checks = {
        "machine": (machine < 0, (batch.machines, batch.machine)),
        "timestamp": (~batch.timestamp_ok, None),
        "service": (batch.service < 0, (batch.services, batch.service)),
        "amount": (~amount_ok, None),
        "status": (status < 0, (batch.statuses, batch.status)),
    }
    bad = np.zeros(len(batch), dtype=np.bool_)
    for column, (mask, coded) in checks.items():  # a loop over the five columns
        _add(rejects, batch, column, mask, coded)
        bad |= mask
    rejects.rows_dropped += int(bad.sum())
    return ~bad, machine, status == 1
