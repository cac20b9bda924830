"""Data preparation declared in the framework: imputation, outlier treatment and screening.

:class:`Imputation` and :class:`Treatment` are set on an indicator or on a group (and then
hold for every indicator under it that sets none of its own); :class:`Screening` is one
``[screen]`` table for the framework. Each record checks itself; :func:`imputation_from`,
:func:`treatment_from` and :func:`screening_from` read the TOML forms and raise
:class:`PreparationError` naming the key at fault, which the framework loader locates in the
file. The steps are run by the engine (``docs/analysis.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from egov_score.exceptions import FrameworkError
from egov_score.io.toml import did_you_mean
from egov_score.model.plausibility import is_finite_number

__all__ = [
    "IMPUTATION_METHODS",
    "TREATMENT_METHODS",
    "Imputation",
    "PreparationError",
    "Screening",
    "Treatment",
    "imputation_from",
    "screening_from",
    "treatment_from",
]

#: Imputation methods (``none`` is the default).
IMPUTATION_METHODS = ("none", "mean", "median", "locf")
#: Outlier treatments (``none`` is the default; ``coinr`` is COINr's default rule).
TREATMENT_METHODS = ("none", "coinr", "trim", "log", "boxcox")

_IMPUTE_KEYS = frozenset({"method", "within", "max_age"})
_TREAT_KEYS = frozenset(
    {"method", "within", "winmax", "skew", "kurtosis", "lower", "upper", "lambda"}
)
_SCREEN_KEYS = frozenset({"min_share", "per_group"})


class PreparationError(FrameworkError):
    """A preparation table breaks a rule; ``key`` is the key at fault ("" for the table)."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.key = key


def _choice(value: object, allowed: tuple[str, ...], key: str, who: str) -> str | None:
    if value not in allowed:
        return f"{key} must be one of {list(allowed)!r}; got {value!r} for {who}"
    return None


def _number(value: object, key: str, who: str) -> str | None:
    if not is_finite_number(value):
        return f"{key} must be a finite number; got {value!r} for {who}"
    return None


def _whole(value: object, key: str, who: str, least: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        return f"{key} must be a whole number >= {least}; got {value!r} for {who}"
    return None


def _raise(problems: list[tuple[str | None, str]]) -> None:
    for problem, key in problems:
        if problem is not None:
            raise PreparationError(problem, key)


@attrs.frozen(kw_only=True)
class Imputation:
    """How an indicator's missing values are estimated before normalisation.

    Attributes:
        method: ``none``; ``mean`` or ``median`` of the peers' present values (COINr
            ``i_mean``/``i_median``; with ``within = "parent"``, ``i_mean_grp``); ``locf``:
            the unit's last value in an earlier period of the panel scored.
        within: the peers: ``"level"`` (every unit of the level in the period) or
            ``"parent"`` (the units sharing the unit's parent).
        max_age: ``locf``: how many months old a carried value may be (required).
    """

    method: str = "none"
    within: str = "level"
    max_age: int | None = None

    def __attrs_post_init__(self) -> None:
        who = f"Imputation(method={self.method!r})"
        _raise(
            [
                (_choice(self.method, IMPUTATION_METHODS, "impute method", who), "method"),
                (_choice(self.within, ("level", "parent"), "impute within", who), "within"),
                (
                    None
                    if (self.method == "locf") == (self.max_age is not None)
                    else f"impute max_age goes with method 'locf' and only with it; got "
                    f"max_age={self.max_age!r} for {who}",
                    "max_age",
                ),
                (
                    None
                    if self.max_age is None
                    else _whole(self.max_age, "impute max_age", who, 1),
                    "max_age",
                ),
            ]
        )


@attrs.frozen(kw_only=True)
class Treatment:
    """How an indicator's outliers are treated before normalisation.

    Attributes:
        method: ``none``; ``coinr`` (COINr's default: treat where |skewness| >= ``skew`` and
            kurtosis >= ``kurtosis``, winsorising up to ``winmax`` points, else ``log_CT``);
            ``trim`` (values beyond the ``lower`` and ``upper`` quantiles set to them);
            ``log`` (COINr's ``log_CT``); ``boxcox`` (COINr's ``boxcox`` with ``lambda``).
        within: the peers whose distribution is examined: ``"level"`` or ``"parent"``.
        winmax: ``coinr``: the most points winsorised.
        skew: ``coinr``: the |skewness| threshold.
        kurtosis: ``coinr``: the kurtosis threshold.
        lower: ``trim``: the lower quantile (0-1).
        upper: ``trim``: the upper quantile (0-1).
        lam: ``boxcox``: the power lambda (0 = log); ``lambda`` in TOML.
    """

    method: str = "none"
    within: str = "level"
    winmax: int = 5
    skew: float = 2.0
    kurtosis: float = 3.5
    lower: float = 0.05
    upper: float = 0.95
    lam: float = 0.0

    def __attrs_post_init__(self) -> None:
        who = f"Treatment(method={self.method!r})"
        quantiles = None
        if not (0 <= self.lower < self.upper <= 1):
            quantiles = (
                f"treat lower and upper must satisfy 0 <= lower < upper <= 1; got "
                f"lower={self.lower!r}, upper={self.upper!r} for {who}"
            )
        _raise(
            [
                (_choice(self.method, TREATMENT_METHODS, "treat method", who), "method"),
                (_choice(self.within, ("level", "parent"), "treat within", who), "within"),
                (_whole(self.winmax, "treat winmax", who, 0), "winmax"),
                (_number(self.skew, "treat skew", who), "skew"),
                (_number(self.kurtosis, "treat kurtosis", who), "kurtosis"),
                (_number(self.lower, "treat lower", who), "lower"),
                (_number(self.upper, "treat upper", who), "upper"),
                (_number(self.lam, "treat lambda", who), "lambda"),
                (quantiles, "lower"),
            ]
        )


@attrs.frozen(kw_only=True)
class Screening:
    """Units with too little data left out before normalisation (COINr ``Screen``, ``byNA``).

    Attributes:
        min_share: the least share (0-1) of a level's indicators a unit must have reported
            (before imputation) to be scored.
        per_group: the share must hold within every group measured on the level too.
    """

    min_share: float
    per_group: bool = False

    def __attrs_post_init__(self) -> None:
        who = "[screen]"
        share = None
        if is_finite_number(self.min_share) and not 0 <= self.min_share <= 1:
            share = f"screen min_share must be in [0, 1]; got {self.min_share!r} for {who}"
        _raise(
            [
                (_number(self.min_share, "screen min_share", who), "min_share"),
                (share, "min_share"),
                (
                    None
                    if isinstance(self.per_group, bool)
                    else f"screen per_group must be true or false; got {self.per_group!r}",
                    "per_group",
                ),
            ]
        )


def _table(raw: object, key: str, who: str, allowed: frozenset[str]) -> Mapping[str, Any]:
    if isinstance(raw, str):
        return {"method": raw}
    if not isinstance(raw, Mapping):
        raise PreparationError(f"{key} must be a table or a method name; got {raw!r} for {who}")
    unknown = sorted(k for k in raw if k not in allowed)
    if unknown:
        raise PreparationError(
            f"{key} keys must be among {sorted(allowed)!r}; got unknown {unknown!r} for {who}"
            + did_you_mean(unknown[0], allowed),
            str(unknown[0]),
        )
    return raw


_R = TypeVar("_R")


def _record(kind: type[_R], who: str, **kwargs: Any) -> _R:
    try:
        return kind(**kwargs)
    except PreparationError as exc:
        raise PreparationError(str(exc).replace(f"{kind.__name__}(", f"{who} ("), exc.key) from None


def imputation_from(raw: object, who: str) -> Imputation:
    """An :class:`Imputation` from its TOML form: a method name or a table.

    Raises:
        PreparationError: a rule is broken; ``key`` names the key at fault.
    """
    table = _table(raw, "impute", who, _IMPUTE_KEYS)
    return _record(
        Imputation,
        who,
        method=table.get("method", "mean"),
        within=table.get("within", "level"),
        max_age=table.get("max_age"),
    )


def treatment_from(raw: object, who: str) -> Treatment:
    """A :class:`Treatment` from its TOML form: a method name or a table.

    Raises:
        PreparationError: a rule is broken; ``key`` names the key at fault.
    """
    table = _table(raw, "treat", who, _TREAT_KEYS)
    d = Treatment()
    return _record(
        Treatment,
        who,
        method=table.get("method", "coinr"),
        within=table.get("within", d.within),
        winmax=table.get("winmax", d.winmax),
        skew=table.get("skew", d.skew),
        kurtosis=table.get("kurtosis", d.kurtosis),
        lower=table.get("lower", d.lower),
        upper=table.get("upper", d.upper),
        lam=table.get("lambda", d.lam),
    )


def screening_from(raw: object) -> Screening:
    """A :class:`Screening` from the ``[screen]`` table.

    Raises:
        PreparationError: a rule is broken; ``key`` names the key at fault.
    """
    if not isinstance(raw, Mapping):
        raise PreparationError(f"screen must be a table ([screen]); got {raw!r}")
    table = _table(raw, "screen", "[screen]", _SCREEN_KEYS)
    if "min_share" not in table:
        raise PreparationError("screen needs min_share; got none for [screen]")
    return _record(
        Screening, "[screen]", min_share=table["min_share"], per_group=table.get("per_group", False)
    )
