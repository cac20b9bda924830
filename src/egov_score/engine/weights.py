"""The weights a group's children get on a level, and what those weights do.

A group's ``weighting`` says where its children's weights come from: as declared
(``manual``, the default), ``equal``, or ``pca`` (:func:`~egov_score.kernels.weights.
pca_weights` of the children's scores on the level). :func:`effective_weights` reports each
child's share of the variance of its group's score, level by level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from egov_score._arrays import FloatArray
from egov_score.exceptions import ScoringError
from egov_score.kernels import weights as kw
from egov_score.model.framework import Framework
from egov_score.model.result import LevelResult, Result

__all__ = [
    "EFFECTIVE_WEIGHTS_FILE",
    "effective_weights",
    "effective_weights_report",
    "group_weights",
]

#: The file ``egov-score score --effective-weights`` writes beside the scores.
EFFECTIVE_WEIGHTS_FILE = "effective_weights.json"


def group_weights(
    framework: Framework, group: str, children: Sequence[str], columns: Sequence[FloatArray]
) -> tuple[FloatArray, str]:
    """The weights of ``group``'s ``children`` (their score ``columns`` on one level) and a
    sentence saying how PCA derived them ("" unless the group's weighting is ``pca``).

    PCA weights need three units with every child present and every child varying; where
    they cannot be derived, the declared weights are used and the sentence says why.
    """
    spec = framework.groups[group]
    declared = np.array([framework.weight(c) for c in children], dtype=np.float64)
    if spec.weighting == "equal":
        return np.ones(len(children)), ""
    if spec.weighting != "pca":
        return declared, ""
    try:
        pca = kw.pca_weights(np.column_stack(columns))
    except ScoringError as exc:
        return declared, (
            f"group {group!r}: PCA weights could not be derived ({exc}); the declared weights "
            f"are used"
        )
    shown = ", ".join(f"{c}={w:.4f}" for c, w in zip(children, pca.weights.tolist(), strict=True))
    return pca.weights, (
        f"group {group!r}: PCA weights from {pca.rows} units ({len(pca.explained)} factor(s) "
        f"with eigenvalue > 1): {shown}"
    )


def effective_weights(level: LevelResult, framework: Framework) -> dict[str, dict[str, float]]:
    """Each group's children's effective weights on one level: their share of the variance of
    the group's weighted arithmetic mean over the units where every child is present,
    ``cov(w_i x_i, y) / var(y)`` (:func:`~egov_score.kernels.weights.effective_weights`).

    Returns:
        ``{group: {child: share}}`` for the groups measured on the level, in the framework's
        order; a share is NaN where fewer than two units have every child or the group's
        score does not vary.
    """
    out: dict[str, dict[str, float]] = {}
    for group in framework.groups:  # a loop over groups and their children, not units
        kids = [c for c in framework.children(group) if c in level.normalised or c in level.groups]
        if not kids:
            continue
        columns = [level.normalised[c] if c in level.normalised else level.groups[c] for c in kids]
        weights, _ = group_weights(framework, group, kids, columns)
        shares = kw.effective_weights(np.column_stack(columns), weights)
        out[group] = dict(zip(kids, shares.tolist(), strict=True))
    return out


def effective_weights_report(result: Result) -> dict[str, object]:
    """A result's nominal and effective weights on every level, as plain data for JSON.

    Returns:
        ``{"period", "framework", "levels": {level: {group: {child: {"weight", "nominal",
        "effective"}}}}}``: ``weight`` as declared, ``nominal`` the weight used (as declared,
        equal or from PCA) as a share of the group's, ``effective`` the child's share of the
        group's variance (None where undefined).
    """
    fw = result.framework
    levels: dict[str, object] = {}
    for level in result.levels:  # a loop over levels, groups and children
        shares = effective_weights(level, fw)
        groups: dict[str, object] = {}
        for group, kids in shares.items():
            columns = [
                level.normalised[c] if c in level.normalised else level.groups[c] for c in kids
            ]
            used, _ = group_weights(fw, group, list(kids), columns)
            total = float(used.sum())
            groups[group] = {
                child: {
                    "weight": fw.weight(child),
                    "nominal": used[k] / total if total > 0 else None,
                    "effective": None if np.isnan(share) else share,
                }
                for k, (child, share) in enumerate(kids.items())
            }
        levels[level.level] = groups
    return {"period": result.period, "framework": fw.name, "levels": levels}
