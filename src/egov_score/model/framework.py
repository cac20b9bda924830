"""The indicator tree: fields -> indicators -> groups -> the composite index.

A :class:`Framework` is loaded from TOML (:meth:`Framework.from_toml`) or built from a mapping
(:meth:`Framework.from_dict`, which plugins use). Every rule is checked on construction and an
error names the offending code, key and value, with the TOML line where it can be found.
See ``docs/framework.md`` for the schema.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from egov_score.exceptions import FrameworkError
from egov_score.io.toml import KeyPath, describe_path, did_you_mean, key_lines, read_toml
from egov_score.model.plausibility import bounds_rule, is_finite_number, kind_rule
from egov_score.model.preparation import (
    Imputation,
    PreparationError,
    Screening,
    Treatment,
    imputation_from,
    screening_from,
    treatment_from,
)
from egov_score.model.uncertainty import Uncertainty, uncertainty_from

__all__ = [
    "AGGREGATION_METHODS",
    "DEFAULT_BANDS",
    "NORMALISATION_METHODS",
    "ROLLUP_RULES",
    "WEIGHTINGS",
    "Aggregation",
    "Bands",
    "Field",
    "Framework",
    "Group",
    "Indicator",
    "Normalisation",
    "coverage_rule",
    "finite_rule",
    "first_problem",
    "weight_rule",
]

#: Roll-up rules a field may use to reach the levels above it.
ROLLUP_RULES = ("sum", "mean", "min", "max", "weighted_mean")
#: Built-in normalisation methods (plugins may add more).
NORMALISATION_METHODS = (
    "minmax",
    "zscore",
    "goalposts",
    "target",
    "rank",
    "percentile",
    "fracmax",
    "none",
    "distance",
    "categorical",
)
#: Built-in aggregation methods (plugins may add more).
AGGREGATION_METHODS = (
    "arithmetic",
    "geometric",
    "harmonic",
    "generalised",
    "median",
    "borda",
    "copeland",
)
#: How a group's children are weighted: as declared (``manual``), equally, or by PCA.
WEIGHTINGS = ("manual", "equal", "pca")

#: Output column names an indicator or group code may not take.
RESERVED_CODES = frozenset(
    {"code", "name", "name_hi", "parent", "score", "rank", "rank_in_parent", "band", "coverage"}
)
_CODE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_Record = TypeVar("_Record")


# -- rules ------------------------------------------------------------------------------------
# Each rule returns the message of the first thing it finds wrong ("<what> must <rule>; got
# <value> for <who>"), or None. ``from_dict`` raises them with the file and line; the records'
# own checks (``__attrs_post_init__``) raise them bare, guarding direct construction.


def first_problem(*problems: str | None) -> str | None:
    """The first of ``problems`` that is not None (a rule's message), or None if all hold."""
    return next((p for p in problems if p is not None), None)


def _raise_first(*problems: str | None) -> None:
    if (problem := first_problem(*problems)) is not None:
        raise FrameworkError(problem)


def finite_rule(value: object, key: str, who: str) -> str | None:
    """A message if ``value`` (the ``key`` of ``who``) is not a finite number, else None."""
    if not is_finite_number(value):
        return f"{key} must be a finite number; got {value!r} for {who}"
    return None


def _optional_finite_rule(value: object, key: str, who: str) -> str | None:
    return None if value is None else finite_rule(value, key, who)


def _text_rule(value: object, key: str, who: str) -> str | None:
    if not isinstance(value, str):
        return f"{key} must be a string; got {value!r} for {who}"
    return None


def _name_rule(value: object, key: str, who: str) -> str | None:
    if not isinstance(value, str) or not value:
        return f"{key} must be a non-empty string; got {value!r} for {who}"
    return None


def _optional_text_rule(value: object, key: str, who: str) -> str | None:
    return None if value is None else _text_rule(value, key, who)


def _code_rule(code: object, what: str) -> str | None:
    if not isinstance(code, str) or not _CODE_RE.match(code):
        return (
            f"{what} code must be a name of letters, digits and '_' not starting with a digit; "
            f"got {code!r}"
        )
    return None


def weight_rule(weight: float, who: str) -> str | None:
    """A message if the weight of ``who`` is negative, else None."""
    return f"weight must be >= 0; got {weight!r} for {who}" if weight < 0 else None


def coverage_rule(cov: float, who: str) -> str | None:
    """A message if the minimum coverage of ``who`` lies outside [0, 1], else None."""
    return None if 0 <= cov <= 1 else f"min_coverage must be in [0, 1]; got {cov!r} for {who}"


def _direction_rule(direction: object, who: str) -> str | None:
    if direction not in (1, -1) or isinstance(direction, bool):
        return f"direction must be 1 or -1; got {direction!r} for {who}"
    return None


def _scale_rule(scale: float, who: str) -> str | None:
    return f"scale must be non-zero; got {scale!r} for {who}" if scale == 0 else None


def _rollup_rule(rollup: object, who: str) -> str | None:
    if rollup not in ROLLUP_RULES:
        return f"rollup must be one of {list(ROLLUP_RULES)!r}; got {rollup!r} for {who}"
    return None


def _rollup_weight_rule(rollup: object, weight: object, who: str) -> str | None:
    if (rollup == "weighted_mean") != (weight is not None):
        return (
            f"weight = '<field>' goes with rollup = 'weighted_mean' and only with it; "
            f"got rollup={rollup!r}, weight={weight!r} for {who}"
        )
    return None


def _within_rule(within: object, who: str) -> str | None:
    if within not in ("level", "parent"):
        return f"normalise within must be 'level' or 'parent'; got {within!r} for {who}"
    return None


def _goalposts_rule(
    method: object, lower: float | None, upper: float | None, who: str
) -> str | None:
    if method != "goalposts":
        return None
    if lower is None or upper is None:
        return f"goalposts need lower and upper; got lower={lower!r}, upper={upper!r} for {who}"
    if lower >= upper:
        return f"goalposts must have lower < upper; got lower={lower!r}, upper={upper!r} for {who}"
    return None


#: ``distance``: what it measures against, and its two forms; ``percentile``: its two forms.
DISTANCE_REFERENCES = ("unit", "mean", "best", "worst")
_FORMS = {"distance": ("ratio", "difference"), "percentile": ("(rank-1)/(n-1)", "rank/n")}
#: The option keys of a normalise table and the one method each belongs to.
_OPTION_METHODS = {
    "range": "minmax",
    "to": "distance",
    "units": "distance",
    "percentiles": "categorical",
    "scores": "categorical",
}


def _numbers_rule(value: object, key: str, who: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, tuple | list) or not all(is_finite_number(v) for v in value):
        return f"normalise {key} must be a list of finite numbers; got {value!r} for {who}"
    return None


def _options_rule(
    method: object,
    options: Mapping[str, Any],
    who: str,
) -> str | None:
    """The options of the built-in methods: each given only with its method, and sound."""
    for key, owner in _OPTION_METHODS.items():
        if options.get(key) not in (None, ()) and method != owner:
            return (
                f"normalise {key} applies to method {owner!r} only; got {key}="
                f"{options[key]!r} with method {method!r} for {who}"
            )
    form = options.get("form")
    if form is not None and (method not in _FORMS or form not in _FORMS[str(method)]):
        allowed = {m: list(f) for m, f in _FORMS.items()}
        return (
            f"normalise form must be one of {allowed!r} for its method; got form={form!r} "
            f"with method {method!r} for {who}"
        )
    problem = first_problem(
        *(_numbers_rule(options.get(k), k, who) for k in ("range", "percentiles", "scores"))
    )
    if problem:
        return problem
    span = options.get("range")
    if span is not None and (len(span) != 2 or not span[0] < span[1]):
        return f"normalise range must be [lower, upper] with lower < upper; got {span!r} for {who}"
    if method == "distance":
        to, units = options.get("to") or "mean", options.get("units") or ()
        if to not in DISTANCE_REFERENCES:
            return (
                f"normalise to must be one of {list(DISTANCE_REFERENCES)!r}; got {to!r} for {who}"
            )
        if (to == "unit") != bool(units):
            return (
                f"normalise units (the reference unit's code on each level) must be given "
                f"exactly when to = 'unit'; got to={to!r}, units={list(units)!r} for {who}"
            )
        if not all(isinstance(u, str) and u for u in units):
            return f"normalise units must be unit codes; got {list(units)!r} for {who}"
    cuts, values = options.get("percentiles"), options.get("scores")
    if cuts is not None and (
        not cuts
        or any(not 0 < c < 100 for c in cuts)
        or any(b <= a for a, b in itertools.pairwise(cuts))
    ):
        return (
            f"normalise percentiles must be strictly increasing, each in (0, 100); got "
            f"{list(cuts)!r} for {who}"
        )
    if method == "categorical" and (cuts is None) != (values is None):
        return (
            f"categorical needs both percentiles and scores, or neither (the Handbook's "
            f"bands); got percentiles={cuts!r}, scores={values!r} for {who}"
        )
    if cuts is not None and values is not None and len(values) != len(cuts) + 1:
        return (
            f"normalise scores must be one more than percentiles ({len(cuts) + 1}); got "
            f"{len(values)} scores {list(values)!r} for {who}"
        )
    return None


def _weighting_rule(weighting: object, who: str) -> str | None:
    if weighting is not None and weighting not in WEIGHTINGS:
        return f"weighting must be one of {list(WEIGHTINGS)!r}; got {weighting!r} for {who}"
    return None


def _cap_rule(cap: object, who: str) -> str | None:
    if not isinstance(cap, bool):
        return f"normalise cap must be true or false; got {cap!r} for {who}"
    return None


def _rescale_sd_rule(sd: float, who: str) -> str | None:
    return f"zscore rescale sd must be > 0; got {sd!r} for {who}" if sd <= 0 else None


def _generalised_rule(method: object, p: float | None, who: str) -> str | None:
    if method == "generalised" and p is None:
        return f"a generalised mean needs p; got none for {who}"
    return None


def _inputs_rule(field: object, num: object, den: object, who: str) -> str | None:
    if (field is None) == (num is None and den is None) or (num is None) != (den is None):
        return (
            f"an indicator needs either field or both numerator and denominator; got "
            f"field={field!r}, numerator={num!r}, denominator={den!r} for {who}"
        )
    return None


def _target_rule(
    method: object, norm_target: float | None, target: float | None, who: str
) -> str | None:
    if method == "target" and norm_target is None and target is None:
        return (
            f"target normalisation needs a target (indicator target or normalise.target); "
            f"got none for {who}"
        )
    return None


def _bands_rule(
    edges: Sequence[float], labels: Sequence[str], labels_hi: Sequence[str]
) -> str | None:
    if any(b <= a for a, b in itertools.pairwise(edges)):
        return f"band edges must be strictly increasing; got {list(edges)!r}"
    if len(labels) != len(edges) + 1:
        return (
            f"bands need one label more than edges ({len(edges) + 1}); got {len(labels)} "
            f"labels {list(labels)!r}"
        )
    if labels_hi and len(labels_hi) != len(labels):
        return f"labels_hi must have as many labels as labels ({len(labels)}); got {len(labels_hi)}"
    return None


def _levels_rule(levels: object, kind: type[list[str] | tuple[str, ...]] = list) -> str | None:
    if (
        not isinstance(levels, list | tuple)
        or not isinstance(levels, kind)
        or not levels
        or not all(isinstance(x, str) and x for x in levels)
    ):
        return f"levels must be a non-empty list of level names; got {levels!r}"
    if len(set(levels)) != len(levels):
        return f"levels must be distinct; got {levels!r}"
    return None


def _method_rule(method: object, key: str, who: str) -> str | None:
    if not isinstance(method, str) or not method:
        return f"{key} method must be a non-empty string; got {method!r} for {who}"
    return None


def _rescale_rule(rescale: object, who: str) -> str | None:
    if rescale is None:
        return None
    if not isinstance(rescale, tuple | list) or len(rescale) != 2:
        return f"zscore rescale must be (mean, sd); got {rescale!r} for {who}"
    return first_problem(
        finite_rule(rescale[0], "rescale mean", who),
        finite_rule(rescale[1], "rescale sd", who),
    ) or _rescale_sd_rule(rescale[1], who)


def _bounded_rule(bounded: object, numerator: object, who: str) -> str | None:
    if not isinstance(bounded, bool):
        return f"bounded must be true or false; got {bounded!r} for {who}"
    if bounded and numerator is None:
        return f"bounded = true needs a ratio (numerator and denominator); got a field for {who}"
    return None


def _field_level_rule(level: object, levels: Sequence[str], code: str) -> str | None:
    if level not in levels:
        return f"field level must be one of {list(levels)!r}; got {level!r} for field {code!r}"
    return None


def _preparation_rule(impute: object, treat: object, who: str) -> str | None:
    if impute is not None and not isinstance(impute, Imputation):
        return f"impute must be an Imputation or None; got {impute!r} for {who}"
    if treat is not None and not isinstance(treat, Treatment):
        return f"treat must be a Treatment or None; got {treat!r} for {who}"
    return None


def _mapping_rule(value: object, key: str, who: str) -> str | None:
    if not isinstance(value, Mapping):
        return f"{key} must be a mapping; got {value!r} for {who}"
    return None


@attrs.frozen(kw_only=True)
class Field:
    """A raw measured quantity, measured on one level and rolled up to the levels above.

    Attributes:
        code: the column name in values tables.
        level: the level where it is measured.
        rollup: ``sum`` (default), ``mean``, ``min``, ``max`` or ``weighted_mean``.
        weight: for ``weighted_mean``, the code of the weighting field (same level).
        name: display name.
        unit: unit of measurement, for display.
        kind: what a value must be: ``real`` (any finite number, the default), ``flag`` (0
            or 1), ``count`` (a whole number >= 0), ``amount`` (>= 0) or ``percent`` (0-100);
            checked in values tables.
        min: the least plausible value, if any.
        max: the greatest plausible value, if any.
    """

    code: str
    level: str
    rollup: str = "sum"
    weight: str | None = None
    name: str = ""
    unit: str = ""
    kind: str = "real"
    min: float | None = None
    max: float | None = None

    def __attrs_post_init__(self) -> None:
        who = f"field {self.code!r}"
        _raise_first(
            _code_rule(self.code, "field"),
            _name_rule(self.level, "level", who),
            _rollup_rule(self.rollup, who),
            _rollup_weight_rule(self.rollup, self.weight, who),
            _optional_text_rule(self.weight, "weight", who),
            _text_rule(self.name, "name", who),
            _text_rule(self.unit, "unit", who),
            kind_rule(self.kind, who),
            bounds_rule(self.min, self.max, who),
        )


@attrs.frozen(kw_only=True)
class Normalisation:
    """How an indicator is put on a common scale among its peers (100 = best).

    Attributes:
        method: a built-in method (see :data:`NORMALISATION_METHODS`) or a plugin's.
        within: ``"level"`` (peers = all units of the level) or ``"parent"`` (peers = units
            with the same parent).
        lower: goalposts: the value that scores 0 (for higher-is-better).
        upper: goalposts: the value that scores 100 (for higher-is-better).
        target: distance to target: the target value (defaults to the indicator's).
        cap: distance to target: cap scores at 100 (default True).
        rescale: z-score: ``(mean, sd)`` to rescale z to, e.g. ``(50, 10)``; None = raw z.
        range: min-max: ``(l, u)``, the scores of the worst and the best unit (COINr's
            ``l_u``); None = 0-100.
        to: distance: ``"unit"``, ``"mean"`` (the default), ``"best"`` or ``"worst"``.
        units: distance to a unit: the reference unit's code, one per level it is scored on.
        form: percentile: ``"(rank-1)/(n-1)"`` (the default) or ``"rank/n"``; distance:
            ``"ratio"`` (the default) or ``"difference"``.
        percentiles: categorical: the percentiles that bound the categories (default the
            Handbook's 15, 25, 65, 85, 95).
        scores: categorical: the score of each category, one more than ``percentiles``
            (default 0, 20, 40, 60, 80, 100).
        params: further parameters, for plugin methods.
    """

    method: str = "minmax"
    within: str = "level"
    lower: float | None = None
    upper: float | None = None
    target: float | None = None
    cap: bool = True
    rescale: tuple[float, float] | None = None
    range: tuple[float, float] | None = None
    to: str | None = None
    units: tuple[str, ...] = ()
    form: str | None = None
    percentiles: tuple[float, ...] | None = None
    scores: tuple[float, ...] | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        who = f"Normalisation(method={self.method!r})"
        _raise_first(
            _method_rule(self.method, "normalise", who),
            _within_rule(self.within, who),
            _optional_finite_rule(self.lower, "normalise lower", who),
            _optional_finite_rule(self.upper, "normalise upper", who),
            _goalposts_rule(self.method, self.lower, self.upper, who),
            _optional_finite_rule(self.target, "normalise target", who),
            _cap_rule(self.cap, who),
            _rescale_rule(self.rescale, who),
            _options_rule(self.method, self.options(), who),
            _mapping_rule(self.params, "normalise params", who),
        )

    def options(self) -> dict[str, Any]:
        """The options of the newer built-in methods that are set (range, to, units, form,
        percentiles, scores), as keyword arguments of their kernel."""
        keys = ("range", "to", "units", "form", "percentiles", "scores")
        return {k: v for k in keys if (v := getattr(self, k)) not in (None, ())}


@attrs.frozen(kw_only=True)
class Aggregation:
    """How a group combines its children's scores.

    Attributes:
        method: ``arithmetic``, ``geometric``, ``harmonic``, ``generalised`` or a plugin's.
        p: the power of the generalised mean (1 = arithmetic, 0 = geometric, -1 = harmonic).
        params: further parameters, for plugin methods.
    """

    method: str = "arithmetic"
    p: float | None = None
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        who = f"Aggregation(method={self.method!r})"
        _raise_first(
            _method_rule(self.method, "aggregate", who),
            _optional_finite_rule(self.p, "aggregate p", who),
            _generalised_rule(self.method, self.p, who),
            _mapping_rule(self.params, "aggregate params", who),
        )


@attrs.frozen(kw_only=True)
class Indicator:
    """A quantity computed at every level from rolled-up fields, then normalised and weighted.

    Either ``field`` (the field itself) or ``numerator`` and ``denominator`` (a ratio of the
    rolled-up fields, times ``scale``) is given.

    Attributes:
        code: unique among indicators and groups.
        parent: the group it belongs to.
        weight: its weight relative to its siblings (>= 0).
        direction: +1 higher is better, -1 lower is better.
        target: an optional target value (used by ``target`` normalisation and progress).
        bounded: for a ratio, the numerator may not exceed the denominator in any unit where
            both are measured (inspected <= installed); checked in values tables.
        impute: how its missing values are estimated; None: as its parent group says.
        treat: how its outliers are treated; None: as its parent group says.
    """

    code: str
    parent: str
    name: str = ""
    name_hi: str = ""
    field: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    direction: int = 1
    unit: str = ""
    target: float | None = None
    weight: float = 1.0
    normalise: Normalisation = attrs.field(factory=Normalisation)
    bounded: bool = False
    impute: Imputation | None = None
    treat: Treatment | None = None

    def __attrs_post_init__(self) -> None:
        who = f"indicator {self.code!r}"
        norm = self.normalise
        _raise_first(
            _code_rule(self.code, "indicator"),
            _inputs_rule(self.field, self.numerator, self.denominator, who),
            _direction_rule(self.direction, who),
            finite_rule(self.weight, "weight", who) or weight_rule(self.weight, who),
            _text_rule(self.parent, "parent", who),
            finite_rule(self.scale, "scale", who) or _scale_rule(self.scale, who),
            _optional_finite_rule(self.target, "target", who),
            None
            if isinstance(norm, Normalisation)
            else f"normalise must be a Normalisation; got {norm!r} for {who}",
            _target_rule(
                getattr(norm, "method", None), getattr(norm, "target", None), self.target, who
            ),
            _bounded_rule(self.bounded, self.numerator, who),
            _preparation_rule(self.impute, self.treat, who),
            *(
                _optional_text_rule(getattr(self, key), key, who)
                for key in ("name", "name_hi", "field", "numerator", "denominator", "unit")
            ),
        )

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields this indicator reads."""
        if self.field is not None:
            return (self.field,)
        return (str(self.numerator), str(self.denominator))


@attrs.frozen(kw_only=True)
class Group:
    """A node of the indicator tree above the indicators: a scheme, a theme, or the index.

    Attributes:
        code: unique among indicators and groups.
        parent: the parent group; None for the single root (the composite index).
        weight: weight relative to its siblings (>= 0).
        aggregate: how its children are combined.
        min_coverage: share of the children's weight that must be present (0-1); below it the
            group is missing ("insufficient data").
        impute: how the missing values of the indicators under it are estimated, unless they
            or a nearer group say otherwise; None: as its parent says (the root: none).
        treat: how the outliers of the indicators under it are treated, likewise.
        weighting: how its children are weighted: None or ``"manual"`` (their ``weight``),
            ``"equal"``, or ``"pca"`` (from a principal component analysis of the children's
            scores on each level: OECD/JRC Handbook, section 6.1; see ``docs/method.md``).
    """

    code: str
    parent: str | None = None
    name: str = ""
    name_hi: str = ""
    weight: float = 1.0
    aggregate: Aggregation = attrs.field(factory=Aggregation)
    min_coverage: float = 0.5
    impute: Imputation | None = None
    treat: Treatment | None = None
    weighting: str | None = None

    def __attrs_post_init__(self) -> None:
        who = f"group {self.code!r}"
        cov = self.min_coverage
        _raise_first(
            _code_rule(self.code, "group"),
            finite_rule(self.weight, "weight", who) or weight_rule(self.weight, who),
            finite_rule(cov, "min_coverage", who) or coverage_rule(cov, who),
            _optional_text_rule(self.parent, "parent", who),
            _text_rule(self.name, "name", who),
            _text_rule(self.name_hi, "name_hi", who),
            None
            if isinstance(self.aggregate, Aggregation)
            else f"aggregate must be an Aggregation; got {self.aggregate!r} for {who}",
            _preparation_rule(self.impute, self.treat, who),
            _weighting_rule(self.weighting, who),
        )


@attrs.frozen(kw_only=True)
class Bands:
    """Score bands: ``edges`` split 0-100 into ``len(edges) + 1`` labelled bands.

    A score ``s`` falls in band ``i`` where ``i`` is the number of edges ``<= s``.
    """

    edges: tuple[float, ...]
    labels: tuple[str, ...]
    labels_hi: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        _raise_first(
            *(finite_rule(e, "band edge", "bands") for e in self.edges),
            _bands_rule(self.edges, self.labels, self.labels_hi),
        )


#: The SDG India Index bands: Aspirant 0-49, Performer 50-64, Front Runner 65-99, Achiever 100.
DEFAULT_BANDS = Bands(
    edges=(50.0, 65.0, 100.0),
    labels=("Aspirant", "Performer", "Front Runner", "Achiever"),
    labels_hi=("आकांक्षी", "प्रदर्शक", "अग्रणी", "उपलब्धि प्राप्तकर्ता"),
)


class _Located:
    """Where a table or key of the framework's TOML file is, for error messages.

    ``spots`` maps a key path (``("indicator", 2, "normalise")``) to its line and, optionally,
    words for it (``"[weights], key 'pension'"`` when the framework was assembled from an
    overrides file; empty words are derived from the path). A located object for one table
    (:meth:`table`) finds keys under that table's path.
    """

    def __init__(
        self,
        source: str,
        text: str | None = None,
        *,
        data: Mapping[str, Any] | None = None,
        spots: Mapping[KeyPath, tuple[int, str]] | None = None,
        prefix: KeyPath = (),
    ) -> None:
        self.source = source
        self.data = data
        self.prefix = prefix
        # Shared by the tables' located objects; the text is scanned for lines only when an
        # error is raised, so a valid framework loads at the speed it always did.
        self._shared: dict[str, Any] = {"text": text, "spots": spots}

    @property
    def spots(self) -> Mapping[KeyPath, tuple[int, str]]:
        """The line and words of each key path (scanned from the text on first use)."""
        if self._shared["spots"] is None:
            text = self._shared["text"]
            lines = key_lines(text) if text else {}
            self._shared["spots"] = {path: (n, "") for path, n in lines.items()}
        spots: Mapping[KeyPath, tuple[int, str]] = self._shared["spots"]
        return spots

    def table(self, *prefix: str | int) -> _Located:
        """The same file, located at the table ``prefix`` (``("indicator", 2)``)."""
        located = _Located(self.source, data=self.data, prefix=prefix)
        located._shared = self._shared
        return located

    def line(self, key: str) -> int:
        """The line of ``key`` under this table (0 if not known), to order messages."""
        return self.spots.get((*self.prefix, key), (0, ""))[0]

    def _words(self, path: KeyPath, words: str) -> str:
        return words or describe_path(path, self.data)

    def _find(self, code: object) -> KeyPath:
        """The first ``[[field]]``, ``[[indicator]]`` or ``[[group]]`` with this code."""
        for kind in ("field", "indicator", "group"):
            tables = self.data.get(kind) if isinstance(self.data, Mapping) else None
            if isinstance(tables, list):
                for n, table in enumerate(tables):
                    if isinstance(table, Mapping) and table.get("code") == code:
                        return (kind, n)
        return ()

    def at(self, code: object = None, key: str | KeyPath | None = None) -> str:
        """`` (file, line N, [[indicator]] 'x', key 'k')`` for ``key`` under this table (a
        dotted string or a path); `` (file, line N)`` for the table itself (the line of its
        ``code``, else of its header); `` (file)`` where no line is known."""
        prefix = self.prefix or (self._find(code) if code is not None else ())
        keys: KeyPath = tuple(key.split(".")) if isinstance(key, str) else key or ()
        path = (*prefix, *keys)
        for n in range(len(path), len(prefix), -1):
            if (spot := self.spots.get(path[:n])) is not None:
                return f" ({self.source}, line {spot[0]}, {self._words(path[:n], spot[1])})"
        if prefix and (spot := self.spots.get((*prefix, "code"))) is not None:
            return f" ({self.source}, line {spot[0]})"
        if prefix and (spot := self.spots.get(prefix)) is not None:
            return f" ({self.source}, line {spot[0]}, {self._words(prefix, spot[1])})"
        return f" ({self.source})"


def _fail(
    msg: str, where: _Located, code: object = None, key: str | KeyPath | None = None
) -> FrameworkError:
    return FrameworkError(msg + where.at(code, key))


def _check(
    problem: str | None, where: _Located, code: object = None, key: str | KeyPath | None = None
) -> None:
    """Raise a rule's problem, if any, with the file and the line of ``key`` (or of the table)."""
    if problem is not None:
        raise _fail(problem, where, code, key)


def _suggest(unknown: Sequence[object], allowed: Iterable[object]) -> str:
    """ "; did you mean 'x'?" for the first unknown name (naming it if there are several)."""
    hint = did_you_mean(unknown[0], allowed) if unknown else ""
    if hint and len(unknown) > 1:
        return f"{hint[:-1]} for {unknown[0]!r}?"
    return hint


_FIELD_KEYS = {"code", "level", "rollup", "weight", "name", "unit", "kind", "min", "max"}
_INDICATOR_KEYS = {
    "code",
    "parent",
    "name",
    "name_hi",
    "field",
    "numerator",
    "denominator",
    "scale",
    "direction",
    "unit",
    "target",
    "weight",
    "normalise",
    "bounded",
    "impute",
    "treat",
}
_GROUP_KEYS = {
    "code",
    "parent",
    "name",
    "name_hi",
    "weight",
    "aggregate",
    "min_coverage",
    "impute",
    "treat",
    "weighting",
}
_NORMALISE_KEYS = {
    "method",
    "within",
    "lower",
    "upper",
    "target",
    "cap",
    "rescale",
    "range",
    "to",
    "units",
    "form",
    "percentiles",
    "scores",
}
_AGGREGATE_KEYS = {"method", "p"}
_TOP_KEYS = {
    "levels",
    "field",
    "indicator",
    "group",
    "bands",
    "name",
    "name_hi",
    "screen",
    "uncertainty",
}


def _number(value: object, key: str, code: object, where: _Located, at: str | None = None) -> float:
    """``value`` as a float, if it is a finite number (not a boolean); else an error at the
    line of ``at`` (by default ``key`` with its words as a dotted path: ``normalise lower``)."""
    _check(finite_rule(value, key, repr(code)), where, code, at or key.replace(" ", "."))
    assert isinstance(value, int | float)
    return float(value)


def _optional_number(value: object, key: str, code: object, where: _Located) -> float | None:
    return None if value is None else _number(value, key, code, where)


def _text(value: object, key: str, code: object, where: _Located) -> str:
    _check(_text_rule(value, key, repr(code)), where, code, key.replace(" ", "."))
    assert isinstance(value, str)
    return value


def _check_keys(
    table: Mapping[str, Any],
    allowed: Collection[str],
    what: str,
    where: _Located,
    code: object = None,
    at: KeyPath = (),
) -> None:
    """Refuse keys of ``table`` (at path ``at`` under ``where``'s table) not in ``allowed``,
    naming the first in the file and the closest allowed key."""
    code = table.get("code") if code is None else code
    unknown = sorted(
        (k for k in table if k not in allowed), key=lambda k: (where.line(str(k)), str(k))
    )
    if unknown:
        raise _fail(
            f"{what} keys must be among {sorted(allowed)!r}; got unknown {unknown!r} for {code!r}"
            + _suggest(unknown, allowed),
            where,
            code,
            (*at, str(unknown[0])),
        )


def _preparation(raw: Mapping[str, Any], code: str, where: _Located) -> dict[str, Any]:
    """The ``impute`` and ``treat`` records of an indicator's or group's table (None where
    absent), an error located at the key at fault."""
    out: dict[str, Any] = {}
    for key, parse in (("impute", imputation_from), ("treat", treatment_from)):
        value = raw.get(key)
        try:
            out[key] = None if value is None else parse(value, repr(code))
        except PreparationError as exc:
            at = key if isinstance(value, str) or not exc.key else f"{key}.{exc.key}"
            raise _fail(str(exc), where, code, at) from None
    return out


def _code(table: Mapping[str, Any], what: str, where: _Located) -> str:
    code = table.get("code")
    _check(_code_rule(code, what), where, code, "code")
    assert isinstance(code, str)
    return code


def _normalisation(
    raw: object, code: str, where: _Located, methods: Collection[str]
) -> Normalisation:
    if raw is None:
        return Normalisation()
    if isinstance(raw, str):
        raw = {"method": raw}
    if not isinstance(raw, Mapping):
        raise _fail(
            f"normalise must be a table or a method name; got {raw!r} for {code!r}",
            where,
            code,
            "normalise",
        )
    method = raw.get("method", "minmax")
    _check(_method_rule(method, "normalise", repr(code)), where, code, "normalise.method")
    if method not in methods:
        raise _fail(
            f"normalise method must be one of {sorted(methods)!r}; got {method!r} for {code!r}"
            + did_you_mean(method, methods),
            where,
            code,
            "normalise.method",
        )
    builtin = method in NORMALISATION_METHODS
    if builtin:
        _check_keys(raw, _NORMALISE_KEYS, "normalise", where, code, ("normalise",))
    within = raw.get("within", "level")
    _check(_within_rule(within, repr(code)), where, code, "normalise.within")
    lower = _optional_number(raw.get("lower"), "normalise lower", code, where)
    upper = _optional_number(raw.get("upper"), "normalise upper", code, where)
    _check(_goalposts_rule(method, lower, upper, repr(code)), where, code, "normalise")
    cap = raw.get("cap", True)
    _check(_cap_rule(cap, repr(code)), where, code, "normalise.cap")
    rescale_raw = raw.get("rescale")
    rescale: tuple[float, float] | None = None
    if rescale_raw is not None:
        at = "normalise.rescale"
        if not isinstance(rescale_raw, list) or len(rescale_raw) != 2:
            raise _fail(
                f"zscore rescale must be [mean, sd]; got {rescale_raw!r} for {code!r}",
                where,
                code,
                at,
            )
        mean = _number(rescale_raw[0], "rescale mean", code, where, at)
        sd = _number(rescale_raw[1], "rescale sd", code, where, at)
        _check(_rescale_sd_rule(sd, repr(code)), where, code, at)
        rescale = (mean, sd)
    options = _normalise_options(raw, code, where) if builtin else {}
    _check(_options_rule(method, options, repr(code)), where, code, _options_key(options))
    params = {} if builtin else {k: v for k, v in raw.items() if k not in _NORMALISE_KEYS}
    return Normalisation(
        method=method,
        within=within,
        lower=lower,
        upper=upper,
        target=_optional_number(raw.get("target"), "normalise target", code, where),
        cap=cap,
        rescale=rescale,
        params=params,
        **options,
    )


def _normalise_options(raw: Mapping[str, Any], code: str, where: _Located) -> dict[str, Any]:
    """The newer methods' options of a normalise table, typed (lists as tuples); a list of
    anything but numbers (or codes, for ``units``) is an error at its key."""
    out: dict[str, Any] = {}
    for key in ("range", "percentiles", "scores"):
        value = raw.get(key)
        if value is None:
            continue
        at = f"normalise.{key}"
        if not isinstance(value, list | tuple):
            raise _fail(
                f"normalise {key} must be a list of numbers; got {value!r} for {code!r}",
                where,
                code,
                at,
            )
        out[key] = tuple(_number(v, f"normalise {key}", code, where, at) for v in value)
    for key in ("to", "form"):
        if (value := raw.get(key)) is not None:
            _check(
                _text_rule(value, f"normalise {key}", repr(code)), where, code, f"normalise.{key}"
            )
            out[key] = value
    units = raw.get("units")
    if units is not None:
        units = [units] if isinstance(units, str) else units
        if not isinstance(units, list | tuple) or not all(isinstance(u, str) and u for u in units):
            raise _fail(
                f"normalise units must be a unit code or a list of them; got {raw['units']!r} "
                f"for {code!r}",
                where,
                code,
                "normalise.units",
            )
        out["units"] = tuple(units)
    return out


def _options_key(options: Mapping[str, Any]) -> str:
    """The key an options problem is reported at: the first option given, else the method."""
    return "normalise." + next(iter(options), "method")


def _aggregation(raw: object, code: str, where: _Located, methods: Collection[str]) -> Aggregation:
    if raw is None:
        return Aggregation()
    if isinstance(raw, str):
        raw = {"method": raw}
    if not isinstance(raw, Mapping):
        raise _fail(
            f"aggregate must be a table or a method name; got {raw!r} for {code!r}",
            where,
            code,
            "aggregate",
        )
    method = raw.get("method", "arithmetic")
    _check(_method_rule(method, "aggregate", repr(code)), where, code, "aggregate.method")
    if method not in methods:
        raise _fail(
            f"aggregate method must be one of {sorted(methods)!r}; got {method!r} for {code!r}"
            + did_you_mean(method, methods),
            where,
            code,
            "aggregate.method",
        )
    builtin = method in AGGREGATION_METHODS
    if builtin:
        _check_keys(raw, _AGGREGATE_KEYS, "aggregate", where, code, ("aggregate",))
    p = _optional_number(raw.get("p"), "aggregate p", code, where)
    _check(_generalised_rule(method, p, repr(code)), where, code, "aggregate")
    params = {} if builtin else {k: v for k, v in raw.items() if k not in _AGGREGATE_KEYS}
    return Aggregation(method=method, p=p, params=params)


def _parse_field(raw: Mapping[str, Any], levels: Sequence[str], where: _Located) -> Field:
    code = _code(raw, "field", where)
    _check_keys(raw, _FIELD_KEYS, "field", where)
    level = raw.get("level")
    _check(_field_level_rule(level, levels, code), where, code, "level")
    rollup = raw.get("rollup", "sum")
    _check(_rollup_rule(rollup, f"field {code!r}"), where, code, "rollup")
    weight = raw.get("weight")
    _check(_rollup_weight_rule(rollup, weight, f"field {code!r}"), where, code, "weight")
    kind = raw.get("kind", "real")
    _check(kind_rule(kind, f"field {code!r}"), where, code, "kind")
    low, high = raw.get("min"), raw.get("max")
    problem = bounds_rule(low, high, f"field {code!r}")
    _check(problem, where, code, "max" if problem and problem.startswith("max") else "min")
    return Field(
        code=code,
        level=str(level),
        rollup=rollup,
        weight=None if weight is None else _text(weight, "weight", code, where),
        name=_text(raw.get("name", ""), "name", code, where),
        unit=_text(raw.get("unit", ""), "unit", code, where),
        kind=kind,
        min=None if low is None else float(low),
        max=None if high is None else float(high),
    )


def _parse_indicator(
    raw: Mapping[str, Any], where: _Located, methods: Collection[str]
) -> Indicator:
    code = _code(raw, "indicator", where)
    _check_keys(raw, _INDICATOR_KEYS, "indicator", where)
    field = raw.get("field")
    num, den = raw.get("numerator"), raw.get("denominator")
    _check(_inputs_rule(field, num, den, repr(code)), where, code)
    direction = raw.get("direction", 1)
    _check(_direction_rule(direction, repr(code)), where, code, "direction")
    weight = _number(raw.get("weight", 1.0), "weight", code, where)
    _check(weight_rule(weight, f"indicator {code!r}"), where, code, "weight")
    parent = raw.get("parent")
    if not isinstance(parent, str):
        raise _fail(
            f"an indicator needs a parent group; got {parent!r} for {code!r}", where, code, "parent"
        )
    scale = _number(raw.get("scale", 1.0), "scale", code, where)
    _check(_scale_rule(scale, repr(code)), where, code, "scale")
    target = _optional_number(raw.get("target"), "target", code, where)
    norm = _normalisation(raw.get("normalise"), code, where, methods)
    _check(_target_rule(norm.method, norm.target, target, repr(code)), where, code, "target")
    bounded = raw.get("bounded", False)
    _check(_bounded_rule(bounded, num, f"indicator {code!r}"), where, code, "bounded")
    return Indicator(
        code=code,
        parent=parent,
        name=_text(raw.get("name", code), "name", code, where),
        name_hi=_text(raw.get("name_hi", ""), "name_hi", code, where),
        field=None if field is None else _text(field, "field", code, where),
        numerator=None if num is None else _text(num, "numerator", code, where),
        denominator=None if den is None else _text(den, "denominator", code, where),
        scale=scale,
        direction=int(direction),
        unit=_text(raw.get("unit", ""), "unit", code, where),
        target=target,
        weight=weight,
        normalise=norm,
        bounded=bounded,
        **_preparation(raw, code, where),
    )


def _parse_group(raw: Mapping[str, Any], where: _Located, methods: Collection[str]) -> Group:
    code = _code(raw, "group", where)
    _check_keys(raw, _GROUP_KEYS, "group", where)
    weight = _number(raw.get("weight", 1.0), "weight", code, where)
    _check(weight_rule(weight, f"group {code!r}"), where, code, "weight")
    cov = _number(raw.get("min_coverage", 0.5), "min_coverage", code, where)
    _check(coverage_rule(cov, repr(code)), where, code, "min_coverage")
    parent = raw.get("parent")
    weighting = raw.get("weighting")
    _check(_weighting_rule(weighting, repr(code)), where, code, "weighting")
    return Group(
        code=code,
        weighting=weighting,
        parent=None if parent is None else _text(parent, "parent", code, where),
        name=_text(raw.get("name", code), "name", code, where),
        name_hi=_text(raw.get("name_hi", ""), "name_hi", code, where),
        weight=weight,
        aggregate=_aggregation(raw.get("aggregate"), code, where, methods),
        min_coverage=cov,
        **_preparation(raw, code, where),
    )


def _parse_bands(raw: object, where: _Located) -> Bands:
    if raw is None:
        return DEFAULT_BANDS
    if not isinstance(raw, Mapping):
        raise _fail(f"bands must be a table ([bands]); got {raw!r}", where, key="bands")
    where = where.table("bands")
    _check_keys(raw, {"edges", "labels", "labels_hi"}, "bands", where, "bands")
    for key in ("edges", "labels", "labels_hi"):
        if not isinstance(raw.get(key, []), (list, tuple)):
            raise _fail(f"bands {key} must be a list; got {raw[key]!r}", where, key=key)
    edges = tuple(
        _number(e, "band edge", "bands", where, f"edges.{n}")
        for n, e in enumerate(raw.get("edges", []))
    )
    labels, labels_hi = (
        tuple(
            _text(x, f"band {key}", "bands", where.table("bands", key, n))
            for n, x in enumerate(raw.get(key, []))
        )
        for key in ("labels", "labels_hi")
    )
    problem = _bands_rule(edges, labels, labels_hi)
    key = "edges" if problem and problem.startswith("band edges") else "labels"
    _check(problem, where, key="labels_hi" if problem and "labels_hi" in problem else key)
    return Bands(edges=edges, labels=labels, labels_hi=labels_hi)


def _tables(data: Mapping[str, Any], key: str, where: _Located) -> list[Mapping[str, Any]]:
    """The ``[[key]]`` tables of ``data`` (none if absent), checked to be a list of tables."""
    items = data.get(key, [])
    if not isinstance(items, list):
        raise _fail(f"{key} must be an array of tables ([[{key}]]); got {items!r}", where, key=key)
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _fail(
                f"{key} must be an array of tables ([[{key}]]); got {item!r} as item {n + 1}",
                where,
                key=(key, n),
            )
    return items


def _parsed(
    data: Mapping[str, Any],
    kind: str,
    where: _Located,
    parse: Callable[[Mapping[str, Any], _Located], _Record],
) -> list[_Record]:
    """Each ``[[kind]]`` table parsed, located at its own table; a record's own check that the
    parser did not make first still gets the file and line."""
    records = []
    for n, raw in enumerate(_tables(data, kind, where)):
        here = where.table(kind, n)
        try:
            records.append(parse(raw, here))
        except FrameworkError as exc:
            if f"({where.source}" in str(exc):
                raise
            raise _fail(str(exc), here) from None
    return records


@attrs.frozen
class Framework:
    """The indicator tree with its fields, levels and bands.

    Attributes:
        levels: the unit levels, top first.
        fields: the raw fields, by code.
        indicators: the indicators, by code, in declaration order.
        groups: the groups, by code, in declaration order.
        bands: the score bands.
        name: an optional display name of the index.
        source: where it was loaded from, for messages.
        screen: units with too little data are left out before normalisation; None: none.
    """

    levels: tuple[str, ...]
    fields: Mapping[str, Field]
    indicators: Mapping[str, Indicator]
    groups: Mapping[str, Group]
    bands: Bands = DEFAULT_BANDS
    name: str = "e-Governance index"
    name_hi: str = "ई-गवर्नेंस सूचकांक"
    source: str = attrs.field(default="<framework>", eq=False)
    screen: Screening | None = None
    #: The ``[uncertainty]`` table, for an uncertainty analysis; it changes no score, so it is
    #: left out of comparisons, :meth:`to_dict` and the digest.
    uncertainty: Uncertainty | None = attrs.field(default=None, eq=False)

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def from_toml(
        cls,
        path: str | os.PathLike[str],
        *,
        normalisers: Iterable[str] = (),
        aggregators: Iterable[str] = (),
    ) -> Framework:
        """Load a framework from a TOML file (schema in ``docs/framework.md``).

        Args:
            path: the TOML file.
            normalisers: names of extra normalisation methods (from plugins) to accept.
            aggregators: names of extra aggregation methods (from plugins) to accept.

        Raises:
            FrameworkError: the file is absent, not UTF-8, empty or not TOML, or breaks a rule;
                the message names the file, the line, the code, key and value.
        """
        data, text = read_toml(path, "framework file")
        return cls.from_dict(
            data, source=str(path), text=text, normalisers=normalisers, aggregators=aggregators
        )

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "<framework>",
        text: str | None = None,
        lines: Mapping[KeyPath, tuple[int, str]] | None = None,
        normalisers: Iterable[str] = (),
        aggregators: Iterable[str] = (),
    ) -> Framework:
        """Build a framework from a mapping shaped like the TOML file.

        Args:
            data: the mapping.
            source: the file it came from, for messages.
            text: the TOML text it was read from, to name the line of an error.
            lines: instead of ``text``: the line and words of each key path, for a mapping
                assembled from another file (an overrides file: ``(5, "[weights], key 'x'")``
                for ``("group", 1, "weight")``).
            normalisers: names of extra normalisation methods (from plugins) to accept.
            aggregators: names of extra aggregation methods (from plugins) to accept.

        Raises:
            FrameworkError: as :meth:`from_toml`.
        """
        if not isinstance(data, Mapping):
            raise FrameworkError(f"a framework must be a mapping of keys; got {data!r} ({source})")
        where = _Located(source, text, data=data, spots=lines)
        unknown = sorted(
            (k for k in data if k not in _TOP_KEYS), key=lambda k: (where.line(str(k)), str(k))
        )
        if unknown:
            raise _fail(
                f"top-level keys must be among {sorted(_TOP_KEYS)!r}; got {unknown!r}"
                + _suggest(unknown, _TOP_KEYS),
                where,
                key=(str(unknown[0]),),
            )
        levels = data.get("levels")
        _check(_levels_rule(levels), where, key="levels")
        assert isinstance(levels, list)
        norm_methods = set(NORMALISATION_METHODS) | set(normalisers)
        agg_methods = set(AGGREGATION_METHODS) | set(aggregators)
        fields = _parsed(data, "field", where, lambda t, w: _parse_field(t, levels, w))
        indicators = _parsed(
            data, "indicator", where, lambda t, w: _parse_indicator(t, w, norm_methods)
        )
        groups = _parsed(data, "group", where, lambda t, w: _parse_group(t, w, agg_methods))
        bands = _parse_bands(data.get("bands"), where)
        name = data.get("name", "e-Governance index")
        name_hi = data.get("name_hi", "ई-गवर्नेंस सूचकांक")
        _check(_text_rule(name, "name", "the framework"), where, key="name")
        _check(_text_rule(name_hi, "name_hi", "the framework"), where, key="name_hi")
        screen = None
        if "screen" in data:
            try:
                screen = screening_from(data["screen"])
            except PreparationError as exc:
                raise _fail(
                    str(exc), where, key=("screen", exc.key) if exc.key else "screen"
                ) from None
        uncertainty = None
        if "uncertainty" in data:
            uncertainty = uncertainty_from(
                data["uncertainty"],
                source=source,
                text=text,
                lines=None if lines is None else {p: n for p, (n, _) in lines.items()},
                data=data,
                normalisers=norm_methods,
                aggregators=agg_methods,
            )
        # The tree's rules here, with the file and line; the constructor checks them again.
        _validate(fields, indicators, groups, where)
        return cls(
            levels=tuple(levels),
            fields={f.code: f for f in fields},
            indicators={i.code: i for i in indicators},
            groups={g.code: g for g in groups},
            bands=bands,
            name=name,
            name_hi=name_hi,
            source=source,
            screen=screen,
            uncertainty=uncertainty,
        )

    def __attrs_post_init__(self) -> None:
        """Check a directly constructed framework by the rules :meth:`from_dict` applies."""
        where = _Located(self.source, None)
        _check(_levels_rule(self.levels, tuple), where)
        tables: tuple[tuple[str, Mapping[str, Any], type], ...] = (
            ("field", self.fields, Field),
            ("indicator", self.indicators, Indicator),
            ("group", self.groups, Group),
        )
        for what, table, kind in tables:
            for key, record in table.items():
                if not isinstance(record, kind):
                    raise _fail(
                        f"{what}s must hold {kind.__name__} records; got {record!r} for {key!r}",
                        where,
                    )
                code = getattr(record, "code", None)
                if code != key:
                    raise _fail(
                        f"{what}s must be keyed by their code; got key {key!r} for {what} {code!r}",
                        where,
                    )
        for f in self.fields.values():
            _check(_field_level_rule(f.level, self.levels, f.code), where)
        if not isinstance(self.bands, Bands):
            raise _fail(f"bands must be a Bands record; got {self.bands!r}", where)
        _check(_text_rule(self.name, "name", "the framework"), where)
        _check(_text_rule(self.name_hi, "name_hi", "the framework"), where)
        if self.screen is not None and not isinstance(self.screen, Screening):
            raise _fail(f"screen must be a Screening record or None; got {self.screen!r}", where)
        if self.uncertainty is not None and not isinstance(self.uncertainty, Uncertainty):
            raise _fail(
                f"uncertainty must be an Uncertainty record or None; got {self.uncertainty!r}",
                where,
            )
        _validate(
            list(self.fields.values()),
            list(self.indicators.values()),
            list(self.groups.values()),
            where,
        )

    # -- the tree -------------------------------------------------------------------------------

    @property
    def root(self) -> str:
        """The code of the root group (the composite index)."""
        return next(g.code for g in self.groups.values() if g.parent is None)

    def children(self, group: str) -> tuple[str, ...]:
        """Codes of the indicators and groups directly under ``group``, in declaration order."""
        return _children(self.indicators.values(), self.groups.values(), group)

    def weight(self, code: str) -> float:
        """The weight of an indicator or group relative to its siblings."""
        node = self.indicators.get(code) or self.groups[code]
        return node.weight

    def groups_bottom_up(self) -> tuple[str, ...]:
        """Group codes ordered so that every group comes after all its descendant groups."""
        depth = {g: self.group_depth(g) for g in self.groups}
        return tuple(sorted(self.groups, key=lambda g: -depth[g]))

    def group_depth(self, code: str) -> int:
        """How many groups lie above group ``code`` in the group tree (0 for the root)."""
        n = 0
        parent = self.groups[code].parent
        while parent is not None:
            n += 1
            parent = self.groups[parent].parent
        return n

    def indicator_depth(self, code: str) -> int:
        """The deepest level (0 = top) at which an indicator can be computed."""
        ind = self.indicators[code]
        return min(self.levels.index(self.fields[f].level) for f in ind.fields)

    def imputation(self, code: str) -> Imputation:
        """How indicator ``code``'s missing values are estimated: its own ``impute``, else its
        nearest group's, else none."""
        return self._prepared(code, "impute") or Imputation()

    def treatment(self, code: str) -> Treatment:
        """How indicator ``code``'s outliers are treated: its own ``treat``, else its nearest
        group's, else none."""
        return self._prepared(code, "treat") or Treatment()

    def _prepared(self, code: str, key: str) -> Any:
        node: Indicator | Group | None = self.indicators[code]
        while node is not None:
            if (spec := getattr(node, key)) is not None:
                return spec
            node = None if node.parent is None else self.groups[node.parent]
        return None

    @functools.cached_property
    def prepares(self) -> bool:
        """Whether any indicator is imputed or treated, or units are screened."""
        return self.screen is not None or any(
            self.imputation(c).method != "none" or self.treatment(c).method != "none"
            for c in self.indicators
        )

    def to_dict(self) -> dict[str, Any]:
        """The framework as plain data, shaped like the TOML file."""

        def strip(d: dict[str, Any]) -> dict[str, Any]:
            # Unset keys are left out at every depth (a normalise table too), so that
            # from_dict reads the result back.
            return {
                k: strip(v) if isinstance(v, dict) else v
                for k, v in d.items()
                if v not in (None, {}, ())
            }

        def clean(obj: Any) -> Any:
            out = strip(attrs.asdict(obj, recurse=True))
            if "lam" in out.get("treat", {}):  # the TOML key of Treatment.lam
                out["treat"]["lambda"] = out["treat"].pop("lam")
            return out

        screen = {} if self.screen is None else {"screen": attrs.asdict(self.screen)}
        return {
            "name": self.name,
            "name_hi": self.name_hi,
            "levels": list(self.levels),
            "field": [clean(f) for f in self.fields.values()],
            "indicator": [clean(i) for i in self.indicators.values()],
            "group": [clean(g) for g in self.groups.values()],
            "bands": clean(self.bands),
            **screen,
        }

    @functools.cached_property
    def _digest(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=list)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def digest(self) -> str:
        """A SHA-256 digest of the framework's content, for provenance (computed once: a
        framework is immutable)."""
        return self._digest


def _children(
    indicators: Iterable[Indicator], groups: Iterable[Group], group: str
) -> tuple[str, ...]:
    kids = [i.code for i in indicators if i.parent == group]
    kids += [g.code for g in groups if g.parent == group]
    return tuple(kids)


def _validate(
    fields: list[Field],
    indicators: list[Indicator],
    groups: list[Group],
    where: _Located,
) -> None:
    """The rules of the tree: unique codes, references that resolve, one root, no cycle, no
    empty group. ``fields``, ``indicators`` and ``groups`` are in the order of their tables,
    so an error names the line of the table (or key) at fault."""
    fw_fields = {f.code: f for f in fields}
    fw_groups = {g.code: g for g in groups}
    nodes = [("indicator", n, i.code) for n, i in enumerate(indicators)]
    nodes += [("group", n, g.code) for n, g in enumerate(groups)]

    def second(entries: list[tuple[str, int, str]]) -> tuple[str, int, str] | None:
        seen: set[str] = set()
        return next((e for e in entries if e[2] in seen or seen.add(e[2])), None)  # type: ignore[func-returns-value]

    dupes = [("field", second([("field", n, f.code) for n, f in enumerate(fields)]))]
    dupes.append(("indicator and group", second(nodes)))
    for what, dupe in dupes:
        if dupe is not None:
            raise _fail(
                f"{what} codes must be unique; got {dupe[2]!r} twice",
                where.table(dupe[0], dupe[1]),
                key="code",
            )
    bad = next((e for e in nodes if e[2] in RESERVED_CODES), None) or next(
        (e for e in nodes if e[2].endswith("_norm")), None
    )
    if bad is not None:
        raise _fail(
            f"indicator and group codes must not be an output column name "
            f"({sorted(RESERVED_CODES)!r}) nor end in '_norm'; got {bad[2]!r}",
            where.table(bad[0], bad[1]),
            key="code",
        )
    for n, f in enumerate(fields):
        if f.weight is not None:
            w = fw_fields.get(f.weight)
            if w is None:
                raise _fail(
                    f"weight must name a declared field; got {f.weight!r} for field {f.code!r}"
                    + did_you_mean(f.weight, fw_fields),
                    where.table("field", n),
                    key="weight",
                )
            if w.level != f.level:
                raise _fail(
                    f"a weighting field must be measured on the same level; field {f.code!r} is "
                    f"on {f.level!r}, its weight {w.code!r} on {w.level!r}",
                    where.table("field", n),
                    key="weight",
                )
    for n, ind in enumerate(indicators):
        for key, fcode in (
            ("field", ind.field),
            ("numerator", ind.numerator),
            ("denominator", ind.denominator),
        ):
            if fcode is not None and fcode not in fw_fields:
                raise _fail(
                    f"{key} must name a declared field; got {fcode!r} for indicator {ind.code!r}"
                    + did_you_mean(fcode, fw_fields),
                    where.table("indicator", n),
                    key=key,
                )
        if ind.parent not in fw_groups:
            raise _fail(
                f"parent must name a group; got {ind.parent!r} for indicator {ind.code!r}"
                + did_you_mean(ind.parent, fw_groups),
                where.table("indicator", n),
                key="parent",
            )
    roots = [(n, g.code) for n, g in enumerate(groups) if g.parent is None]
    if len(roots) != 1:
        raise _fail(
            f"the framework must have exactly one root group (no parent); got "
            f"{[code for _, code in roots]!r}",
            where.table("group", roots[1][0]) if roots else where,
        )
    for n, g in enumerate(groups):
        if g.parent is not None and g.parent not in fw_groups:
            raise _fail(
                f"parent must name a group; got {g.parent!r} for group {g.code!r}"
                + did_you_mean(g.parent, fw_groups),
                where.table("group", n),
                key="parent",
            )
    for n, g in enumerate(groups):  # a chain longer than the number of groups must loop
        seen = [g.code]
        parent = g.parent
        while parent is not None:
            if parent in seen:
                raise _fail(
                    f"groups must form a tree; got a cycle {' -> '.join([*seen, parent])!r}",
                    where.table("group", n),
                    key="parent",
                )
            seen.append(parent)
            parent = fw_groups[parent].parent
    weights = {i.code: i.weight for i in indicators} | {g.code: g.weight for g in groups}
    for n, g in enumerate(groups):
        kids = _children(indicators, groups, g.code)
        if not kids:
            raise _fail(
                f"a group needs at least one child; got none for {g.code!r}",
                where.table("group", n),
            )
        if not any(weights[k] > 0 for k in kids):
            # Every child weighted 0 leaves the group's mean undefined for every unit; found
            # here, not reported as "too little data" at scoring time.
            raise _fail(
                f"a group needs a child with a weight > 0; got weight 0 for every child of "
                f"{g.code!r} ({', '.join(repr(k) for k in kids)})",
                where.table("group", n),
            )
