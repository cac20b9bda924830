"""The canonical array types of the core and helpers to freeze them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "IntArray", "LazyColumns", "StrArray", "array_eq", "readonly"]

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

_A = TypeVar("_A", bound=np.ndarray[Any, Any])


def readonly(arr: _A) -> _A:
    """Mark ``arr`` read-only and return it."""
    arr.setflags(write=False)
    return arr


_V = TypeVar("_V")


class LazyColumns(Mapping[str, _V]):
    """A read-only mapping whose values are computed on first access and then kept.

    Used for columns few callers read (the ranks of every sub-group on the machine level), so
    that a run does not pay for them unless they are asked for.
    """

    def __init__(self, keys: tuple[str, ...], compute: Callable[[str], _V]) -> None:
        self._keys = keys
        self._compute = compute
        self._done: dict[str, _V] = {}

    def __getitem__(self, key: str) -> _V:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._done:
            self._done[key] = self._compute(key)
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"LazyColumns({list(self._keys)!r})"
