"""The standard workload of the benchmarks, from a seeded generator.

N machines under a hierarchy shaped like India's: 150 machines per block, 10 blocks per
district, 25 districts per division; 12 machine-level fields (counts and 0/1 flags) with 5-10 %
missing cells; 8 indicators (ratios and fields, both directions, min-max / goalposts / target
normalisation) in 3 groups under one index; every field rolls up by sum.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

import egov_score as eg
from egov_score.model.hierarchy import Level

LEVELS = ("division", "district", "block", "machine")
SHAPE = {"machine": 150, "block": 10, "district": 25}  # children per parent
FLAGS = ("installed", "inspected", "geotagged", "transacting", "nodal", "hours", "services", "rgsk")
COUNTS = ("transactions", "services_offered", "complaints", "downtime_hours")
FIELDS = FLAGS + COUNTS

FRAMEWORK = {
    "levels": list(LEVELS),
    "field": [{"code": f, "level": "machine"} for f in FIELDS],
    "indicator": [
        {
            "code": "inspection_rate",
            "numerator": "inspected",
            "denominator": "installed",
            "scale": 100,
            "parent": "machines",
            "normalise": {"method": "goalposts", "lower": 0, "upper": 100},
        },
        {
            "code": "geotag_rate",
            "numerator": "geotagged",
            "denominator": "installed",
            "scale": 100,
            "parent": "machines",
            "normalise": {"method": "minmax"},
        },
        {
            "code": "transacting_rate",
            "numerator": "transacting",
            "denominator": "installed",
            "scale": 100,
            "parent": "machines",
            "weight": 2,
            "target": 100,
            "normalise": {"method": "target"},
        },
        {
            "code": "tx_per_machine",
            "numerator": "transactions",
            "denominator": "installed",
            "parent": "use",
            "normalise": {"method": "minmax"},
        },
        {
            "code": "services",
            "field": "services_offered",
            "parent": "use",
            "normalise": {"method": "minmax"},
        },
        {
            "code": "complaints_per_machine",
            "numerator": "complaints",
            "denominator": "installed",
            "direction": -1,
            "parent": "citizens",
            "normalise": {"method": "minmax"},
        },
        {
            "code": "downtime",
            "numerator": "downtime_hours",
            "denominator": "installed",
            "direction": -1,
            "target": 2,
            "parent": "citizens",
            "normalise": {"method": "target"},
        },
        {
            "code": "display_rate",
            "numerator": "hours",
            "denominator": "installed",
            "scale": 100,
            "parent": "citizens",
            "normalise": {"method": "goalposts", "lower": 0, "upper": 100},
        },
    ],
    "group": [
        {"code": "machines", "parent": "index", "weight": 2},
        {"code": "use", "parent": "index"},
        {"code": "citizens", "parent": "index"},
        {"code": "index", "min_coverage": 0.5},
    ],
}


@attrs.frozen
class Workload:
    """A hierarchy, a framework and one period of machine-level field columns."""

    n: int
    framework: eg.Framework
    hierarchy: eg.Hierarchy
    fields: dict[str, np.ndarray]  # field -> float64 over machines (NaN = missing)
    block_of: np.ndarray  # per machine
    district_of: np.ndarray  # per block
    division_of: np.ndarray  # per district

    @property
    def values(self) -> eg.Values:
        """The fields as a :class:`Values` of one period ``"2021-01"``."""
        n = self.n
        return eg.Values(
            source="<workload>",
            periods=np.full(n, "2021-01"),
            depth=np.full(n, 3, dtype=np.intp),
            index=np.arange(n, dtype=np.intp),
            columns=self.fields,
            level_sizes=tuple(len(lv) for lv in self.hierarchy.levels),
            field_levels=dict.fromkeys(FIELDS, 3),
        )

    def input_bytes(self) -> int:
        """Bytes of the input field columns."""
        return sum(c.nbytes for c in self.fields.values())


def _level(name: str, n: int, parent: np.ndarray | None) -> Level:
    codes = np.char.add(f"{name[:2].upper()}", np.arange(n).astype(str))
    return Level(
        name=name,
        codes=codes,
        names=codes,
        names_hi=np.full(n, ""),
        parent=(np.full(n, -1, dtype=np.intp) if parent is None else parent.astype(np.intp)),
    )


def standard_workload(n: int, seed: int = 1) -> Workload:
    """The standard workload with ``n`` machines."""
    rng = np.random.default_rng(seed)
    n_blocks = math.ceil(n / SHAPE["machine"])
    n_districts = math.ceil(n_blocks / SHAPE["block"])
    n_divisions = math.ceil(n_districts / SHAPE["district"])
    block_of = np.minimum(np.arange(n) // SHAPE["machine"], n_blocks - 1)
    district_of = np.arange(n_blocks) // SHAPE["block"]
    division_of = np.arange(n_districts) // SHAPE["district"]
    hierarchy = eg.Hierarchy(
        (
            _level("division", n_divisions, None),
            _level("district", n_districts, division_of),
            _level("block", n_blocks, district_of),
            _level("machine", n, block_of),
        )
    )
    quality = rng.normal(0, 1, n_blocks)[block_of] + rng.normal(0, 1, n)
    p = 1 / (1 + np.exp(-quality))
    fields: dict[str, np.ndarray] = {"installed": (rng.random(n) < 0.97).astype(np.float64)}
    for f in FLAGS[1:]:
        fields[f] = (rng.random(n) < p).astype(np.float64) * fields["installed"]
    fields["transactions"] = rng.poisson(30 * p).astype(np.float64)
    fields["services_offered"] = rng.integers(5, 40, n).astype(np.float64)
    fields["complaints"] = rng.poisson(3 * (1 - p)).astype(np.float64)
    fields["downtime_hours"] = rng.gamma(2.0, 3 * (1 - p) + 0.1).round(1)
    for f in FIELDS:
        missing = rng.random(n) < rng.uniform(0.05, 0.10)
        fields[f][missing] = np.nan
    return Workload(
        n=n,
        framework=eg.Framework.from_dict(FRAMEWORK),
        hierarchy=hierarchy,
        fields=fields,
        block_of=block_of,
        district_of=district_of,
        division_of=division_of,
    )


def memory_floor(w: Workload) -> float:
    """Read the field matrix once: a column sum over every field (the work no scorer avoids)."""
    return float(sum(np.nansum(c) for c in w.fields.values()))
