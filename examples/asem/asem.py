"""COINr's ASEM example scored by egov_score alone, from COINr's raw data.

Reads ``data/ASEM_iData.csv`` (51 countries, 49 indicators, 4 denominators), puts every
country under its EurAsia group (the parent that group-mean imputation uses), scores it with
``framework.toml`` and prints the index, its rank and the sub-indices of the top ten.
"""

from __future__ import annotations

import csv
from pathlib import Path

import egov_score as eg

HERE = Path(__file__).resolve().parent


def load() -> tuple[eg.Framework, eg.Hierarchy, eg.Values]:
    """The framework, the hierarchy (EurAsia group -> country) and the raw values."""
    fw = eg.Framework.from_toml(HERE / "framework.toml")
    with open(HERE / "data" / "ASEM_iData.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    groups = sorted({r["EurAsia_group"] for r in rows})
    units = [eg.Unit(level="group", code=g, name=g) for g in groups]
    units += [
        eg.Unit(level="country", code=r["uCode"], name=r["uName"], parent=r["EurAsia_group"])
        for r in rows
    ]
    hierarchy = eg.Hierarchy.from_units(units, fw.levels)
    data: dict[str, list[object]] = {
        "code": [r["uCode"] for r in rows],
        "period": ["2018-01"] * len(rows),
    }
    data.update({f: [r[f] or None for r in rows] for f in fw.fields})
    values = eg.Values.from_columns(data, hierarchy, fw, source="data/ASEM_iData.csv")
    return fw, hierarchy, values


def run() -> eg.Result:
    """The scored ASEM example."""
    fw, hierarchy, values = load()
    return eg.score(hierarchy, fw, values)


if __name__ == "__main__":
    countries = run().level("country")
    order = countries.rank.argsort()
    print("rank  country  Index   Conn   Sust")
    for i in order[:10]:
        print(
            f"{countries.rank[i]:>4}  {countries.codes[i]:<7} {countries.score[i]:6.2f} "
            f"{countries.groups['Conn'][i]:6.2f} {countries.groups['Sust'][i]:6.2f}"
        )
