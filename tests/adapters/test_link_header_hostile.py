"""A hostile `Link` header (json_api's link_header pagination, Mastodon) is read in linear time
and cannot hide the real next link: it is parsed in the fetching process, where a slow regex
stalls every other fetch of the run or the daemon."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply

# Near httpcore's 100 KiB limit for a response head. The old pattern `<([^>]*)>` tried every
# `<` up to the end of the header: most of a minute of CPU for this one header.
JUNK = "<" * 90_000


def run_board(tmp_path: Path, server: LocalServer, link: str) -> subprocess.CompletedProcess[str]:
    document = {"data": [{"title": "A"}]}
    first = server.route("/jobs", Reply(body=json.dumps(document).encode(), headers={"Link": link}))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        f"sources:\n  - {{name: board, adapter: json_api, url: '{first}',"
        " options: {records: data, pagination: {type: link_header}}}\n"
    )
    try:  # a hang guard far above the milliseconds the header takes
        return run_cli("run", "--config", str(config), cwd=tmp_path, timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("reading one Link header took more than 30 s") from None


def test_a_link_header_of_angle_brackets_is_read_quickly(
    tmp_path: Path, server: LocalServer
) -> None:
    result = run_board(tmp_path, server, f'<{server.url("/p0")}>; rel="prev", {JUNK}')
    assert result.returncode == 0, result.stdout + result.stderr
    assert [seen.path for seen in server.seen] == ["/jobs"]  # no next link: one page


def test_angle_brackets_before_the_next_link_do_not_hide_it(
    tmp_path: Path, server: LocalServer
) -> None:
    second = server.route("/p2", Reply(body=json.dumps({"data": [{"title": "B"}]}).encode()))
    result = run_board(tmp_path, server, f'{"<" * 1000}<{second}>; rel="next"')
    assert result.returncode == 0, result.stdout + result.stderr
    assert [seen.path for seen in server.seen] == ["/jobs", "/p2"]
