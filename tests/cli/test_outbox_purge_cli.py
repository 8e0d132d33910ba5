"""`aggregate outbox purge --pending`: drop queued alerts by rule and source, after a
confirmation on a terminal (a real pty), or with --yes; never without either."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import yaml

from aggregator.models import OutboxStatus
from aggregator.store import Store
from tests.cli.conftest import Invoke
from tests.support.servers import FeedServer, rss


def _setup(tmp_path: Path, feed_server: FeedServer, invoke: Invoke) -> Path:
    """Two sources, two rules, and their alerts queued (not sent)."""
    feeds = {
        "a": ["Data analyst", "Data designer", "Designer"],
        "b": ["Data engineer", "Design lead"],
    }
    sources = [
        {
            "name": name,
            "adapter": "rss",
            "url": feed_server.serve(
                f"/{name}.xml",
                rss(
                    [{"title": t, "link": f"http://jobs.test/{name}{n}"} for n, t in enumerate(ts)]
                ),
            ),
        }
        for name, ts in feeds.items()
    ]
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": "sqlite:///outbox.db",
                "http": {"per_host_gap": 0, "retries": 0},
                "parse": {"isolate": False},
                "backfill": "all",
                "sources": sources,
                "channels": {"me": "console://"},
                "rules": [
                    {"name": "data", "query": "data", "notify": ["me"]},
                    {"name": "design", "query": "design OR designer", "notify": ["me"]},
                ],
            }
        )
    )
    result = invoke("run", "--config", str(config), "--all", "--no-notify")
    assert result.returncode == 0, result.stdout + result.stderr
    return config


def _pending(tmp_path: Path) -> list[tuple[str, str]]:
    """(rule, listing title) of each pending row."""
    store = Store(f"sqlite:///{tmp_path / 'outbox.db'}")
    try:
        rows = store.outbox(status=OutboxStatus.PENDING)
        listings = store.listings({row.listing_id for row in rows if row.listing_id})
    finally:
        store.dispose()
    return sorted((r.rule, listings[r.listing_id].title) for r in rows if r.listing_id)


ALL = [
    ("data", "Data analyst"),
    ("data", "Data designer"),
    ("data", "Data engineer"),
    ("design", "Data designer"),
    ("design", "Design lead"),
    ("design", "Designer"),
]


def test_without_a_terminal_or_yes_it_refuses_and_drops_nothing(
    tmp_path: Path, feed_server: FeedServer, invoke: Invoke
) -> None:
    config = _setup(tmp_path, feed_server, invoke)
    assert _pending(tmp_path) == ALL

    result = invoke("outbox", "purge", "--pending", "--rule", "data", "--config", str(config))

    assert result.returncode == 2
    assert result.stderr == (
        "refusing to drop 3 pending alert(s) of rule 'data' without a confirmation: "
        "stdin is not a terminal; add --yes\n"
    )
    assert _pending(tmp_path) == ALL


def test_yes_drops_the_alerts_of_the_rule_and_source_and_a_later_run_does_not_queue_them(
    tmp_path: Path, feed_server: FeedServer, invoke: Invoke
) -> None:
    config = _setup(tmp_path, feed_server, invoke)
    args = ("outbox", "purge", "--pending", "--config", str(config), "--yes")

    both = invoke(*args, "--rule", "data", "--source", "a")
    assert (both.returncode, both.stdout) == (0, "dropped 2 pending alert(s)\n")
    assert _pending(tmp_path) == [
        a for a in ALL if a not in [("data", "Data analyst"), ("data", "Data designer")]
    ]
    by_source = invoke(*args, "--source", "b")
    assert by_source.stdout == "dropped 2 pending alert(s)\n"
    assert _pending(tmp_path) == [("design", "Data designer"), ("design", "Designer")]
    none_left = invoke(*args, "--rule", "data")
    assert (none_left.returncode, none_left.stdout) == (0, "dropped 0 pending alert(s)\n")

    # b lists its jobs again, and one more: only the new one is queued.
    items = [("Data engineer", "b0"), ("Design lead", "b1"), ("Design intern", "b9")]
    feed = rss([{"title": title, "link": f"http://jobs.test/{key}"} for title, key in items])
    feed_server.serve("/b.xml", feed)
    again = invoke("run", "--config", str(config), "--all", "--no-notify")
    assert again.returncode == 0, again.stderr
    assert _pending(tmp_path) == [
        ("design", "Data designer"),
        ("design", "Design intern"),
        ("design", "Designer"),
    ]
    everything = invoke(*args)
    assert everything.stdout == "dropped 3 pending alert(s)\n"
    assert _pending(tmp_path) == []


def test_options_that_do_not_go_together_are_usage_errors(
    tmp_path: Path, feed_server: FeedServer, invoke: Invoke
) -> None:
    config = _setup(tmp_path, feed_server, invoke)
    base = ("outbox", "purge", "--config", str(config))
    for extra, message in [
        (("--rule", "data"), "--rule and --source need --pending"),
        (("--source", "a", "--dead"), "--rule and --source need --pending"),
        (("--pending", "--dead"), "--pending cannot be combined with --dead or --older-than"),
        (("--pending", "--older-than", "1d"), "--pending cannot be combined"),
    ]:
        result = invoke(*base, *extra)
        assert result.returncode == 2, extra
        assert result.stderr.startswith(message), (extra, result.stderr)
    assert _pending(tmp_path) == ALL


def _on_a_terminal(args: list[str], cwd: Path, answer: bytes) -> tuple[int, str]:
    """Run `aggregate ARGS` with a pty as its terminal; answer the prompt once it shows."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
    )
    os.close(slave)
    output, answered, deadline = b"", False, time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not answered and b"[y/N]" in output:
            os.write(master, answer)
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(master)
    return process.wait(timeout=10), output.decode(errors="replace")


def test_on_a_terminal_it_asks_and_a_no_keeps_the_alerts(
    tmp_path: Path, feed_server: FeedServer, invoke: Invoke
) -> None:
    config = _setup(tmp_path, feed_server, invoke)
    args = ["outbox", "purge", "--pending", "--source", "b", "--config", str(config)]

    code, output = _on_a_terminal(args, tmp_path, b"n\n")
    assert code == 1, output
    assert "Drop 2 pending alert(s) of source 'b'? They will never be sent. [y/N]" in output
    assert "nothing dropped" in output
    assert _pending(tmp_path) == ALL

    code, output = _on_a_terminal(args, tmp_path, b"y\n")
    assert code == 0, output
    assert "dropped 2 pending alert(s)" in output
    assert _pending(tmp_path) == [a for a in ALL if a[1] not in ("Data engineer", "Design lead")]
