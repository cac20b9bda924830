"""Every script in examples/ runs, and the README's Python example prints what it says."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script, capsys):
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_quickstart_output(capsys):
    runpy.run_path(str(ROOT / "examples" / "quickstart.py"), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["1. Alwar: 94.4 (Front Runner)", "2. Dausa: 50.0 (Performer)"]


def test_readme_python_example(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## In Python\n\n```python\n(.*?)```", readme, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    claimed = re.findall(r"^# (.*)$", code, re.M)
    assert lines == claimed


def test_readme_command_line_example(tmp_path, monkeypatch, capsys):
    import shlex

    from egov_score.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## On the command line\n\n```sh\n(.*?)```", readme, re.S).group(1)
    commands = [c.split("  #")[0].strip() for c in block.replace("\\\n", " ").splitlines()]
    monkeypatch.chdir(tmp_path)
    for command in filter(None, commands):
        args = shlex.split(command)
        assert args[0] == "egov-score"
        assert main(args[1:]) == 0, command
    assert (tmp_path / "scores" / "district.csv").exists()
    assert (tmp_path / "alwar.html").exists()
    assert "Alwar" in capsys.readouterr().out


def test_readme_plugin_example(tmp_path, monkeypatch):
    from egov_score import datasets

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In Python", 1)[1].split("\n## ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, re.S)[1]
    datasets.export("jaipur", tmp_path / "my-review")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile("import egov_score as eg\n" + code, "README.md", "exec"), scope)
    assert scope["result"].level("division").fields["installed"][0] == 2995
    assert scope["awards"].winners["district"][0].code == "D-87"  # Alwar, as the demo shows
    assert "अलवर" in scope["html"]
