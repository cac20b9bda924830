"""Writing Excel needs no extra since egov_score writes the package itself; reading still
names the ``excel`` extra when openpyxl is missing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from egov_score.exceptions import InputError
from egov_score.io.table import Table
from egov_score.io.xlsx import check_xlsx, write_xlsx


@pytest.mark.parametrize("hidden", ["xlsxwriter", "openpyxl"])
def test_writing_needs_neither_library(tmp_path: Path, hide_module, hidden: str) -> None:
    hide_module(hidden)
    sheets = {"s": {"a": np.array([1.5, 2.0]), "b": np.array(["=x", "y"])}}
    check_xlsx(tmp_path / "t.xlsx", sheets)
    path = write_xlsx(tmp_path / "t.xlsx", sheets)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert "xl/worksheets/sheet1.xml" in zf.namelist()


def test_reading_names_the_extra(tmp_path: Path, hide_module) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", {"s": {"a": np.array([1.5])}})
    hide_module("openpyxl")
    with pytest.raises(InputError, match=r"reading Excel files needs the 'excel' extra"):
        Table.from_excel(path)
