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
from egov_score.kernels.normalise import PEER_RELATIVE, Normalised, Normaliser
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
        if within == "parent" and depth > 0:
            label, n = self.parents[depth], self.stack.sizes[depth - 1]
        else:
            label, n = np.zeros(self.stack.sizes[depth], dtype=np.intp), 1
        if self.global_peers:
            return self.stack.tile(label), n
        return self.stack.labels(depth, label, n), self.stack.n_periods * n

    def normalise(
        self, ind: Indicator, values: FloatArray, depth: int, notes: list[Diagnostic]
    ) -> FloatArray:
        """``values`` of indicator ``ind`` on level ``depth`` normalised among their peers; a
        constant indicator is noted in ``notes``."""
        spec = ind.normalise
        groups, n_groups = self.peers(depth, spec.within)
        kwargs: dict[str, Any] = dict(spec.params)
        if spec.method == "goalposts":
            kwargs.update(lower=spec.lower, upper=spec.upper)
        elif spec.method == "target":
            kwargs.update(target=spec.target if spec.target is not None else ind.target)
            kwargs.update(cap=spec.cap)
        elif spec.method == "zscore":
            kwargs.update(rescale=spec.rescale)
        kernel = self.normalisers[spec.method]
        try:
            out: Normalised = kernel(values, groups, n_groups, ind.direction, **kwargs)
        except PluginOutputError as exc:
            raise self.notes.plugin_output_error(exc, depth, f"indicator {ind.code!r}") from exc
        except ScoringError as exc:
            raise ScoringError(
                f"indicator {ind.code!r} on level {self.framework.levels[depth]!r}: {exc}"
            ) from None
        scores = np.asarray(out.scores, dtype=np.float64)
        peers = "its level" if spec.within == "level" or depth == 0 else "its parent"
        lone = self._lone(spec.method, values, groups, n_groups)
        if lone is not None:
            scores = scores.copy() if not scores.flags.writeable else scores
            scores[lone] = np.nan
            self.notes.add(
                notes,
                "no_peers",
                depth,
                ind.code,
                lone,
                f"{ind.code!r} is missing for {{n}} unit(s) alone among the peers in {peers}: "
                f"{spec.method!r} scores a unit against its peers and has none to compare "
                f"with: {{units}}",
            )
        if len(out.undefined_groups):
            self.notes.add(
                notes,
                "undefined_normalisation",
                depth,
                ind.code,
                np.isin(groups, out.undefined_groups) & ~np.isnan(values),
                f"{ind.code!r} is missing for {{n}} unit(s) under {spec.method!r} among the "
                f"peers in {peers} ({out.undefined_reason}): {{units}}",
            )
        if len(out.constant_groups):
            # A lone unit is noted here too when the kernel found its group constant: the
            # constant note keeps its meaning (no spread), no_peers says why.
            affected = np.isin(groups, out.constant_groups) & ~np.isnan(values)
            self.notes.add(
                notes,
                "constant_indicator",
                depth,
                ind.code,
                affected,
                f"{ind.code!r} is constant among the peers in {peers} under {spec.method!r}, "
                f"so it is missing for {{n}} unit(s): {{units}}",
            )
        return scores

    @staticmethod
    def _lone(
        method: str, values: FloatArray, groups: IntArray, n_groups: int
    ) -> npt.NDArray[np.bool_] | None:
        """Under a peer-relative method, the units that are the only present value of their
        peer group (None when there is none): they have nothing to be scored against."""
        if method not in PEER_RELATIVE:
            return None
        if n_groups == 1:
            # Two present values among the first few settle it without a pass over the level.
            if np.count_nonzero(~np.isnan(values[:64])) >= 2:
                return None
            present = ~np.isnan(values)
            return present if np.count_nonzero(present) == 1 else None
        present = ~np.isnan(values)
        alone = group_count(values, groups, n_groups) == 1
        if not alone.any():
            return None
        lone: npt.NDArray[np.bool_] = alone[groups] & present
        return lone
