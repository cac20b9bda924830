"""Driving Debian's headless Chromium with Playwright for the browser tests and the
screenshots: the demo's pages written once, a browser launched from ``/usr/bin/chromium``
(never a downloaded build), and the checks run inside a page (width, contrast, requests,
printed pages)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

#: Debian's Chromium, installed by ``.ci/run`` (``apt-get install chromium``).
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a quiet, offline headless run as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A phone's and a desktop's viewport width.
PHONE, DESKTOP = 390, 1280
#: The width an A4 page prints on, in CSS px: 210 mm less the 12 mm margins each side.
A4_WIDTH = round((210 - 2 * 12) / 25.4 * 96)


def missing() -> str:
    """Why the browser tests cannot run here, or ``""`` when they can."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        return "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install 'egov-score[browser]')"
    return ""


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless."""
    path = CHROMIUM if CHROMIUM.exists() else Path(str(shutil.which("chromium")))
    return playwright.chromium.launch(executable_path=str(path), args=ARGS)


def write_demo(out: Path) -> Path:
    """The demo's review in both languages written into ``out``; returns ``out``."""
    from egov_score.cli import main

    status = main(["demo", "--lang", "both", "--out", str(out), "--quiet"])
    assert status == 0, status
    return out


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium printed (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


#: Every visible text node's colour against its effective background (the first opaque
#: background among its ancestors, translucent ones blended over it), in WCAG 2's contrast
#: ratio; SVG text by its fill. Returns the pairs below ``min``.
CONTRAST_JS = """
(min) => {
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((k) => top[k] * a + under[k] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let out = [255, 255, 255, 1];
    for (const c of layers.reverse()) out = over(c, out);
    return out;
  };
  const bad = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== "visible" || el.getClientRects().length === 0) continue;
    const svg = el instanceof SVGElement;
    let fg = parse(svg ? style.fill : style.color);
    if (!fg) continue;
    const bg = background(el);
    fg = over(fg, bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    checked += 1;
    if (ratio < min) bad.push({text: text.slice(0, 60), fg: fg.join(","), bg: bg.join(","), ratio});
  }
  return {checked, bad};
}
"""
