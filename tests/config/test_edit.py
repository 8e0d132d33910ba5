"""Adding sources to a config file: the rest stays byte for byte, the write is atomic."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aggregator.config.edit import (
    ConfigEditError,
    add_sources,
    configured_sources,
    write_atomically,
)
from aggregator.config.safe_yaml import load_yaml

NEW: dict[str, Any] = {"name": "acme", "adapter": "greenhouse", "options": {"board": "acme"}}

CONFIG = """\
# My aggregator config -- keep these notes
database: "sqlite:///jobs.db"   # quoted on purpose

sources:   # the boards I follow
  - name: campus
    adapter: rss
    url: ${CAMPUS_FEED}        # from the environment
    every: 30m
  - {name: micro, adapter: rss, url: 'https://micro.example/rss?x=1'}
  # - name: retired
  #   adapter: rss

# Alerts go here
channels:
  me: ${ALERT_URL:-console://}
rules:
  - name: interns
    query: 'intern*'
    notify: [me]
"""


def test_the_new_item_goes_after_the_last_one_and_nothing_else_changes() -> None:
    edited = add_sources(CONFIG, [NEW], "c.yaml")
    block = "  - name: acme\n    adapter: greenhouse\n    options:\n      board: acme\n"
    assert block in edited
    assert edited.replace(block, "", 1) == CONFIG
    # After the flow item, before the commented-out one and the next section.
    assert edited.index(block) == CONFIG.index("  # - name: retired")
    assert load_yaml(edited)["sources"][-1] == NEW


def test_comments_quoting_key_order_and_env_references_survive() -> None:
    edited = add_sources(CONFIG, [NEW], "c.yaml")
    for kept in (
        '# My aggregator config -- keep these notes\ndatabase: "sqlite:///jobs.db"   # quoted',
        "url: ${CAMPUS_FEED}        # from the environment",
        "url: 'https://micro.example/rss?x=1'}",
        "me: ${ALERT_URL:-console://}",
        "# Alerts go here\nchannels:",
    ):
        assert kept in edited


def test_values_yaml_11_would_misread_are_quoted() -> None:
    item = {
        "name": "yes",
        "adapter": "rss",
        "url": "https://x.test/a: b #c",
        "options": {"o": "on"},
    }
    edited = add_sources("sources:\n  - {name: a, adapter: rss}\n", [item], "c.yaml")
    assert load_yaml(edited)["sources"][1] == item


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "sources:\n  - name: acme\n"),
        ("database: sqlite:///x.db", "database: sqlite:///x.db\nsources:\n  - name: acme\n"),
        ("sources:\n# none yet\nrules: []\n", "sources:\n  - name: acme\n"),
        ("sources: []   # none yet\nrules: []\n", "sources:   # none yet\n  - name: acme\n"),
        ("sources:\n- name: a\n  adapter: rss\n", "- name: a\n  adapter: rss\n- name: acme\n"),
        ("  # lead\nsources:\n    -   name: a\n        adapter: rss\n", "\n    - name: acme\n"),
    ],
)
def test_a_missing_empty_or_differently_indented_list_gets_the_item(
    before: str, after: str
) -> None:
    edited = add_sources(before, [NEW], "c.yaml")
    assert after in edited
    assert (load_yaml(edited) or {})["sources"][-1] == NEW


def test_crlf_files_keep_their_line_endings() -> None:
    before = CONFIG.replace("\n", "\r\n")
    edited = add_sources(before, [NEW], "c.yaml")
    assert "\n" not in edited.replace("\r\n", "")
    assert load_yaml(edited)["sources"][-1] == NEW


def test_a_block_scalar_at_the_end_of_the_list_stays_whole() -> None:
    before = (
        "sources:\n  - name: a\n    adapter: html\n    options:\n      note: |\n"
        "        # not a comment\n\n        end\nrules: []\n"
    )
    edited = add_sources(before, [NEW], "c.yaml")
    assert load_yaml(edited)["sources"][0]["options"]["note"] == "# not a comment\n\nend\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: [{name: a, adapter: rss}]\n", "`sources:` is not a block list"),
        ("sources: ~\n", "cannot add to `sources:` as written"),
        ("sources: {a: 1}\n", "`sources:` is not a block list"),
        ("- just\n- a list\n", "the top level is not a mapping"),
        ("sources: [\n", "invalid YAML (line"),
    ],
)
def test_a_list_that_cannot_be_extended_safely_is_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigEditError, match=message.replace("[", r"\[").replace("(", r"\(")):
        add_sources(text, [NEW], "c.yaml")


def test_configured_sources_are_the_items_as_written() -> None:
    items = configured_sources(CONFIG, "c.yaml")
    assert [item["name"] for item in items] == ["campus", "micro"]
    assert items[0]["url"] == "${CAMPUS_FEED}"
    assert configured_sources("rules: []\n", "c.yaml") == []


def test_the_write_replaces_the_file_through_a_rename_keeping_its_mode(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG)
    config.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(config)
    write_atomically(link, CONFIG + "# more\n", expected=CONFIG)
    assert config.read_text() == CONFIG + "# more\n"
    assert link.is_symlink()
    assert config.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml", "link.yaml"]


def test_a_file_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG + "# edited by hand\n")
    with pytest.raises(ConfigEditError, match="changed while it was being edited"):
        write_atomically(config, CONFIG + "# mine\n", expected=CONFIG)
    assert config.read_text() == CONFIG + "# edited by hand\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG)

    def no_rename(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(ConfigEditError, match=r"cannot write .*No space left on device"):
        write_atomically(config, CONFIG + "# more\n", expected=CONFIG)
    assert config.read_text() == CONFIG
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]
