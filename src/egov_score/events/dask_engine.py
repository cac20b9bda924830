"""The Dask engine: the partials of the row groups made on Dask workers and reduced as a tree.

The event files are cut into pieces: each Parquet row group is one (read from its footer on the
driver), each CSV file one. Every piece is a partition of a Dask bag; a worker reads its piece
batch by batch exactly as the numpy engine does (:func:`~egov_score.io.events.arrow_batch`,
:func:`~egov_score.events.rollup.batch_partial`), so a row is checked and aggregated the same
way wherever it runs, and returns the piece's :class:`~egov_score.kernels.events.Partial`, its
:class:`~egov_score.events.checks.Rejects` and its row count. Partials combine exactly, so a
tree reduction (``split_every`` pieces at a time, in order) gives the numpy engine's partial bit
for bit, and only the combined partial, the size of the machine-month table, comes back to the
driver. Rejects merge in file and row-group order, so the error message is the numpy engine's,
word for word; an error raised on a worker (an unreadable file, a missing column) comes back
as the same :class:`~egov_score.exceptions.InputError`.

Where it runs (``options["scheduler"]``):

- ``None`` (the default): a ``distributed.LocalCluster`` sized to the machine (one worker
  process per core, one thread each, ``memory_limit`` per worker: ``"auto"`` = the machine's
  memory shared equally), closed when the roll-up ends;
- an address (``tcp://host:8786``): a ``distributed.Client`` connected to a running cluster,
  whose workers must be able to read the files at the same paths or URLs;
- ``"synchronous"``, ``"threads"`` or ``"processes"``: Dask's local schedulers, no
  ``distributed`` (for tests and debugging).

``options["progress"]`` shows Dask's progress bar on standard error. Dask is the ``dask``
extra, imported when the engine runs.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from egov_score._arrays import StrArray
from egov_score.events.checks import Rejects
from egov_score.events.rollup import EngineRun, batch_partial, machine_lookup
from egov_score.exceptions import InputError
from egov_score.io.events import (
    BATCH_ROWS,
    REQUIRED,
    EventBatch,
    arrow_batch,
    count_rows,
    read_batches,
    require_arrow,
)
from egov_score.io.parquet import PARQUET_SUFFIXES
from egov_score.kernels.events import Partial, combine_all, empty_partial

__all__ = ["LOCAL_SCHEDULERS", "SPLIT_EVERY", "dask_engine", "require_dask", "row_group_pieces"]

_EXTRA = "the Dask engine needs the 'dask' extra: pip install 'egov-score[dask]'"
#: Dask's own schedulers, run in this process without ``distributed``.
LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")
#: How many partials one task of the tree reduction combines (4: measured on 100M rows, a
#: lower peak than 8 or 16 at no cost in time; see docs/scale.md).
SPLIT_EVERY = 4

#: A piece of the log: a file and its row group (None = the whole file, CSV).
Piece = tuple[str, int | None]
#: What a piece (or a run of pieces) gives: its partial, its rejects and its rows.
PieceRun = tuple[Partial, Rejects, int]


def require_dask() -> Any:
    """``dask.bag``, or an :class:`InputError` naming the extra to install."""
    try:
        return importlib.import_module("dask.bag")
    except ImportError:
        raise InputError(_EXTRA) from None


def _require_distributed() -> Any:
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise InputError(_EXTRA) from None


def row_group_pieces(files: Sequence[Path]) -> list[Piece]:
    """The pieces of ``files``: one per Parquet row group, one per CSV file.

    Raises:
        InputError: a Parquet file that cannot be read (the numpy engine's message).
    """
    pieces: list[Piece] = []
    for path in files:  # a loop over files
        if path.suffix.lower() in PARQUET_SUFFIXES:
            count_rows(path)  # an unreadable file: the numpy engine's message
            pq = importlib.import_module("pyarrow.parquet")
            pf = pq.ParquetFile(path)
            if any(name not in pf.schema_arrow.names for name in REQUIRED):
                next(read_batches(path), None)  # raises the numpy engine's message
            groups = pf.num_row_groups
            pieces.extend((str(path), g) for g in range(groups))
        else:
            pieces.append((str(path), None))
    return pieces


def _piece_batches(piece: Piece, batch_rows: int) -> Iterator[EventBatch]:
    path, group = piece
    if group is None:
        yield from read_batches(path, batch_rows=batch_rows)
        return
    require_arrow()
    pq = importlib.import_module("pyarrow.parquet")
    pf = pq.ParquetFile(path)
    first = 0
    for batch in pf.iter_batches(batch_size=batch_rows, row_groups=[group], columns=list(REQUIRED)):
        yield arrow_batch(batch, source=path, row_group=group, first_row=first)
        first += batch.num_rows


def _run_pieces(
    pieces: Sequence[Piece], codes: StrArray, keep_all: bool, batch_rows: int
) -> list[PieceRun]:
    """On a worker: the partial, rejects and rows of some pieces (a bag partition)."""
    find = machine_lookup(codes)
    rejects = Rejects(keep_all=keep_all)
    rows = [0]

    def partials() -> Iterator[Partial]:
        for piece in pieces:  # a loop over row groups
            for batch in _piece_batches(piece, batch_rows):
                rows[0] += len(batch)
                yield batch_partial(batch, find, rejects)

    return [(combine_all(partials()), rejects, rows[0])]


def _merge_runs(runs: Any, keep_all: bool) -> PieceRun:
    """Combine runs in order: partials exactly, rejects in file and row-group order."""
    listed = list(runs)
    rejects = Rejects(keep_all=keep_all)
    for run in listed:  # a loop over the runs of one reduction task (at most SPLIT_EVERY)
        rejects.merge(run[1])
    partial = combine_all(run[0] for run in listed)
    return partial, rejects, sum(run[2] for run in listed)


def _check_address(address: str) -> None:
    """Refuse a scheduler address that names no host and port (``foo``, ``tcp://host``)
    before a client starts its event loop and waits on it."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address, strict=False)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise InputError(
            f"--scheduler must be the address of a running Dask scheduler; could not "
            f"connect to {address!r}: {exc}"
        ) from None


@contextlib.contextmanager
def _distributed_client(options: Mapping[str, Any]) -> Iterator[Any]:
    """A client of the cluster at ``options["scheduler"]``, or of a new LocalCluster."""
    distributed = _require_distributed()
    address = options.get("scheduler")
    if address is not None:
        _check_address(str(address))
        try:
            client = distributed.Client(str(address), timeout=options.get("timeout", "30s"))
        except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address
            raise InputError(
                f"--scheduler must be the address of a running Dask scheduler; could not "
                f"connect to {str(address)!r}: {exc}"
            ) from None
        with client:
            yield client
        return
    workers = int(options.get("workers") or os.cpu_count() or 1)
    cluster = distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=options.get("memory_limit", "auto"),
        dashboard_address=":0",  # a free port: never a clash with another cluster
        silence_logs=40,  # logging.ERROR: no worker chatter on the terminal
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def dask_engine(
    files: Sequence[Path],
    machine_codes: StrArray,
    *,
    drop_bad_rows: bool = False,
    batch_rows: int = BATCH_ROWS,
    options: Mapping[str, Any] | None = None,
) -> EngineRun:
    """The Dask engine (see the module): a partial per row group, reduced as a tree.

    The arguments are :func:`~egov_score.events.rollup.numpy_engine`'s (``batch_rows``
    within a row group), and ``options`` holds ``scheduler`` (an address, one of
    :data:`LOCAL_SCHEDULERS`, or None for a LocalCluster), ``workers`` and ``memory_limit``
    (of that LocalCluster), ``progress`` (show Dask's progress bar) and ``split_every``
    (partials per reduction task).

    Returns:
        The :class:`~egov_score.events.rollup.EngineRun`, equal to the numpy engine's.

    Raises:
        InputError: Dask is not installed (naming the extra), the scheduler cannot be reached,
            or as the numpy engine.
    """
    opts = dict(options or {})
    bag = require_dask()
    codes = np.asarray(machine_codes, dtype=np.str_)
    machine_lookup(codes)  # the same limit on the number of machines, on the driver
    pieces = row_group_pieces(files)
    if not pieces:
        return EngineRun(partial=empty_partial(), rejects=Rejects(keep_all=drop_bad_rows), rows=0)
    dask = importlib.import_module("dask")
    merge = functools.partial(_merge_runs, keep_all=drop_bad_rows)
    runs = bag.from_sequence(pieces, npartitions=len(pieces)).map_partitions(
        _run_pieces, dask.delayed(codes, pure=True), drop_bad_rows, batch_rows
    )
    total = runs.reduction(
        merge, merge, split_every=int(opts.get("split_every", SPLIT_EVERY))
    ).to_delayed()
    scheduler = opts.get("scheduler")
    progress = bool(opts.get("progress", False))
    if scheduler in LOCAL_SCHEDULERS:
        bar: Any = contextlib.nullcontext()
        if progress:
            bar = importlib.import_module("dask.diagnostics").ProgressBar(out=sys.stderr)
        with bar:
            (result,) = dask.compute(total, scheduler=scheduler)
    else:
        with _distributed_client(opts) as client:
            future = client.compute(total)
            if progress:  # on standard error: standard output may carry the values table
                with contextlib.redirect_stdout(sys.stderr):
                    importlib.import_module("distributed").progress(future)
            result = future.result()
    partial, rejects, rows = result
    return EngineRun(partial=partial, rejects=rejects, rows=rows)
