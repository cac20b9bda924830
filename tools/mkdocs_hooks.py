"""MkDocs hooks of the docs site (``mkdocs.yml``: ``hooks``).

The docstrings cross-reference with Sphinx roles (``:func:`load```), which mkdocstrings renders
as the literal role followed by the code; this drops the role so the name reads as code.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):(?=<code>)")


def on_page_content(html: str, **kwargs: Any) -> str:
    """Drop Sphinx roles left in front of inline code."""
    return _ROLE.sub("", html)
