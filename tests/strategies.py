"""Hypothesis strategies: random hierarchies, frameworks and values with missing cells."""

from __future__ import annotations

from hypothesis import strategies as st

from egov_score.model.framework import Framework
from egov_score.model.hierarchy import Hierarchy

LEVEL_NAMES = ("division", "district", "block", "machine")
BOUNDED_METHODS = ("minmax", "goalposts", "target", "percentile", "fracmax", "none")
ALL_METHODS = (*BOUNDED_METHODS, "zscore", "rank")
#: The methods of issue 14 point 4 that need no option (distance is unbounded).
MORE_METHODS = ("distance", "categorical")


@st.composite
def hierarchies(draw, min_levels=1, max_levels=3):
    """(levels, units) with units as (level, code, parent) tuples."""
    n_levels = draw(st.integers(min_levels, max_levels))
    levels = LEVEL_NAMES[:n_levels]
    units = []
    above = []
    for d, level in enumerate(levels):
        n = draw(st.integers(1, 3)) if d == 0 else draw(st.integers(len(above), len(above) * 3))
        current = []
        for i in range(n):
            code = f"L{d}U{i}"
            # every unit above gets at least one child, the rest are spread at random
            parent = (
                None if d == 0 else (above[i] if i < len(above) else draw(st.sampled_from(above)))
            )
            units.append((level, code, parent))
            current.append(code)
        above = current
    return levels, units


def build_hierarchy(levels, units):
    import egov_score as eg

    return Hierarchy.from_units(
        [eg.Unit(level=lv, code=c, name=c, parent=p) for lv, c, p in units], levels
    )


@st.composite
def frameworks(draw, levels, methods=BOUNDED_METHODS, aggregations=None):
    """A framework over ``levels``: 2-5 fields, 1-5 indicators, a root and 0-2 subgroups."""
    n_fields = draw(st.integers(2, 5))
    fields = []
    for i in range(n_fields):
        level = draw(st.sampled_from(levels))
        rollup = draw(st.sampled_from(("sum", "mean", "min", "max", "weighted_mean")))
        f = {"code": f"f{i}", "level": level, "rollup": rollup}
        fields.append(f)
    for f in fields:  # weighted means need a weight on the same level
        if f["rollup"] == "weighted_mean":
            same = [g["code"] for g in fields if g["level"] == f["level"] and g is not f]
            if same:
                f["weight"] = draw(st.sampled_from(same))
            else:
                f["rollup"] = "sum"
    n_groups = draw(st.integers(0, 2))
    group_codes = ["index"] + [f"g{j}" for j in range(n_groups)]
    n_ind = draw(st.integers(max(1, n_groups), 5))
    has_unbounded = False
    indicators = []
    for k in range(n_ind):
        a = draw(st.sampled_from(fields))
        ratio = draw(st.booleans())
        method = draw(st.sampled_from(methods))
        has_unbounded |= method in ("zscore", "rank", "distance")
        direction = draw(st.sampled_from((1, -1)))
        norm = {"method": method, "within": draw(st.sampled_from(("level", "parent")))}
        if method == "goalposts":
            norm.update(lower=0, upper=draw(st.sampled_from((50, 100, 200))))
        if method == "target":
            norm.update(target=draw(st.sampled_from((0, 10, 50, 100))))
        if method == "distance":
            norm.update(to=draw(st.sampled_from(("mean", "best", "worst"))))
            norm.update(form=draw(st.sampled_from(("ratio", "difference"))))
        ind = {
            "code": f"i{k}",
            "direction": direction,
            "normalise": norm,
            "weight": draw(st.sampled_from((0.5, 1, 2))),
            # subgroups first get one indicator each, so no group is empty
            "parent": group_codes[1 + k] if k < n_groups else draw(st.sampled_from(group_codes)),
        }
        if method == "none":
            # values are drawn in [0, 100]; only a mean-like roll-up keeps them there
            bounded = [f for f in fields if f["rollup"] != "sum"]
            if bounded:
                ind["field"] = draw(st.sampled_from(bounded))["code"]
            else:
                ind["normalise"] = {"method": "minmax", "within": norm["within"]}
                ind["field"] = a["code"]
        elif ratio:
            b = draw(st.sampled_from(fields))
            ind.update(numerator=a["code"], denominator=b["code"], scale=100)
        else:
            ind["field"] = a["code"]
        indicators.append(ind)
    if aggregations is None:
        aggregations = (
            ("arithmetic",)
            if has_unbounded
            else ("arithmetic", "geometric", "harmonic", "generalised")
        )
    groups = []
    for code in group_codes:
        method = draw(st.sampled_from(aggregations))
        agg = {"method": method}
        if method == "generalised":
            agg["p"] = draw(st.sampled_from((-2.0, 0.5, 2.0, 3.0)))
        g = {
            "code": code,
            "aggregate": agg,
            "min_coverage": draw(st.sampled_from((0.0, 0.5, 1.0))),
        }
        if code != "index":
            g["parent"] = "index"
            g["weight"] = draw(st.sampled_from((1, 2)))
        groups.append(g)
    return Framework.from_dict(
        {"levels": list(levels), "field": fields, "indicator": indicators, "group": groups}
    )


@st.composite
def value_tables(draw, units, framework, missing=0.2, integers=False):
    """dict code -> dict field -> float or None, for the units on each field's level.

    ``integers`` draws whole numbers only (for properties that float rounding would break,
    such as invariance under x -> a x + b with a spread of 1e-18).
    """
    number = st.integers(0, 100).map(float)
    if not integers:
        number = st.one_of(number, st.floats(0, 100, allow_nan=False, width=32).map(float))
    cell = st.one_of(st.none(), number) if missing else number
    values = {}
    for level, code, _ in units:
        values[code] = {f.code: draw(cell) for f in framework.fields.values() if f.level == level}
    return values


def to_columns(units, framework, values, period="P"):
    """The value table as the mapping Values.from_columns takes."""
    codes = [c for _, c, _ in units]
    data = {"code": codes, "period": [period] * len(codes)}
    for f in framework.fields:
        data[f] = [values[c].get(f) for c in codes]
    return data
