"""A phone column is judged on its given cells only (issue 11, the state-sized review): an
optional column is often mostly empty, and an empty cell is a missing phone, so the rule runs
on the non-empty cells, with the problems it finds when run on every cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import egov_score as eg
import egov_score.plugins.scheme as scheme
from egov_score.io.table import Table
from egov_score.plugins.builtin import emitra

DEFAULT_LEVELS = eg.check_plugin.__globals__["DEFAULT_LEVELS"]


def _table(tmp_path: Path, phones: list[str]) -> tuple[Table, eg.Hierarchy]:
    sample = emitra.SCHEME.samples["emitra_machines"].read_text(encoding="utf-8").splitlines()
    header = sample[0].split(",")
    at = header.index("nodal_officer_phone")
    rows = []
    for line, phone in zip(sample[1:], phones, strict=False):
        cells = line.split(",")
        cells[at] = phone
        rows.append(",".join(cells))
    path = tmp_path / "emitra_machines.csv"
    path.write_text("\n".join([sample[0], *rows]) + "\n", encoding="utf-8")
    units = eg.Hierarchy.from_csv(emitra.SCHEME.sample_units, DEFAULT_LEVELS)
    return Table.from_csv(path), units


def test_only_given_phones_are_judged_with_the_same_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = ["", "94140 223", " ", "", "9414012345", "", "abc"]
    table, units = _table(tmp_path, phones)
    judged: list[list[str]] = []
    real = scheme.valid_phones

    def spy(cells: Any) -> Any:
        judged.append(list(cells))
        return real(cells)

    monkeypatch.setattr(scheme, "valid_phones", spy)
    problems = scheme.check_table(emitra.TABLE, table, units)
    given = [p for p in table.columns["nodal_officer_phone"].tolist() if p != ""]
    assert judged == [given]  # the empty cells are not judged
    every = real(table.columns["nodal_officer_phone"])
    expected = [int(table.rows[i]) for i in np.flatnonzero(~every)]
    assert [p.row for p in problems if p.column == "nodal_officer_phone"] == expected
    assert expected  # the bad ones are found
