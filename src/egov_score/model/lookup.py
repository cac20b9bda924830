"""Finding a unit by what a person types: its code or its name, in English or Hindi.

``egov-score report --unit alwar``, ``--unit अलवर`` and ``--unit D-87`` all name Alwar. The
match is exact but for case (and Unicode normalisation), done column-wise over each level; a
name that several units share, or a typo, is an error listing the candidates with their codes.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from egov_score._arrays import StrArray
from egov_score.exceptions import InputError
from egov_score.io.table import close_matches
from egov_score.model.hierarchy import Hierarchy

__all__ = ["find_unit"]

#: How many "did you mean" candidates an error lists.
MAX_SUGGESTED = 5


def _folded(column: StrArray) -> StrArray:
    """Cells lower-cased and stripped, for a comparison that ignores case."""
    return np.strings.strip(np.strings.lower(np.asarray(column, dtype=np.str_)))


def _keys(text: str) -> tuple[str, str]:
    """``text`` folded for comparison, composed and decomposed (NFC, NFD): a name typed one way
    matches a file that holds it the other."""
    folded = text.strip().lower()
    return unicodedata.normalize("NFC", folded), unicodedata.normalize("NFD", folded)


def _describe(hierarchy: Hierarchy, level: str, i: int) -> str:
    """``Alwar / अलवर (district D-87)``."""
    lv = hierarchy.level(level)
    name, name_hi = str(lv.names[i]), str(lv.names_hi[i])
    both = f"{name} / {name_hi}" if name_hi and name_hi != name else name
    return f"{both} ({level} {lv.codes[i]!s})"


def find_unit(hierarchy: Hierarchy, text: str, *, what: str = "--unit") -> str:
    """The code of the unit ``text`` names: a code (``D-87``), or an English or Hindi name
    (``alwar``, ``अलवर``), ignoring case and surrounding spaces, on any level.

    A code wins over a name (a unit whose code is another's name is still found by its code).

    Args:
        hierarchy: the units.
        text: what was typed.
        what: how the value is named in a message (the option, ``--unit``).

    Returns:
        The unit's code.

    Raises:
        InputError: no unit has that code or name (listing the closest codes and names, if
            any), or several units share the name (listing each with its level and code).
    """
    keys = _keys(text)
    key = keys[0]
    exact: list[tuple[str, int]] = []
    by_code: list[tuple[str, int]] = []
    by_name: list[tuple[str, int]] = []
    for lv in hierarchy.levels:  # a loop over levels; each level's columns compared at once
        exact += [(lv.name, int(i)) for i in np.flatnonzero(lv.codes == text.strip())]
        by_code += [(lv.name, int(i)) for i in np.flatnonzero(np.isin(_folded(lv.codes), keys))]
        named = np.isin(_folded(lv.names), keys) | np.isin(_folded(lv.names_hi), keys)
        by_name += [(lv.name, int(i)) for i in np.flatnonzero(named)]
    for found in (exact, by_code, by_name):
        if len(found) == 1:
            level, i = found[0]
            return str(hierarchy.level(level).codes[i])
        if len(found) > 1:
            listed = "; ".join(_describe(hierarchy, level, i) for level, i in found)
            raise InputError(
                f"{what} must name one unit; got {text!r}, which names {len(found)}: {listed}; "
                f"give the code"
            )
    raise InputError(
        f"{what} must be a unit's code or name; got {text!r}{_suggest(hierarchy, key)}"
    )


def _suggest(hierarchy: Hierarchy, key: str) -> str:
    """``; did you mean …?`` with the units whose code or name is closest to ``key``."""
    owner: dict[str, list[tuple[str, int]]] = {}
    for lv in hierarchy.levels:  # a loop over levels and their distinct strings
        for column in (lv.codes, lv.names, lv.names_hi):
            folded = _folded(column)
            distinct, first = np.unique(folded, return_index=True)
            for text, i in zip(distinct.tolist(), first.tolist(), strict=True):
                if text:
                    owner.setdefault(text, []).append((lv.name, i))
    close = close_matches(key, owner, n=MAX_SUGGESTED)
    if not close:
        return "; no unit's code or name is close to it"
    units = dict.fromkeys(unit for text in close for unit in owner[text])
    listed = [_describe(hierarchy, level, i) for level, i in list(units)[:MAX_SUGGESTED]]
    return "; did you mean " + " or ".join(listed) + "?"
