"""The analysis of a scored level: how the indicators and groups of each group move together.

For every group of the framework present on a level: Pearson and Spearman correlations between
its children (normalised indicators, or sub-group scores) and of each child with the group's
own score, Cronbach's alpha, and flags for negatively correlated and near-collinear pairs.
Records only; :mod:`egov_score.render.analysis` writes them as HTML and JSON. The method is in
``docs/analysis.md``.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from egov_score._arrays import FloatArray, readonly
from egov_score.exceptions import InputError
from egov_score.kernels.correlation import cronbach_alpha, pearson_matrix, spearman_matrix
from egov_score.model.result import Result

__all__ = ["COLLINEAR", "Analysis", "GroupAnalysis", "PairFlag", "analyse"]

#: Two children whose Pearson |r| exceeds this are flagged as near-collinear: one says almost
#: all the other says, so together they double-count it (COINr and the JRC use 0.9).
COLLINEAR = 0.9

_array_eq = attrs.cmp_using(eq=lambda a, b: np.array_equal(a, b, equal_nan=True))


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


@attrs.frozen(kw_only=True)
class PairFlag:
    """Two children of a group flagged by their Pearson correlation.

    Attributes:
        group: the group.
        a: one child's code.
        b: the other child's code.
        r: Pearson's r of the pair.
        kind: ``"negative"`` (r < 0: one falls as the other rises) or ``"collinear"``
            (|r| > :data:`COLLINEAR`).
    """

    group: str
    a: str
    b: str
    r: float
    kind: str

    def __attrs_post_init__(self) -> None:
        if self.kind not in ("negative", "collinear"):
            raise InputError(f"kind must be 'negative' or 'collinear'; got {self.kind!r}")


@attrs.frozen(kw_only=True)
class GroupAnalysis:
    """One group's correlations on one level.

    Attributes:
        group: the group's code.
        children: its children present on the level, in the framework's order.
        pearson: children x children Pearson's r (pairwise-complete units; NaN = undefined).
        spearman: children x children Spearman's rho.
        parent_pearson: each child's Pearson's r with the group's score.
        parent_spearman: each child's Spearman's rho with the group's score.
        alpha: Cronbach's alpha of the children, from pairwise-complete covariances as
            COINr's ``get_cronbach`` (NaN with one child or no spread).
        alpha_units: the units with every child present.
        flags: the negative and near-collinear pairs.
    """

    group: str
    children: tuple[str, ...]
    pearson: FloatArray = attrs.field(eq=_array_eq)
    spearman: FloatArray = attrs.field(eq=_array_eq)
    parent_pearson: FloatArray = attrs.field(eq=_array_eq)
    parent_spearman: FloatArray = attrs.field(eq=_array_eq)
    alpha: float
    alpha_units: int
    flags: tuple[PairFlag, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (NaN as None)."""

        def matrix(m: FloatArray) -> list[list[float | None]]:
            return [[_num(float(x)) for x in row] for row in m]

        return {
            "group": self.group,
            "children": list(self.children),
            "pearson": matrix(self.pearson),
            "spearman": matrix(self.spearman),
            "with_parent": {
                c: {
                    "pearson": _num(float(self.parent_pearson[k])),
                    "spearman": _num(float(self.parent_spearman[k])),
                }
                for k, c in enumerate(self.children)
            },
            "cronbach_alpha": _num(self.alpha),
            "alpha_units": self.alpha_units,
            "flags": [attrs.asdict(f) for f in self.flags],
        }


@attrs.frozen(kw_only=True)
class Analysis:
    """The analysis of one level of a result.

    Attributes:
        level: the level analysed.
        period: the result's period.
        units: how many units the level has.
        groups: one record per group present on the level, root first then in framework order.
        collinear: the |r| threshold the flags used.
    """

    level: str
    period: str
    units: int
    groups: tuple[GroupAnalysis, ...]
    collinear: float = COLLINEAR

    @property
    def flags(self) -> tuple[PairFlag, ...]:
        """Every group's flags."""
        return tuple(f for g in self.groups for f in g.flags)

    def group(self, code: str) -> GroupAnalysis:
        """The analysis of group ``code``.

        Raises:
            InputError: no group ``code`` on this level.
        """
        for g in self.groups:
            if g.group == code:
                return g
        have = [g.group for g in self.groups]
        raise InputError(f"group must be one of {have!r} on level {self.level!r}; got {code!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (NaN as None)."""
        return {
            "level": self.level,
            "period": self.period,
            "units": self.units,
            "collinear_threshold": self.collinear,
            "groups": [g.to_dict() for g in self.groups],
        }


def _flags(
    group: str, children: tuple[str, ...], r: FloatArray, collinear: float
) -> list[PairFlag]:
    out = []
    for i in range(len(children)):  # a loop over pairs of children
        for j in range(i + 1, len(children)):
            x = float(r[i, j])
            if x < 0:
                out.append(
                    PairFlag(group=group, a=children[i], b=children[j], r=x, kind="negative")
                )
            if abs(x) > collinear:
                out.append(
                    PairFlag(group=group, a=children[i], b=children[j], r=x, kind="collinear")
                )
    return out


def analyse(result: Result, level: str | None = None, *, collinear: float = COLLINEAR) -> Analysis:
    """Correlations, Cronbach's alpha and flags for every group on ``level`` of ``result``.

    Args:
        result: a scored period.
        level: the level whose units are the observations; default the bottom level (the
            most units).
        collinear: the Pearson |r| above which a pair is flagged as near-collinear.

    Returns:
        An :class:`Analysis`.

    Raises:
        InputError: an unknown level, or a threshold outside (0, 1].
    """
    if not 0 < collinear <= 1:
        raise InputError(f"collinear must be in (0, 1]; got {collinear!r}")
    fw = result.framework
    lv = result.level(level if level is not None else fw.levels[-1])
    groups = []
    order = [fw.root, *(g for g in fw.groups if g != fw.root)]
    for code in order:  # a loop over groups
        if code not in lv.groups:
            continue
        children = tuple(c for c in fw.children(code) if c in lv.groups or c in lv.normalised)
        if not children:
            continue
        cols = [lv.groups[c] if c in lv.groups else lv.normalised[c] for c in children]
        matrix = np.column_stack(cols).astype(np.float64)
        own = lv.groups[code]
        # The group's own score as column 0: its row holds the correlations with the parent.
        both = np.column_stack([own, matrix])
        full_r, full_rho = pearson_matrix(both), spearman_matrix(both)
        r = readonly(np.ascontiguousarray(full_r[1:, 1:]))
        rho = readonly(np.ascontiguousarray(full_rho[1:, 1:]))
        with_parent = full_r[0, 1:]
        rho_parent = full_rho[0, 1:]
        alpha, n_alpha = cronbach_alpha(matrix)
        groups.append(
            GroupAnalysis(
                group=code,
                children=children,
                pearson=r,
                spearman=rho,
                parent_pearson=readonly(np.ascontiguousarray(with_parent)),
                parent_spearman=readonly(np.ascontiguousarray(rho_parent)),
                alpha=alpha,
                alpha_units=n_alpha,
                flags=tuple(_flags(code, children, r, collinear)),
            )
        )
    return Analysis(
        level=lv.level,
        period=result.period,
        units=len(lv),
        groups=tuple(groups),
        collinear=collinear,
    )
