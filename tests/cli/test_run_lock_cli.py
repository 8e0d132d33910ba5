"""The run lock through real `aggregate run` processes: killed holders, live holders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply
from tests.support.postgres import postgres_schema_url
from tests.support.servers import FeedServer, SmtpSink, rss

ITEM = {
    "title": "Data labelling micro-project",
    "link": "http://jobs.example.test/1",
    "guid": "job-1",
    "description": "data",
}
BUSY = "another run is in progress"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'test.db'}"
    else:
        yield from postgres_schema_url()


def write_config(tmp_path: Path, database: str, feed: str, channel: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        f'database: "{database}"\n'
        "http:\n  per_host_gap: 0\n  total_timeout: 30\n"
        f"sources:\n  - name: jobs\n    adapter: rss\n    url: {feed}\n    every: 1h\n"
        f'channels:\n  me: "{channel}"\n'
        "rules:\n  - name: data\n    query: data\n    notify: [me]\n"
    )
    assert run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0
    return config


def test_a_run_killed_while_holding_the_run_lock_does_not_block_the_next_run(
    tmp_path: Path, database: str, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    feed = feed_server.serve("/feed.xml", rss([ITEM]))
    config = write_config(tmp_path, database, feed, smtp.apprise_url())
    # SIGKILLed by its own crash point right after the fetch, holding the run lock.
    crash = {"AGGREGATOR_CRASH_AT": "after_fetch:1"}
    killed = run_cli("run", "--config", str(config), cwd=tmp_path, env=crash)
    assert killed.returncode == -9

    after = run_cli("run", "--config", str(config), cwd=tmp_path)

    assert after.returncode == 0, after.stderr
    assert BUSY not in after.stderr
    assert [m["Subject"] for m in smtp.messages] == ["Data labelling micro-project"]


def test_a_second_run_names_the_live_run_that_holds_the_lock(
    tmp_path: Path, database: str, smtp: SmtpSink
) -> None:
    with LocalServer() as server:
        slow = server.route("/feed.xml", Reply(chunks=[b"<rss>", b"</rss>"], delay=12))
        config = write_config(tmp_path, database, slow, smtp.apprise_url())
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
        first = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "run", "--config", str(config)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while not server.seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.seen, "the first run never fetched"

            second = run_cli("run", "--config", str(config), cwd=tmp_path)
        finally:
            first.kill()
            first.wait(timeout=30)

    assert second.returncode == 0
    (line,) = second.stderr.splitlines()
    assert BUSY in line
    assert f"held by {socket.gethostname()}:{first.pid} since " in line
