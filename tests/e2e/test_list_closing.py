"""`aggregate run` over a SimplifyJobs list served on loopback: a listing marked inactive in a
later version of the file closes, and so does one that left the file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from tests.conftest import run_cli
from tests.support.servers import FeedServer


def _listing(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "company_name": "Lanternworks",
        "locations": ["Pittsburgh, PA"],
        "title": f"Intern number {number}",
        "date_posted": 1761300000 + number,
        "terms": ["Summer 2026"],
        "active": True,
        "url": f"https://boards.greenhouse.io/lanternworks/jobs/71000000{number:02d}",
        "is_visible": True,
        "source": "Simplify",
        "company_url": "",
        "date_updated": 1761400000,
        "id": f"listing-{number}",
        "sponsorship": "Other",
        **fields,
    }


def test_an_inactive_or_dropped_listing_closes_and_the_others_stay_open(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.serve("/listings.json", json.dumps([_listing(1), _listing(2), _listing(3)]))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        "parse: {isolate: false}\n"
        "sources:\n"
        f"  - {{name: summer, adapter: simplify, url: '{feed_server.url('/listings.json')}'}}\n"
    )
    first = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr

    # The next version marks listing 2 closed and no longer has listing 3 at all.
    feed_server.serve("/listings.json", json.dumps([_listing(1), _listing(2, active=False)]))
    second = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr

    with sqlite3.connect(tmp_path / "data.db") as db:
        statuses = dict(db.execute("SELECT title, status FROM listings").fetchall())
    assert statuses == {
        "Intern number 1": "open",
        "Intern number 2": "closed",
        "Intern number 3": "closed",
    }
