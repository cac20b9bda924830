"""The active days of a partial as a uint32 bitmask per (machine, month): known answers by hand,
popcount against Python's, and combines of bitmask partials against the pure-Python reference."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.io.timestamps import local_days
from egov_score.kernels import events as kev
from egov_score.kernels.events import (
    combine,
    combine_all,
    day_bits,
    empty_partial,
    finish,
    popcount,
)
from tests.event_reference import KOLKATA, Event, reference_rollup
from tests.test_event_kernels import _partial
from tests.test_event_kernels import seconds_of as _seconds

UTC = dt.UTC


def _on(machine: int, day: int, month: int = 1, year: int = 2021, ok: bool = True) -> Event:
    return Event(machine, dt.datetime(year, month, day, 12), "bill", 1.0, ok)


# --- known answers by hand ---------------------------------------------------------------------


def test_days_1_2_and_31_of_january() -> None:
    p = _partial([_on(0, 1), _on(0, 2), _on(0, 31), _on(0, 2)])
    assert p.day_bits.dtype == np.uint32
    assert p.day_bits.tolist() == [0b1 | 0b10 | 1 << 30]
    assert finish(p).active_days.tolist() == [3]


def test_or_of_two_partials() -> None:
    a = _partial([_on(0, 1), _on(0, 2)])  # 0b011
    b = _partial([_on(0, 2), _on(0, 31), _on(0, 5, ok=False)])  # 0b010 | 1 << 30; a failure
    assert a.day_bits.tolist() == [0b11]
    assert b.day_bits.tolist() == [0b10 | 1 << 30]
    both = combine(a, b)
    assert both.day_bits.tolist() == [0b11 | 1 << 30]
    assert finish(both).active_days.tolist() == [3]
    assert finish(both).transactions.tolist() == [4]
    assert finish(both).failed_transactions.tolist() == [1]
    assert combine(b, a) == both


def test_month_ends_and_kolkata_days() -> None:
    ev = [
        _on(1, 29, 2, 2024),  # leap day: bit 28
        _on(1, 31, 12, 2024),  # bit 30
        # 2021-01-31 20:00 UTC is 2021-02-01 01:30 in Kolkata: bit 0 of February
        Event(2, dt.datetime(2021, 1, 31, 20, tzinfo=UTC), "bill", 1.0, True),
        _on(3, 4, ok=False),  # only a failure: a key with no day
    ]
    p = _partial(ev)
    assert p.day_bits.tolist() == [1 << 28, 1 << 30, 1, 0]
    assert finish(p).active_days.tolist() == [1, 1, 1, 0]


def test_memory_is_per_machine_month_not_per_day() -> None:
    # One machine active every day of 2021 holds what it holds when active one day a month.
    year = [dt.date(2021, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    daily = _partial([_on(0, d.day, d.month) for d in year])
    monthly = _partial([_on(0, 1, m) for m in range(1, 13)])
    assert finish(daily).active_days.tolist() == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert daily.day_bits.nbytes == 4 * 12
    assert daily.nbytes == monthly.nbytes


def test_day_bits_of_pairs() -> None:
    keys = np.array([(5 << 12) | 612, (5 << 12) | 613, (7 << 12) | 612], dtype=np.int64)
    jan = (dt.date(2021, 1, 1) - dt.date(1970, 1, 1)).days  # month 612 is 2021-01
    got = day_bits(keys, [5, 5, 7, 5, 5], [jan, jan + 30, jan + 2, jan + 31, jan])
    assert got.tolist() == [1 | 1 << 30, 1, 1 << 2]


# --- popcount ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "count"), [(0, 0), (1, 1), (0b111, 3), (1 << 30, 1), (2**31 - 1, 31), (2**32 - 1, 32)]
)
def test_popcount_known(value: int, count: int) -> None:
    bits = np.array([value], dtype=np.uint32)
    assert popcount(bits).tolist() == [count]
    assert kev._popcount_bytes(bits).tolist() == [count]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=50))
def test_popcount_matches_python(values: list[int]) -> None:
    bits = np.array(values, dtype=np.uint32)
    want = [bin(v).count("1") for v in values]
    assert popcount(bits).tolist() == want
    assert kev._popcount_bytes(bits).tolist() == want  # the numpy < 2.0 path
    assert popcount(bits).dtype == np.int64


# --- combines of bitmask partials against the reference ----------------------------------------

# Events over a year end and a leap February, as aware or naive (Kolkata) times.
_WHEN = st.datetimes(min_value=dt.datetime(2023, 12, 20), max_value=dt.datetime(2024, 3, 10))
_ZONE = st.sampled_from([None, UTC, KOLKATA])
_EVENTS = st.lists(
    st.tuples(
        st.integers(0, 3), _WHEN, _ZONE, st.sampled_from(["bill", "licence"]), st.booleans()
    ).map(lambda t: Event(t[0], t[1].replace(tzinfo=t[2]), t[3], 1.0, t[4])),
    max_size=60,
)


def _reference_bits(events: list[Event]) -> dict[tuple[int, int, int], int]:
    """(machine, year, month) -> bitmask of the Kolkata days of the month with a success."""
    out: dict[tuple[int, int, int], int] = {}
    for e in events:
        when = e.when.astimezone(KOLKATA) if e.when.tzinfo else e.when
        key = (e.machine, when.year, when.month)
        out[key] = out.get(key, 0) | (1 << (when.day - 1) if e.success else 0)
    return out


@settings(max_examples=150, deadline=None)
@given(_EVENTS, st.lists(st.integers(0, 60), max_size=5), st.randoms(use_true_random=False))
def test_combined_bitmasks_match_reference(
    events: list[Event], cuts: list[int], rng: random.Random
) -> None:
    bounds = sorted({0, len(events), *[min(c, len(events)) for c in cuts]})
    partials = [_partial(events[a:b]) for a, b in itertools.pairwise(bounds)]
    rng.shuffle(partials)
    combined = combine_all([*partials, empty_partial()])
    want = _reference_bits(events)
    machine = (combined.keys >> 12).tolist()
    month = (combined.keys & 0xFFF).tolist()
    got = {
        (m, 1970 + mo // 12, mo % 12 + 1): int(b)
        for m, mo, b in zip(machine, month, combined.day_bits.tolist(), strict=True)
    }
    assert got == want
    table = finish(combined)
    ref = reference_rollup(events)
    assert table.active_days.tolist() == [
        ref[(m, f"{y:04d}-{mo:02d}")]["active_days"] for (m, y, mo) in sorted(want)
    ]
    assert combined == _partial(events)


@settings(max_examples=100, deadline=None)
@given(_EVENTS)
def test_day_bits_of_pairs_matches_partial(events: list[Event]) -> None:
    # The polars engine's path (bits from distinct (machine, day) pairs) equals partial_of's.
    p = _partial(events)
    ok = [e for e in events if e.success]
    days = local_days(np.array([_seconds(e.when) for e in ok], dtype=np.int64))
    got = day_bits(p.keys, np.array([e.machine for e in ok], dtype=np.int64), days)
    assert got.tolist() == p.day_bits.tolist()
