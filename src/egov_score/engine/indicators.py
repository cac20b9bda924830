"""Steps 2 and 3: measure indicators from the fields, and normalise them among peers."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from egov_score._arrays import FloatArray, IntArray, readonly
from egov_score.engine.fields import FieldColumns
from egov_score.engine.notes import Notes
from egov_score.engine.prepare import prepare, screened_out
from egov_score.engine.stack import Stack
from egov_score.exceptions import PluginOutputError, ScoringError
from egov_score.kernels.grouped import group_count
from egov_score.kernels.normalise import (
    BUILTIN_NORMALISERS,
    PEER_RELATIVE,
    Normalised,
    Normaliser,
)
from egov_score.model.framework import Framework, Indicator
from egov_score.model.result import Diagnostic

__all__ = ["Indicators", "Measured"]


class Measured(NamedTuple):
    """An indicator on one level: raw values (imputed cells filled in), normalised scores, the
    diagnostics they raised, and where data preparation imputed or treated cells (None when
    the framework declares no such step for it)."""

    raw: FloatArray
    normalised: FloatArray
    notes: list[Diagnostic]
    imputed: npt.NDArray[np.bool_] | None = None
    treated: npt.NDArray[np.int8] | None = None


class Indicators:
    """Measures a run's indicators on a level and normalises them.

    Args:
        framework: the indicators.
        fields: the run's fields on every level.
        normalisers: the normalisation kernels by method name.
        parents: every level's parent index per unit, top first.
        stack: the run's row layout.
        notes: writes the diagnostics.
        global_peers: normalise among the units of every period together, not per period.
    """

    def __init__(
        self,
        framework: Framework,
        fields: FieldColumns,
        normalisers: Mapping[str, Normaliser],
        parents: Sequence[IntArray],
        stack: Stack,
        notes: Notes,
        *,
        global_peers: bool,
    ) -> None:
        self.framework = framework
        self.fields = fields
        self.normalisers = normalisers
        self.parents = tuple(parents)
        self.stack = stack
        self.notes = notes
        self.global_peers = global_peers
        self._screened: dict[int, npt.NDArray[np.bool_]] = {}
        self._screening = threading.Lock()

    def on_level(self, depth: int) -> list[str]:
        """The indicators measured on level ``depth``, in the framework's order."""
        fw = self.framework
        return [c for c in fw.indicators if fw.indicator_depth(c) >= depth]

    def measure(self, depth: int, codes: Sequence[str]) -> dict[str, Measured]:
        """Indicators ``codes`` on level ``depth``: raw, normalised, and their diagnostics
        (kept apart per indicator, as this may run on a worker thread)."""
        out: dict[str, Measured] = {}
        prepares = self.framework.prepares
        excluded = self.screened(depth)
        for code in codes:
            notes: list[Diagnostic] = []
            ind = self.framework.indicators[code]
            raw = readonly(self.raw(ind, depth, notes))
            if not prepares:
                out[code] = Measured(raw, readonly(self.normalise(ind, raw, depth, notes)), notes)
                continue
            prep = prepare(
                self.framework,
                ind,
                raw,
                depth,
                peers=self.peers,
                stack=self.stack,
                notes=self.notes,
                into=notes,
                excluded=excluded,
            )
            out[code] = Measured(
                readonly(prep.shown),
                readonly(self.normalise(ind, prep.values, depth, notes)),
                notes,
                None if prep.imputed is None else readonly(prep.imputed),
                None if prep.treated is None else readonly(prep.treated),
            )
        return out

    def screened(self, depth: int) -> npt.NDArray[np.bool_] | None:
        """Units of level ``depth`` screened out for too little reported data (None when the
        framework screens none); computed once, whichever thread asks first."""
        screen = self.framework.screen
        if screen is None:
            return None
        with self._screening:
            if depth not in self._screened:
                codes = self.on_level(depth)
                present = np.zeros((self.stack.rows(depth), len(codes)), dtype=bool)
                for k, code in enumerate(codes):  # a loop over indicators
                    raw = self.raw(self.framework.indicators[code], depth, [])
                    present[:, k] = ~np.isnan(raw)
                self._screened[depth] = readonly(
                    screened_out(self.framework, present, codes, screen.min_share)
                )
            return self._screened[depth]

    def raw(self, ind: Indicator, depth: int, notes: list[Diagnostic]) -> FloatArray:
        """Indicator ``ind`` on level ``depth``: a scaled field, or a ratio of two (missing
        where the denominator is 0, noted in ``notes``).

        Raises:
            ValuesError: the indicator overflows a float64 for some unit (1e308 / 0.5).
        """
        with np.errstate(over="ignore"):  # an overflow is named below
            out = self._raw(ind, depth, notes)
        inf = np.isinf(out)
        if inf.any():
            what = f"indicator {ind.code!r} must be a finite number"
            raise self.fields.overflow(what, depth, np.flatnonzero(inf))
        return out

    def _raw(self, ind: Indicator, depth: int, notes: list[Diagnostic]) -> FloatArray:
        fields = self.fields
        if ind.field is not None:
            col = fields.field(ind.field, depth)
            return col if ind.scale == 1 else col * ind.scale
        num_code, den_code = str(ind.numerator), str(ind.denominator)
        num_level, den_level = fields.own_depth(num_code), fields.own_depth(den_code)
        if num_level == den_level and depth < num_level:
            # Pairwise complete: a unit counts in both sums only where it reported both, and
            # not at all with a numerator > 0 over a denominator of 0 (noted on every level).
            ratio = (num_code, den_code)
            num = fields.roll(num_code, depth, ratio)
            den = fields.roll(den_code, depth, ratio)
            zero = np.flatnonzero(den == 0)
            uncounted = fields.uncounted_below(num_code, den_code, depth)
            if uncounted is not None:
                left_out = uncounted > 0
                self.notes.add(
                    notes,
                    "division_by_zero_below",
                    depth,
                    ind.code,
                    left_out,
                    f"{ind.code!r} leaves out units below whose {den_code!r} is 0 while "
                    f"{num_code!r} is > 0 (neither is added to the sums) for {{n}} unit(s): "
                    f"{{units}}",
                )
        else:  # on their own level a missing side makes the ratio missing by itself
            num, den = fields.field(num_code, depth), fields.field(den_code, depth)
            zero = fields.zero_rows(den_code, depth)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.divide(num, den)
        if len(zero):
            out[zero] = np.nan  # undefined, not infinite
            reported = zero[~np.isnan(num[zero])]
            if len(reported):
                self.notes.add(
                    notes,
                    "division_by_zero",
                    depth,
                    ind.code,
                    reported,
                    f"{ind.code!r} is missing for {{n}} unit(s) whose {den_code!r} is 0: {{units}}",
                )
        if ind.scale != 1:
            out *= ind.scale
        return out

    def peers(self, depth: int, within: str) -> tuple[IntArray, int]:
        """Peer groups for normalisation on level ``depth`` (the whole level, or the units of
        a parent), per period unless peers are global; and their number."""
        label, n = self._peers_in_period(depth, within)
        if self.global_peers:
            return self.stack.tile(label), n
        return self.stack.labels(depth, label, n), self.stack.n_periods * n

    def reference(self, ind: Indicator, units: Sequence[str], depth: int) -> npt.NDArray[np.bool_]:
        """The rows of the reference unit of ``ind`` on level ``depth`` (distance to a unit):
        the one of ``units`` that is a unit of that level, in every period.

        Raises:
            ScoringError: none of ``units``, or more than one, is a unit of the level.
        """
        mask = np.isin(self.notes.level_codes[depth], list(units))
        if mask.sum() != 1:
            found = self.notes.level_codes[depth][mask].tolist()
            raise ScoringError(
                f"indicator {ind.code!r}: normalise units must name exactly one unit of level "
                f"{self.framework.levels[depth]!r} (the reference of distance to a unit); got "
                f"units={list(units)!r}, of which {found!r} on that level"
            )
        return np.asarray(self.stack.tile(mask), dtype=np.bool_)

    def _peers_in_period(self, depth: int, within: str) -> tuple[IntArray, int]:
        """Peer groups among one period's units of level ``depth``, and their number."""
        if within == "parent" and depth > 0:
            return self.parents[depth], self.stack.sizes[depth - 1]
        return np.zeros(self.stack.sizes[depth], dtype=np.intp), 1

    def normalise(
        self, ind: Indicator, values: FloatArray, depth: int, notes: list[Diagnostic]
    ) -> FloatArray:
        """``values`` of indicator ``ind`` on level ``depth`` normalised among their peers; a
        constant indicator is noted in ``notes``."""
        spec = ind.normalise
        kwargs: dict[str, Any] = dict(spec.params)
        if spec.method == "goalposts":
            kwargs.update(lower=spec.lower, upper=spec.upper)
        elif spec.method == "target":
            kwargs.update(target=spec.target if spec.target is not None else ind.target)
            kwargs.update(cap=spec.cap)
        elif spec.method == "zscore":
            kwargs.update(rescale=spec.rescale)
        options = spec.options()  # the newer built-in methods' options, as their keywords
        units = options.pop("units", ())
        kwargs.update(options)
        if units:
            kwargs["reference"] = self.reference(ind, units, depth)
        kernel = self.normalisers[spec.method]
        try:
            marks = self._apply(kernel, values, depth, spec.within, ind.direction, kwargs)
        except PluginOutputError as exc:
            raise self.notes.plugin_output_error(exc, depth, f"indicator {ind.code!r}") from exc
        except ScoringError as exc:
            raise ScoringError(
                f"indicator {ind.code!r} on level {self.framework.levels[depth]!r}: {exc}"
            ) from None
        peers = "its level" if spec.within == "level" or depth == 0 else "its parent"
        scores = marks.scores
        if spec.method in PEER_RELATIVE:
            lone = self._lone_rows(values, depth, spec.within)
            if lone is not None:
                scores[lone] = np.nan
                self.notes.add(
                    notes,
                    "no_peers",
                    depth,
                    ind.code,
                    lone,
                    f"{ind.code!r} is missing for {{n}} unit(s) alone among the peers in "
                    f"{peers}: {spec.method!r} scores a unit against its peers and has none to "
                    f"compare with: {{units}}",
                )
        if marks.undefined is not None:
            self.notes.add(
                notes,
                "undefined_normalisation",
                depth,
                ind.code,
                marks.undefined,
                f"{ind.code!r} is missing for {{n}} unit(s) under {spec.method!r} among the "
                f"peers in {peers} ({marks.undefined_reason}): {{units}}",
            )
        if marks.constant is not None:
            # A lone unit is noted here too when the kernel found its group constant: the
            # constant note keeps its meaning (no spread), no_peers says why.
            self.notes.add(
                notes,
                "constant_indicator",
                depth,
                ind.code,
                marks.constant,
                f"{ind.code!r} is constant among the peers in {peers} under {spec.method!r}, "
                f"so it is missing for {{n}} unit(s): {{units}}",
            )
        return scores

    def _apply(
        self,
        kernel: Normaliser,
        values: FloatArray,
        depth: int,
        within: str,
        direction: int,
        kwargs: Mapping[str, Any],
    ) -> _Marks:
        """The scores of ``kernel`` on ``values`` among their peers, and the units in constant
        and in undefined peer groups (ascending stacked rows; None if there are none).

        Peers never reach across periods unless they are global, so a built-in kernel is run
        on each period's rows (a slice: no copy) with that period's peer groups, exactly as
        the period scored alone; this also takes the kernels' fast paths for one peer group,
        instead of scattering per-period statistics over every row of the stack. A plugin's
        method is called once on the stacked rows, as its errors name them.
        """
        stack = self.stack
        if self.global_peers or stack.n_periods == 1 or not _is_builtin(kernel):
            groups, n_groups = self.peers(depth, within)
            chunks: list[tuple[slice, IntArray, int, Mapping[str, Any]]] = [
                (slice(0, len(values)), groups, n_groups, kwargs)
            ]
        else:
            groups, n_groups = self._peers_in_period(depth, within)
            n = stack.sizes[depth]
            chunks = []
            for p in range(stack.n_periods):  # a loop over periods, not units
                rows = slice(p * n, (p + 1) * n)
                # A row mask among the options (a reference unit's rows) is cut to the period.
                cut = {k: v[rows] if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
                chunks.append((rows, groups, n_groups, cut))
        scores = np.empty(len(values))
        constant: list[IntArray] = []
        undefined: list[IntArray] = []
        reason = ""
        for rows, g, k, kw in chunks:  # one chunk, or one per period
            part = values[rows]
            out: Normalised = kernel(part, g, k, direction, **kw)
            scores[rows] = out.scores
            offset = rows.start or 0
            if len(out.constant_groups):
                hit = np.isin(g, out.constant_groups) & ~np.isnan(part)
                constant.append(np.flatnonzero(hit) + offset)
            if len(out.undefined_groups):
                hit = np.isin(g, out.undefined_groups) & ~np.isnan(part)
                undefined.append(np.flatnonzero(hit) + offset)
                reason = out.undefined_reason
        return _Marks(
            scores,
            np.concatenate(constant) if constant else None,
            np.concatenate(undefined) if undefined else None,
            reason,
        )

    def _lone_rows(self, values: FloatArray, depth: int, within: str) -> IntArray | None:
        """The units that are the only present value of their peer group (ascending stacked
        rows; None when there is none): under a peer-relative method they have nothing to be
        scored against."""
        if self.global_peers or self.stack.n_periods == 1:
            groups, n_groups = self.peers(depth, within)
            chunks = [(0, values, groups, n_groups)]
        else:
            groups, n_groups = self._peers_in_period(depth, within)
            n = self.stack.sizes[depth]
            chunks = [
                (p * n, values[p * n : (p + 1) * n], groups, n_groups)
                for p in range(self.stack.n_periods)  # a loop over periods, not units
            ]
        found = [
            rows + offset
            for offset, part, g, k in chunks
            if (rows := _lone(part, g, k)) is not None
        ]
        return np.concatenate(found) if found else None


class _Marks(NamedTuple):
    """What :meth:`Indicators._apply` found: the scores and the stacked rows of units in
    constant and in undefined peer groups."""

    scores: FloatArray
    constant: IntArray | None
    undefined: IntArray | None
    undefined_reason: str


def _lone(values: FloatArray, groups: IntArray, n_groups: int) -> IntArray | None:
    """The rows of units that are the only present value of their peer group, or None."""
    if n_groups == 1:
        # Two present values among the first few settle it without a pass over the level.
        if np.count_nonzero(~np.isnan(values[:64])) >= 2:
            return None
        present = ~np.isnan(values)
        return np.flatnonzero(present) if np.count_nonzero(present) == 1 else None
    alone = group_count(values, groups, n_groups) == 1
    if not alone.any():
        return None
    rows: IntArray = np.flatnonzero(alone[groups] & ~np.isnan(values))
    return rows


def _is_builtin(kernel: Normaliser) -> bool:
    return any(kernel is k for k in BUILTIN_NORMALISERS.values())
