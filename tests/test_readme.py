"""The README stays true: its source table lists every catalogue entry."""

from __future__ import annotations

import re
from pathlib import Path

from aggregator.adapters.catalogue import load_catalogue

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_source_table_has_a_row_for_every_catalogue_entry() -> None:
    text = README.read_text()
    table = text[text.index("<!-- catalogue-table") :].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.MULTILINE)
    assert sorted(rows) == sorted(load_catalogue())
