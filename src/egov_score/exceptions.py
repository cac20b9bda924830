"""The exceptions egov_score raises.

Every error message says what must hold and what was found, naming the file, row, column and
value where there is one. Callers that expect builtins can catch ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "EgovScoreError",
    "FrameworkError",
    "HierarchyError",
    "InputError",
    "PluginError",
    "PluginOutputError",
    "ScoringError",
    "ValuesError",
]


class EgovScoreError(Exception):
    """Base class of every error egov_score raises on purpose."""


class InputError(EgovScoreError, ValueError):
    """Input that cannot be used: a file, a table or a record that breaks a rule."""


class HierarchyError(InputError):
    """The unit tree is not a tree of the declared levels."""


class FrameworkError(InputError):
    """The indicator framework is inconsistent or uses an unknown method."""


class ValuesError(InputError):
    """A values table names an unknown unit or field, or holds an unusable cell."""


class ScoringError(EgovScoreError, ValueError):
    """The data cannot be scored as the framework asks (a negative input to a geometric mean)."""


class PluginError(EgovScoreError):
    """A plugin failed or returned something that breaks the hook's contract."""


class PluginOutputError(PluginError):
    """A plugin's normalisation or aggregation method returned values that break its contract.

    Raised by the plugin layer's checks with the offending rows, so that the engine, which
    knows the units behind the rows, can name them.

    Attributes:
        where: the plugin, hook and method (``"plugin 'p', hook 'h', method 'm'"``).
        rule: what must hold.
        rows: the first offending rows of the method's input.
        values: the values returned at those rows.
    """

    def __init__(
        self, where: str, rule: str, rows: list[int], values: list[float], total: int
    ) -> None:
        self.where, self.rule, self.rows, self.values, self.total = (
            where,
            rule,
            rows,
            values,
            total,
        )
        got = ", ".join(f"{v!r} at row {r}" for r, v in zip(rows, values, strict=True))
        more = f" ({total} in all)" if total > len(rows) else ""
        super().__init__(f"{where}: {rule}; got {got}{more}")
