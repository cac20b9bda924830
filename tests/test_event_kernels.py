"""The event kernels: ISO 8601 timestamps, Kolkata days and months, and partials that combine
exactly (known answers by hand, and Hypothesis against a slow pure-Python roll-up)."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_score.io.timestamps import (
    IST_OFFSET_SECONDS,
    local_days,
    month_labels,
    months_of_days,
    parse_timestamps,
)
from egov_score.kernels.events import (
    Partial,
    combine,
    combine_all,
    empty_partial,
    finish,
    paise,
    partial_of,
)
from tests.event_reference import KOLKATA, Event, reference_rollup

UTC = dt.UTC


def seconds_of(when: dt.datetime) -> int:
    aware = when if when.tzinfo else when.replace(tzinfo=KOLKATA)
    return int(aware.timestamp() // 1)


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-01-31T20:00:00Z", dt.datetime(2021, 1, 31, 20, tzinfo=UTC)),
        ("2021-01-31T20:00:00z", dt.datetime(2021, 1, 31, 20, tzinfo=UTC)),
        ("2021-01-31 20:00", dt.datetime(2021, 1, 31, 20, tzinfo=KOLKATA)),
        ("2021-01-31t20:00:59", dt.datetime(2021, 1, 31, 20, 0, 59, tzinfo=KOLKATA)),
        ("2021-02-01T01:29:59+05:30", dt.datetime(2021, 2, 1, 1, 29, 59, tzinfo=KOLKATA)),
        ("2021-02-01T01:29:59.999+0530", dt.datetime(2021, 2, 1, 1, 29, 59, tzinfo=KOLKATA)),
        ("2021-01-31T20:00-03", dt.datetime(2021, 1, 31, 23, tzinfo=UTC)),
        ("2021-01-31T20:00:00,123456789Z", dt.datetime(2021, 1, 31, 20, tzinfo=UTC)),
        ("  2024-02-29T23:59:59  ", dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=KOLKATA)),
        ("1970-01-01T05:30:00", dt.datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_timestamp_forms(text: str, expected: dt.datetime) -> None:
    seconds, ok = parse_timestamps([text])
    assert ok.tolist() == [True]
    assert int(seconds[0]) == int(expected.timestamp())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2021-02-29T10:00",  # not a leap year
        "2021-13-01T10:00",
        "2021-01-01T24:00",
        "2021-01-01T10:60",
        "2021-01-01T10:00:60",
        "2021-01-01",  # a date alone is no time of a transaction
        "2021-01-01T10:00+5:30",
        "2021-01-01T10:00+05:3",
        "2021-01-01T10:00:00.",
        "2021-01-01T10:00:00.1234567890",
        "2021-01-01T10:00Z+05:30",
        "2021/01/01 10:00",
        "1969-12-31T18:29:59Z",  # 23:59:59 on 1969-12-31 in Kolkata
        "2300-01-01T00:00",
        "٢٠٢١-01-01T10:00",  # non-ASCII digits
    ],
)
def test_bad_timestamps(text: str) -> None:
    seconds, ok = parse_timestamps([text, "2021-01-01T10:00"])
    assert ok.tolist() == [False, True]
    assert int(seconds[0]) == 0


def test_no_timestamps() -> None:
    seconds, ok = parse_timestamps(np.array([], dtype=np.str_))
    assert seconds.shape == ok.shape == (0,)


_TIMES = st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2299, 12, 30)).map(
    lambda d: d.replace(microsecond=d.microsecond - d.microsecond % 1000)
)
_ZONES = st.sampled_from(
    [None, UTC, KOLKATA, dt.timezone(dt.timedelta(hours=-3)), dt.timezone(dt.timedelta(hours=14))]
)


def _iso(when: dt.datetime, form: int) -> str:
    text = when.isoformat(sep="T" if form % 2 else " ", timespec="milliseconds")
    if form >= 2 and text.endswith("+00:00"):
        text = text[:-6] + "Z"
    if form >= 4 and when.tzinfo is not None:
        text = text[:-3] + text[-2:] if not text.endswith("Z") else text  # ±HHMM
    return text


@given(st.lists(st.tuples(_TIMES, _ZONES, st.integers(0, 5)), max_size=30))
def test_timestamps_match_python(cases: list[tuple[dt.datetime, dt.tzinfo | None, int]]) -> None:
    texts = [_iso(when.replace(tzinfo=zone), form) for when, zone, form in cases]
    seconds, ok = parse_timestamps(texts)
    assert ok.all()
    expected = [seconds_of(dt.datetime.fromisoformat(t.replace("z", "Z"))) for t in texts]
    assert seconds.tolist() == expected


def test_kolkata_days_and_months() -> None:
    # 2021-01-31T20:00Z is 2021-02-01T01:30 in Kolkata: February there, January in UTC.
    secs = np.array([seconds_of(dt.datetime(2021, 1, 31, 20, tzinfo=UTC))], dtype=np.int64)
    day = local_days(secs)
    assert day.astype("datetime64[D]").astype(str).tolist() == ["2021-02-01"]
    assert month_labels(months_of_days(day)).tolist() == ["2021-02"]
    # One second before local midnight stays on the day before.
    before = np.array([seconds_of(dt.datetime(2021, 1, 31, 18, 29, 59, tzinfo=UTC))])
    assert local_days(before).astype("datetime64[D]").astype(str).tolist() == ["2021-01-31"]
    assert IST_OFFSET_SECONDS == 19800


def test_paise_round_half_to_even() -> None:
    assert paise([0.0, 1.005, 12.345, 99.99, 1e12]).tolist() == [
        0,
        100,
        1234,
        9999,
        100_000_000_000_000,
    ]


# --- partials ----------------------------------------------------------------------------------


def _partial(events: list[Event], services: list[str] | None = None) -> Partial:
    names = services if services is not None else sorted({e.service for e in events})
    return partial_of(
        machine=np.array([e.machine for e in events], dtype=np.int64),
        seconds=np.array([seconds_of(e.when) for e in events], dtype=np.int64),
        success=np.array([e.success for e in events], dtype=np.bool_),
        amount_paise=paise(np.array([e.amount for e in events], dtype=np.float64)),
        service=np.array([names.index(e.service) for e in events], dtype=np.intp),
        services=np.array(names, dtype=np.str_),
    )


def _table(partial: Partial) -> dict[tuple[int, str], dict[str, float]]:
    mm = finish(partial)
    labels = month_labels(mm.month).tolist()
    return {
        (int(m), p): {
            "transactions": int(mm.transactions[i]),
            "failed_transactions": int(mm.failed_transactions[i]),
            "amount": float(mm.amount[i]),
            "active_days": int(mm.active_days[i]),
            "services_used": int(mm.services_used[i]),
        }
        for i, (m, p) in enumerate(zip(mm.machine.tolist(), labels, strict=True))
    }


def test_known_answers_by_hand() -> None:
    ev = [
        # machine 0: January in UTC, but 2021-02-01 01:30 in Kolkata
        Event(0, dt.datetime(2021, 1, 31, 20, tzinfo=UTC), "bill", 100.0, True),
        # machine 0: 2021-01-31 23:59 local, January
        Event(0, dt.datetime(2021, 1, 31, 23, 59), "bill", 50.5, True),
        # February, same day as the first, a second service, and the first service again
        Event(0, dt.datetime(2021, 2, 1, 10, 0), "licence", 20.0, True),
        Event(0, dt.datetime(2021, 2, 1, 11, 0), "bill", 5.25, True),
        # a failed one on another day: counted as failed, no day, no service, no amount
        Event(0, dt.datetime(2021, 2, 7, 11, 0), "certificate", 999.0, False),
        # machine 3: only failures
        Event(3, dt.datetime(2021, 2, 3, 9, 0), "bill", 10.0, False),
    ]
    table = _table(_partial(ev))
    assert table == {
        (0, "2021-01"): {
            "transactions": 1,
            "failed_transactions": 0,
            "amount": 50.5,
            "active_days": 1,
            "services_used": 1,
        },
        (0, "2021-02"): {
            "transactions": 3,
            "failed_transactions": 1,
            "amount": 125.25,
            "active_days": 1,
            "services_used": 2,
        },
        (3, "2021-02"): {
            "transactions": 0,
            "failed_transactions": 1,
            "amount": 0.0,
            "active_days": 0,
            "services_used": 0,
        },
    }
    assert table == reference_rollup(ev)


def test_empty() -> None:
    empty = _partial([])
    assert empty == empty_partial()
    assert len(finish(empty)) == 0
    assert combine_all([]) == empty_partial()


def test_one_machine_split_by_service_names() -> None:
    # The same service under different ids in two batches is one service once combined.
    a = _partial([Event(2, dt.datetime(2021, 3, 1, 9), "b", 1, True)], ["a", "b"])
    b = _partial([Event(2, dt.datetime(2021, 3, 2, 9), "b", 1, True)], ["b"])
    c = _partial([Event(2, dt.datetime(2021, 3, 2, 10), "a", 1, True)], ["z", "a"])
    row = _table(combine_all([a, b, c]))[(2, "2021-03")]
    assert row["services_used"] == 2
    assert row["active_days"] == 2
    assert row["transactions"] == 3


_EVENTS = st.lists(
    st.builds(
        Event,
        machine=st.integers(0, 5),
        when=st.builds(
            lambda d, z: d.replace(tzinfo=z),
            st.datetimes(min_value=dt.datetime(2020, 12, 25), max_value=dt.datetime(2021, 2, 5)),
            _ZONES,
        ),
        service=st.sampled_from(["bill", "licence", "बिजली", "", "x" * 30]),
        amount=st.floats(0, 1e6, allow_nan=False).map(lambda a: round(a, 2)),
        success=st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(_EVENTS, st.lists(st.integers(0, 40), max_size=4))
def test_partials_match_reference(events: list[Event], cuts: list[int]) -> None:
    bounds = sorted({0, len(events), *[min(c, len(events)) for c in cuts]})
    batches = [events[a:b] for a, b in itertools.pairwise(bounds)] or [[]]
    partials = [_partial(batch) for batch in [*batches, []]]  # an empty batch too
    got = _table(combine_all(partials))
    want = reference_rollup(events)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(_EVENTS, _EVENTS, _EVENTS)
def test_combine_is_associative_and_commutative(
    x: list[Event], y: list[Event], z: list[Event]
) -> None:
    a, b, c = _partial(x), _partial(y), _partial(z)
    assert combine(a, b) == combine(b, a)
    assert combine(combine(a, b), c) == combine(a, combine(b, c))
    assert combine(a, empty_partial()) == a
    assert combine(a, b) == _partial(x + y)
