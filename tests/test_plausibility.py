"""Plausibility declared (field kinds, min/max, bounded ratios) and enforced in values tables."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score import datasets
from egov_score.exceptions import FrameworkError, ValuesError
from egov_score.model.framework import Field, Indicator
from egov_score.model.plausibility import VALUE_KINDS, exceeds, violations
from tests.test_values import UNITS, load

FW = """
levels = ["district", "block"]
[[field]]
code = "installed"
level = "block"
kind = "count"
[[field]]
code = "inspected"
level = "block"
kind = "count"
[[field]]
code = "open"
level = "block"
kind = "flag"
[[field]]
code = "share"
level = "block"
kind = "percent"
[[field]]
code = "spent"
level = "block"
kind = "amount"
[[field]]
code = "days"
level = "block"
min = 1
max = 31
[[indicator]]
code = "rate"
numerator = "inspected"
denominator = "installed"
bounded = true
parent = "index"
[[indicator]]
code = "open_ind"
field = "open"
parent = "index"
[[group]]
code = "index"
"""


@pytest.fixture
def trees(write):
    """The framework above over the units of the values tests."""
    framework = eg.Framework.from_toml(write("fw.toml", FW))
    return framework, eg.Hierarchy.from_csv(write("u.csv", UNITS), framework.levels)


# -- declared -----------------------------------------------------------------------------------


def test_kinds_and_bounds_are_read_from_toml(trees):
    fw, _ = trees
    assert fw.fields["installed"].kind == "count"
    assert fw.fields["days"].kind == "real"
    assert (fw.fields["days"].min, fw.fields["days"].max) == (1.0, 31.0)
    assert fw.indicators["rate"].bounded is True
    assert fw.indicators["open_ind"].bounded is False


def test_to_dict_round_trips_the_declarations(trees):
    fw, _ = trees
    again = eg.Framework.from_dict(fw.to_dict())
    assert again == fw
    assert again.fields["days"].max == 31.0
    assert again.indicators["rate"].bounded


@pytest.mark.parametrize(
    ("extra", "message", "key"),
    [
        ('kind = "ratio"', r"kind must be one of \[.*\]; got 'ratio' for field 'x'", "kind"),
        ("min = 5\nmax = 1", r"min must not exceed max; got min=5, max=1 for field 'x'", "min"),
        ('max = "ten"', r"max must be a finite number; got 'ten' for field 'x'", "max"),
    ],
)
def test_bad_field_declaration_names_the_line(write, extra, message, key):
    text = FW + f'[[field]]\ncode = "x"\nlevel = "block"\n{extra}\n'
    lines = text.lstrip("\n").splitlines()
    line = lines.index(next(x for x in extra.splitlines() if x.startswith(key))) + 1
    where = rf" \(.*fw.toml, line {line}, \[\[field\]\] 'x', key '{key}'\)"
    with pytest.raises(FrameworkError, match=message + where):
        eg.Framework.from_toml(write("fw.toml", text))


def test_bounded_needs_a_ratio_and_a_bool(write):
    with pytest.raises(FrameworkError, match=r"bounded = true needs a ratio .* 'open_ind'"):
        eg.Framework.from_toml(
            write("fw.toml", FW.replace('field = "open"\n', 'field = "open"\nbounded = true\n'))
        )
    with pytest.raises(FrameworkError, match=r"bounded must be true or false; got 'yes'"):
        eg.Framework.from_toml(write("fw.toml", FW.replace("bounded = true", 'bounded = "yes"')))


def test_records_check_themselves():
    with pytest.raises(FrameworkError, match=r"kind must be one of"):
        Field(code="a", level="block", kind="int")
    with pytest.raises(FrameworkError, match=r"min must be a finite number; got nan"):
        Field(code="a", level="block", min=float("nan"))
    with pytest.raises(FrameworkError, match=r"bounded = true needs a ratio"):
        Indicator(code="a", parent="g", field="f", bounded=True)


# -- enforced -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("installed", "-1", r"row 2, column 'installed': must be a whole number >= 0; got '-1'"),
        ("installed", "2.5", r"row 2, column 'installed': must be a whole number >= 0; got '2.5'"),
        ("open", "5", r"row 2, column 'open': must be a flag \(0 or 1\); got '5'"),
        ("share", "140", r"row 2, column 'share': a percentage must lie in \[0, 100\]; got '140'"),
        ("spent", "-0.5", r"row 2, column 'spent': must be an amount >= 0; got '-0.5'"),
        ("days", "0", r"row 2, column 'days': must be >= 1; got '0'"),
        ("days", "40", r"row 2, column 'days': must be <= 31; got '40'"),
    ],
)
def test_a_cell_breaking_its_kind_is_named(write, trees, column, cell, message):
    with pytest.raises(ValuesError, match=r"(?s)v.csv: values rejected.*" + message):
        load(write, trees, f"code,period,{column}\nB1,2021-01,{cell}\nB2,2021-01,\n")


def test_a_bounded_numerator_above_its_denominator(write, trees):
    with pytest.raises(
        ValuesError,
        match=r"row 3, column 'inspected': must not exceed 'installed' \(3\); got '7'",
    ):
        load(write, trees, "code,period,installed,inspected\nB1,2021-01,3,3\nB2,2021-01,3,7\n")


def test_bounded_ignores_a_missing_side(write, trees):
    v = load(write, trees, "code,period,installed,inspected\nB1,2021-01,,7\nB2,2021-01,3,\n")
    assert v.period_list == ("2021-01",)


def test_every_implausible_cell_is_reported_at_once(write, trees):
    with pytest.raises(ValuesError) as info:
        load(
            write,
            trees,
            "code,period,installed,inspected,open,share\nB1,2021-01,-1,0,5,\nB2,2021-01,2,3,1,140\n",
        )
    msg = str(info.value)
    assert "4 problems" in msg
    for fragment in ("'installed': must be", "'open': must be a flag", "'share': a percentage"):
        assert fragment in msg
    assert "'inspected': must not exceed 'installed' (2); got '3'" in msg


def test_real_fields_take_any_finite_number(write, trees):
    fw, h = trees
    v = eg.Values.from_columns(
        {"code": ["B1"], "period": ["P"], "days": [None]}, h, fw, source="<t>"
    )
    assert np.isnan(v.columns["days"][0])


@pytest.mark.parametrize("kind", VALUE_KINDS)
def test_violations_skip_missing_cells(kind):
    assert violations(np.array([np.nan, np.nan]), kind, 0.0, 1.0) == []


def test_a_cell_breaking_its_kind_is_not_reported_again_for_its_bounds():
    found = violations(np.array([-1.0, 50.0]), "count", 0.0, 10.0)
    assert [(m.tolist(), r) for m, r in found] == [
        ([True, False], "must be a whole number >= 0"),
        ([False, True], "must be <= 10"),
    ]


def test_the_small_dataset_passes_its_declared_rules():
    small = datasets.SMALL if hasattr(datasets, "SMALL") else None
    folder = small or (eg.__path__[0] + "/datasets/small")
    fw = eg.Framework.from_toml(f"{folder}/framework.toml")
    assert fw.fields["installed"].kind == "flag"
    assert fw.indicators["inspection_rate"].bounded
    h = eg.Hierarchy.from_csv(f"{folder}/units.csv", fw.levels)
    v = eg.Values.from_csv(f"{folder}/values.csv", h, fw)
    assert len(v.period_list) >= 1


def test_the_jaipur_data_passes_every_declaration_of_the_builtin_schemes():
    job = datasets.load("jaipur")
    fw = job.framework
    assert fw.fields["installed"].kind == "flag"
    assert fw.indicators["inspection_rate"].bounded
    assert not fw.indicators["labour_budget_achievement"].bounded  # may exceed the budget
    for period in job.periods():
        columns = {code: col for lv in job.gather(period).levels for code, col in lv.items()}
        for code, col in columns.items():
            f = fw.fields[code]
            assert violations(col, f.kind, f.min, f.max) == [], (period, code)
        for ind in fw.indicators.values():
            if ind.bounded:
                num, den = columns[str(ind.numerator)], columns[str(ind.denominator)]
                assert not exceeds(num, den).any(), (period, ind.code)
