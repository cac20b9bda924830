"""A loader's field columns are checked: float64, one per unit, finite or NaN, within the field's
declared range, and a number where the same-named column of its table has the cell."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import PluginError
from egov_score.model.framework import Field
from egov_score.plugins.loading import load_scheme
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry
from egov_score.plugins.scheme import Column, Scheme, TableSpec, to_level

LEVELS = ("division", "district", "block", "machine")
SAMPLE_UNITS = Registry(make_plugin_manager(autoload=False)).schemes["pension"].sample_units


def hierarchy():
    """The sample units (built per test: a module-level one would outlive the runs that
    test_pickle checks keep no hierarchy alive)."""
    return eg.Hierarchy.from_csv(SAMPLE_UNITS, LEVELS)


WHERE = r"plugin 'water', hook 'egov_score_load_scheme', scheme 'water': "


def _scheme(field):
    return Scheme(
        code="water",
        name="water",
        name_hi="जल",
        tables=(
            TableSpec(
                name="water_t",
                level="block",
                columns=(Column(name="code", kind="code"), Column(name="x", kind="count")),
            ),
        ),
        fields=(field,),
        indicators=(eg.Indicator(code="x_rate", field="x", parent="water", name_hi="दर"),),
    )


class Loads:
    """Loads scheme 'water': field x from ``make(table, hierarchy)``."""

    def __init__(self, make):
        self.make = make

    @eg.hookimpl
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        return {"x": self.make(tables["water_t"], hierarchy)}


def load(make, field=None, text="code,x\nB-0574,3\nB-0591,\n"):
    scheme = _scheme(field or Field(code="x", level="block"))
    pm = make_plugin_manager(autoload=False, builtins=False)
    pm.register(Loads(make), name="water")
    table = eg.Table.from_text(text, source="water_t.csv")
    return load_scheme(pm, scheme, "water", {"water_t": table}, hierarchy())


def column(table, units):
    """The x column spread onto the blocks, as a careful loader does."""
    return to_level(units, "block", table.columns["code"], table.floats("x"))


def blocks(value):
    return lambda table, units: np.full(len(units.level("block")), value)


def test_a_careful_loader_passes():
    x = load(column)["x"]
    assert x[hierarchy().level("block").index(["B-0574"])[0]] == 3.0
    assert np.isnan(x).sum() == len(x) - 1  # B-0591's cell is empty: missing is right


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda t, h: np.zeros(len(h.level("block")), dtype=np.int64),
            r"field 'x' must be numeric, float64 with NaN = missing; got dtype int64",
        ),
        (blocks(np.inf), r"field 'x': must be finite or NaN; got inf for unit 'B-\d+'"),
        (
            blocks(np.nan),
            r"field 'x': must be a number where its column in water_t.csv has one; "
            r"got nan for unit 'B-0574'",
        ),
    ],
)
def test_a_loader_breaking_its_contract_is_named(make, match):
    with pytest.raises(PluginError, match=WHERE + match):
        load(make)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        (
            Field(code="x", level="block", kind="count"),
            -1.0,
            r"must be a whole number >= 0; got -1\.0",
        ),
        (
            Field(code="x", level="block", kind="flag"),
            5.0,
            r"must be a flag \(0 or 1\); got 5\.0",
        ),
        (
            Field(code="x", level="block", kind="percent"),
            500.0,
            r"a percentage must lie in \[0, 100\]; got 500\.0",
        ),
        (
            Field(code="x", level="block", max=10.0),
            50.0,
            r"must be <= 10; got 50\.0",
        ),
    ],
)
def test_a_value_outside_the_declared_range_is_refused(field, value, match):
    with pytest.raises(PluginError, match=WHERE + r"field 'x': " + match + r" for unit 'B-\d+'"):
        load(blocks(value), field=field)


def test_nan_outside_the_range_is_still_missing():
    field = Field(code="x", level="block", kind="count")
    x = load(column, field=field)["x"]
    assert np.nanmax(x) == 3.0


# -- bounded ratios hold for a loader's output (red-team finding: a 5x numerator) --------------


class FiveTimesVerified:
    """Loads pension as the built-in does, then multiplies ``verified`` by five."""

    @eg.hookimpl(tryfirst=True)
    def egov_score_load_scheme(self, scheme, tables, hierarchy):
        if scheme.code != "pension":
            return None
        from egov_score.plugins.builtin import pension

        columns = dict(pension.egov_score_load_scheme(scheme, tables, hierarchy))
        columns["verified"] = columns["verified"] * 5.0
        return columns


def test_a_loader_breaking_a_bounded_ratio_is_refused():
    pm = make_plugin_manager(autoload=False)
    pm.register(FiveTimesVerified(), name="five")
    reg = Registry(pm)
    scheme = reg.schemes["pension"]
    levels = ("division", "district", "block", "machine")
    fw = reg.framework(levels, active=["pension"])
    h = eg.Hierarchy.from_csv(scheme.sample_units, fw.levels)
    tables = {"pension": reg.read_tables(scheme.samples["pension"].parent)["pension"]}
    with pytest.raises(
        PluginError,
        match=r"plugin 'five', hook 'egov_score_load_scheme', scheme 'pension': field "
        r"'verified': must not exceed 'pensioners' \(indicator '\w+' is bounded\); got ",
    ):
        eg.Pipeline.build(fw, h, registry=reg, tables=tables).score("2021-01")
