"""Every catalogue entry parses its fixture into complete postings (one table-driven test).

A fixture is `fixtures/NAME.<ext>` (one page in the board's exact shape, invented content) with
`fixtures/NAME.expect.yaml` beside it:

    file: NAME.json          # the page
    page_url: https://...    # the URL the page came from (links are made absolute against it)
    options: {board: acme}   # the source's options, as a user would write them
    count: 3                 # postings expected after normalization
    first: {title: ..., company: ..., url: ..., remote: "yes"}   # fields of the first posting
    all_have_url: true       # false only for generic adapters whose documents may omit links
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from aggregator.adapters.catalogue import load_catalogue, resolve
from aggregator.config.model import SourceConfig
from aggregator.models import posting_to_json
from aggregator.normalize.postings import normalize_all

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def expectations(name: str) -> dict[str, Any]:
    path = FIXTURES / f"{name}.expect.yaml"
    assert path.exists(), f"catalogue entry {name!r} has no fixture ({path.name})"
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_every_catalogue_entry_parses_its_fixture_into_complete_postings(name: str) -> None:
    spec = expectations(name)
    source = SourceConfig(
        name="fixture", adapter=name, url=spec.get("url"), options=spec.get("options", {})
    )
    resolved = resolve(source)
    adapter = resolved.adapter(resolved.config)
    body = (FIXTURES / spec["file"]).read_bytes()
    raws = adapter.parse(body, url=spec["page_url"])
    postings = [posting_to_json(p) for p in normalize_all(raws, source="fixture", now=NOW)]

    assert len(postings) == spec["count"]
    for posting in postings:
        assert posting["title"], posting
        if spec.get("all_have_url", True) or posting["url"]:
            assert str(posting["url"]).startswith(("http://", "https://")), posting
    first = postings[0]
    for key, expected in spec["first"].items():
        assert first[key] == expected, f"{name}: first posting's {key}"


def test_every_catalogue_entry_names_terms_and_a_schedule() -> None:
    for name, entry in load_catalogue().items():
        assert entry.title, name
        assert entry.homepage.startswith("https://"), name
        assert entry.every.total_seconds() >= 60, name
