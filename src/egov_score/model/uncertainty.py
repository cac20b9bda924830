"""The uncertainty a framework declares: which method choices vary, and how.

An :class:`Uncertainty` is read from the ``[uncertainty]`` table of the framework's TOML file
or from a TOML file of its own (:meth:`Uncertainty.from_toml`), or built in Python. Only what
is declared is uncertain: without a ``weights`` key the weights are the framework's, without a
``normalisation`` list every indicator keeps its own method, and so on. Every key is
documented in ``docs/analysis.md`` ("Uncertainty and sensitivity").

The record checks itself when built, with the same words whether it was built in Python or
read from TOML (which adds the file and the line). Method names are checked against the
methods available (built-in and plugins') by :func:`check_methods`, when the TOML is read and
again when a batch is built.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from egov_score.exceptions import FrameworkError
from egov_score.io.toml import KeyPath, did_you_mean, key_lines, located, read_toml

__all__ = [
    "CHOICES",
    "WEIGHT_KINDS",
    "Uncertainty",
    "UncertaintyError",
    "WeightNoise",
    "check_methods",
    "uncertainty_from",
]

#: The choices an analysis can vary, in the order they are declared and reported.
CHOICES = ("weights", "normalisation", "aggregation", "imputation", "treatment")
#: How weights vary: ``share`` (each weight uniform in ``[w(1 - s), w(1 + s)]``) or
#: ``dirichlet`` (a Dirichlet draw around each group's nominal weights).
WEIGHT_KINDS = ("share", "dirichlet")

_KEYS = frozenset(
    {
        "seed",
        "runs",
        "interval",
        "top_k",
        "bottom_k",
        "robust_share",
        "weights",
        "normalisation",
        "aggregation",
        "imputation",
        "treatment",
    }
)
_WEIGHT_KEYS = {
    "share": frozenset({"kind", "share"}),
    "dirichlet": frozenset({"kind", "concentration"}),
}


class UncertaintyError(FrameworkError):
    """An uncertainty declaration breaks a rule; ``key`` is the key path at fault."""

    def __init__(self, message: str, key: KeyPath = ()) -> None:
        super().__init__(message)
        self.key = key


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and (
        value == value and abs(value) != float("inf")
    )


@attrs.frozen(kw_only=True)
class WeightNoise:
    """How every weight of the framework varies from run to run.

    Attributes:
        kind: ``share``: each child's weight ``w`` uniform in ``[w(1 - share), w(1 + share)]``,
            independently; ``dirichlet``: each group's children's weights drawn together from
            a Dirichlet distribution with parameters ``concentration * w / sum(w)``, scaled
            back to the group's total weight (larger concentration, less spread; a child
            weighted 0 stays 0).
        share: ``share``: the relative half-width, in [0, 1].
        concentration: ``dirichlet``: the concentration, > 0.
    """

    kind: str
    share: float = 0.0
    concentration: float = 0.0

    def __attrs_post_init__(self) -> None:
        if self.kind not in WEIGHT_KINDS:
            raise UncertaintyError(
                f"uncertainty weights kind must be one of {list(WEIGHT_KINDS)!r}; got "
                f"{self.kind!r}" + did_you_mean(self.kind, WEIGHT_KINDS),
                ("weights", "kind"),
            )
        if self.kind == "share" and not (_is_number(self.share) and 0 <= self.share <= 1):
            raise UncertaintyError(
                f"uncertainty weights share must be a number in [0, 1]; got {self.share!r}",
                ("weights", "share"),
            )
        if self.kind == "dirichlet" and not (
            _is_number(self.concentration) and self.concentration > 0
        ):
            raise UncertaintyError(
                "uncertainty weights concentration must be a number > 0; got "
                f"{self.concentration!r}",
                ("weights", "concentration"),
            )


def _names(value: object, key: str) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) and v for v in value):
        raise UncertaintyError(
            f"uncertainty {key} must be a list of method names; got {value!r}", (key,)
        )
    if len(set(value)) != len(value):
        twice = next(v for n, v in enumerate(value) if v in value[:n])
        raise UncertaintyError(
            f"uncertainty {key} must name each method once; got {twice!r} twice", (key,)
        )


@attrs.frozen(kw_only=True)
class Uncertainty:
    """Which method choices an uncertainty analysis varies, and how it reports the ranks.

    Attributes:
        seed: the seed of every random draw (same seed, same analysis).
        runs: how many runs to score (>= 1).
        interval: the quantiles of the rank interval, ``0 <= low < high <= 1``.
        top_k: a unit's top-k share counts the runs in which it ranks within the top k.
        bottom_k: likewise within the bottom k.
        robust_share: a call (a win, a "strong" or "weak" verdict) made in fewer than this
            share of the runs is not robust; in (0, 1].
        weights: how the weights vary (None: they do not).
        normalisation: alternative normalisation methods, each applied to every indicator
            in the runs that draw it (empty: every indicator keeps its own method).
        aggregation: alternative aggregation methods, each applied to every group in the
            runs that draw it (empty: every group keeps its own).
        imputation: imputation on (as declared) or off, drawn per run.
        treatment: outlier treatment on (as declared) or off, drawn per run.
    """

    seed: int = 0
    runs: int = 1000
    interval: tuple[float, float] = (0.05, 0.95)
    top_k: int = 3
    bottom_k: int = 3
    robust_share: float = 0.6
    weights: WeightNoise | None = None
    normalisation: tuple[str, ...] = ()
    aggregation: tuple[str, ...] = ()
    imputation: bool = False
    treatment: bool = False

    def __attrs_post_init__(self) -> None:
        if not _is_int(self.seed) or self.seed < 0:
            raise UncertaintyError(
                f"uncertainty seed must be a whole number >= 0; got {self.seed!r}", ("seed",)
            )
        if not _is_int(self.runs) or self.runs < 1:
            raise UncertaintyError(
                f"uncertainty runs must be a whole number >= 1; got {self.runs!r}", ("runs",)
            )
        iv = self.interval
        if not (
            isinstance(iv, tuple)
            and len(iv) == 2
            and all(_is_number(q) for q in iv)
            and 0 <= iv[0] < iv[1] <= 1
        ):
            raise UncertaintyError(
                "uncertainty interval must be two quantiles [low, high] with "
                f"0 <= low < high <= 1; got {iv!r}",
                ("interval",),
            )
        for key in ("top_k", "bottom_k"):
            k = getattr(self, key)
            if not _is_int(k) or k < 1:
                raise UncertaintyError(
                    f"uncertainty {key} must be a whole number >= 1; got {k!r}", (key,)
                )
        if not (_is_number(self.robust_share) and 0 < self.robust_share <= 1):
            raise UncertaintyError(
                f"uncertainty robust_share must be a number in (0, 1]; got {self.robust_share!r}",
                ("robust_share",),
            )
        if self.weights is not None and not isinstance(self.weights, WeightNoise):
            raise UncertaintyError(
                f"uncertainty weights must be a WeightNoise record or None; got {self.weights!r}",
                ("weights",),
            )
        _names(self.normalisation, "normalisation")
        _names(self.aggregation, "aggregation")
        for key in ("imputation", "treatment"):
            if not isinstance(getattr(self, key), bool):
                raise UncertaintyError(
                    f"uncertainty {key} must be true or false; got {getattr(self, key)!r}",
                    (key,),
                )

    @property
    def choices(self) -> tuple[str, ...]:
        """The uncertain choices, in :data:`CHOICES` order: one column of the design each."""
        declared = {
            "weights": self.weights is not None,
            "normalisation": bool(self.normalisation),
            "aggregation": bool(self.aggregation),
            "imputation": self.imputation,
            "treatment": self.treatment,
        }
        return tuple(c for c in CHOICES if declared[c])

    @classmethod
    def from_toml(
        cls,
        path: str | os.PathLike[str],
        *,
        normalisers: Collection[str] = (),
        aggregators: Collection[str] = (),
    ) -> Uncertainty:
        """Read the ``[uncertainty]`` table of a TOML file (a framework file, or a file of its
        own whose keys may also stand at the top level).

        Args:
            path: the file.
            normalisers: the normalisation methods available (empty: not checked).
            aggregators: the aggregation methods available (empty: not checked).

        Raises:
            FrameworkError: the file cannot be read, or the declaration breaks a rule (the
                message names the file, line and key).
        """
        data, text = read_toml(path, "uncertainty file")
        table: object = data.get("uncertainty", data)
        prefix: KeyPath = ("uncertainty",) if "uncertainty" in data else ()
        return uncertainty_from(
            table,
            source=str(path),
            text=text,
            prefix=prefix,
            normalisers=normalisers,
            aggregators=aggregators,
        )


def check_methods(
    uncertainty: Uncertainty, normalisers: Collection[str], aggregators: Collection[str]
) -> None:
    """Check that the alternative methods are among those available.

    Raises:
        UncertaintyError: a method is unknown (with the closest name).
    """
    for key, allowed in (("normalisation", normalisers), ("aggregation", aggregators)):
        for n, name in enumerate(getattr(uncertainty, key)):
            if name not in allowed:
                raise UncertaintyError(
                    f"uncertainty {key} methods must be among {sorted(allowed)!r}; got "
                    f"{name!r}" + did_you_mean(name, allowed),
                    (key, n),
                )


def _weights_from(raw: object) -> WeightNoise:
    if not isinstance(raw, Mapping):
        raise UncertaintyError(
            'uncertainty weights must be a table such as {kind = "share", share = 0.25}; '
            f"got {raw!r}",
            ("weights",),
        )
    kind = raw.get("kind")
    if kind not in WEIGHT_KINDS:
        raise UncertaintyError(
            f"uncertainty weights kind must be one of {list(WEIGHT_KINDS)!r}; got {kind!r}"
            + did_you_mean(kind, WEIGHT_KINDS),
            ("weights", "kind") if "kind" in raw else ("weights",),
        )
    allowed = _WEIGHT_KEYS[str(kind)]
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise UncertaintyError(
            f"uncertainty weights keys for kind {kind!r} must be among {sorted(allowed)!r}; "
            f"got unknown {unknown!r}" + did_you_mean(unknown[0], allowed),
            ("weights", unknown[0]),
        )
    if kind == "share":
        return WeightNoise(kind="share", share=raw.get("share", 0.25))
    return WeightNoise(kind="dirichlet", concentration=raw.get("concentration", 50.0))


def _tuple(raw: object, key: str) -> object:
    return tuple(raw) if isinstance(raw, list) else raw


def _build(table: object) -> Uncertainty:
    if not isinstance(table, Mapping):
        raise UncertaintyError(f"uncertainty must be a table ([uncertainty]); got {table!r}")
    unknown = sorted(str(k) for k in table if k not in _KEYS)
    if unknown:
        raise UncertaintyError(
            f"uncertainty keys must be among {sorted(_KEYS)!r}; got unknown {unknown!r}"
            + did_you_mean(unknown[0], _KEYS),
            (unknown[0],),
        )
    kwargs: dict[str, Any] = {
        k: _tuple(table[k], k)
        for k in ("seed", "runs", "interval", "top_k", "bottom_k", "robust_share")
        if k in table
    }
    kwargs.update({k: _tuple(table[k], k) for k in ("normalisation", "aggregation") if k in table})
    kwargs.update({k: table[k] for k in ("imputation", "treatment") if k in table})
    if "weights" in table:
        kwargs["weights"] = _weights_from(table["weights"])
    return Uncertainty(**kwargs)


def uncertainty_from(
    table: object,
    *,
    source: str = "<uncertainty>",
    text: str | None = None,
    lines: Mapping[KeyPath, int] | None = None,
    data: Mapping[str, Any] | None = None,
    prefix: KeyPath = ("uncertainty",),
    normalisers: Collection[str] = (),
    aggregators: Collection[str] = (),
) -> Uncertainty:
    """An :class:`Uncertainty` from its TOML form, an error naming the file and line.

    Args:
        table: the ``[uncertainty]`` table.
        source: the file it came from.
        text: the file's text, to find the line of a key.
        lines: instead of ``text``: the line of each key path.
        data: the whole document, for the words of a key path.
        prefix: the table's key path in the document.
        normalisers: the normalisation methods available (empty: not checked).
        aggregators: the aggregation methods available (empty: not checked).

    Raises:
        UncertaintyError: a rule is broken.
    """
    try:
        out = _build(table)
        if normalisers or aggregators:
            check_methods(
                out,
                normalisers if normalisers else out.normalisation,
                aggregators if aggregators else out.aggregation,
            )
    except UncertaintyError as exc:
        found = lines if lines is not None else (key_lines(text) if text else {})
        where = located(source, found, (*prefix, *exc.key), data)
        raise UncertaintyError(f"{exc}{where}", exc.key) from None
    return out
