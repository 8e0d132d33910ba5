"""A number too long for Python to read (more than 4,300 digits) in one record of a JSON page
reads as null: the page's records are stored, instead of the whole source failing with
Python's advice to change an interpreter setting."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply

HUGE = "9" * 5000


def test_a_record_with_a_huge_number_does_not_cost_the_page(
    tmp_path: Path, server: LocalServer
) -> None:
    page = '{"data": [{"title": "Huge pay gig", "pay": ' + HUGE + '}, {"title": "Plain gig"}]}'
    url = server.route("/jobs", Reply(body=page.encode()))
    notice = json.dumps({"legal": "notice"})
    remoteok = f'[{notice}, {{"id": "1", "position": "Remote gig", "salary_min": {HUGE}}}]'
    feed = server.route("/api", Reply(body=remoteok.encode()))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        "sources:\n"
        f"  - {{name: plain, adapter: json_api, url: '{url}',"
        " options: {records: data, fields: {title: title, pay_min: pay}}}\n"
        # cursor pagination decodes the page in the fetching process too
        f"  - {{name: paged, adapter: json_api, url: '{url}',"
        " options: {records: data, pagination: {type: cursor, cursor_path: pay}}}\n"
        f"  - {{name: remote, adapter: remoteok, url: '{feed}'}}\n"
    )
    result = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "set_int_max_str_digits" not in result.stdout + result.stderr
    fetched = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:4]}
    assert fetched == {"plain": "2", "paged": "2", "remote": "1"}
    with sqlite3.connect(tmp_path / "data.db") as db:
        titles = {title for (title,) in db.execute("SELECT title FROM listings")}
    assert titles == {"Huge pay gig", "Plain gig", "Remote gig"}
