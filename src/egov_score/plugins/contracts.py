"""What a plugin's normalisation and aggregation methods must return, checked on every call.

The registry hands the engine each plugin method wrapped in a :class:`CheckedNormaliser` or
:class:`CheckedAggregator`, so the engine, which knows no plugins, calls them like the built-in
kernels while every call is contained: an exception becomes a
:class:`~egov_score.exceptions.PluginError` naming the plugin, the hook and the method, and a
result of the wrong type or shape, or values that break the method's contract, becomes a
:class:`~egov_score.exceptions.PluginOutputError` with the first offending rows (the engine
names their units). The checks are a few array operations per call, never a loop over units.

* A normaliser returns a :class:`~egov_score.kernels.normalise.Normalised` whose ``scores``
  are float64, one per unit, within 0-100, and a number wherever the input is present, except
  in the peer groups it reports as ``constant_groups``.
* An aggregator returns float64, one per row of the units x children matrix, each within the
  minimum and maximum of that row's children present; NaN exactly where no child with a
  positive weight is present (a number where no child is present at all is refused too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray
from egov_score.exceptions import PluginError, PluginOutputError, ScoringError
from egov_score.kernels.normalise import Normalised

__all__ = [
    "AGGREGATORS_HOOK",
    "NORMALISERS_HOOK",
    "SHOWN",
    "CheckedAggregator",
    "CheckedNormaliser",
    "PluginMethod",
    "check_aggregated",
    "check_normalised",
    "first_rows",
]

#: The hooks that contribute the methods.
NORMALISERS_HOOK = "egov_score_normalisers"
AGGREGATORS_HOOK = "egov_score_aggregators"
#: How many offending rows a message shows.
SHOWN = 5
#: A roll-up may exceed its children's range by this share of their magnitude (rounding).
_RELATIVE_SLACK = 1e-9


def first_rows(
    where: str, rule: str, bad: npt.NDArray[np.bool_], values: FloatArray
) -> PluginOutputError:
    """The error for the rows where ``bad`` holds: the first :data:`SHOWN` and their values."""
    rows = np.flatnonzero(bad)
    shown = rows[:SHOWN]
    return PluginOutputError(where, rule, shown.tolist(), values[shown].tolist(), total=len(rows))


def _float_column(where: str, what: str, returned: Any, n: int) -> FloatArray:
    """``returned`` as a float64 column of length ``n``, refusing another type or shape."""
    if not isinstance(returned, np.ndarray):
        raise PluginError(
            f"{where}: {what} must be a numpy float64 array; got {type(returned).__name__}"
        )
    if returned.shape != (n,):
        raise PluginError(f"{where}: {what} must have shape ({n},); got {returned.shape}")
    if returned.dtype.kind != "f":
        raise PluginError(f"{where}: {what} must be float64; got dtype {returned.dtype}")
    return returned.astype(np.float64, copy=False)


def _call(where: str, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a plugin's method, containing what it raises."""
    try:
        return function(*args, **kwargs)
    except ScoringError as exc:  # the method refuses the data: keep the kind, name the method
        raise ScoringError(f"{where}: {exc}") from exc
    except Exception as exc:
        raise PluginError(f"{where}: the method failed: {exc!r}") from exc


def check_normalised(
    where: str, returned: Any, values: FloatArray, groups: IntArray, n_groups: int
) -> Normalised:
    """Check a normaliser's result against its input.

    Args:
        where: the plugin, hook and method, for messages.
        returned: what the method returned.
        values: its input values (NaN = missing).
        groups: its input peer group of every unit.
        n_groups: the number of peer groups.

    Returns:
        The result, with float64 scores and intp constant groups.

    Raises:
        PluginError: not a ``Normalised``, scores of the wrong shape or dtype, or constant
            groups that are not peer groups.
        PluginOutputError: scores outside 0-100, or NaN where the input is present outside
            the constant groups (the first rows and values).
    """
    if not isinstance(returned, Normalised):
        raise PluginError(f"{where}: must return a Normalised; got {type(returned).__name__}")
    scores = _float_column(where, "scores", returned.scores, len(values))
    constant = np.asarray(returned.constant_groups)
    if constant.ndim != 1 or (constant.size and constant.dtype.kind not in "iu"):
        raise PluginError(
            f"{where}: constant_groups must be a 1-d integer array; got {constant.dtype} with "
            f"shape {constant.shape}"
        )
    outside = (constant < 0) | (constant >= n_groups)
    if outside.any():
        raise PluginError(
            f"{where}: constant_groups must be peer groups 0..{n_groups - 1}; "
            f"got {constant[outside][:SHOWN].tolist()!r}"
        )
    missing = np.isnan(scores)
    lost = missing & ~np.isnan(values)
    if lost.any() and constant.size:
        lost &= ~np.isin(groups, constant)
    if lost.any():
        raise first_rows(
            where,
            "scores must be numbers where the input is present (outside constant_groups)",
            lost,
            scores,
        )
    outside_scale = ~missing & ~((scores >= 0.0) & (scores <= 100.0))
    if outside_scale.any():
        raise first_rows(where, "scores must lie within 0-100", outside_scale, scores)
    return Normalised(scores, constant.astype(np.intp, copy=False))


def check_aggregated(
    where: str, returned: Any, scores: npt.NDArray[np.float64], weights: FloatArray
) -> FloatArray:
    """Check an aggregator's result against its units x children input.

    Args:
        where: the plugin, hook and method, for messages.
        returned: what the method returned.
        scores: its input matrix (NaN = missing).
        weights: its input weights, one per child.

    Returns:
        The result as float64.

    Raises:
        PluginError: the wrong type, shape or dtype.
        PluginOutputError: a value outside its children's range, NaN where a child with a
            weight is present, or a number where no child is (the first rows and values).
    """
    n_rows = scores.shape[0]
    out = _float_column(where, "the result", returned, n_rows)
    present = ~np.isnan(scores)
    weighted = (present & (weights > 0)).any(axis=1)
    missing = np.isnan(out)
    lost = missing & weighted
    if lost.any():
        raise first_rows(
            where, "the result must be a number where a child with a weight is present", lost, out
        )
    invented = ~missing & ~present.any(axis=1)
    if invented.any():
        raise first_rows(where, "the result must be NaN where no child is present", invented, out)
    if scores.shape[1]:
        lo, hi = np.fmin.reduce(scores, axis=1), np.fmax.reduce(scores, axis=1)
        slack = _RELATIVE_SLACK * np.fmax(1.0, np.fmax(np.abs(lo), np.abs(hi)))
        outside = ~missing & ~((out >= lo - slack) & (out <= hi + slack)) & present.any(axis=1)
        if outside.any():
            raise first_rows(
                where,
                "the result must lie within the min..max of the children's scores",
                outside,
                out,
            )
    return out


@attrs.frozen
class PluginMethod:
    """A method a plugin contributed, named for messages.

    Attributes:
        plugin: the name of the plugin that contributed it.
        name: the method's name.
        function: the plugin's function.
    """

    #: The hook that contributes methods of this kind.
    HOOK: ClassVar[str] = ""

    plugin: str
    name: str
    function: Callable[..., Any]

    @property
    def where(self) -> str:
        """The plugin, hook and method, as messages name them."""
        return f"plugin {self.plugin!r}, hook {self.HOOK!r}, method {self.name!r}"


def _own_copy(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only copy of an input for a plugin's method: the method cannot change what its
    result is checked against (or the engine's arrays), and writing to it is an error."""
    copy = np.array(array, copy=True)
    copy.setflags(write=False)
    return copy


@attrs.frozen
class CheckedNormaliser(PluginMethod):
    """A plugin's normalisation method, called as the engine calls a built-in one and checked."""

    HOOK: ClassVar[str] = NORMALISERS_HOOK

    def __call__(
        self, values: FloatArray, groups: IntArray, n_groups: int, direction: int, **params: Any
    ) -> Normalised:
        """Normalise ``values`` with the plugin's function, and check the result.

        Raises:
            PluginError: the function raised or returned the wrong type or shape.
            PluginOutputError: as :func:`check_normalised`.
            ScoringError: the function refused the data (its message, naming the method).
        """
        args = _own_copy(values), _own_copy(groups)
        returned = _call(self.where, self.function, *args, n_groups, direction, **params)
        return check_normalised(self.where, returned, values, groups, n_groups)


@attrs.frozen
class CheckedAggregator(PluginMethod):
    """A plugin's aggregation method, called as the engine calls a built-in one and checked."""

    HOOK: ClassVar[str] = AGGREGATORS_HOOK

    def __call__(
        self, scores: npt.NDArray[np.float64], weights: FloatArray, **params: Any
    ) -> FloatArray:
        """Aggregate the rows of ``scores`` with the plugin's function, and check the result.

        Raises:
            PluginError: the function raised or returned the wrong type or shape.
            PluginOutputError: as :func:`check_aggregated`.
            ScoringError: the function refused the data (its message, naming the method).
        """
        args = _own_copy(scores), _own_copy(weights)
        returned = _call(self.where, self.function, *args, **params)
        return check_aggregated(self.where, returned, scores, weights)
