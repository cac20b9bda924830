"""An entry-point plugin that fails to import is named: its entry point, its distribution and the
error, with how to keep it out."""

from __future__ import annotations

import re
import textwrap

import pytest

from egov_score import cli
from egov_score.exceptions import PluginError
from egov_score.plugins.manager import DISABLE_AUTOLOAD_ENV, make_plugin_manager


@pytest.fixture
def broken_site(tmp_path, monkeypatch):
    """A folder on sys.path holding an installed distribution ``egov-score-broken`` 0.3 whose
    entry point ``broken`` names a module that raises on import."""
    dist = tmp_path / "egov_score_broken-0.3.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: egov-score-broken\nVersion: 0.3\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        "[egov_score]\nbroken = egov_score_broken_plugin\n", encoding="utf-8"
    )
    (tmp_path / "egov_score_broken_plugin.py").write_text(
        textwrap.dedent(
            """
            import this_module_is_not_installed  # noqa: F401
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    return tmp_path


def test_a_plugin_that_fails_to_import_is_named(broken_site):
    with pytest.raises(PluginError) as info:
        make_plugin_manager()
    message = str(info.value)
    assert "entry-point plugin 'broken' (distribution egov-score-broken 0.3, " in message
    assert "egov_score_broken_plugin) must import and register" in message
    assert "ModuleNotFoundError(\"No module named 'this_module_is_not_installed'\")" in message
    assert "--block broken" in message
    assert f"{DISABLE_AUTOLOAD_ENV}=1" in message
    assert isinstance(info.value.__cause__, ModuleNotFoundError)


def test_a_blocked_or_disabled_plugin_is_not_imported(broken_site, monkeypatch):
    pm = make_plugin_manager(block=["broken"])
    assert pm.is_blocked("broken")
    make_plugin_manager(autoload=False)
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    make_plugin_manager()


def test_the_cli_names_it_and_exits_2(broken_site, capsys):
    assert cli.main(["plugins"]) == 2
    err = capsys.readouterr().err
    assert re.match(r"egov-score: error: entry-point plugin 'broken' \(distribution ", err)
    assert "Traceback" not in err
    assert cli.main(["plugins", "--block", "broken"]) == 0
