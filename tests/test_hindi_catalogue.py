"""The Hindi catalogues are complete: every message id the code uses has a Hindi message, the
plural rule is CLDR's, and every Hindi word used is in the glossary of docs/report-cards.md."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from egov_score import datasets
from egov_score.render.messages import LOCALE, messages

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "egov_score"
FOLDERS = [LOCALE, *sorted(p.parent for p in SRC.glob("plugins/**/hi.po"))]
DEVANAGARI_WORD = re.compile(r"[\u0900-\u0963\u0966-\u097F\u200c\u200d]+")  # not the dandas


def _catalogue(folder: Path, lang: str):
    with (folder / f"{lang}.po").open("rb") as f:
        return read_po(f)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


HINDI_IDS = set().union(*(_ids(_catalogue(f, "hi")) for f in FOLDERS))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_english_and_hindi_hold_the_same_ids_all_translated(folder):
    en, hi = _catalogue(folder, "en"), _catalogue(folder, "hi")
    assert _ids(en) == _ids(hi)
    empty = [m.id for m in hi if m.id and not all(_strings(m))]
    assert empty == []


def _used_ids() -> tuple[set[str], set[str]]:
    """Message ids the code passes as literals, and the prefixes of ids it builds
    (``f"band.{label}"``)."""
    literals: set[str] = set()
    prefixes: set[str] = set()

    def take(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literals.add(node.value)
        elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
            prefixes.add(str(node.values[0].value))
        elif isinstance(node, ast.Tuple):
            for element in node.elts:
                take(element)

    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ("gettext", "ngettext") and len(node.args) >= 2:
                take(node.args[1])
            elif name in ("t", "lookup", "Msg") and node.args:
                take(node.args[0])
            elif name == "Section":
                for kw in node.keywords:
                    if kw.arg in ("title", "note", "header"):
                        take(kw.value)
    return literals - {""}, prefixes


def test_every_message_id_used_in_the_code_has_a_hindi_message():
    literals, prefixes = _used_ids()
    assert {"rank_level", "peers_chart", "number_system", "total"} <= literals
    missing = sorted(i for i in literals if i not in HINDI_IDS)
    assert missing == []
    assert {"band.", "unit.", "officer.", "levels.", "month."} <= prefixes
    # name.<code>: a catalogue's optional name for a scheme in a language without name_hi
    optional = {"name."}
    built = sorted(p for p in prefixes - optional if not any(i.startswith(p) for i in HINDI_IDS))
    assert built == []


def test_hindi_plural_rule_is_cldrs():
    catalog = _catalogue(LOCALE, "hi")
    rule = gettext.c2py(catalog.plural_expr)
    cldr = Locale.parse("hi").plural_form
    for n in range(0, 1001):
        assert (rule(n) == 0) == (cldr(n) == "one"), n
    hindi = messages("hi")
    params = {"name": "A", "where": "", "mean": 80.0, "improvement": 2.0, "band": "b"}
    params |= {"first": "x", "last": "y"}
    assert "(1 माह)" in hindi.plural("citation", "citation.plural", 1, **params)


def _glossary_words() -> set[str]:
    text = (ROOT / "docs" / "report-cards.md").read_text(encoding="utf-8")
    section = text[text.index("## Hindi glossary") :]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("|")]
    hindi = " ".join(row[2] for row in rows if len(row) > 3)
    return set(DEVANAGARI_WORD.findall(hindi))


def _hindi_words_used() -> dict[str, str]:
    used: dict[str, str] = {}
    for folder in FOLDERS:
        for m in _catalogue(folder, "hi"):
            if m.id:
                for s in _strings(m):
                    for word in DEVANAGARI_WORD.findall(s):
                        used.setdefault(word, f"{folder.name}/hi.po {m.id!r}")
    framework = datasets.load("jaipur").framework
    for code, node in [*framework.groups.items(), *framework.indicators.items()]:
        for word in DEVANAGARI_WORD.findall(node.name_hi):
            used.setdefault(word, f"the name of {code!r}")
    return used


def test_every_hindi_word_is_in_the_glossary():
    glossary = _glossary_words()
    missing = {w: where for w, where in _hindi_words_used().items() if w not in glossary}
    assert missing == {}
