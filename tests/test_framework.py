"""The indicator tree: loading TOML and every rejection naming the offending value."""

from __future__ import annotations

import pytest

import egov_score as eg
from egov_score.exceptions import FrameworkError

HEAD = """
levels = ["district", "block"]

[[field]]
code = "installed"
level = "block"

[[field]]
code = "inspected"
level = "block"
"""
IND = """
[[indicator]]
code = "inspection_rate"
numerator = "inspected"
denominator = "installed"
scale = 100
parent = "index"
"""
ROOT = """
[[group]]
code = "index"
"""


def load(write, text):
    return eg.Framework.from_toml(write("fw.toml", text))


def test_loads_the_issue_example(write):
    fw = load(
        write,
        HEAD
        + """
[[indicator]]
code = "inspection_rate"
name = "Machines inspected and repaired"
name_hi = "निरीक्षण एवं मरम्मत की गई मशीनें"
numerator = "inspected"
denominator = "installed"
scale = 100
direction = 1
normalise = { method = "goalposts", lower = 0, upper = 100 }
parent = "emitra"
weight = 1

[[group]]
code = "emitra"
name = "e-Mitra Plus machines"
parent = "index"
weight = 1
aggregate = { method = "arithmetic" }
min_coverage = 0.5

[[group]]
code = "index"

[bands]
edges = [50, 65, 100]
labels = ["Aspirant", "Performer", "Front Runner", "Achiever"]
""",
    )
    assert fw.root == "index"
    assert fw.children("index") == ("emitra",)
    assert fw.indicators["inspection_rate"].normalise.upper == 100
    assert fw.indicators["inspection_rate"].fields == ("inspected", "installed")
    assert fw.groups_bottom_up() == ("emitra", "index")
    assert fw.indicator_depth("inspection_rate") == 1
    assert len(fw.digest()) == 64
    assert fw.bands.labels[-1] == "Achiever"


def test_default_bands_are_sdg_india(write):
    fw = load(write, HEAD + IND + ROOT)
    assert fw.bands.edges == (50.0, 65.0, 100.0)
    assert fw.bands.labels == ("Aspirant", "Performer", "Front Runner", "Achiever")


def test_digest_changes_with_content(write):
    a = load(write, HEAD + IND + ROOT)
    b = load(write, HEAD + IND.replace("scale = 100", "scale = 1000") + ROOT)
    assert a.digest() != b.digest()
    assert a.digest() == load(write, HEAD + IND + ROOT).digest()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (HEAD + IND + IND + ROOT, r"codes must be unique; got 'inspection_rate' twice"),
        (
            HEAD + IND.replace('parent = "index"', 'parent = "emitra"') + ROOT,
            r"parent must name a group; got 'emitra' for indicator 'inspection_rate'",
        ),
        (
            HEAD + IND.replace('numerator = "inspected"', 'numerator = "inspectd"') + ROOT,
            r"numerator must name a declared field; got 'inspectd'",
        ),
        (
            HEAD + IND + ROOT + '[[group]]\ncode = "other"\n',
            r"exactly one root group \(no parent\); got \['index', 'other'\]",
        ),
        (
            HEAD
            + IND.replace('parent = "index"', 'parent = "a"')
            + ROOT.replace("index", "root")
            + '[[group]]\ncode = "a"\nparent = "b"\n[[group]]\ncode = "b"\nparent = "a"\n',
            r"groups must form a tree; got a cycle 'a -> b -> a'",
        ),
        (
            HEAD + IND.replace("scale = 100", "direction = 0") + ROOT,
            r"direction must be 1 or -1; got 0",
        ),
        (HEAD + IND.replace("scale = 100", "weight = -1") + ROOT, r"weight must be >= 0; got -1.0"),
        (
            HEAD + IND.replace("scale = 100", 'normalise = { method = "minmaxx" }') + ROOT,
            r"normalise method must be one of .*; got 'minmaxx'",
        ),
        (
            HEAD + IND + ROOT + 'aggregate = { method = "mode" }\n',
            r"aggregate method must be one of .*; got 'mode'",
        ),
        (
            HEAD
            + IND.replace(
                "scale = 100", 'normalise = { method = "goalposts", lower = 100, upper = 0 }'
            )
            + ROOT,
            r"goalposts must have lower < upper; got lower=100.0, upper=0.0",
        ),
        (
            HEAD + IND + ROOT + "[bands]\nedges = [65, 50, 100]\nlabels = ['a', 'b', 'c', 'd']\n",
            r"band edges must be strictly increasing; got \[65.0, 50.0, 100.0\]",
        ),
        (
            HEAD.replace('level = "block"', 'level = "gram_panchayat"', 1) + IND + ROOT,
            r"field level must be one of \['district', 'block'\]; got 'gram_panchayat'",
        ),
        (
            HEAD + IND.replace("scale = 100", "scael = 100") + ROOT,
            r"indicator keys must be among .*; got unknown \['scael'\]",
        ),
        (
            HEAD + IND.replace("scale = 100", 'normalise = { method = "target" }') + ROOT,
            r"target normalisation needs a target",
        ),
        (HEAD + ROOT, r"a group needs at least one child; got none for 'index'"),
        (
            HEAD + IND.replace("inspection_rate", "score") + ROOT,
            r"must not be an output column name .*; got 'score'",
        ),
        (
            HEAD.replace('level = "block"\n', 'level = "block"\nrollup = "median"\n', 1)
            + IND
            + ROOT,
            r"rollup must be one of .*; got 'median' for field 'installed'",
        ),
        (
            HEAD.replace('level = "block"\n', 'level = "block"\nrollup = "weighted_mean"\n', 1)
            + IND
            + ROOT,
            r"weight = '<field>' goes with rollup = 'weighted_mean'",
        ),
        ("levels = []\n", r"levels must be a non-empty list of level names; got \[\]"),
    ],
)
def test_rejections_name_the_value(write, text, match):
    with pytest.raises(FrameworkError, match=match):
        load(write, text)


def test_error_names_file_and_line(write):
    text = HEAD + IND.replace("scale = 100", "weight = -2") + ROOT
    with pytest.raises(FrameworkError) as info:
        load(write, text)
    # the line of the offending key, not just of its table
    line = text.lstrip("\n").splitlines().index("weight = -2") + 1
    assert f"fw.toml, line {line}, [[indicator]] 'inspection_rate', key 'weight')" in str(
        info.value
    )


def test_invalid_toml_and_missing_file(write):
    with pytest.raises(FrameworkError, match="must be valid TOML"):
        load(write, "levels = [\n")
    with pytest.raises(FrameworkError, match=r"framework file must exist; got 'nope\.toml'"):
        eg.Framework.from_toml("nope.toml")
