"""Records built directly (not from a file) check their own rules on construction.

Every rejection raises the project's exception (a ``ValueError``) with a message naming the
rule and the value; good records still construct.
"""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import FrameworkError, InputError, ValuesError
from egov_score.model.framework import Aggregation, Bands, Field, Group, Indicator, Normalisation
from egov_score.model.result import Diagnostic, LevelResult, Provenance, Result, UnitScore
from egov_score.plugins.scheme import Column, Problem, Scheme, TableSpec
from egov_score.review.awards import AwardRules, Reason

IND = {"code": "rate", "parent": "index", "field": "x"}
GROUP = {"code": "index"}


def _bad(kind, kwargs, match, error=FrameworkError):
    with pytest.raises(error, match=match):
        kind(**kwargs)


# -- framework records ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"weight": -1}, r"weight must be >= 0; got -1 for indicator 'rate'"),
        ({"weight": math.inf}, r"weight must be a finite number; got inf for indicator 'rate'"),
        ({"weight": "1"}, r"weight must be a finite number; got '1'"),
        ({"direction": 5}, r"direction must be 1 or -1; got 5 for indicator 'rate'"),
        ({"direction": True}, r"direction must be 1 or -1; got True"),
        ({"scale": 0}, r"scale must be non-zero; got 0 for indicator 'rate'"),
        ({"scale": math.nan}, r"scale must be a finite number; got nan"),
        ({"target": math.inf}, r"target must be a finite number; got inf"),
        ({"code": ""}, r"indicator code must be a name of letters.*; got ''"),
        ({"code": "9lives"}, r"indicator code must be a name .*; got '9lives'"),
        ({"parent": None}, r"parent must be a string; got None for indicator 'rate'"),
        ({"field": None}, r"needs either field or both numerator and denominator"),
        ({"numerator": "a"}, r"needs either field or both numerator and denominator"),
        (
            {"normalise": Normalisation(method="target")},
            r"target normalisation needs a target .*; got none for indicator 'rate'",
        ),
        ({"normalise": "minmax"}, r"normalise must be a Normalisation; got 'minmax'"),
        ({"name": 3}, r"name must be a string; got 3 for indicator 'rate'"),
    ],
)
def test_indicator_rejects(changes, match):
    _bad(Indicator, {**IND, **changes}, match)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"weight": -0.5}, r"weight must be >= 0; got -0.5 for group 'index'"),
        ({"weight": math.nan}, r"weight must be a finite number; got nan for group 'index'"),
        ({"min_coverage": 1.5}, r"min_coverage must be in \[0, 1\]; got 1.5 for group 'index'"),
        ({"min_coverage": -0.1}, r"min_coverage must be in \[0, 1\]; got -0.1"),
        ({"code": "a b"}, r"group code must be a name .*; got 'a b'"),
        ({"parent": 1}, r"parent must be a string; got 1 for group 'index'"),
        ({"aggregate": "geometric"}, r"aggregate must be an Aggregation; got 'geometric'"),
    ],
)
def test_group_rejects(changes, match):
    _bad(Group, {**GROUP, **changes}, match)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": ""}, r"normalise method must be a non-empty string; got ''"),
        ({"within": "district"}, r"within must be 'level' or 'parent'; got 'district'"),
        ({"method": "goalposts", "lower": 0.0}, r"goalposts need lower and upper; got lower=0.0"),
        (
            {"method": "goalposts", "lower": 5.0, "upper": 1.0},
            r"goalposts must have lower < upper; got lower=5.0, upper=1.0 "
            r"for Normalisation\(method='goalposts'\)",
        ),
        ({"lower": math.inf}, r"normalise lower must be a finite number; got inf"),
        ({"target": math.nan}, r"normalise target must be a finite number; got nan"),
        ({"cap": 1}, r"normalise cap must be true or false; got 1"),
        ({"rescale": (50.0,)}, r"zscore rescale must be \(mean, sd\); got \(50.0,\)"),
        ({"rescale": (50.0, 0.0)}, r"zscore rescale sd must be > 0; got 0.0"),
        ({"rescale": (math.nan, 10.0)}, r"rescale mean must be a finite number; got nan"),
        ({"params": []}, r"normalise params must be a mapping; got \[\]"),
    ],
)
def test_normalisation_rejects(kwargs, match):
    _bad(Normalisation, kwargs, match)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": None}, r"aggregate method must be a non-empty string; got None"),
        ({"method": "generalised"}, r"a generalised mean needs p; got none"),
        ({"method": "generalised", "p": math.inf}, r"aggregate p must be a finite number; got inf"),
        ({"params": None}, r"aggregate params must be a mapping; got None"),
    ],
)
def test_aggregation_rejects(kwargs, match):
    _bad(Aggregation, kwargs, match)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"code": ""}, r"field code must be a name .*; got ''"),
        ({"level": ""}, r"level must be a non-empty string; got '' for field 'x'"),
        ({"rollup": "median"}, r"rollup must be one of .*; got 'median' for field 'x'"),
        ({"rollup": "weighted_mean"}, r"weight = '<field>' goes with rollup = 'weighted_mean'"),
        ({"weight": "w"}, r"got rollup='sum', weight='w' for field 'x'"),
        ({"unit": None}, r"unit must be a string; got None for field 'x'"),
    ],
)
def test_field_rejects(kwargs, match):
    _bad(Field, {"code": "x", "level": "block", **kwargs}, match)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"edges": (50.0, 50.0), "labels": ("a", "b", "c")},
            r"band edges must be strictly increasing; got \[50.0, 50.0\]",
        ),
        ({"edges": (50.0,), "labels": ("a",)}, r"bands need one label more than edges \(2\)"),
        (
            {"edges": (50.0,), "labels": ("a", "b"), "labels_hi": ("क",)},
            r"labels_hi must have as many labels as labels \(2\); got 1",
        ),
        ({"edges": (math.nan,), "labels": ("a", "b")}, r"band edge must be a finite number"),
    ],
)
def test_bands_reject(kwargs, match):
    _bad(Bands, kwargs, match)


def test_good_framework_records_construct():
    assert Indicator(**IND, weight=0, direction=-1, scale=100, target=5.0).weight == 0
    assert Indicator(code="r", parent="g", numerator="a", denominator="b").fields == ("a", "b")
    assert Group(code="g", parent="index", min_coverage=1.0, weight=2.5).min_coverage == 1.0
    assert Normalisation(method="goalposts", lower=0.0, upper=100.0).upper == 100.0
    assert Normalisation(method="zscore", rescale=(50.0, 10.0)).rescale == (50.0, 10.0)
    assert Normalisation(method="a_plugin_method", params={"k": 1}).params == {"k": 1}
    assert Aggregation(method="generalised", p=0.5).p == 0.5
    assert Field(code="x", level="block", rollup="weighted_mean", weight="w").weight == "w"
    assert Bands(edges=(), labels=("all",)).labels == ("all",)


def _framework(groups, **changes):
    kwargs = {
        "levels": ("district", "block"),
        "fields": {"x": Field(code="x", level="block")},
        "indicators": {"rate": Indicator(**IND)},
        "groups": {g.code: g for g in groups},
    }
    return eg.Framework(**{**kwargs, **changes})


def test_a_framework_is_checked_on_direct_construction():
    fw = _framework([Group(code="index")])
    assert fw.root == "index"
    with pytest.raises(FrameworkError, match=r"exactly one root group \(no parent\); got \[\]"):
        _framework([], indicators={})  # the raw case: no groups at all
    with pytest.raises(FrameworkError, match=r"exactly one root group .*; got \['index', 'b'\]"):
        _framework([Group(code="index"), Group(code="b")])
    with pytest.raises(FrameworkError, match=r"levels must be a non-empty list .*; got \(\)"):
        _framework([Group(code="index")], levels=())
    with pytest.raises(FrameworkError, match=r"levels must be distinct"):
        _framework([Group(code="index")], levels=("block", "block"))
    with pytest.raises(FrameworkError, match=r"groups must be keyed by their code; got key 'a'"):
        eg.Framework(
            levels=("block",),
            fields=fw.fields,
            indicators=fw.indicators,
            groups={"a": Group(code="index")},
        )
    with pytest.raises(FrameworkError, match=r"field level must be one of .*; got 'block'"):
        _framework([Group(code="index")], levels=("district",))
    with pytest.raises(FrameworkError, match=r"field must name a declared field; got 'x'"):
        _framework([Group(code="index")], fields={})
    with pytest.raises(FrameworkError, match=r"a group needs at least one child; got none for 'b'"):
        _framework([Group(code="index"), Group(code="b", parent="index")])
    with pytest.raises(FrameworkError, match=r"groups must form a tree; got a cycle"):
        _framework(
            [Group(code="index"), Group(code="a", parent="b"), Group(code="b", parent="a")],
            indicators={"rate": Indicator(**{**IND, "parent": "a"})},
        )
    with pytest.raises(FrameworkError, match=r"bands must be a Bands record; got None"):
        _framework([Group(code="index")], bands=None)
    assert attrs.evolve(fw, name="Index").name == "Index"


# -- result records ---------------------------------------------------------------------------

DIAG = {
    "kind": "division_by_zero",
    "level": "block",
    "code": "rate",
    "units": ("B1",),
    "message": "m",
}
PROV = {"version": "1", "framework_digest": "ab", "period": "2021-01"}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"kind": "oops"}, r"kind must be one of .*; got 'oops' for a diagnostic on 'rate'"),
        ({"units": ["B1"]}, r"units must be a tuple of unit codes; got \['B1'\]"),
        ({"period": None}, r"period must be a string; got None"),
    ],
)
def test_diagnostic_rejects(changes, match):
    _bad(Diagnostic, {**DIAG, **changes}, match, InputError)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        (
            {"normalisation": "panel"},
            r"normalisation must be one of \['period', 'global'\]; got 'panel' "
            r"for the provenance of period '2021-01'",
        ),
        ({"plugins": ("a", 1)}, r"plugins must be a tuple of strings; got \('a', 1\)"),
        ({"version": None}, r"version must be a string; got None"),
    ],
)
def test_provenance_rejects(changes, match):
    _bad(Provenance, {**PROV, **changes}, match, InputError)


def _level_result(n=2, **changes):
    f, i = np.zeros(n), np.zeros(n, dtype=np.int64)
    s = np.array(["a"] * n)
    kwargs = {
        "level": "block",
        "codes": s,
        "names": s,
        "names_hi": s,
        "parent": np.zeros(n, dtype=np.intp),
        "parent_level_codes": np.array(["D"]),
        "fields": {},
        "indicators": {},
        "normalised": {},
        "groups": {},
        "group_coverage": {},
        "group_ranks": {},
        "group_ranks_in_parent": {},
        "score": f,
        "rank": i,
        "rank_in_parent": i,
        "band": i,
        "band_labels": ("x",),
        "coverage": f,
    }
    return LevelResult(**{**kwargs, **changes})


def test_result_records():
    assert Diagnostic(**DIAG).kind == "division_by_zero"
    assert Provenance(**PROV, normalisation="global").normalisation == "global"
    lv = _level_result()
    with pytest.raises(InputError, match=r"score must hold one value per unit \(2, as codes\)"):
        _level_result(score=np.zeros(3))
    with pytest.raises(InputError, match=r"a result's level must be a non-empty string; got ''"):
        _level_result(level="")
    fw = _framework([Group(code="index")])
    result = Result(levels=(lv,), framework=fw, diagnostics=(), provenance=Provenance(**PROV))
    assert result.period == "2021-01"
    with pytest.raises(InputError, match=r"diagnostics must be a tuple of Diagnostic records"):
        Result(levels=(lv,), framework=fw, diagnostics=("x",), provenance=Provenance(**PROV))
    with pytest.raises(InputError, match=r"provenance must be a Provenance; got None"):
        Result(levels=(lv,), framework=fw, diagnostics=(), provenance=None)
    assert result.unit("a").rank == 0
    with pytest.raises(InputError, match=r"rank must be a whole number >= 0 .*; got -1 for unit"):
        attrs.evolve(result.unit("a"), rank=-1)
    with pytest.raises(InputError, match=r"a unit score's code must be a non-empty string"):
        attrs.evolve(result.unit("a"), code="")
    assert isinstance(result.unit("a"), UnitScore)


# -- scheme records ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "x", "kind": "decimal"}, r"kind must be one of .*; got 'decimal' for column 'x'"),
        ({"name": "", "kind": "count"}, r"a column name must be a non-empty string; got ''"),
        ({"name": "x", "kind": "choice"}, r"choices must be given for a 'choice' column"),
        ({"name": "x", "kind": "text", "choices": ("a",)}, r"and only for it; got kind='text'"),
        ({"name": "x", "kind": "count", "at_most": "x"}, r"at_most must name another column"),
        ({"name": "x", "kind": "count", "required": "yes"}, r"required must be True or False"),
    ],
)
def test_column_rejects(kwargs, match):
    _bad(Column, kwargs, match, InputError)


CODE = Column(name="code", kind="code")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "", "level": "block", "columns": (CODE,)}, r"a table name must be a non-empty"),
        ({"name": "t", "level": "", "columns": (CODE,)}, r"level must be a non-empty string"),
        (
            {"name": "t", "level": "block", "columns": (CODE, CODE)},
            r"column names must be unique; got 'code' twice for table 't'",
        ),
        (
            {
                "name": "t",
                "level": "block",
                "columns": (CODE, Column(name="n", kind="count", at_most="d")),
            },
            r"at_most must name a column of the table; got 'd' for column 'n' of table 't'",
        ),
        ({"name": "t", "level": "block", "columns": [CODE]}, r"columns must be a tuple of Column"),
    ],
)
def test_table_spec_rejects(kwargs, match):
    _bad(TableSpec, kwargs, match, InputError)


TABLE = TableSpec(name="t", level="block", columns=(CODE, Column(name="x", kind="count")))
SCHEME = {
    "code": "water",
    "name": "Water",
    "name_hi": "जल",
    "tables": (TABLE,),
    "fields": (Field(code="x", level="block"),),
    "indicators": (Indicator(code="x_rate", parent="water", field="x"),),
}


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"weight": -1.0}, r"weight must be >= 0; got -1.0 for scheme 'water'"),
        ({"weight": math.inf}, r"weight must be a finite number; got inf for scheme 'water'"),
        ({"min_coverage": 2}, r"min_coverage must be in \[0, 1\]; got 2 for scheme 'water'"),
        ({"code": ""}, r"a scheme code must be a non-empty string; got ''"),
        ({"tables": (TABLE, TABLE)}, r"table names must be unique; got 't' twice"),
        ({"fields": [Field(code="x", level="block")]}, r"fields must be a tuple of Field"),
        ({"aggregate": None}, r"aggregate must be an Aggregation; got None"),
    ],
)
def test_scheme_rejects(changes, match):
    _bad(Scheme, {**SCHEME, **changes}, match, InputError)


def test_good_scheme_records_construct():
    scheme = Scheme(**SCHEME, weight=0.0, min_coverage=1.0, samples={"t": Path("t.csv")})
    assert scheme.table("t").column("x").kind == "count"
    assert Column(name="where", kind="choice", choices=("gp", "office")).choices == ("gp", "office")
    assert str(Problem(source="t.csv", row=0, column="x", value="", rule="required"))
    with pytest.raises(InputError, match=r"row must be a whole number >= 0.*; got -1"):
        Problem(source="t.csv", row=-1, column="x", value="", rule="r")


def test_record_errors_are_value_errors():
    with pytest.raises(ValueError, match="direction must be 1 or -1"):
        Indicator(**IND, direction=0)


# -- values -----------------------------------------------------------------------------------


def _values(**changes):
    kwargs = {
        "source": "<test>",
        "periods": np.array(["P", "P"]),
        "depth": np.ones(2, dtype=np.intp),
        "index": np.arange(2, dtype=np.intp),
        "columns": {"x": np.zeros(2)},
        "level_sizes": (1, 2),
        "field_levels": {"x": 1},
    }
    return eg.Values(**{**kwargs, **changes})


def test_values_record_checks_shapes_and_levels():
    assert _values().at("P")[1]["x"].tolist() == [0.0, 0.0]
    with pytest.raises(ValuesError, match=r"x must hold one value per row \(2, as periods\)"):
        _values(columns={"x": np.zeros(3)})
    with pytest.raises(ValuesError, match=r"depth must hold one value per row"):
        _values(depth=np.ones(1, dtype=np.intp))
    with pytest.raises(ValuesError, match=r"field_levels must give every column .*; got None"):
        _values(field_levels={})
    with pytest.raises(ValuesError, match=r"level depth in \[0, 2\); got 2 for field 'x'"):
        _values(field_levels={"x": 2})


# -- records of the review and of plugin sections ------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"criterion": "median"}, r"criterion must be one of \['mean', 'improvement', 'mix'\]; "),
        ({"mix": 5}, r"mix must be a number in \[0, 1\]; got 5"),
        ({"min_coverage": -0.1}, r"min_coverage must be a number in \[0, 1\]; got -0.1"),
        ({"runners_up": -1}, r"runners_up must be a whole number >= 0; got -1"),
        ({"min_months": 1.5}, r"min_months must be a whole number >= 0; got 1.5"),
        ({"winners": {"district": -1}}, r"winners must map levels to whole numbers >= 0"),
    ],
)
def test_award_rules_are_checked(kwargs, match):
    with pytest.raises(eg.InputError, match=match):
        AwardRules(**kwargs)
    assert AwardRules().mix == 0.5


def test_a_reason_names_a_known_rule():
    with pytest.raises(eg.InputError, match=r"reason rule must be one of .*; got 'too_late'"):
        Reason(rule="too_late")
    assert Reason(rule="no_data").rule == "no_data"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"key": ""}, r"key must be a non-empty string; got ''"),
        (
            {"rows": (("a",),)},
            r"every row must have one cell per header column \(2\); got \('a',\)",
        ),
        ({"numeric": frozenset({2})}, r"numeric columns must be among 0\.\.1; got \[2\]"),
    ],
)
def test_a_section_is_a_rectangle(kwargs, match):
    good = {"key": "p.s", "title": "t", "header": ("a", "b"), "rows": (("1", "2"),)}
    with pytest.raises(eg.PluginError, match=match):
        eg.Section(**{**good, **kwargs})
    assert eg.Section(**good).rows == (("1", "2"),)
