"""Regenerate the screenshots of Alwar's district card in ``docs/img/`` (shown in
``docs/report-cards.md``): a desktop (1280 px), a phone (390 px) and the Hindi card on a phone,
taken in Debian's headless Chromium from the demo's pages.

Run from the repository's root: ``python -m tests.browser.screenshots`` (the ``browser``
extra and ``/usr/bin/chromium``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.browser import chromium

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "img"
#: (file, language, viewport width, height shown): the top of the card, as a reader sees it.
SHOTS = (
    ("card-desktop.png", "en", chromium.DESKTOP, 1000),
    ("card-phone.png", "en", chromium.PHONE, 1400),
    ("card-hindi.png", "hi", chromium.PHONE, 1400),
)
CARD = "district/alwar-87.html"


def main() -> int:
    """Write the screenshots; returns the exit status."""
    why = chromium.missing()
    if why:
        print(f"screenshots: error: {why}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        pages = chromium.write_demo(Path(tmp) / "review")
        browser = chromium.launch(p)
        for name, lang, width, height in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((pages / lang / CARD).as_uri())
            page.screenshot(path=str(IMG / name))
            page.close()
            print(f"{IMG / name}: {(IMG / name).stat().st_size // 1024} KB")
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
