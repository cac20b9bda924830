"""The style of every HTML page the package writes (report cards, the division summary, the
index and the awards): one stylesheet, inline in each page, so a page needs no network.
"""

from __future__ import annotations

__all__ = ["CARD_CSS"]

#: The pages' stylesheet.
CARD_CSS = """
body{font-family:"Noto Sans","Noto Sans Devanagari","Nirmala UI",Mangal,system-ui,sans-serif;
margin:0;background:#f4f6f8;color:#1d2733}
main{max-width:980px;margin:0 auto;padding:24px}
header{background:#123c69;color:#fff;padding:20px 24px;border-radius:10px}
header h1{margin:0 0 6px;font-size:1.5em}header p{margin:0;opacity:.9}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border-radius:10px;padding:14px 18px;flex:1 1 160px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .k{font-size:.8em;color:#5b6b7c}.card .v{font-size:1.6em;font-weight:600}
section{background:#fff;border-radius:10px;padding:16px 20px;margin:14px 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:1.1em;margin:0 0 10px;color:#123c69}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{padding:6px 8px;border-bottom:1px solid #e4e8ec;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.band{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.b0{background:#c0392b}.b1{background:#e67e22}.b2{background:#27ae60}.b3{background:#1e8449}
.bx{background:#7f8c8d}.up{color:#1e8449}.down{color:#c0392b}
footer{color:#5b6b7c;font-size:.8em;text-align:center;margin:20px 0}
.no-data{background:#fff3cd;border-left:4px solid #e67e22;padding:8px 14px;border-radius:6px}
"""
