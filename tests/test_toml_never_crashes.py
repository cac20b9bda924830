"""Never crashes: generated TOML (the framework's vocabulary with wrong types, missing keys and
random nesting) and random bytes given to ``Framework.from_toml`` and the overrides reader give
a framework or an ``EgovScoreError``, never another exception."""

from __future__ import annotations

import contextlib
import json
import math
import re
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egov_score import datasets
from egov_score.exceptions import EgovScoreError
from egov_score.io.toml import KeyPath, key_lines
from egov_score.model import framework as fw_module
from egov_score.model.framework import Framework
from egov_score.plugins.manager import make_plugin_manager
from egov_score.plugins.registry import Registry

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LEVELS = ("division", "district", "block", "machine")
REGISTRY = Registry(make_plugin_manager(autoload=False))
SMALL = tomllib.loads((datasets.path("small") / "framework.toml").read_text(encoding="utf-8"))
OVERRIDES: dict[str, Any] = {
    "schemes": ["emitra", "pension"],
    "weights": {"emitra": 2, "inspection_rate": 0.5},
    "targets": {"inspection_rate": 90},
    "normalise": {"inspection_rate": {"method": "goalposts", "lower": 0, "upper": 100}},
    "aggregate": {"index": "geometric"},
    "min_coverage": {"index": 0.5},
    "bands": {"edges": [50, 65, 100], "labels": ["a", "b", "c", "d"]},
}

VOCABULARY = sorted(
    {
        *fw_module._TOP_KEYS,
        *fw_module._FIELD_KEYS,
        *fw_module._INDICATOR_KEYS,
        *fw_module._GROUP_KEYS,
        *fw_module._NORMALISE_KEYS,
        *fw_module._AGGREGATE_KEYS,
        *fw_module.NORMALISATION_METHODS,
        *fw_module.AGGREGATION_METHODS,
        *fw_module.ROLLUP_RULES,
        *LEVELS,
        *OVERRIDES,
        "edges",
        "labels",
        "labels_hi",
        "installed",
        "inspected",
        "inspection_rate",
        "index",
        "emitra",
        "machines",
        "lowr",
        "feild",
    }
)
SAFE_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"), max_size=8
)
SCALARS = (
    st.integers(-5, 200)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.sampled_from(VOCABULARY)
    | SAFE_TEXT
)
KEYS = st.sampled_from(VOCABULARY) | SAFE_TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


# -- writing TOML --------------------------------------------------------------------------


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"


def dumps(data: dict[str, Any], tables: bool) -> str:
    """A TOML document for ``data``: top-level tables and arrays of tables as ``[x]`` and
    ``[[x]]`` sections if ``tables``, else everything inline."""
    plain = {k: v for k, v in data.items() if not tables or not _sectioned(v)}
    out = [f"{_key(k)} = {_value(v)}" for k, v in plain.items()]
    for k, v in data.items():
        if k in plain:
            continue
        for table in v if isinstance(v, list) else [v]:
            out.append(f"\n[[{_key(k)}]]" if isinstance(v, list) else f"\n[{_key(k)}]")
            out += [f"{_key(kk)} = {_value(vv)}" for kk, vv in table.items()]
    return "\n".join(out) + "\n"


def _sectioned(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


# -- mutating a valid document -------------------------------------------------------------


def _paths(data: Any, prefix: KeyPath = ()) -> Iterator[KeyPath]:
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for k, v in items:
        yield (*prefix, k)
        yield from _paths(v, (*prefix, k))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with a few keys deleted, replaced by a random value, or added."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for k in path[:-1]:
            parent = parent[k]
        action = draw(st.sampled_from(["delete", "replace", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(VALUES)
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(VALUES)
        else:
            parent.append(draw(VALUES))
    return data


def _outcome(load: Any, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fw.toml"
        path.write_bytes(raw)
        with contextlib.suppress(EgovScoreError):  # a clear error is fine; nothing else is
            load(path)


def both(raw: bytes) -> None:
    """Load ``raw`` as a framework and as an overrides file: a result or an EgovScoreError."""
    _outcome(Framework.from_toml, raw)
    _outcome(lambda p: REGISTRY.framework_from_toml(p, LEVELS), raw)


DOCUMENTS = (
    mutated(SMALL) | mutated(OVERRIDES) | st.dictionaries(KEYS, VALUES, max_size=6),
    st.booleans(),
)


@SETTINGS
@given(*DOCUMENTS)
def test_generated_toml_never_crashes(data: dict[str, Any], tables: bool) -> None:
    text = dumps(data, tables)
    assert tomllib.loads(text) is not None  # the writer itself writes valid TOML
    both(text.encode("utf-8"))


@SETTINGS
@given(*DOCUMENTS)
def test_key_lines_finds_every_key(data: dict[str, Any], tables: bool) -> None:
    text = dumps(data, tables)
    parsed = tomllib.loads(text)
    lines = key_lines(text)
    missing = [p for p in _paths(parsed) if p not in lines]
    assert not missing, (text, missing)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(raw: bytes) -> None:
    both(raw)


@SETTINGS
@given(st.data())
def test_damaged_bytes_never_crash(data: st.DataObject) -> None:
    raw = bytearray(dumps(data.draw(mutated(SMALL)), data.draw(st.booleans())).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        raw[at : at + 1] = data.draw(st.binary(min_size=0, max_size=2))
    both(bytes(raw))


@SETTINGS
@given(st.text(max_size=200))
def test_key_lines_never_raises_on_any_text(text: str) -> None:
    assert isinstance(key_lines(text), dict)
