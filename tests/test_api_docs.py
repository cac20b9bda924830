"""docs/api.md is true: its Python blocks run, in order, in one session, in a temporary folder,
and their assertions hold on the built-in data."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```$", text, re.S | re.M)


def test_every_block_asserts_something():
    blocks = python_blocks(API.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    for block in blocks:
        assert re.search(r"^assert ", block, re.M), block


def test_api_examples_run_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "api_md"}
    text = API.read_text(encoding="utf-8")
    for n, block in enumerate(python_blocks(text), 1):
        line = text[: text.index(block)].count("\n") + 1
        # Pad with newlines so a traceback points at the line of docs/api.md.
        exec(compile("\n" * (line - 1) + block, str(API), "exec"), namespace)
        assert namespace, n
    assert (tmp_path / "my-review" / "units.csv").exists()
    written = sorted(p.name for p in tmp_path.glob("alwar.*"))
    assert written == sorted(
        f"alwar.{lang}.{fmt}"
        for lang in ("en", "hi")
        for fmt in ("csv", "html", "json", "md", "text")
    )


def test_the_table_lists_every_task_function():
    text = API.read_text(encoding="utf-8")
    for name in (
        "load",
        "score",
        "score_panel",
        "progress",
        "select_awards",
        "render_awards",
        "build_report",
        "render_card",
    ):
        assert f"eg.{name}(" in text, name
