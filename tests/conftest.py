"""Small local fixtures: writing CSV and TOML files into a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> Path: a dedented file in tmp_path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def hide_module(monkeypatch: pytest.MonkeyPatch):
    """hide_module(name): importing ``name`` raises ImportError, as if the extra that brings
    it were not installed."""
    import builtins
    import sys

    real_import = builtins.__import__

    def _hide(hidden: str) -> None:
        def fake_import(name: str, *args: object, **kwargs: object) -> object:
            if name == hidden:
                raise ImportError(name)
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", fake_import)
        # importlib.import_module does not go through __import__: None in sys.modules stops it.
        monkeypatch.setitem(sys.modules, hidden, None)

    return _hide


def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    # CI explores the same examples on every run, so a red build is reproducible; developers
    # keep exploring new ones.
    settings.register_profile("ci", derandomize=True, deadline=None)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()
