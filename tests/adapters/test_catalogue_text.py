"""Catalogue files read as written: no one-line value loses a part to YAML (a ` #` starts a
comment, so `title: search (e.g. #tag)` would be read as `search (e.g.`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from aggregator.adapters.catalogue import load_catalogue

CATALOGUE = Path(__file__).resolve().parents[2] / "sources"
FILES = sorted(CATALOGUE.glob("*.yaml"))
# A top-level `key: value` on one line (block scalars `>`/`|` and nested mappings excluded).
ONE_LINE = re.compile(r"^(?P<key>[a-z_]+):[ \t]+(?P<text>[^>|\s].*?)[ \t]*$")


def unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_every_one_line_text_value_of_a_catalogue_file_loads_whole(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    checked = 0
    for line in raw.splitlines():
        found = ONE_LINE.match(line)
        if found is None or not isinstance(data.get(found["key"]), str):
            continue
        assert data[found["key"]] == unquoted(found["text"]), f"{path.name}: {line}"
        checked += 1
    assert checked >= 2  # title and homepage at least: the pattern does match


def test_the_catalogue_titles_are_the_files_title_lines() -> None:
    entries = load_catalogue()
    assert {f"{name}.yaml" for name in entries} == {path.name for path in FILES}
    for path in FILES:
        (line,) = [line for line in path.read_text().splitlines() if line.startswith("title:")]
        assert entries[path.stem].title == unquoted(line.removeprefix("title:").strip())
