"""SVG text of the maps: every cell escaped whole, however much it grows."""

from __future__ import annotations

import html

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from egov_score.render.maps import _text


def test_a_unit_named_with_an_ampersand_is_escaped_whole() -> None:
    # numpy's replace keeps a fixed-width array's width: 'a&b' came out 'a&amb'.
    assert _text(np.array(["a&b", "x"])).tolist() == ["a&amp;b", "x"]
    assert _text(["<&>"]).tolist() == ["&lt;&amp;&gt;"]


@given(st.lists(st.text(alphabet='ab&<>"', max_size=6), min_size=1, max_size=5))
def test_svg_text_unescapes_to_the_cells(cells: list[str]) -> None:
    out = _text(np.array(cells, dtype=np.str_)).tolist()
    assert [html.unescape(c) for c in out] == cells
    assert not any(ch in c for c in out for ch in '<>"')
