"""Regenerate docs/plugins/<code>.md from the built-in plugins' declarations.

Run ``python tools/plugin_docs.py`` after changing a plugin; ``tests/test_docs.py`` fails
while a page is out of date.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from egov_score.plugins.manager import DEFAULT_PLUGINS

ROOT = Path(__file__).resolve().parent.parent


def page(module: str) -> tuple[Path, str]:
    """The path and text of one plugin's page."""
    scheme = importlib.import_module(module).SCHEME
    samples = ", ".join(
        f"`src/egov_score/plugins/samples/{p.name}`" for p in scheme.samples.values()
    )
    text = (
        scheme.to_markdown()
        + f"\n## Sample\n\n{samples}, for the units of the `small` data set, period "
        f"{scheme.sample_period}. The tests compute every indicator on it by hand "
        "(`tests/test_plugins.py`).\n"
    )
    return ROOT / "docs" / "plugins" / f"{scheme.code}.md", text


if __name__ == "__main__":
    for module in DEFAULT_PLUGINS:
        path, text = page(module)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
