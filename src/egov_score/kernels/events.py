"""Transaction events rolled up to machine-month fields: arrays in, arrays out.

Times are UTC seconds; days and months are Asia/Kolkata's (+05:30, no daylight saving time;
see :mod:`egov_score.io.timestamps`).

A batch of events becomes a :class:`Partial`: per (machine, month) the successful and failed
transactions and the amount of the successful ones in whole paise, the days with a success as
a ``uint32`` bitmask (bit ``d - 1`` for local day ``d`` of the month), plus the set of distinct
(machine, month, service) keys with a success, as a sorted unique int64 array. Counts and paise
add; bitmasks OR; sets unite; so :func:`combine` is exactly associative and commutative, and
partials of any split of a log in any order combine to the same :func:`finish`. A day bitmask
costs 4 bytes per machine-month, where a set of (machine, day) keys would cost 8 per machine-day.

Services are text. A partial carries its own sorted distinct service names and its service keys
point into them; :func:`combine` unites the two name lists and renumbers each side's keys into
the union (no hashing, so no collisions to check). Memory is bounded by the distinct keys of a
partial, never by the rows it was built from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import IntArray, StrArray, array_eq, readonly
from egov_score.io.timestamps import (
    FIRST_YEAR,
    IST_OFFSET_SECONDS,
    LAST_YEAR,
    local_days,
    month_labels,
    months_of_days,
)

__all__ = [
    "FIELDS",
    "FIRST_YEAR",
    "IST_OFFSET_SECONDS",
    "LAST_YEAR",
    "MAX_AMOUNT",
    "MAX_MACHINES",
    "MAX_SERVICES",
    "MachineMonths",
    "Partial",
    "combine",
    "combine_all",
    "day_bits",
    "empty_partial",
    "finish",
    "local_days",
    "machine_months",
    "month_labels",
    "months_of_days",
    "paise",
    "partial_of",
    "popcount",
]

Int64Array = npt.NDArray[np.int64]
UInt32Array = npt.NDArray[np.uint32]
BoolArray = npt.NDArray[np.bool_]

#: Largest amount of one transaction, in rupees (sums in int64 paise stay exact far beyond).
MAX_AMOUNT = 1e12

_MONTH_BITS = 12  # months since 1970-01: < 2**12 up to year 2311
_SERVICE_BITS = 20
#: Machines a roll-up can hold (machine indices are packed into the top of an int64 key).
MAX_MACHINES = 2**31 - 1
#: Distinct services a partial can hold.
MAX_SERVICES = 2**_SERVICE_BITS
_MONTH_MASK = (1 << _MONTH_BITS) - 1
_SERVICE_MASK = (1 << _SERVICE_BITS) - 1


def _frozen(arr: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    return readonly(np.ascontiguousarray(arr))


@attrs.frozen
class Partial:
    """The partial aggregates of some events (any batch, file or union of them).

    Attributes:
        keys: sorted unique ``machine << 12 | month`` of every (machine, month) with an event.
        transactions: successful events per key (int64).
        failed_transactions: failed events per key (int64).
        amount_paise: the amount of the successful events per key, in whole paise (int64).
        day_bits: per key, the local days of the month with a success as a bitmask (uint32,
            bit ``d - 1`` set for day ``d``); :func:`popcount` gives ``active_days``.
        services: the sorted distinct service names of :attr:`service_keys`.
        service_keys: sorted unique ``machine << 32 | month << 20 | service`` with a success,
            ``service`` an index into :attr:`services`.
    """

    keys: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    transactions: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    failed_transactions: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    amount_paise: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    day_bits: UInt32Array = attrs.field(eq=array_eq, converter=_frozen)
    services: StrArray = attrs.field(eq=array_eq, converter=_frozen)
    service_keys: Int64Array = attrs.field(eq=array_eq, converter=_frozen)

    def __attrs_post_init__(self) -> None:
        n = len(self.keys)
        for name in ("transactions", "failed_transactions", "amount_paise", "day_bits"):
            if np.shape(getattr(self, name)) != (n,):
                raise ValueError(
                    f"{name} must hold one value per key ({n}); got shape "
                    f"{np.shape(getattr(self, name))!r}"
                )

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays: bounded by the distinct keys, not by the events."""
        return sum(
            int(a.nbytes)
            for a in (
                self.keys,
                self.transactions,
                self.failed_transactions,
                self.amount_paise,
                self.day_bits,
                self.services,
                self.service_keys,
            )
        )


@attrs.frozen
class MachineMonths:
    """The machine-month table: one row per (machine, month) with an event, sorted by both.

    Attributes:
        machine: the machine's index in the bottom level.
        month: months since 1970-01 (local time); :func:`month_labels` gives ``YYYY-MM``.
        transactions: successful transactions.
        failed_transactions: failed transactions.
        amount: the amount of the successful transactions, rupees (whole paise).
        active_days: distinct local calendar days with a successful transaction.
        services_used: distinct services with a successful transaction.
    """

    machine: IntArray = attrs.field(eq=array_eq, converter=_frozen)
    month: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    transactions: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    failed_transactions: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    amount: npt.NDArray[np.float64] = attrs.field(eq=array_eq, converter=_frozen)
    active_days: Int64Array = attrs.field(eq=array_eq, converter=_frozen)
    services_used: Int64Array = attrs.field(eq=array_eq, converter=_frozen)

    def __len__(self) -> int:
        return len(self.machine)


#: The machine-month fields, in output order.
FIELDS = ("transactions", "failed_transactions", "amount", "active_days", "services_used")


# --- money -------------------------------------------------------------------------------------


def paise(rupees: npt.ArrayLike) -> Int64Array:
    """Rupee amounts in whole paise (rounded half to even), for exact sums.

    Amounts must be finite, ≥ 0 and at most :data:`MAX_AMOUNT`; check first.
    """
    as_paise: Int64Array = np.rint(np.asarray(rupees, dtype=np.float64) * 100.0).astype(np.int64)
    return as_paise


# --- partials ----------------------------------------------------------------------------------


def _unique(keys: Int64Array) -> Int64Array:
    """Sorted distinct keys, by one sort (numpy's hash-based ``unique`` is slower here)."""
    ordered = np.sort(np.asarray(keys, dtype=np.int64))
    first = np.ones(len(ordered), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    distinct: Int64Array = ordered[first]
    return distinct


def _union(x: Int64Array, y: Int64Array) -> Int64Array:
    """The sorted distinct union of two sorted distinct arrays.

    A stable sort of the concatenation (timsort) finds the two runs and merges them in place,
    with a buffer of half the shorter run: linear time, and one array beside the result.
    """
    both = np.concatenate([x, y])
    both.sort(kind="stable")
    first = np.ones(len(both), dtype=np.bool_)
    np.not_equal(both[1:], both[:-1], out=first[1:])
    if first.all():
        return both
    distinct: Int64Array = both[first]
    return distinct


def _unique_inverse(keys: Int64Array) -> tuple[Int64Array, IntArray]:
    """Sorted distinct keys and each key's position among them, by one argsort."""
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = np.ones(len(ordered), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(keys), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _day_of_month_bit(days: Int64Array, months: Int64Array) -> UInt32Array:
    """``1 << (d - 1)`` for each local day number whose day of the month is ``d``."""
    first = np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]")
    offset = np.asarray(days, dtype=np.int64) - first.astype(np.int64)  # 0 to 30
    bit: UInt32Array = np.left_shift(np.uint32(1), offset.astype(np.uint32))
    return bit


def day_bits(keys: Int64Array, machine: npt.ArrayLike, days: npt.ArrayLike) -> UInt32Array:
    """The day bitmask of each (machine, month) key from (machine, local day) pairs.

    Args:
        keys: sorted unique ``machine << 12 | month`` keys, holding every pair's key.
        machine: each pair's machine index.
        days: each pair's local day number (days since 1970-01-01); repeats allowed.

    Returns:
        Per key, bit ``d - 1`` set for each day ``d`` of the month among the pairs (uint32).
    """
    mach = np.asarray(machine, dtype=np.int64)
    day = np.asarray(days, dtype=np.int64)
    months = months_of_days(day)
    bits = np.zeros(len(keys), dtype=np.uint32)
    at = np.searchsorted(keys, (mach << _MONTH_BITS) | months)
    np.bitwise_or.at(bits, at, _day_of_month_bit(day, months))
    return bits


_BYTE_POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.int64)


def _popcount_bytes(bits: UInt32Array) -> Int64Array:
    """Set bits of each uint32 by a 256-entry table over its four bytes (numpy < 2.0)."""
    as_bytes = np.ascontiguousarray(bits, dtype="<u4").view(np.uint8).reshape(-1, 4)
    counts: Int64Array = _BYTE_POPCOUNT[as_bytes].sum(axis=1)
    return counts


def popcount(bits: UInt32Array) -> Int64Array:
    """The number of set bits of each uint32 (the active days of a day bitmask)."""
    bits = np.asarray(bits, dtype=np.uint32)
    if hasattr(np, "bitwise_count"):  # numpy >= 2.0
        counts: Int64Array = np.bitwise_count(bits).astype(np.int64)
        return counts
    return _popcount_bytes(bits)


def empty_partial() -> Partial:
    """The partial of no events: :func:`combine`'s identity."""
    none = np.zeros(0, dtype=np.int64)
    return Partial(
        keys=none,
        transactions=none,
        failed_transactions=none,
        amount_paise=none,
        day_bits=np.zeros(0, dtype=np.uint32),
        services=np.zeros(0, dtype=np.str_),
        service_keys=none,
    )


def partial_of(
    *,
    machine: npt.ArrayLike,
    seconds: npt.ArrayLike,
    success: npt.ArrayLike,
    amount_paise: npt.ArrayLike,
    service: npt.ArrayLike,
    services: npt.ArrayLike,
) -> Partial:
    """The partial aggregates of one batch of valid events.

    Args:
        machine: each event's machine index (0 ≤ index < :data:`MAX_MACHINES`).
        seconds: each event's UTC time in seconds, in local years
            :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
        success: whether each event succeeded.
        amount_paise: each event's amount in paise (see :func:`paise`).
        service: each event's index into ``services``.
        services: service names (any order, repeats allowed: they are merged by name).

    Returns:
        The batch's :class:`Partial`.
    """
    mach = np.asarray(machine, dtype=np.int64)
    secs = np.asarray(seconds, dtype=np.int64)
    ok = np.asarray(success, dtype=np.bool_)
    money = np.asarray(amount_paise, dtype=np.int64)
    names, renumber = np.unique(np.asarray(services, dtype=np.str_), return_inverse=True)
    if len(names) > MAX_SERVICES:
        raise ValueError(
            f"a roll-up can hold at most {MAX_SERVICES} distinct services; got {len(names)}"
        )
    serv = renumber.reshape(-1).astype(np.int64)[np.asarray(service, dtype=np.intp)]
    days = local_days(secs)
    months = months_of_days(days)
    keys, inverse = _unique_inverse((mach << _MONTH_BITS) | months)
    n = len(keys)
    transactions = np.bincount(inverse[ok], minlength=n).astype(np.int64)
    failed = np.bincount(inverse[~ok], minlength=n).astype(np.int64)
    # bincount's float weights would round past 2**53 paise: add int64 with np.add.at instead.
    amount = np.zeros(n, dtype=np.int64)
    np.add.at(amount, inverse[ok], money[ok])
    bits = np.zeros(n, dtype=np.uint32)
    np.bitwise_or.at(bits, inverse[ok], _day_of_month_bit(days[ok], months[ok]))
    used = np.zeros(len(names), dtype=np.bool_)
    used[serv[ok]] = True  # keep only the names a success refers to
    kept = np.flatnonzero(used)
    new_id = np.cumsum(used) - 1
    service_keys = _unique((mach[ok] << 32) | (months[ok] << _SERVICE_BITS) | new_id[serv[ok]])
    return Partial(
        keys=keys,
        transactions=transactions,
        failed_transactions=failed,
        amount_paise=amount,
        day_bits=bits,
        services=names[kept],
        service_keys=service_keys,
    )


def _renumbered(keys: Int64Array, names: StrArray, union: StrArray) -> Int64Array:
    """Service keys pointing into ``names`` made to point into ``union`` (a sorted superset)."""
    if not len(keys) or np.array_equal(names, union):
        return keys
    where = np.searchsorted(union, names).astype(np.int64)
    renumbered: Int64Array = (keys & ~np.int64(_SERVICE_MASK)) | where[keys & _SERVICE_MASK]
    return renumbered


def combine(a: Partial, b: Partial) -> Partial:
    """The partial of the events of ``a`` and ``b`` together (exact: counts and paise add,
    key sets unite), so ``combine`` is associative and commutative."""
    keys, inverse = _unique_inverse(np.concatenate([a.keys, b.keys]))
    n = len(keys)
    # Each side's keys are distinct, so each side lands on distinct places of the union.
    at_a, at_b = inverse[: len(a.keys)], inverse[len(a.keys) :]

    def added(x: Int64Array, y: Int64Array) -> Int64Array:
        total = np.zeros(n, dtype=np.int64)
        total[at_a] = x
        total[at_b] += y
        return total

    bits = np.zeros(n, dtype=np.uint32)
    bits[at_a] = a.day_bits
    bits[at_b] |= b.day_bits

    names = np.union1d(a.services, b.services).astype(np.str_)
    if len(names) > MAX_SERVICES:
        raise ValueError(
            f"a roll-up can hold at most {MAX_SERVICES} distinct services; got {len(names)}"
        )
    service_keys = _union(
        _renumbered(a.service_keys, a.services, names),
        _renumbered(b.service_keys, b.services, names),
    )
    return Partial(
        keys=keys,
        transactions=added(a.transactions, b.transactions),
        failed_transactions=added(a.failed_transactions, b.failed_transactions),
        amount_paise=added(a.amount_paise, b.amount_paise),
        day_bits=bits,
        services=names,
        service_keys=service_keys,
    )


def combine_all(partials: Iterable[Partial]) -> Partial:
    """Combine any number of partials pairwise as a balanced tree (the empty partial for none).

    Partials are taken as they come and merged with the last one of the same rank, so at most
    about log2(count) partials are held at once.
    """
    stack: list[tuple[int, Partial]] = []
    for partial in partials:
        rank, part = 0, partial
        while stack and stack[-1][0] == rank:
            part = combine(stack.pop()[1], part)
            rank += 1
        stack.append((rank, part))
    result = empty_partial()
    for _, part in reversed(stack):
        result = combine(part, result)
    return result


def _count_per_key(group_keys: Int64Array, keys: Int64Array) -> Int64Array:
    """How many of the sorted ``group_keys`` fall on each of the sorted ``keys``."""
    return (
        np.searchsorted(group_keys, keys, side="right") - np.searchsorted(group_keys, keys)
    ).astype(np.int64)


def finish(partial: Partial) -> MachineMonths:
    """The machine-month table of a partial (see :class:`MachineMonths`)."""
    machine = (partial.keys >> _MONTH_BITS).astype(np.intp)
    month = partial.keys & _MONTH_MASK
    service_mm = partial.service_keys >> _SERVICE_BITS
    return MachineMonths(
        machine=machine,
        month=month,
        transactions=partial.transactions,
        failed_transactions=partial.failed_transactions,
        amount=partial.amount_paise.astype(np.float64) / 100.0,
        active_days=popcount(partial.day_bits),
        services_used=_count_per_key(service_mm, partial.keys),
    )


def machine_months(partials: Sequence[Partial]) -> MachineMonths:
    """:func:`finish` of :func:`combine_all` of ``partials``."""
    return finish(combine_all(partials))
