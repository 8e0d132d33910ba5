"""What `aggregate run` prints: nothing under cron when all is well, problems on stderr, and the
table, colours and progress bar on a real terminal (a pty) only."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply
from tests.support.servers import rss

ITEMS = [{"title": "Data gig", "link": "http://jobs.example.test/1", "guid": "1"}]
# An SGR sequence that sets a colour (30-37, 90-97, 38;...), not bold or a cursor move.
_COLOUR_RE = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m")
SLOW = 1.5  # seconds a slow feed takes: far past the progress bar's SHOW_AFTER


def write_config(tmp_path: Path, feeds: dict[str, str]) -> Path:
    sources = "".join(
        f"  - {{name: {name}, adapter: rss, url: '{url}'}}\n" for name, url in feeds.items()
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///data.db\nhttp: {{per_host_gap: 0, retries: 0}}\nsources:\n{sources}"
    )
    return config


def feed(server: LocalServer, *, delay: float = 0.0) -> str:
    body = rss(ITEMS).encode()
    return server.route(
        "/feed.xml", Reply(chunks=[body], delay=delay) if delay else Reply(body=body)
    )


def run_on_a_tty(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `aggregate ARGS` with stdout and stderr on one pseudo-terminal, as in a terminal
    window; returns the exit status and everything the terminal received."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AGGREGATOR_") and k not in ("NO_COLOR", "FORCE_COLOR", "TERM")
    }
    full_env.update({"TERM": "xterm-256color", "COLUMNS": "100", **(env or {})})
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    received = bytearray()
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: every writer has closed the terminal
                    break
                if not chunk:
                    break
                received += chunk
            elif process.poll() is not None and not select.select([leader], [], [], 0.1)[0]:
                break
        status = process.wait(timeout=10)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    return status, received.decode("utf-8", "replace")


def test_without_a_terminal_a_good_run_prints_nothing_at_all(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server)})
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert len(server.seen) == 1  # it did run


def test_without_a_terminal_a_failing_source_is_one_line_on_stderr_and_exit_1(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server), "down": "http://127.0.0.1:9/feed.xml"})
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = [x for x in result.stderr.splitlines() if "down" in x]
    assert line.startswith("error: source down: ")
    assert "127.0.0.1" in line
    assert "jobs" not in result.stderr  # the good source is not mentioned


def test_verbose_prints_the_table_without_a_terminal_and_problems_still_on_stderr(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server), "down": "http://127.0.0.1:9/feed.xml"})
    result = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert rows["source"] == ["source", "fetched", "new", "matched", "status"]
    assert rows["jobs"][1:5] == ["1", "1", "0", "ok"]
    assert rows["down"][4] == "error:"
    assert "error: source down: " in result.stderr
    assert "\x1b[" not in result.stdout + result.stderr  # no colour into a pipe


def test_quiet_and_verbose_together_are_a_usage_error(tmp_path: Path) -> None:
    config = write_config(tmp_path, {})
    result = run_cli("run", "-q", "-v", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "--quiet and --verbose exclude each other" in result.stderr


def test_json_is_the_same_with_or_without_quiet(tmp_path: Path, server: LocalServer) -> None:
    url = feed(server)
    summaries = []
    for flags in ([], ["--quiet"]):
        where = tmp_path / (flags[0].strip("-") if flags else "plain")
        where.mkdir()
        config = write_config(where, {"jobs": url})
        result = run_cli("run", "--json", *flags, "--config", str(config), cwd=where)
        assert result.returncode == 0, result.stderr
        summaries.append(json.loads(result.stdout))
    assert summaries[0] == summaries[1]
    assert summaries[0]["sources"][0]["fetched"] == 1


def test_on_a_terminal_the_table_is_in_colour(tmp_path: Path, server: LocalServer) -> None:
    config = write_config(tmp_path, {"jobs": feed(server), "down": "http://127.0.0.1:9/feed.xml"})
    status, screen = run_on_a_tty("run", "--config", str(config), cwd=tmp_path)
    assert status == 1, screen
    assert "source  fetched    new  matched  status" in screen
    assert "\x1b[32mok\x1b[0m" in screen  # green
    assert "\x1b[31merror: " in screen  # red, in the table and on stderr


def test_no_color_is_honoured_on_a_terminal(tmp_path: Path, server: LocalServer) -> None:
    config = write_config(tmp_path, {"jobs": feed(server, delay=SLOW)})
    status, screen = run_on_a_tty(
        "run", "--config", str(config), cwd=tmp_path, env={"NO_COLOR": "1"}
    )
    assert status == 0, screen
    assert "fetching 1 source(s)" in screen  # the bar, drawn without colour
    assert re.search(r"jobs +1 +1 +0 +ok", screen), screen
    assert not _COLOUR_RE.search(screen), repr(screen)


def test_a_long_run_shows_a_progress_bar_on_a_terminal_only(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server, delay=SLOW)})
    status, screen = run_on_a_tty("run", "--config", str(config), cwd=tmp_path)
    assert status == 0, screen
    assert "fetching 1 source(s)" in screen
    assert _COLOUR_RE.search(screen.split("source  fetched")[0])  # the bar is in colour
    piped = run_cli("run", "--all", "--config", str(config), cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert (piped.stdout, piped.stderr) == ("", "")
    assert len(server.seen) == 2  # the piped run was as slow, and drew nothing


def test_quiet_on_a_terminal_prints_nothing_when_all_is_well(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server, delay=SLOW)})
    status, screen = run_on_a_tty("run", "--quiet", "--config", str(config), cwd=tmp_path)
    assert status == 0, screen
    assert screen == ""
    assert len(server.seen) == 1


@pytest.mark.parametrize("flag", ["--quiet", "--verbose"])
def test_a_failing_source_is_on_the_terminal_with_either_flag(tmp_path: Path, flag: str) -> None:
    config = write_config(tmp_path, {"down": "http://127.0.0.1:9/feed.xml"})
    status, screen = run_on_a_tty("run", flag, "--config", str(config), cwd=tmp_path)
    assert status == 1
    assert "source down: connection refused" in screen
    assert ("source  fetched" in screen) == (flag == "--verbose")


def _with_rule(config: Path, channel: str) -> None:
    config.write_text(
        config.read_text()
        + f'channels:\n  me: "{channel}"\n'
        + "rules:\n  - {name: gigs, query: data, notify: [me]}\n"
    )


def test_a_slow_delivery_shows_its_own_step_of_the_bar(tmp_path: Path, server: LocalServer) -> None:
    config = write_config(tmp_path, {"jobs": feed(server)})
    server.route(
        "/hook", Reply(chunks=[b"{}"], delay=SLOW, headers={"Content-Type": "application/json"})
    )
    _with_rule(config, f"json://127.0.0.1:{server.port}/hook")
    status, screen = run_on_a_tty("run", "--config", str(config), cwd=tmp_path)
    assert status == 0, screen
    assert "delivering 1 queued alert(s)" in screen
    assert "delivered 1 alert(s), 0 failed" in screen
    assert [seen.method for seen in server.seen] == ["GET", "POST"]


def test_alerts_printed_on_the_terminal_are_not_torn_by_the_bar(
    tmp_path: Path, server: LocalServer
) -> None:
    config = write_config(tmp_path, {"jobs": feed(server, delay=SLOW)})
    _with_rule(config, "console://")
    status, screen = run_on_a_tty("run", "--config", str(config), cwd=tmp_path)
    assert status == 0, screen
    assert "fetching 1 source(s)" in screen  # the bar was up while fetching
    assert "delivering" not in screen
    assert "\r\nData gig\r\n" in screen  # the console alert's title, on a line of its own
