"""A slow pure-Python roll-up of events (dicts and sets over rows), the reference the event
engines are checked against."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

KOLKATA = dt.timezone(dt.timedelta(hours=5, minutes=30))


class Event(NamedTuple):
    """One valid event, its time as an aware or naive datetime (naive = Kolkata)."""

    machine: int
    when: dt.datetime
    service: str
    amount: float
    success: bool


def local(when: dt.datetime) -> dt.datetime:
    """The Kolkata wall-clock time of ``when`` (naive = already Kolkata)."""
    if when.tzinfo is None:
        return when
    return when.astimezone(KOLKATA)


def reference_rollup(events: Iterable[Event]) -> dict[tuple[int, str], dict[str, float]]:
    """(machine, YYYY-MM) -> the five fields, by looping over the events one at a time."""
    out: dict[tuple[int, str], dict[str, float]] = {}
    days: dict[tuple[int, str], set[dt.date]] = {}
    services: dict[tuple[int, str], set[str]] = {}
    paise: dict[tuple[int, str], int] = {}
    for e in events:
        when = local(e.when)
        key = (e.machine, f"{when.year:04d}-{when.month:02d}")
        row = out.setdefault(key, {"transactions": 0, "failed_transactions": 0})
        paise.setdefault(key, 0)
        days.setdefault(key, set())
        services.setdefault(key, set())
        if e.success:
            row["transactions"] += 1
            paise[key] += round(e.amount * 100)
            days[key].add(when.date())
            services[key].add(e.service)
        else:
            row["failed_transactions"] += 1
    for key, row in out.items():
        row["amount"] = paise[key] / 100
        row["active_days"] = len(days[key])
        row["services_used"] = len(services[key])
    return out
