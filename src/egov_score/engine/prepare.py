"""Step 2b: prepare an indicator's values before normalisation.

Screening (units with too little reported data are left out), imputation and outlier
treatment, as the framework declares them (``docs/analysis.md``). Each step works on a whole
indicator column of a level, with the same peer groups normalisation uses; the kernels are in
:mod:`egov_score.kernels.prepare`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.engine.notes import Notes
from egov_score.engine.stack import Stack
from egov_score.kernels.prepare import (
    TREATMENTS,
    boxcox,
    carry_forward,
    coinr_treat,
    impute_in_groups,
    log_ct,
    present_share,
    trim,
)
from egov_score.model.framework import Framework, Indicator
from egov_score.model.result import Diagnostic

__all__ = ["Prepared", "prepare", "screened_out"]

BoolArray = npt.NDArray[np.bool_]
CodeArray = npt.NDArray[np.int8]
#: Peer groups of a level for ``within`` ("level" or "parent"), and their number.
Peers = Callable[[int, str], tuple[IntArray, int]]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class Prepared(NamedTuple):
    """An indicator prepared on one level.

    Attributes:
        shown: the indicator's column as reported, imputed cells filled in.
        values: what is normalised: screened-out units missing, imputed, treated.
        imputed: True where a cell was imputed (None if the indicator is not imputed).
        treated: per cell, the index into ``TREATED_LABELS`` of what treatment did (None if
            the indicator is not treated).
    """

    shown: FloatArray
    values: FloatArray
    imputed: BoolArray | None
    treated: CodeArray | None


def _months(periods: Sequence[str]) -> IntArray:
    """Each period's time index in months when every period is ``YYYY-MM``; else its position."""
    found = [_MONTH.match(p) for p in periods]
    if all(found):
        return np.array([int(m[1]) * 12 + int(m[2]) for m in found if m], dtype=np.intp)
    return np.arange(len(periods), dtype=np.intp)


def _carry(values: FloatArray, stack: Stack, max_age: int) -> tuple[FloatArray, BoolArray]:
    """Last observation carried forward over the run's periods in time order."""
    months = _months(stack.periods)
    order = np.argsort(months, kind="stable")
    grid = values.reshape(stack.n_periods, -1)[order].reshape(-1)
    filled, mask = carry_forward(grid, stack.n_periods, months[order], max_age)
    back = np.argsort(order)
    shape = (stack.n_periods, -1)
    out = filled.reshape(shape)[back].reshape(-1)
    return out, mask.reshape(shape)[back].reshape(-1).astype(bool)


def prepare(
    framework: Framework,
    ind: Indicator,
    raw: FloatArray,
    depth: int,
    *,
    peers: Peers,
    stack: Stack,
    notes: Notes,
    into: list[Diagnostic],
    excluded: BoolArray | None,
) -> Prepared:
    """Indicator ``ind`` on level ``depth`` screened, imputed and treated, with a diagnostic
    ``into`` the list for the cells imputed and for those treated."""
    imputation, treatment = framework.imputation(ind.code), framework.treatment(ind.code)
    values = raw if excluded is None else np.where(excluded, np.nan, raw)
    imputed: BoolArray | None = None
    if imputation.method in ("mean", "median"):
        groups, n = peers(depth, imputation.within)
        values, imputed = impute_in_groups(values, groups, n, imputation.method)
    elif imputation.method == "locf":
        values, imputed = _carry(values, stack, int(imputation.max_age or 0))
    if imputed is not None and imputed.any():
        how = (
            f"the last value of at most {imputation.max_age} month(s) before"
            if imputation.method == "locf"
            else f"the {imputation.method} of the peers in "
            + ("its level" if imputation.within == "level" or depth == 0 else "its parent")
        )
        notes.add(
            into,
            "imputed",
            depth,
            ind.code,
            imputed,
            f"{ind.code!r} is estimated by {how} for {{n}} unit(s): {{units}}",
        )
    shown = values if excluded is None else np.where(excluded, raw, values)
    treated: CodeArray | None = None
    method = treatment.method
    if method != "none":
        groups, n = peers(depth, treatment.within)
        if method == "coinr":
            values, treated = coinr_treat(
                values,
                groups,
                n,
                winmax=treatment.winmax,
                skew_max=treatment.skew,
                kurt_max=treatment.kurtosis,
            )
        elif method == "trim":
            values, treated = trim(values, groups, n, treatment.lower, treatment.upper)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                out = (
                    log_ct(values, groups, n)
                    if method == "log"
                    else boxcox(values, groups, n, treatment.lam)
                )
            treated = np.where(np.isnan(values), 0, TREATMENTS.index("transformed")).astype(np.int8)
            values = out
        if treated.any():
            kinds = sorted({TREATMENTS[k] for k in np.unique(treated) if k})
            notes.add(
                into,
                "treated",
                depth,
                ind.code,
                treated > 0,
                f"{ind.code!r} is treated for outliers ({method}: {', '.join(kinds)}) for "
                "{n} unit(s): {units}",
            )
    return Prepared(shown, values, imputed, treated)


def screened_out(
    framework: Framework, present: BoolArray, codes: Sequence[str], min_share: float
) -> BoolArray:
    """Units whose share of reported indicators (columns of ``present``, ``codes`` in order) is
    below ``min_share``, overall and, if the framework asks, within every group."""
    out: BoolArray = present_share(present) < min_share
    screen = framework.screen
    if screen is None or not screen.per_group:
        return out
    for group in framework.groups:  # a loop over groups, not units
        under = [k for k, c in enumerate(codes) if _under(framework, c, group)]
        if under:
            out |= present_share(present[:, under]) < min_share
    return out


def _under(framework: Framework, code: str, group: str) -> bool:
    parent: str | None = framework.indicators[code].parent
    while parent is not None:
        if parent == group:
            return True
        parent = framework.groups[parent].parent
    return False
