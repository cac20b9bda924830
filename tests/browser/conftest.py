"""The demo's pages, written once, and one headless Chromium for every browser test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def demo_pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's review in English and Hindi (``index.html``, ``en/``, ``hi/``)."""
    return chromium.write_demo(tmp_path_factory.mktemp("browser") / "review")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; the test is skipped, saying why, only when
    chromium or playwright is absent (``.ci/run`` installs both and sets
    ``EGOV_SCORE_BROWSER_TESTS=required``, which makes their absence a failure)."""
    why = chromium.missing()
    if why and os.environ.get("EGOV_SCORE_BROWSER_TESTS") == "required":  # .ci/run
        pytest.fail(f"the browser tests are required here, but {why}")
    if why:
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = chromium.launch(p)
        yield b
        b.close()
