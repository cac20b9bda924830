"""``messages(lang)`` keeps the last messages of each language for the folders in force (a
card asks for them thousands of times): the same messages as the cache gives, looked up
again only when the plugin catalogues in force change."""

from __future__ import annotations

from typing import Any

import pytest

import egov_score.render.messages as msg
from egov_score.plugins.builtin import emitra


def test_the_last_messages_are_kept_per_language_and_folders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked_up: list[tuple[str, tuple[Any, ...]]] = []
    real = msg._messages

    def spy(lang: str, folders: tuple[Any, ...]) -> msg.Messages:
        looked_up.append((lang, folders))
        return real(lang, folders)

    monkeypatch.setattr(msg, "_messages", spy)
    monkeypatch.setattr(msg, "_LAST", {})
    core_en = [msg.messages("en") for _ in range(50)]
    assert len(looked_up) == 1
    assert all(m is real("en", ()) for m in core_en)
    assert msg.messages("hi") is real("hi", ())
    assert msg.messages("en") is core_en[0]  # another language between: still kept
    assert len(looked_up) == 2
    with msg.catalogues([emitra.egov_score_catalogues()]):
        with_plugin = msg.messages("en")
        assert with_plugin is not core_en[0]
        assert with_plugin("emitra.not_inspected") != "emitra.not_inspected"  # the plugin's words
        assert msg.messages("en") is with_plugin
    assert msg.messages("en") is core_en[0]  # the folders in force before, looked up again
    assert [lang for lang, _ in looked_up] == ["en", "hi", "en", "en"]
