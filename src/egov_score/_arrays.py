"""The canonical array types of the core and helpers to freeze them."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "IntArray", "StrArray", "array_eq", "readonly"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]

#: ``eq=`` for attrs fields holding arrays, so the generated ``==`` compares contents.
array_eq = attrs.cmp_using(eq=np.array_equal)

_A = TypeVar("_A", bound=np.ndarray[Any, Any])


def readonly(arr: _A) -> _A:
    """Mark ``arr`` read-only and return it."""
    arr.setflags(write=False)
    return arr
