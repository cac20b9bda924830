"""The unit tree: construction, lookup, and every rejection naming the offending value."""

from __future__ import annotations

import numpy as np
import pytest

import egov_score as eg
from egov_score.exceptions import HierarchyError, InputError

LEVELS = ("division", "district", "block")
GOOD = """
level,code,name,parent,name_hi,lgd_code
division,DIV,Jaipur,,जयपुर,
district,D87,Alwar,DIV,अलवर,87
district,D97,Dausa,DIV,दौसा,97
block,B574,Bansur,D87,,574
block,B7397,Govindgarh,D87,,7397
block,B591,Bandikui,D97,,591
"""


def test_from_csv_holds_columns(write):
    h = eg.Hierarchy.from_csv(write("u.csv", GOOD), LEVELS)
    assert h.level_names == LEVELS
    blocks = h.level("block")
    assert blocks.codes.tolist() == ["B574", "B7397", "B591"]
    assert blocks.parent.tolist() == [0, 0, 1]
    assert h.level("district").names_hi.tolist() == ["अलवर", "दौसा"]
    assert blocks.attributes["lgd_code"].tolist() == ["574", "7397", "591"]
    assert not blocks.codes.flags.writeable
    assert h.ancestors("block", "division").tolist() == [0, 0, 0]
    assert h.ancestors("block", "district").tolist() == [0, 0, 1]


def test_vectorised_lookup(write):
    h = eg.Hierarchy.from_csv(write("u.csv", GOOD), LEVELS)
    assert h.level("block").index(["B591", "B574"]).tolist() == [2, 0]
    assert h.level("block").find(["nope", "B7397"]).tolist() == [-1, 1]
    depth, index = h.locate(["D97", "B591", "x"])
    assert depth.tolist() == [1, 2, -1]
    assert index.tolist() == [1, 2, -1]
    with pytest.raises(HierarchyError, match=r"units of level 'block'; got \['D87'\]"):
        h.level("block").index(["D87"])


def test_unit_record_and_children(write):
    h = eg.Hierarchy.from_csv(write("u.csv", GOOD), LEVELS)
    unit = h.unit("B574")
    assert (unit.level, unit.name, unit.parent, unit.lgd_code) == ("block", "Bansur", "D87", "574")
    assert h.children("D87") == ("B574", "B7397")
    assert h.children("B574") == ()


def test_from_records_equals_from_csv(write):
    records = [
        eg.Division(code="DIV", name="Jaipur", name_hi="जयपुर"),
        eg.District(code="D87", name="Alwar", parent="DIV", name_hi="अलवर", lgd_code="87"),
        eg.District(code="D97", name="Dausa", parent="DIV", name_hi="दौसा", lgd_code="97"),
        eg.Block(code="B574", name="Bansur", parent="D87", lgd_code="574"),
        eg.Block(code="B7397", name="Govindgarh", parent="D87", lgd_code="7397"),
        eg.Block(code="B591", name="Bandikui", parent="D97", lgd_code="591"),
    ]
    a = eg.Hierarchy.from_units(records, LEVELS)
    b = eg.Hierarchy.from_csv(write("u.csv", GOOD), LEVELS)
    for la, lb in zip(a.levels, b.levels, strict=True):
        np.testing.assert_array_equal(la.codes, lb.codes)
        np.testing.assert_array_equal(la.parent, lb.parent)
        np.testing.assert_array_equal(la.names_hi, lb.names_hi)
    assert a.unit("D87").officer == "CEO, Zila Parishad"
    assert eg.Machine(code="M1", name="GP", parent="B1").level == "machine"


def test_one_level_hierarchy(write):
    h = eg.Hierarchy.from_csv(
        write("c.csv", "level,code,name,parent\ncountry,FI,Finland,\ncountry,SE,Sweden,\n"),
        ["country"],
    )
    assert len(h.level("country")) == 2


def rejected(write, body, match, levels=LEVELS):
    path = write("bad.csv", "level,code,name,parent\n" + body)
    with pytest.raises(HierarchyError, match=match) as info:
        eg.Hierarchy.from_csv(path, levels)
    assert "bad.csv" in str(info.value)
    return str(info.value)


def test_rejects_duplicate_code(write):
    rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,DIV\ndistrict,D1,B,DIV\n",
        r"row 4, column 'code': codes must be unique .* got 'D1' again \(first at row 3\)",
    )


def test_rejects_unknown_parent(write):
    rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,DVI\n",
        r"row 3, column 'parent': parent must be a code in the file; got 'DVI'",
    )


def test_rejects_parent_on_wrong_level(write):
    rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,DIV\nblock,B1,X,DIV\n",
        r"row 4, column 'parent': the parent of a 'block' unit must be a 'district' unit; "
        r"got 'DIV', a 'division' unit",
    )


def test_rejects_cycle(write):
    rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,B1\nblock,B1,X,D1\n",
        r"column 'parent': the parent chain must end at a top-level unit; unit 'D1' is in a cycle",
    )


def test_rejects_self_parent(write):
    rejected(write, "division,DIV,J,\ndistrict,D1,A,D1\n", r"unit 'D1' is in a cycle")


def test_rejects_unknown_level(write):
    rejected(
        write,
        "division,DIV,J,\ndistrcit,D1,A,DIV\n",
        r"row 3, column 'level': level must be one of .*; got 'distrcit'",
    )


def test_rejects_root_with_parent(write):
    rejected(
        write,
        "division,DIV,J,\ndivision,DIV2,K,DIV\n",
        r"row 3, column 'parent': a 'division' unit is on the top level and must have no parent; "
        r"got 'DIV'",
    )


def test_rejects_non_root_without_parent(write):
    rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,\n",
        r"row 3, column 'parent': a 'district' unit must have a parent; got ''",
    )


def test_lists_every_problem_together(write):
    msg = rejected(
        write,
        "division,DIV,J,\ndistrict,D1,A,\ndistrict,D2,A,NOPE\n",
        "2 problems",
    )
    assert "'NOPE'" in msg
    assert "row 3" in msg


def test_rejects_missing_column_and_ragged_rows(write):
    with pytest.raises(InputError, match=r"columns \['parent'\] are required"):
        eg.Hierarchy.from_csv(write("a.csv", "level,code,name\ndivision,D,J\n"), LEVELS)
    with pytest.raises(InputError, match=r"row 3: expected 4 cells as in the header; got 3"):
        eg.Hierarchy.from_csv(
            write("b.csv", "level,code,name,parent\ndivision,D,J,\ndistrict,X,Y\n"), LEVELS
        )
    with pytest.raises(InputError, match=r"file must exist; got '.*nowhere.csv'"):
        eg.Hierarchy.from_csv("nowhere.csv", LEVELS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": "block", "code": "", "name": "x"}, r"a unit code must be a non-empty string"),
        ({"level": "", "code": "B1", "name": "x"}, r"level must be a non-empty string; got ''"),
        (
            {"level": "block", "code": "B1", "name": "x", "parent": 7},
            r"parent must be a code or None; got 7 for unit 'B1'",
        ),
        (
            {"level": "block", "code": "B1", "name": "x", "parent": "B1"},
            r"parent must not be the unit itself; got 'B1' for unit 'B1'",
        ),
        ({"level": "block", "code": "B1", "name": None}, r"name must be a string; got None"),
        (
            {"level": "block", "code": "B1", "name": "x", "extra": {"k": 1}},
            r"extra must map strings to strings; got \{'k': 1\} for unit 'B1'",
        ),
    ],
)
def test_unit_records_reject(kwargs, match):
    with pytest.raises(HierarchyError, match=match):
        eg.Unit(**kwargs)


def test_named_unit_records_are_checked_too():
    with pytest.raises(HierarchyError, match=r"a unit code must be a non-empty string; got ''"):
        eg.Block(code="", name="x", parent="D1")


def _level(**changes):
    codes = np.array(["B1", "B2"])
    kwargs = {
        "name": "block",
        "codes": codes,
        "names": codes,
        "names_hi": np.array(["", ""]),
        "parent": np.zeros(2, dtype=np.intp),
    }
    return eg.Level(**{**kwargs, **changes})


def test_level_and_hierarchy_records_check_shapes_and_names():
    assert len(_level()) == 2
    with pytest.raises(HierarchyError, match=r"names must be one value per unit \(2, as codes\)"):
        _level(names=np.array(["a"]))
    with pytest.raises(HierarchyError, match=r"attribute 'lgd_code' must be one value per unit"):
        _level(attributes={"lgd_code": np.array(["1", "2", "3"])})
    with pytest.raises(HierarchyError, match=r"a level name must be a non-empty string; got ''"):
        _level(name="")
    top = _level(name="district", parent=np.full(2, -1, dtype=np.intp))
    assert eg.Hierarchy((top, _level())).level_names == ("district", "block")
    with pytest.raises(HierarchyError, match=r"levels must be distinct; got \['block', 'block'\]"):
        eg.Hierarchy((_level(), _level()))
    with pytest.raises(HierarchyError, match=r"levels must name at least one level; got none"):
        eg.Hierarchy(())
    with pytest.raises(HierarchyError, match=r"levels must be Level records; got 'block'"):
        eg.Hierarchy(("block",))
