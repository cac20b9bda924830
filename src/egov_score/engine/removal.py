"""Remove-one-element importance (COINr's ``remove_elements``): how far ranks move without it.

Each indicator (or each group of the indicator tree) is left out in turn, the data re-scored
with the framework that does not have it, and the level's ranks compared with the nominal
ranks: per element, the mean over units ranked both times of ``|rank without it - nominal
rank|`` (COINr's ``MeanAbsDiff``) and the largest such change.

COINr removes an element by setting its weight to zero (``R/audit_tools.R``); here the element
is taken out of the framework (:func:`framework_without`), so its siblings' weights are
renormalised exactly as :class:`~egov_score.model.framework.Framework` does for a tree without
it. For the weighted means the two are the same; a group whose children are all removed, or
whose remaining children all weigh 0, would score nothing (COINr: a missing aggregate), so it
is removed with them. The re-scoring is one run of the engine per element: a loop over
elements, never over units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import attrs
import numpy as np

from egov_score.engine.run import Engine
from egov_score.exceptions import InputError
from egov_score.kernels.sensitivity import max_abs_rank_shift, mean_abs_rank_shift
from egov_score.model.framework import Framework
from egov_score.model.result import Result
from egov_score.model.sensitivity import RemovalImportance
from egov_score.model.values import LevelValues, Values

__all__ = [
    "REMOVAL_ELEMENTS",
    "Gathers",
    "framework_without",
    "removable_groups",
    "removal_importance",
    "removal_importances",
]

#: What :func:`removal_importance` removes one at a time, and the record's ``kind`` for each.
REMOVAL_ELEMENTS = {"indicators": "indicator", "groups": "group"}


class _Gathered(Protocol):
    @property
    def levels(self) -> Sequence[LevelValues]: ...


class Gathers(Protocol):
    """A scoring job that scores a period and gathers its field columns (a
    :class:`~egov_score.pipeline.Pipeline`)."""

    @property
    def engine(self) -> Engine:
        """The engine that scores the job."""
        ...

    def score(self, period: str | None = None) -> Result:
        """One period scored (``None``: the only one)."""
        ...

    def gather(self, period: str) -> _Gathered:
        """One period's field columns per level, top first."""
        ...


def _subtree(framework: Framework, group: str) -> set[str]:
    """``group`` and every indicator and group under it."""
    found = {group}
    for child in framework.children(group):
        found |= _subtree(framework, child) if child in framework.groups else {child}
    return found


def framework_without(framework: Framework, codes: Iterable[str]) -> Framework:
    """The framework without the indicators and groups ``codes`` (a group with everything
    under it), built through the model's own checks (:func:`attrs.evolve`).

    Siblings keep their declared weights, so each group's weights are renormalised over the
    children left, as for a framework declared without the element. A group left with no
    child, or with children that all weigh 0, is removed too with what is left under it (it
    could score nothing), and so on up the tree. Fields are kept, so the same values score
    the reduced framework.

    Raises:
        InputError: a code is neither an indicator nor a group, or nothing would be left to
            score (the root group removed or emptied).
    """
    gone: set[str] = set()
    for code in codes:
        if code in framework.indicators:
            gone.add(code)
        elif code in framework.groups:
            gone |= _subtree(framework, code)
        else:
            known = [*framework.indicators, *framework.groups]
            raise InputError(
                f"an element to remove must be one of the framework's indicators or groups "
                f"{known!r}; got {code!r}"
            )
    for group in framework.groups_bottom_up():  # children before parents: one pass cascades
        if group in gone:
            continue
        kids = [k for k in framework.children(group) if k not in gone]
        if not any(framework.weight(k) > 0 for k in kids):
            gone |= _subtree(framework, group)  # its zero-weight children with it
    if framework.root in gone:
        raise InputError(
            f"removing {sorted(set(codes))!r} must leave an indicator to score; got none left "
            f"under the root group {framework.root!r}"
        )
    return attrs.evolve(
        framework,
        indicators={c: i for c, i in framework.indicators.items() if c not in gone},
        groups={c: g for c, g in framework.groups.items() if c not in gone},
    )


def removable_groups(framework: Framework, depth: int | None = None) -> tuple[str, ...]:
    """The groups :func:`removal_importance` removes: every group but the root, or those at
    ``depth`` of the tree (1: the root's children, 2: theirs, ...), in declaration order.

    Raises:
        InputError: no group lies at ``depth``.
    """
    depths = {g: _depth(framework, g) for g in framework.groups}
    chosen = tuple(g for g, k in depths.items() if k > 0 and (depth is None or k == depth))
    if not chosen:
        have = sorted({k for k in depths.values() if k > 0})
        raise InputError(
            f"depth must be one of the tree's group depths below the root {have!r}; got {depth!r}"
        )
    return chosen


def _depth(framework: Framework, group: str) -> int:
    n, parent = 0, framework.groups[group].parent
    while parent is not None:
        n, parent = n + 1, framework.groups[parent].parent
    return n


def _job(
    source: Engine | Gathers, values: Values | None, period: str | None
) -> tuple[Engine, Result, Sequence[LevelValues]]:
    """The engine, the nominal result (its period chosen as the job chooses) and the period's
    field columns."""
    if isinstance(source, Engine):
        if values is None:
            raise InputError(
                "removal importance with an engine needs the values to score; got none"
            )
        nominal = source.score(values, period)
        return source, nominal, values.at(nominal.period)
    if values is not None:
        raise InputError("values go with an engine only; a pipeline scores its own data (got both)")
    nominal = source.score(period)
    return source.engine, nominal, source.gather(nominal.period).levels


def removal_importance(
    source: Engine | Gathers,
    values: Values | None = None,
    *,
    level: str,
    period: str | None = None,
    elements: str = "indicators",
    depth: int | None = None,
) -> RemovalImportance:
    """How far ``level``'s ranks move when each indicator or group is left out in turn.

    Args:
        source: an :class:`~egov_score.engine.Engine` (with ``values``) or a
            :class:`~egov_score.pipeline.Pipeline`.
        values: the values an engine scores (not given with a pipeline).
        level: the level whose ranks (among all its units) are compared.
        period: the period to score (may be omitted when the data hold one).
        elements: ``indicators`` or ``groups``.
        depth: with ``groups``, remove only the groups at this depth of the tree (1: the
            root's children); None: every group but the root.

    Returns:
        Per element, in the framework's order, the mean and the largest absolute rank change
        of the units ranked both nominally and without it (NaN where no unit is).

    Raises:
        InputError: an unknown level or ``elements``, a bad ``depth``, or an element whose
            removal leaves nothing to score.
        ScoringError: as :meth:`Engine.score <egov_score.engine.Engine.score>`.
    """
    return removal_importances(
        source, values, levels=(level,), period=period, elements=elements, depth=depth
    )[level]


def removal_importances(
    source: Engine | Gathers,
    values: Values | None = None,
    *,
    levels: Sequence[str] | None = None,
    period: str | None = None,
    elements: str = "indicators",
    depth: int | None = None,
) -> dict[str, RemovalImportance]:
    """:func:`removal_importance` of several levels at once: one re-score per element serves
    every level (default: every level of the framework).

    Raises:
        InputError: as :func:`removal_importance`.
    """
    if elements not in REMOVAL_ELEMENTS:
        raise InputError(f"elements must be one of {list(REMOVAL_ELEMENTS)!r}; got {elements!r}")
    framework = (source if isinstance(source, Engine) else source.engine).framework
    chosen_levels = tuple(framework.levels if levels is None else levels)
    for level in chosen_levels:
        if level not in framework.levels:
            raise InputError(f"level must be one of {list(framework.levels)!r}; got {level!r}")
    if depth is not None and elements != "groups":
        raise InputError(f"depth goes with elements='groups' only; got depth={depth!r}")
    codes = (
        tuple(framework.indicators)
        if elements == "indicators"
        else removable_groups(framework, depth)
    )
    engine, result, columns = _job(source, values, period)
    chosen = result.period
    depths = [framework.levels.index(level) for level in chosen_levels]
    nominal = [result.levels[d].rank for d in depths]
    ranks = [np.empty((len(codes), len(n)), dtype=np.int64) for n in nominal]
    for e, code in enumerate(codes):  # one re-score per element
        reduced = Engine(
            framework_without(framework, (code,)),
            engine.hierarchy,
            normalisers=engine.normalisers,
            aggregators=engine.aggregators,
            plugins=engine.plugins,
            parallel=engine.parallel,
            parallel_min_rows=engine.parallel_min_rows,
        )
        scored = reduced.score_level_values(columns, chosen)
        for k, d in enumerate(depths):  # a loop over levels
            ranks[k][e] = scored.levels[d].rank
    return {
        level: RemovalImportance(
            level=level,
            kind=REMOVAL_ELEMENTS[elements],
            elements=codes,
            mean_abs_rank_change=mean_abs_rank_shift(ranks[k], nominal[k]),
            max_abs_rank_change=max_abs_rank_shift(ranks[k], nominal[k]),
        )
        for k, level in enumerate(chosen_levels)
    }
