"""Sobol' indices of the uncertain choices for the composite ranks of each level.

:func:`rank_sobol` is the driver a batch scorer plugs into: it draws a Saltelli design over
the uncertain choices (:func:`~egov_score.kernels.sensitivity.saltelli_design`), asks the
scorer for every level's ranks on all the design's rows in one call, turns each level's
ranks into one output per run, the mean absolute rank shift from the nominal ranks (COINr's
``get_sensitivity``), and estimates first- and total-order indices of every level at once
(:func:`~egov_score.kernels.sensitivity.sobol_indices`), as :class:`SobolIndices` records.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray
from egov_score.exceptions import InputError
from egov_score.kernels.sensitivity import SobolEstimates, mean_abs_rank_shift, sobol_for
from egov_score.model.sensitivity import SobolIndices

__all__ = ["RANK_SHIFT_OUTPUT", "rank_sobol", "sobol_records"]

#: The ``output`` of the records :func:`rank_sobol` returns.
RANK_SHIFT_OUTPUT = "mean absolute rank shift from the nominal ranks"

#: A batch scorer: the design's rows (runs x choices, uniform in [0, 1)) in, each level's
#: ranks (runs x units, 0 = unranked) out.
ScoreDesign = Callable[[FloatArray], Mapping[str, npt.NDArray[np.integer]]]


def sobol_records(
    levels: Sequence[str],
    choices: Sequence[str],
    estimates: SobolEstimates,
    *,
    output: str,
    confidence: float,
    samples: int,
) -> dict[str, SobolIndices]:
    """One :class:`SobolIndices` per level from estimates of ``len(levels)`` outputs at once
    (arrays ``choices x levels``), level ``j`` from column ``j``.

    Raises:
        InputError: the estimates are not ``len(choices) x len(levels)``.
    """
    shape = (len(choices), len(levels))
    if estimates.first.shape != shape:
        raise InputError(
            f"the estimates must hold choices x levels = {shape}; got {estimates.first.shape}"
        )
    return {
        level: SobolIndices(
            level=level,
            output=output,
            choices=tuple(choices),
            first=estimates.first[:, j].copy(),
            total=estimates.total[:, j].copy(),
            first_low=estimates.first_low[:, j].copy(),
            first_high=estimates.first_high[:, j].copy(),
            total_low=estimates.total_low[:, j].copy(),
            total_high=estimates.total_high[:, j].copy(),
            confidence=confidence,
            samples=samples,
        )
        for j, level in enumerate(levels)
    }


def rank_sobol(
    score_design: ScoreDesign,
    nominal: Mapping[str, npt.NDArray[np.integer]],
    choices: Sequence[str],
    n: int,
    rng: np.random.Generator | int,
    *,
    resamples: int = 100,
    confidence: float = 0.95,
) -> dict[str, SobolIndices]:
    """Sobol' indices of ``choices`` for each level's composite ranks.

    Args:
        score_design: scores the design's rows in one batch: ``(runs x choices)`` uniform
            draws (column ``i`` is choice ``i``; a discrete choice is
            :func:`~egov_score.kernels.sensitivity.choice_index` of it) -> level -> ranks
            (``runs x units``, 0 = unranked).
        nominal: level -> the ranks under the nominal choices (``units``); the levels
            analysed, in this order.
        choices: the uncertain choices' names, one per design column.
        n: the base sample size N; the scorer gets ``n * (len(choices) + 2)`` runs.
        rng: a generator, or the seed of one (the design, then the bootstrap, draw from it).
        resamples: bootstrap resamples for the bounds (0: none).
        confidence: the bounds' confidence level.

    Returns:
        level -> its :class:`SobolIndices` (output :data:`RANK_SHIFT_OUTPUT`).

    Raises:
        InputError: no choice, or the scorer's ranks miss a level or are not runs x units.
    """
    if not choices:
        raise InputError("a sensitivity analysis needs at least one uncertain choice; got none")
    levels = tuple(nominal)

    def outputs(design: FloatArray) -> FloatArray:
        ranks = score_design(design)
        missing = [lv for lv in levels if lv not in ranks]
        if missing:
            raise InputError(
                f"the batch scorer must return ranks for every level {list(levels)!r}; "
                f"got none for {missing!r}"
            )
        shifts = [mean_abs_rank_shift(ranks[lv], nominal[lv]) for lv in levels]
        if any(s.shape != (len(design),) for s in shifts):
            raise InputError(
                f"the batch scorer must return one row of ranks per design row "
                f"({len(design)}); got {[np.shape(ranks[lv]) for lv in levels]!r}"
            )
        return np.column_stack(shifts)

    estimates = sobol_for(outputs, len(choices), n, rng, resamples=resamples, confidence=confidence)
    return sobol_records(
        levels,
        choices,
        estimates,
        output=RANK_SHIFT_OUTPUT,
        confidence=confidence,
        samples=n,
    )
