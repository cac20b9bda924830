"""Docs that must not drift from the code."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from tools.plugin_docs import page

from egov_score.plugins.manager import DEFAULT_PLUGINS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("module", DEFAULT_PLUGINS)
def test_plugin_page_is_current(module):
    path, text = page(module)
    assert path.read_text(encoding="utf-8") == text, "run: python tools/plugin_docs.py"


def test_every_public_name_has_a_docstring():
    import egov_score

    for name in egov_score.__all__:
        obj = getattr(egov_score, name)
        if callable(obj):
            assert (obj.__doc__ or "").strip(), name
    for module in DEFAULT_PLUGINS:
        assert importlib.import_module(module).__doc__


def test_changelog_has_unreleased():
    assert "## Unreleased" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
