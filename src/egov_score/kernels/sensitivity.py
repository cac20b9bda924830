"""Variance-based sensitivity: the Saltelli design, Sobol' indices and rank shifts (numpy only).

A model ``f`` of ``d`` independent uncertain inputs, each a uniform draw in [0, 1) (a discrete
choice among ``k`` options is :func:`choice_index` of its column), is run on the rows of a
Saltelli design (:func:`saltelli_design`): two independent ``n x d`` samples A and B and, for
each input ``i``, the matrix AB_i (A with column ``i`` taken from B). With ``f(A)``, ``f(B)``
and ``f(AB_i)`` the outputs of those rows (``n`` each) and ``V`` the variance of the ``2n``
outputs of A and B together (denominator ``2n - 1``, as COINr's ``SA_estimate``),
:func:`sobol_indices` estimates

* the first-order index ``S_i = mean(f(B) * (f(AB_i) - f(A))) / V``
  (Saltelli et al. 2010, Table 2 (b)), the share of the output's variance due to input ``i``
  alone;
* the total-order index ``ST_i = mean((f(A) - f(AB_i))^2) / (2 V)`` (Jansen 1999; Saltelli
  et al. 2010, Table 2 (f)), the share due to input ``i`` with all its interactions.

Confidence bounds come from a bootstrap over the ``n`` rows of the design (each resample
draws ``n`` row indices with replacement and recomputes ``V`` and both indices on them), all
resamples at once: a resample is a row of counts, so its sums are one matrix product.

The output used for composite ranks is :func:`mean_abs_rank_shift`, COINr's choice in
``get_sensitivity`` (``R/sensitivity.R``): per run, the mean over units of
``|rank in the run - nominal rank|``.

References:
    A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto, S. Tarantola (2010),
    "Variance based sensitivity analysis of model output. Design and estimator for the total
    sensitivity index", Computer Physics Communications 181, 259-270.
    M. J. W. Jansen (1999), "Analysis of variance designs for model output", Computer Physics
    Communications 117, 35-43.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import InputError

__all__ = [
    "SobolEstimates",
    "bootstrap_rows",
    "choice_index",
    "design_blocks",
    "max_abs_rank_shift",
    "mean_abs_rank_shift",
    "saltelli_design",
    "sobol_for",
    "sobol_indices",
]

#: How many floats a temporary of the bootstrap or of the rank shifts may hold at once
#: (32 MiB): resamples and runs are taken in blocks of this many cells.
_BLOCK_CELLS = 1 << 22


class SobolEstimates(NamedTuple):
    """Sobol' indices of ``d`` inputs for one output (arrays of shape ``(d,)``) or for ``k``
    outputs at once (``(d, k)``: one row per input, one column per output, as ``y``'s columns).

    Attributes:
        first: first-order indices ``S_i``.
        total: total-order indices ``ST_i``.
        first_low, first_high: the bootstrap bounds of ``S_i`` (NaN without resamples).
        total_low, total_high: the bootstrap bounds of ``ST_i`` (NaN without resamples).
        variance: ``V``, the variance of the outputs of A and B (shape ``()`` or ``(k,)``).
    """

    first: FloatArray
    total: FloatArray
    first_low: FloatArray
    first_high: FloatArray
    total_low: FloatArray
    total_high: FloatArray
    variance: FloatArray


def _rng(rng: np.random.Generator | int) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _check_size(n: int, d: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise InputError(f"the base sample size n must be a whole number >= 2; got {n!r}")
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
        raise InputError(f"the number of inputs d must be a whole number >= 1; got {d!r}")


def saltelli_design(n: int, d: int, rng: np.random.Generator | int) -> FloatArray:
    """The ``n * (d + 2)`` rows of a Saltelli design for ``d`` inputs, uniform in [0, 1).

    Row blocks of ``n`` rows each, in this order (COINr's ``SA_sample``): ``A`` (rows
    ``0 .. n-1``), ``B`` (``n .. 2n-1``), then ``AB_1 .. AB_d``: block ``2 + i`` (rows
    ``(2+i)n .. (3+i)n - 1``, ``i`` counted from 0) is ``A`` with column ``i`` taken from ``B``.
    A and B are the two halves of one ``n x 2d`` uniform draw (A the first ``d`` columns).
    :func:`design_blocks` splits the matrix back into its blocks.

    Args:
        n: the base sample size N (rows per block), at least 2.
        d: the number of uncertain inputs, at least 1.
        rng: a numpy generator, or a seed for one.

    Returns:
        The design, ``(n * (d + 2)) x d`` float64.
    """
    _check_size(n, d)
    base = _rng(rng).random((n, 2 * d))
    design = np.empty((d + 2, n, d))
    design[0] = base[:, :d]
    design[1] = base[:, d:]
    design[2:] = base[:, :d]
    columns = np.arange(d)
    design[2 + columns, :, columns] = base[:, d:].T
    return design.reshape(n * (d + 2), d)


def design_blocks(design: np.ndarray, n: int, d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(A, B, AB)`` of a design's rows (or of the outputs ``y`` of those rows): views of
    shape ``(n, ...)``, ``(n, ...)`` and ``(d, n, ...)``, ``AB[i]`` the block of input ``i``.

    Raises:
        InputError: ``design`` does not hold ``n * (d + 2)`` rows.
    """
    _check_size(n, d)
    rows = n * (d + 2)
    if design.ndim < 1 or design.shape[0] != rows:
        raise InputError(
            f"the outputs must hold one row per design row (n * (d + 2) = {n} * {d + 2} = "
            f"{rows}); got shape {design.shape}"
        )
    blocks = design.reshape(d + 2, n, *design.shape[1:])
    return blocks[0], blocks[1], blocks[2:]


def bootstrap_rows(n: int, resamples: int, rng: np.random.Generator) -> IntArray:
    """The row indices of ``resamples`` bootstrap resamples of ``n`` rows (``resamples x n``):
    the draws :func:`sobol_indices` makes, in the same order, for a reference to replay."""
    return rng.integers(0, n, size=(resamples, n)).astype(np.intp)


def _counts(n: int, resamples: int, rng: np.random.Generator) -> FloatArray:
    """How often each row is drawn in each resample (``resamples x n``), from the draws of
    :func:`bootstrap_rows` (the same stream: a block's draws continue the previous block's)."""
    rows = bootstrap_rows(n, resamples, rng)
    rows += (np.arange(resamples) * n)[:, None]
    return np.bincount(rows.ravel(), minlength=resamples * n).reshape(resamples, n).astype(float)


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den``, NaN where ``den`` is not > 0 (an output without variance)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def sobol_indices(
    y: npt.ArrayLike,
    n: int,
    d: int,
    *,
    resamples: int = 0,
    confidence: float = 0.95,
    rng: np.random.Generator | int | None = None,
) -> SobolEstimates:
    """First- and total-order Sobol' indices from the outputs of a :func:`saltelli_design`.

    ``S_i = mean(f(B) * (f(AB_i) - f(A))) / V`` (Saltelli et al. 2010, Table 2 (b)) and
    ``ST_i = mean((f(A) - f(AB_i))^2) / (2 V)`` (Jansen 1999), ``V`` the variance of the
    ``2n`` outputs of A and B (denominator ``2n - 1``): COINr's ``SA_estimate``. An output
    without variance has no indices (NaN); an output column holding NaN or an infinity gives
    NaN indices in its column.

    With ``resamples > 0``, the bounds are the ``(1 - confidence) / 2`` and
    ``(1 + confidence) / 2`` quantiles of the indices over bootstrap resamples of the ``n``
    design rows (each resample recomputes ``V``); the draws are :func:`bootstrap_rows`.

    Args:
        y: one output per design row (``n * (d + 2)``), or a ``rows x k`` matrix of ``k``
            outputs.
        n: the design's base sample size.
        d: the number of inputs.
        resamples: how many bootstrap resamples (0: no bounds).
        confidence: the confidence level of the bounds, strictly between 0 and 1.
        rng: a generator or seed for the resamples (needed when ``resamples > 0``).

    Returns:
        The estimates, shaped ``(d,)`` for a single output and ``(d, k)`` for ``k``.

    Raises:
        InputError: ``y`` is not ``n * (d + 2)`` rows of one or ``k`` outputs, or a bad
            ``resamples``, ``confidence`` or missing ``rng``.
    """
    values = np.asarray(y, dtype=np.float64)
    if values.ndim not in (1, 2):
        raise InputError(
            f"the outputs must be one value per design row or a rows x k matrix; got shape "
            f"{values.shape}"
        )
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise InputError(f"resamples must be a whole number >= 0; got {resamples!r}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must lie strictly between 0 and 1; got {confidence!r}")
    if resamples and rng is None:
        raise InputError("a bootstrap needs a seed or generator (rng); got none")
    single = values.ndim == 1
    ya, yb, yab = design_blocks(values.reshape(values.shape[0], -1), n, d)
    k = ya.shape[1]
    # The terms whose means are the indices' numerators, one column per (input, output).
    first_terms = (yb[None] * (yab - ya[None])).transpose(1, 0, 2).reshape(n, d * k)
    total_terms = ((ya[None] - yab) ** 2).transpose(1, 0, 2).reshape(n, d * k)
    both = np.concatenate([ya, yb])
    variance = both.var(axis=0, ddof=1)
    first = _ratio(first_terms.mean(axis=0).reshape(d, k), variance)
    total = _ratio(total_terms.mean(axis=0).reshape(d, k) / 2, variance)
    bounds = [np.full((d, k), np.nan) for _ in range(4)]
    if resamples and rng is not None:
        bounds = _bootstrap(first_terms, total_terms, ya, yb, resamples, confidence, _rng(rng))

    def shaped(a: FloatArray) -> FloatArray:
        return a[:, 0] if single else a

    return SobolEstimates(
        first=shaped(first),
        total=shaped(total),
        first_low=shaped(bounds[0]),
        first_high=shaped(bounds[1]),
        total_low=shaped(bounds[2]),
        total_high=shaped(bounds[3]),
        variance=variance[0] if single else variance,
    )


def _bootstrap(
    first_terms: FloatArray,
    total_terms: FloatArray,
    ya: FloatArray,
    yb: FloatArray,
    resamples: int,
    confidence: float,
    rng: np.random.Generator,
) -> list[FloatArray]:
    """The bootstrap bounds of both indices, ``(d, k)`` each: first low, first high, total
    low, total high. Resamples are taken in blocks so a block's counts stay small."""
    n, k = ya.shape
    d = first_terms.shape[1] // k
    # V of a resample from the sums of y and y^2 over its rows; centred first, because the
    # variance is shift-invariant and the sums of squares of centred values lose no digits.
    both = np.concatenate([ya, yb])
    centre = both.mean(axis=0)
    sums = (ya - centre) + (yb - centre)
    squares = (ya - centre) ** 2 + (yb - centre) ** 2
    terms = np.concatenate([first_terms, total_terms, sums, squares], axis=1)
    block = max(1, _BLOCK_CELLS // n)
    firsts, totals = [], []
    for start in range(0, resamples, block):
        counts = _counts(n, min(block, resamples - start), rng)
        totals_of = counts @ terms  # every resample's sums of every term at once
        s1 = totals_of[:, 2 * d * k : 2 * d * k + k]
        s2 = totals_of[:, 2 * d * k + k :]
        variance = (s2 - s1**2 / (2 * n)) / (2 * n - 1)
        # A resample of equal outputs has no variance; its sums leave rounding noise, cleared
        # here (relative to the resample's mean square) so it has no indices, as exactly.
        variance[variance <= 1e-9 * s2 / (2 * n - 1)] = 0.0
        m = len(counts)
        firsts.append(_ratio(totals_of[:, : d * k].reshape(m, d, k) / n, variance[:, None]))
        totals.append(
            _ratio(totals_of[:, d * k : 2 * d * k].reshape(m, d, k) / (2 * n), variance[:, None])
        )
    q = [(1 - confidence) / 2, (1 + confidence) / 2]
    first_q = np.quantile(np.concatenate(firsts), q, axis=0)
    total_q = np.quantile(np.concatenate(totals), q, axis=0)
    return [first_q[0], first_q[1], total_q[0], total_q[1]]


def sobol_for(
    f: Callable[[FloatArray], npt.ArrayLike],
    d: int,
    n: int,
    rng: np.random.Generator | int,
    *,
    resamples: int = 0,
    confidence: float = 0.95,
) -> SobolEstimates:
    """Sobol' indices of a vectorised model: build the design, score it once, estimate.

    ``f`` takes the whole design (``n * (d + 2)`` rows, one column per input, uniform in
    [0, 1)) and returns one output per row, or a ``rows x k`` matrix of ``k`` outputs (for
    composite ranks: :func:`mean_abs_rank_shift` per level). The design is drawn from ``rng``
    first, the bootstrap resamples after it, so one seed fixes both.

    Raises:
        InputError: as :func:`saltelli_design` and :func:`sobol_indices`.
    """
    generator = _rng(rng)
    design = saltelli_design(n, d, generator)
    return sobol_indices(f(design), n, d, resamples=resamples, confidence=confidence, rng=generator)


def choice_index(u: npt.ArrayLike, k: int) -> IntArray:
    """Which of ``k`` discrete choices a uniform draw ``u`` in [0, 1] picks: ``floor(u * k)``,
    with ``u = 1`` picking the last (``k - 1``), so each choice gets an equal share of [0, 1].

    (COINr's ``sample_2_para`` cuts the range of the sample drawn into ``k`` equal parts
    instead; on [0, 1] the two agree but for draws at the ends of the sample.)

    Raises:
        InputError: ``k < 1`` or a draw outside [0, 1] (or NaN).
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise InputError(f"the number of choices k must be a whole number >= 1; got {k!r}")
    draws = np.asarray(u, dtype=np.float64)
    bad = ~((draws >= 0) & (draws <= 1))
    if bad.any():
        raise InputError(
            f"a draw must lie in [0, 1]; got {float(draws[bad].flat[0])!r} at position "
            f"{int(np.flatnonzero(bad.ravel())[0])}"
        )
    return np.minimum(np.floor(draws * k), k - 1).astype(np.intp)


def mean_abs_rank_shift(ranks: npt.ArrayLike, nominal: npt.ArrayLike) -> FloatArray:
    """Per run, the mean over units of ``|rank in the run - nominal rank|`` (COINr's output
    for composite ranks in ``get_sensitivity``: ``mean(abs(x - Nominal), na.rm = TRUE)``).

    Ranks are whole numbers from 1; 0 means unranked. A unit counts in a run only if it is
    ranked both in that run and nominally (COINr's ``na.rm``); a run in which no unit counts
    has no shift (NaN).

    Args:
        ranks: ``runs x units``.
        nominal: ``units``, the ranks under the nominal choices.

    Returns:
        ``runs`` float64 values.

    Raises:
        InputError: ``ranks`` is not ``runs x units`` for the ``units`` of ``nominal``.
    """
    return _rank_shifts(ranks, nominal, largest=False)


def max_abs_rank_shift(ranks: npt.ArrayLike, nominal: npt.ArrayLike) -> FloatArray:
    """Per run, the largest ``|rank in the run - nominal rank|`` over the units counted as in
    :func:`mean_abs_rank_shift` (NaN where none is)."""
    return _rank_shifts(ranks, nominal, largest=True)


def _rank_shifts(ranks: npt.ArrayLike, nominal: npt.ArrayLike, *, largest: bool) -> FloatArray:
    matrix = np.asarray(ranks)
    base = np.asarray(nominal)
    if matrix.ndim != 2 or base.ndim != 1 or matrix.shape[1] != base.shape[0]:
        raise InputError(
            f"ranks must be runs x units with one nominal rank per unit; got ranks of shape "
            f"{matrix.shape} and nominal ranks of shape {base.shape}"
        )
    runs, units = matrix.shape
    base_f = base.astype(np.float64)
    nominal_ranked = base > 0
    out = np.empty(runs)
    block = max(1, _BLOCK_CELLS // max(units, 1))
    for start in range(0, runs, block):  # blocks of runs: bounded temporaries
        part = matrix[start : start + block]
        counted = (part > 0) & nominal_ranked
        shift = np.abs(part - base_f)
        shift[~counted] = 0.0  # shifts are >= 0, so 0 leaves the maximum alone
        how_many = counted.sum(axis=1)
        if largest:
            found = shift.max(axis=1, initial=0.0)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                found = shift.sum(axis=1) / how_many
        out[start : start + block] = np.where(how_many > 0, found, np.nan)
    return out
