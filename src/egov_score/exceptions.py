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
