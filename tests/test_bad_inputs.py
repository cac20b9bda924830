"""The bad-inputs corpus: every case in ``tests/bad_inputs/`` is refused with a clear message.

Each case names its command, the exit status it must end with and fragments its message must
hold (see ``tests/bad_inputs/README.md``). The command runs in-process, so an exception that
escapes ``main`` fails the test with its traceback.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from egov_score import datasets
from egov_score.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.parent for p in CORPUS.glob("*/case.toml"))


def _args(case: Path, raw: list[str], out: Path) -> list[str]:
    where = {
        "small": str(datasets.path("small")),
        "jaipur": str(datasets.path("jaipur")),
        "out": str(out),
        "case": str(case),  # for a path inside an argument, e.g. block={case}/blocks.geojson
    }
    args = [arg.format(**where) for arg in raw]
    return [str(case / a) if (case / a).exists() and not Path(a).is_absolute() else a for a in args]


def test_the_corpus_has_cases() -> None:
    assert CASES, f"no cases found under {CORPUS}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_clearly(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))
    assert set(spec) <= {"about", "args", "expect", "exit"}, f"unknown keys in {case}/case.toml"
    status = main(_args(case, spec["args"], tmp_path / "out"))
    captured = capsys.readouterr()
    assert status == spec.get("exit", 2), captured.err
    assert "Traceback" not in captured.err
    for fragment in spec["expect"]:
        assert fragment in captured.err, f"{fragment!r} not in: {captured.err}"
