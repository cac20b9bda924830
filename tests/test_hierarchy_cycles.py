"""The cycle search of the hierarchy's checks against a walk up every unit's parents."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from egov_score.model.hierarchy import _in_cycle


def _walked(parent_row: list[int]) -> list[bool]:
    """The slow reference: a unit is in or under a cycle when walking its parents meets a
    unit twice before a unit without a parent."""
    out = []
    for start in range(len(parent_row)):
        seen, at = set(), start
        while parent_row[at] >= 0 and at not in seen:
            seen.add(at)
            at = parent_row[at]
        out.append(parent_row[at] >= 0)
    return out


@st.composite
def _trees(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Parent rows (-1: none) and level depths (-1: unknown), either a well-levelled tree or
    any parents at all (cycles, self-parents, level skips)."""
    n = draw(st.integers(0, 30))
    depth = draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))
    if draw(st.booleans()):
        parents = draw(st.lists(st.integers(-1, max(n - 1, -1)), min_size=n, max_size=n))
        return parents, depth
    depth = [max(d, 0) for d in depth]
    parents = []
    for d in depth:  # one level up, where a unit of that level exists
        above = [j for j, e in enumerate(depth) if e == d - 1]
        parents.append(draw(st.sampled_from(above)) if above else -1)
    return parents, depth


@given(_trees())
def test_the_cycle_search_equals_the_walk(tree: tuple[list[int], list[int]]) -> None:
    parents, depth = tree
    found = _in_cycle(np.array(parents, dtype=np.intp), np.array(depth, dtype=np.intp))
    assert found.tolist() == _walked(parents)


def test_a_levelled_tree_has_no_cycle_and_a_loop_is_found() -> None:
    depth = np.array([0, 1, 1, 2], dtype=np.intp)
    assert not _in_cycle(np.array([-1, 0, 0, 1], dtype=np.intp), depth).any()
    # 1 and 3 point at each other; 2 hangs under the loop; 0 is the root.
    looped = _in_cycle(np.array([-1, 3, 1, 1], dtype=np.intp), depth)
    assert looped.tolist() == [False, True, True, True]
