"""The hooks a plugin may implement, and the markers to declare them.

Hooks exchange whole columns, once per run or once per scheme, never once per unit. They are
called in pluggy's order (last registered first; ``tryfirst``/``trylast`` respected).
Collect-all hooks return values the registry combines in plugin registration order (a union with
duplicate detection); ``firstresult`` hooks stop at the first non-None result in call order.
Hook wrappers (``wrapper=True``, ``hookwrapper=True``) are refused (``docs/plugins.md``).

A plugin is any object or module with functions named like the hooks below, decorated with
:data:`hookimpl`; it registers itself under the entry-point group ``egov_score``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from egov_score._arrays import FloatArray
    from egov_score.io.table import Table
    from egov_score.kernels.aggregate import Aggregator
    from egov_score.kernels.normalise import Normaliser
    from egov_score.model.hierarchy import Hierarchy
    from egov_score.model.result import Result
    from egov_score.plugins.actions import ActionReasons, ActionSettings
    from egov_score.plugins.locations import Locations
    from egov_score.plugins.scheme import Problem, Scheme
    from egov_score.plugins.section import Section

__all__ = ["PROJECT", "hookimpl", "hookspec"]

#: The pluggy project name and the entry-point group of third-party plugins.
PROJECT = "egov_score"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorate a plugin's hook functions with this.
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def egov_score_schemes() -> Sequence[Scheme]:
    """Declare the schemes this plugin provides.

    Called once when a registry is built. Collect-all: every plugin's schemes are combined; two
    plugins declaring the same scheme, field or indicator code is an error naming both.

    Returns:
        The plugin's :class:`~egov_score.plugins.scheme.Scheme` declarations (fields, indicators,
        default weights and group, raw tables, sample tables).
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec(firstresult=True)
def egov_score_load_scheme(
    scheme: Scheme, tables: Mapping[str, Table], hierarchy: Hierarchy
) -> Mapping[str, FloatArray] | None:
    """Turn one period of a scheme's raw tables into field columns, vectorised.

    Called once per scheme per period, after the tables passed their checks (or had their bad
    rows dropped at the caller's request). Stops at first non-None result: return None for
    schemes you do not own.

    Args:
        scheme: the scheme to load.
        tables: table name -> :class:`~egov_score.Table` holding only this period's rows.
        hierarchy: the unit tree, for mapping codes to units (``hierarchy.level(l).index``).

    Returns:
        Field code -> float64 array over the units of the field's level (NaN = missing);
        exactly the scheme's declared fields, each of the right length.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_check_table(
    scheme: Scheme, name: str, table: Table, hierarchy: Hierarchy
) -> Sequence[Problem]:
    """Check one raw table beyond its declared column rules.

    Called once per table before loading; the declared rules (codes, counts, flags,
    percentages, coordinates, numerator not above denominator) are checked by egov_score
    itself. Collect-all: every plugin's problems are reported together.

    Args:
        scheme: the scheme the table belongs to (return nothing for other plugins' schemes).
        name: the table's name.
        table: the whole table (all periods).
        hierarchy: the unit tree.

    Returns:
        Every :class:`~egov_score.plugins.scheme.Problem` found (file, row, column, value, rule).
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_normalisers() -> Mapping[str, Normaliser]:
    """Contribute named normalisation methods usable as ``normalise = { method = "name" }``.

    Called once when a registry is built. Collect-all; a name already taken (built in or by
    another plugin) is an error naming both. A normaliser is called as
    ``f(values, groups, n_groups, direction, **params)`` and returns a
    :class:`~egov_score.kernels.normalise.Normalised`.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_aggregators() -> Mapping[str, Aggregator]:
    """Contribute named aggregation methods usable as ``aggregate = { method = "name" }``.

    Called once when a registry is built. Collect-all; a name already taken is an error naming
    both. An aggregator is called as ``f(scores, weights, **params)`` with a units x children
    matrix and returns one float64 per unit.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_report_sections(
    result: Result, hierarchy: Hierarchy, code: str, level: str
) -> Sequence[Section]:
    """Add sections to a unit's report card.

    Called once per report card. Collect-all: sections appear in plugin registration order
    after the built-in ones. Sections hold message ids and data; the renderer translates them
    into the card's language (see :func:`egov_score_catalogues`).

    Args:
        result: the card's month, scored (every level's fields, indicators and scores).
        hierarchy: the unit tree (``hierarchy.ancestors(lower, level)`` finds the units below).
        code: the card's unit.
        level: the unit's level.

    Returns:
        :class:`~egov_score.plugins.section.Section` records (title and header as message ids,
        rows of cells).
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_review_sections(result: Result, hierarchy: Hierarchy) -> Sequence[Section]:
    """Add tables to the divisional review, before the district scores.

    Called once per review (text, Markdown and HTML each ask). Collect-all: tables appear in
    plugin registration order.

    Args:
        result: the review month, scored; ``result.levels[0]`` is the division, ``[1]`` its
            districts.
        hierarchy: the unit tree.

    Returns:
        :class:`~egov_score.plugins.section.Section` records, like
        :func:`egov_score_report_sections`.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_action_reasons(
    result: Result,
    hierarchy: Hierarchy,
    tables: Mapping[str, Mapping[str, Table]],
    settings: ActionSettings,
) -> Sequence[ActionReasons]:
    """Say which units need action this month, and why: the columns of the action lists.

    Called once per review month (and once per report card that shows the lists' counts).
    Collect-all: every plugin's reasons become columns of the same lists, in plugin
    registration order. Return nothing for schemes that are not active in
    ``result.framework`` or have no data; work on whole columns, never unit by unit.

    Args:
        result: the month, scored (every level's fields, e.g.
            ``result.level("machine").fields["inspected"]``).
        hierarchy: the unit tree.
        tables: scheme code -> table name -> the month's rows of the checked raw tables (for
            text columns such as a nodal officer's name); empty when the run scored a values
            table only.
        settings: the user's choices for the checks
            (:class:`~egov_score.plugins.actions.ActionSettings`): unit boundaries per level
            (``--boundaries``) and the geo-tag thresholds. An implementation may leave this
            argument out of its signature (pluggy passes only the arguments it names).

    Returns:
        :class:`~egov_score.plugins.actions.ActionReasons` records: one bool column per reason
        over every unit of one level, the reasons' message ids, optional text columns.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_locations(
    result: Result,
    hierarchy: Hierarchy,
    tables: Mapping[str, Mapping[str, Table]],
    settings: ActionSettings,
) -> Sequence[Locations]:
    """Say where units are and what status colours them on the maps of the cards and the
    division page.

    Called once per review month. Collect-all: the division page places each district at the
    median location of the units of every record below it; a card draws the units of each
    record under its own unit, coloured by status. Work on whole columns, never unit by unit.

    Args:
        result: the month, scored.
        hierarchy: the unit tree.
        tables: scheme code -> table name -> the month's rows of the checked raw tables (the
            coordinates as written); empty when the run scored a values table only.
        settings: the user's choices for the geo-tag checks (boundaries, thresholds), so a
            location the action lists call suspect is not drawn either. An implementation
            may leave this argument out of its signature.

    Returns:
        :class:`~egov_score.plugins.locations.Locations` records: per unit of one level, its
        latitude and longitude (NaN: not located) and a status index into message ids.
    """
    raise NotImplementedError  # pragma: no cover - a specification


@hookspec
def egov_score_catalogues() -> Path | None:
    """Contribute the plugin's message catalogues: a folder of gettext ``<lang>.po`` files.

    Called when a report card or review is built. Collect-all: every folder is merged after the
    core catalogues (``render/locale``), later plugins adding messages; a language with a file
    in any folder becomes available. Name message ids ``"<plugin>.<name>"`` so they cannot
    collide.

    Returns:
        The folder, or None for no catalogue.
    """
    raise NotImplementedError  # pragma: no cover - a specification
