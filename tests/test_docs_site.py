"""The docs site builds with no warning (``mkdocs build --strict``), when the ``docs`` extra is
installed; CI (``.ci/run``) installs it and builds the site as well."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "api" / "index.html").exists()
    reference = (tmp_path / "reference" / "index.html").read_text(encoding="utf-8")
    assert 'id="egov_score.pipeline.load"' in reference
    assert ":func:" not in reference


def test_every_page_is_in_the_nav():
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").rglob("*.md")):
        assert page.relative_to(ROOT / "docs").as_posix() in text, page.name
