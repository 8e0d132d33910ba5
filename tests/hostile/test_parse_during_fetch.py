"""Parsing a page during the fetch (the html adapter's `next` link) is isolated like `parse`:
a page that takes lexbor minutes (300,000 nested elements: its tree builder is quadratic in
the nesting) is stopped at `parse.timeout` in a worker, and the run goes on with the others."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply

DEPTH = 300_000  # 1.8 MB, under the 10 MiB body cap: lexbor needs minutes for it


def test_a_slow_next_link_page_fails_its_source_at_the_parse_deadline(
    tmp_path: Path, server: LocalServer
) -> None:
    page = "<div>" * DEPTH + '<li class="job"><a href="/1">Job</a></li><a class="next" href="/2">'
    board = server.route("/board", Reply(body=page.encode(), headers={"Content-Type": "text/html"}))
    feed = server.route("/jobs", Reply(body=json.dumps({"data": [{"title": "Good gig"}]}).encode()))
    server.route("/robots.txt", Reply(status=404))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        "parse: {timeout: 2}\n"
        "sources:\n"
        f"  - {{name: deep, adapter: html, url: '{board}', options: {{item: li.job,"
        " fields: {title: a, url: a}, next: a.next}}\n"
        f"  - {{name: good, adapter: json_api, url: '{feed}', options: {{records: data}}}}\n"
    )
    try:  # a hang guard: the worker is stopped after 2 s
        result = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path, timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError("the run was stuck parsing one page in the fetching process") from None
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert lines["deep"].endswith("error: parsing took longer than 2 s; stopped")
    assert lines["good"].split()[1:3] == ["1", "1"]  # fetched 1, new 1
