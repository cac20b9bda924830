"""Event times: ISO 8601 text and epoch seconds to Asia/Kolkata days and months, column-wise.

Times are seconds since 1970-01-01T00:00:00 UTC (int64). Calendar days and months are those of
``Asia/Kolkata``, a fixed offset of +05:30 all year (India has no daylight saving time), so a
local day is ``floor((seconds + 19800) / 86400)`` and needs no time-zone database. Text without
an offset is Kolkata local time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from egov_score._arrays import StrArray

__all__ = [
    "FIRST_YEAR",
    "IST_OFFSET_SECONDS",
    "LAST_YEAR",
    "in_range",
    "local_days",
    "month_labels",
    "months_of_days",
    "parse_timestamps",
]

Int64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Asia/Kolkata is UTC+05:30 all year.
IST_OFFSET_SECONDS = 5 * 3600 + 30 * 60
_DAY = 86_400
#: The local calendar years an event may fall in (roll-up keys pack a month into 12 bits).
FIRST_YEAR, LAST_YEAR = 1970, 2299


# --- time --------------------------------------------------------------------------------------


def local_days(seconds: Int64Array) -> Int64Array:
    """The Asia/Kolkata calendar day (days since 1970-01-01) of each UTC time in seconds."""
    return np.floor_divide(np.asarray(seconds, dtype=np.int64) + IST_OFFSET_SECONDS, _DAY)


def months_of_days(days: Int64Array) -> Int64Array:
    """Months since 1970-01 of each day number (days since 1970-01-01)."""
    as_days = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return as_days.astype("datetime64[M]").astype(np.int64)


def month_labels(months: Int64Array) -> StrArray:
    """``YYYY-MM`` of each month number (months since 1970-01)."""
    labels: StrArray = np.datetime_as_string(
        np.asarray(months, dtype=np.int64).astype("datetime64[M]"), unit="M"
    ).astype(np.str_)
    return labels


def _days_from_civil(year: Int64Array, month: Int64Array, day: Int64Array) -> Int64Array:
    """Days since 1970-01-01 of proleptic Gregorian dates (month and day already in range)."""
    months = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    days: Int64Array = months.astype("datetime64[D]").astype(np.int64) + day - 1
    return days


def _month_length(year: Int64Array, month: Int64Array) -> Int64Array:
    first = ((year - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    span = (first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")
    length: Int64Array = span.astype(np.int64)
    return length


_ZERO = ord("0")
_MAX_TEXT = 40  # longer cells are no timestamp of ours: `2021-01-31T20:00:00.123456789+05:30`


def parse_timestamps(cells: npt.ArrayLike) -> tuple[Int64Array, BoolArray]:
    """Parse ISO 8601 text into UTC seconds, column-wise (no Python loop over cells).

    Accepted: ``YYYY-MM-DD`` then ``T``, ``t`` or a space, ``HH:MM``, optionally ``:SS`` and a
    fraction (``.`` or ``,`` and 1–9 digits, dropped: times are kept to the second, floored),
    then optionally ``Z`` or an offset ``±HH:MM``, ``±HHMM`` or ``±HH``. Without an offset the
    time is Asia/Kolkata local time (+05:30). Surrounding spaces are ignored.

    Args:
        cells: the text of each cell.

    Returns:
        The UTC seconds of each cell (0 where not valid) and whether each cell is valid: the
        form above with a real calendar date, hour ≤ 23, minute and second ≤ 59, offset hours
        ≤ 23, in local years :data:`FIRST_YEAR`–:data:`LAST_YEAR`.
    """
    text = np.strings.strip(np.asarray(cells, dtype=np.str_))
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_)
    length = np.strings.str_len(text).astype(np.int64)
    # One column of code points per character, a zero column always at the end.
    width = max(min(int(length.max()), _MAX_TEXT), 19) + 1
    cp = np.ascontiguousarray(text.astype(f"<U{width}")).view(np.uint32).reshape(n, width)
    # Kept as uint32 code points, bools and int8 digits: a few bytes a character.
    digit = (cp >= _ZERO) & (cp <= _ZERO + 9)
    value = np.where(digit, cp - _ZERO, 0).astype(np.int8)
    rows = np.arange(n)

    def at(pos: Int64Array | int) -> Int64Array:
        picked: Int64Array = cp[rows, np.clip(pos, 0, width - 1)].astype(np.int64)
        return picked

    def is_digit(pos: Int64Array | int) -> BoolArray:
        picked: BoolArray = digit[rows, np.clip(pos, 0, width - 1)]
        return picked

    def number(start: int, stop: int) -> Int64Array:
        total = np.zeros(n, dtype=np.int64)
        for j in range(start, stop):  # a loop over character positions, not cells
            total = total * 10 + value[:, j]
        return total

    ok = (length <= _MAX_TEXT) & (length >= 16)
    for j in (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15):
        ok &= digit[:, j]
    ok &= (cp[:, 4] == ord("-")) & (cp[:, 7] == ord("-")) & (cp[:, 13] == ord(":"))
    ok &= np.isin(cp[:, 10], [ord("T"), ord("t"), ord(" ")])
    has_sec = (cp[:, 16] == ord(":")) & digit[:, 17] & digit[:, 18]
    end = np.where(has_sec, 19, 16)
    has_frac = np.isin(at(end), [ord("."), ord(",")])
    # The first non-digit after the fraction's mark (the zero column ends every row).
    col = np.arange(width)
    after = (~digit) & (col[None, :] > end[:, None])
    frac_end = np.argmax(after, axis=1)
    ok &= ~has_frac | ((frac_end - end - 1 >= 1) & (frac_end - end - 1 <= 9))
    start = np.where(has_frac, frac_end, end)  # where an offset may begin
    rest = length - start
    sign = at(start)
    signed = np.isin(sign, [ord("+"), ord("-")])
    utc = (rest == 1) & np.isin(sign, [ord("Z"), ord("z")])
    hh = signed & (rest >= 3) & is_digit(start + 1) & is_digit(start + 2)
    colon = hh & (rest == 6) & (at(start + 3) == ord(":"))
    compact = hh & (rest == 5)
    mm_at = np.where(colon, start + 4, start + 3)
    mm = (colon | compact) & is_digit(mm_at) & is_digit(mm_at + 1)
    offset_ok = (rest == 0) | utc | (hh & (rest == 3)) | mm
    ok &= offset_ok
    off_h = np.where(hh, (at(start + 1) - _ZERO) * 10 + at(start + 2) - _ZERO, 0)
    off_m = np.where(mm, (at(mm_at) - _ZERO) * 10 + at(mm_at + 1) - _ZERO, 0)
    ok &= (off_h <= 23) & (off_m <= 59)
    offset = np.where(
        rest == 0,
        IST_OFFSET_SECONDS,
        np.where(sign == ord("-"), -1, 1) * (off_h * 3600 + off_m * 60) * (~utc),
    )

    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    hour, minute = number(11, 13), number(14, 16)
    second = np.where(has_sec, number(17, 19), 0)
    ok &= (month >= 1) & (month <= 12) & (hour <= 23) & (minute <= 59) & (second <= 59)
    ok &= (year >= FIRST_YEAR - 1) & (year <= LAST_YEAR + 1)
    year = np.where(ok, year, 1970)
    month = np.where(ok, month, 1)
    ok &= (day >= 1) & (day <= _month_length(year, month))
    day = np.where(ok, day, 1)
    seconds = _days_from_civil(year, month, day) * _DAY + hour * 3600 + minute * 60 + second
    seconds = seconds - offset
    ok &= in_range(seconds)
    result: Int64Array = np.where(ok, seconds, 0).astype(np.int64)
    return result, ok


_FIRST_DAY = int(np.datetime64(f"{FIRST_YEAR}-01-01", "D").astype(np.int64))
_END_DAY = int(np.datetime64(f"{LAST_YEAR + 1}-01-01", "D").astype(np.int64))


def in_range(seconds: Int64Array) -> BoolArray:
    """Whether each UTC time falls in local years :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    days = local_days(seconds)
    inside: BoolArray = (days >= _FIRST_DAY) & (days < _END_DAY)
    return inside
