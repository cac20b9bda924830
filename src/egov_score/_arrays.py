"""The canonical array types of the core and helpers to freeze them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "FloatArray",
    "IntArray",
    "LazyColumns",
    "StrArray",
    "array_eq",
    "columns_eq",
    "readonly",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]


#: ``eq=`` for attrs fields holding arrays, so the generated ``==`` compares contents.
def _equal(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    """Same shape and values; NaN equals NaN in float columns (a missing score is a value)."""
    nan_aware = a.dtype.kind in "fc" and b.dtype.kind in "fc"
    return bool(np.array_equal(a, b, equal_nan=nan_aware))


#: attrs comparison for array fields (see :func:`_equal`).
array_eq = attrs.cmp_using(eq=_equal)


def _columns_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same names in the same order, and equal columns (as :func:`_equal`)."""
    return list(a) == list(b) and all(_equal(a[k], b[k]) for k in a)


#: attrs comparison for fields holding columns by name (a dict or :class:`LazyColumns`);
#: comparing lazy columns computes them; a dict equals LazyColumns of the same columns.
columns_eq = attrs.cmp_using(eq=_columns_equal, require_same_type=False)

_A = TypeVar("_A", bound=np.ndarray[Any, Any])


def readonly(arr: _A) -> _A:
    """Mark ``arr`` read-only and return it."""
    arr.setflags(write=False)
    return arr


_V = TypeVar("_V")


class LazyColumns(Mapping[str, _V]):
    """A read-only mapping whose values are computed on first access and then kept.

    Used for columns few callers read (the ranks of every sub-group on the machine level), so
    that a run does not pay for them unless they are asked for. ``compute`` should close over
    only what it reads: whatever it holds lives as long as the mapping. Once every value is
    computed, ``compute`` is let go.

    A pickled ``LazyColumns`` computes every value and unpickles as a plain ``dict``.

    Args:
        keys: the names, in order.
        compute: makes the value of a name.
        known: values computed already (kept as they are).
    """

    def __init__(
        self,
        keys: tuple[str, ...],
        compute: Callable[[str], _V],
        known: Mapping[str, _V] | None = None,
    ) -> None:
        self._keys = keys
        self._compute: Callable[[str], _V] | None = compute
        self._done: dict[str, _V] = dict(known or {})

    def __getitem__(self, key: str) -> _V:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._done:
            compute = self._compute
            assert compute is not None  # only let go once every key is done
            self._done[key] = compute(key)
            if len(self._done) == len(self._keys):
                self._compute = None  # nothing left to compute: free what it held
        return self._done[key]

    def __contains__(self, key: object) -> bool:
        # Without computing the value (``Mapping``'s own test reads it).
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"LazyColumns({list(self._keys)!r})"

    def __reduce__(self) -> tuple[type[dict[str, _V]], tuple[dict[str, _V]]]:
        # The compute function closes over live objects and need not pickle: materialise.
        return dict, ({k: self[k] for k in self._keys},)
