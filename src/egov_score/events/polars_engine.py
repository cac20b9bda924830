"""The polars engine: event files scanned lazily and grouped by polars' streaming engine.

Each Parquet file is one lazy query (``pl.scan_parquet``) run by polars' streaming engine: the
rows are checked with the same rules as :func:`~egov_score.events.checks.check_batch` and the
valid ones grouped into the partial aggregates of :mod:`egov_score.kernels.events` (counts and
paise per machine-month, distinct machine-days and machine-month-services with a success), so
only the distinct keys come back, never the rows. ISO 8601 text timestamps and text amounts are
read by the package's own column-wise parsers inside polars' batches, so every engine reads a
cell the same way.

Whenever a file has a bad row (or a column the query does not handle: a missing column, a type
that cannot hold its values), that file is rolled up by the numpy engine instead, so the error
message (file, row group, row, column, value) and the rejects file are the numpy engine's, word
for word. CSV files (small inputs) go the numpy engine's way too, through the package's careful
CSV reader.

polars is the ``fastcsv``/``polars`` extra, imported when the engine runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from egov_score._arrays import StrArray
from egov_score.events.checks import STATUSES, Rejects
from egov_score.events.rollup import EngineRun, machine_lookup, numpy_engine
from egov_score.exceptions import InputError
from egov_score.io.events import BATCH_ROWS, REQUIRED, count_rows
from egov_score.io.parquet import PARQUET_SUFFIXES
from egov_score.io.polars_import import import_polars
from egov_score.io.table import is_plain_number
from egov_score.io.timestamps import IST_OFFSET_SECONDS, parse_timestamps
from egov_score.kernels.events import (
    MAX_AMOUNT,
    MAX_SERVICES,
    Partial,
    combine_all,
    day_bits,
    paise,
)

__all__ = ["polars_engine", "require_polars"]

_log = logging.getLogger(__name__)
_STEP = "rolling up events (polars)"
_EXTRA = "the polars engine needs the 'polars' extra: pip install 'egov-score[polars]'"
_DAY = 86_400
_PER_SECOND = {"ns": 1_000_000_000, "us": 1_000_000, "ms": 1_000}
_MONTH_BITS, _SERVICE_BITS = 12, 20


def require_polars() -> Any:
    """polars, or an :class:`InputError` naming the extra to install."""
    try:
        return import_polars()
    except ImportError:
        raise InputError(_EXTRA) from None


def _is_text(pl: Any, kind: Any) -> bool:
    return bool(kind == pl.String or isinstance(kind, pl.Categorical | pl.Enum))


def _handled(pl: Any, schema: Mapping[str, Any]) -> bool:
    """Whether the query below reads these column types as the numpy engine does."""
    if any(name not in schema for name in REQUIRED):
        return False
    for name in ("machine", "service", "status"):
        kind = schema[name]
        if not (_is_text(pl, kind) or kind.is_integer()):
            return False
    stamp = schema["timestamp"]
    if not (_is_text(pl, stamp) or isinstance(stamp, pl.Datetime)):
        return False
    amount = schema["amount"]
    return bool(_is_text(pl, amount) or amount.is_numeric())


def _text(pl: Any, name: str) -> Any:
    """A text column stripped, with empty cells as null (as the Arrow reader codes them)."""
    stripped = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(stripped.str.len_chars() > 0).then(stripped)


def _parsed_seconds(pl: Any, series: Any) -> Any:
    """ISO 8601 text to UTC seconds by the package's parser (null where not valid)."""
    cells = np.asarray(series.fill_null("").to_numpy(), dtype=np.str_)
    seconds, ok = parse_timestamps(cells)
    return pl.Series(series.name, seconds, dtype=pl.Int64).scatter(np.flatnonzero(~ok), None)


def _text_amount(pl: Any, series: Any) -> Any:
    """Text amounts as the Arrow reader reads them: plain decimal numbers, else NaN."""
    cells = np.strings.strip(np.asarray(series.fill_null("").to_numpy(), dtype=np.str_))
    values = np.where(is_plain_number(cells), cells, "nan").astype(np.float64)
    return pl.Series(series.name, values, dtype=pl.Float64)


def _seconds(pl: Any, kind: Any) -> Any:
    """The UTC seconds of the timestamp column (null where not valid, range unchecked)."""
    col = pl.col("timestamp")
    if isinstance(kind, pl.Datetime):
        seconds = col.cast(pl.Int64) // _PER_SECOND[kind.time_unit]
        return seconds if kind.time_zone is not None else seconds - IST_OFFSET_SECONDS
    return col.cast(pl.String).map_batches(
        lambda s: _parsed_seconds(pl, s), return_dtype=pl.Int64, is_elementwise=True
    )


def _amount(pl: Any, kind: Any) -> Any:
    col = pl.col("amount")
    if _is_text(pl, kind):
        col = col.cast(pl.String).map_batches(
            lambda s: _text_amount(pl, s), return_dtype=pl.Float64, is_elementwise=True
        )
    return col.cast(pl.Float64).fill_null(float("nan"))


def _queries(pl: Any, path: Path, schema: Mapping[str, Any], codes: Any) -> list[Any]:
    """The lazy queries of one file: bad-row count, machine-months, days, services."""
    first_day = int(np.datetime64("1970-01-01", "D").astype(np.int64))
    end_day = int(np.datetime64("2300-01-01", "D").astype(np.int64))
    status = _text(pl, "status").str.to_lowercase()
    rows = (
        pl.scan_parquet(path)
        .select(
            _text(pl, "machine").alias("code"),
            _seconds(pl, schema["timestamp"]).alias("seconds"),
            _text(pl, "service").alias("service"),
            _amount(pl, schema["amount"]).alias("amount"),
            status.alias("status"),
        )
        .join(codes, on="code", how="left")
        .with_columns(((pl.col("seconds") + IST_OFFSET_SECONDS) // _DAY).alias("day"))
    )
    amount = pl.col("amount")
    valid = (
        pl.col("machine").is_not_null()
        & pl.col("day").is_not_null()
        & (pl.col("day") >= first_day)
        & (pl.col("day") < end_day)
        & pl.col("service").is_not_null()
        & amount.is_finite()
        & (amount >= 0)
        & (amount <= MAX_AMOUNT)
        & pl.col("status").is_in(list(STATUSES))
    ).fill_null(False)
    checked = rows.select(valid.not_().sum().alias("bad"), pl.len().alias("rows"))
    good = rows.filter(valid).with_columns(
        (pl.col("status") == "success").alias("success"),
        pl.col("day").cast(pl.Int32).cast(pl.Date).alias("date"),
    )
    good = good.with_columns(
        ((pl.col("date").dt.year().cast(pl.Int64) - 1970) * 12 + pl.col("date").dt.month() - 1)
        .cast(pl.Int64)
        .alias("month"),
        pl.col("amount")
        .map_batches(
            lambda s: pl.Series(s.name, paise(s.to_numpy()), dtype=pl.Int64),
            return_dtype=pl.Int64,
            is_elementwise=True,
        )
        .alias("paise"),
    )
    success = pl.col("success")
    months = good.group_by("machine", "month").agg(
        success.sum().cast(pl.Int64).alias("transactions"),
        success.not_().sum().cast(pl.Int64).alias("failed"),
        pl.when(success).then(pl.col("paise")).otherwise(0).sum().cast(pl.Int64).alias("paise"),
    )
    used = good.filter(success)
    days = used.select("machine", "day").unique()
    services = used.select("machine", "month", "service").unique()
    return [checked, months, days, services]


def _partial(months: Any, days: Any, services: Any) -> Partial:
    """A :class:`Partial` of the grouped frames (sorted here, as the kernels keep them)."""
    machine = months["machine"].to_numpy().astype(np.int64)
    keys = (machine << _MONTH_BITS) | months["month"].to_numpy().astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    bits = day_bits(
        keys, days["machine"].to_numpy().astype(np.int64), days["day"].to_numpy().astype(np.int64)
    )
    # Polars orders text by its UTF-8 bytes, which is code-point order: numpy's order.
    names = np.asarray(services["service"].unique().sort().to_numpy(), dtype=np.str_)
    index = services["service"].rank("dense").to_numpy().astype(np.int64) - 1
    if len(names) > MAX_SERVICES:
        raise ValueError(
            f"a roll-up can hold at most {MAX_SERVICES} distinct services; got {len(names)}"
        )
    service_keys = np.sort(
        (services["machine"].to_numpy().astype(np.int64) << 32)
        | (services["month"].to_numpy().astype(np.int64) << _SERVICE_BITS)
        | index
    )
    return Partial(
        keys=keys,
        transactions=months["transactions"].to_numpy().astype(np.int64)[order],
        failed_transactions=months["failed"].to_numpy().astype(np.int64)[order],
        amount_paise=months["paise"].to_numpy().astype(np.int64)[order],
        day_bits=bits,
        services=names.astype(np.str_),
        service_keys=service_keys,
    )


def polars_engine(
    files: Sequence[Path],
    machine_codes: StrArray,
    *,
    drop_bad_rows: bool = False,
    batch_rows: int = BATCH_ROWS,
    options: Mapping[str, Any] | None = None,
) -> EngineRun:
    """The polars engine (see the module): a streaming query per Parquet file.

    The arguments are :func:`~egov_score.events.rollup.numpy_engine`'s (``batch_rows`` for
    the files the numpy engine reads; no ``options``).

    Returns:
        The :class:`~egov_score.events.rollup.EngineRun`, equal to the numpy engine's.

    Raises:
        InputError: polars is not installed (naming the extra), or as the numpy engine.
    """
    del options
    pl = require_polars()
    machine_lookup(machine_codes)  # the same limit on the number of machines
    codes = pl.LazyFrame(
        {
            "code": np.asarray(machine_codes, dtype=np.str_),
            "machine": np.arange(len(machine_codes), dtype=np.int64),
        }
    )
    rejects = Rejects(keep_all=drop_bad_rows)
    partials: list[Partial] = []
    rows = 0
    for path in files:  # a loop over files
        run = None
        if path.suffix.lower() in PARQUET_SUFFIXES:
            count_rows(path)  # an unreadable file: the numpy engine's message
            schema = dict(pl.read_parquet_schema(path))
            if _handled(pl, schema):
                checked, months, days, services = pl.collect_all(
                    _queries(pl, path, schema, codes), engine="streaming"
                )
                if int(checked["bad"][0]) == 0:
                    n = int(checked["rows"][0])
                    run = EngineRun(
                        partial=_partial(months, days, services), rejects=Rejects(), rows=n
                    )
        if run is None:  # bad rows, CSV or an unexpected type: the numpy engine's reading
            run = numpy_engine(
                [path], machine_codes, drop_bad_rows=drop_bad_rows, batch_rows=batch_rows
            )
        rejects.merge(run.rejects)
        partials.append(run.partial)
        rows += run.rows
        _log.info(
            "%s: %d rows",
            _STEP,
            rows,
            extra={"egov_step": _STEP, "egov_done": rows, "egov_total": None},
        )
    return EngineRun(partial=combine_all(partials), rejects=rejects, rows=rows)
