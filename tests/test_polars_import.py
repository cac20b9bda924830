"""polars is imported with its allocator told to return freed memory soon, unless the user
configured it or imported polars first (``egov_score.io.polars_import``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from egov_score.io import polars_import
from egov_score.io.polars_import import (
    POLARS_ALLOCATOR_CONF,
    POLARS_ALLOCATOR_VARIABLE,
    import_polars,
)

pytest.importorskip("polars")


def _fresh(code: str, env: dict[str, str] | None = None) -> str:
    """What a fresh interpreter prints after running ``code``, without the variable set
    unless ``env`` sets it."""
    base = {k: v for k, v in os.environ.items() if k != POLARS_ALLOCATOR_VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", code], env={**base, **(env or {})}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


_PRINT = f"import os; print(os.environ.get({POLARS_ALLOCATOR_VARIABLE!r}, 'unset'))"


def test_the_first_import_sets_the_allocator() -> None:
    code = f"from egov_score.io.polars_import import import_polars; import_polars(); {_PRINT}"
    # polars puts its own defaults first; jemalloc takes the last value of each setting.
    assert _fresh(code).endswith("," + POLARS_ALLOCATOR_CONF)


def test_a_users_own_setting_wins() -> None:
    code = f"from egov_score.io.polars_import import import_polars; import_polars(); {_PRINT}"
    conf = _fresh(code, {POLARS_ALLOCATOR_VARIABLE: "dirty_decay_ms:5000"})
    assert conf.endswith(",dirty_decay_ms:5000")
    assert POLARS_ALLOCATOR_CONF not in conf


def test_polars_imported_before_is_left_as_it_is() -> None:
    code = (
        "import polars; from egov_score.io.polars_import import import_polars; "
        f"import_polars(); {_PRINT}"
    )
    assert POLARS_ALLOCATOR_CONF not in _fresh(code)  # polars' own setting alone


def test_a_large_csv_read_imports_polars_configured(tmp_path: Path) -> None:
    """The CSV reader's polars path (files of 8 MB or more) goes through import_polars."""
    path = tmp_path / "big.csv"
    rows = "\n".join(f"M{i:07d},{i % 97}.5,{'x' * 8}" for i in range(400_000))
    path.write_text("code,value,note\n" + rows + "\n", encoding="utf-8")
    assert path.stat().st_size >= 8_000_000
    code = (
        "import sys; from egov_score.io.table import Table; "
        f"t = Table.read({str(path)!r}); assert t.n_rows == 400_000, t.n_rows; "
        f"assert 'polars' in sys.modules; {_PRINT}"
    )
    assert _fresh(code).endswith("," + POLARS_ALLOCATOR_CONF)


def test_without_polars_the_environment_is_left_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(POLARS_ALLOCATOR_VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, "polars")

    def missing(name: str) -> object:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(polars_import.importlib, "import_module", missing)
    with pytest.raises(ImportError, match="polars"):
        import_polars()
    assert POLARS_ALLOCATOR_VARIABLE not in os.environ
