"""Helpers for end-to-end delivery tests: a config writer and receivers that are slow to answer."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import rss

# A process asked to stop must be gone well within `docker stop`'s 10 s; this only guards
# against a hang.
STOP_GUARD = 15.0


def feed(count: int) -> str:
    return rss(
        [
            {"title": f"Data job {n}", "link": f"http://x.test/{n}", "guid": f"g{n}"}
            for n in range(1, count + 1)
        ]
    )


def write_config(
    tmp_path: Path, database: str, feed_url: str, channel: str | dict[str, Any]
) -> Path:
    """A config with one feed, one channel `me` and one rule; the schema is created."""
    config = tmp_path / "config.yaml"
    document = {
        "database": database,
        "http": {"per_host_gap": 0},
        "sources": [{"name": "jobs", "adapter": "rss", "url": feed_url, "every": "1h"}],
        "channels": {"me": channel},
        "rules": [{"name": "data", "query": "data", "notify": ["me"]}],
    }
    config.write_text(yaml.safe_dump(document))
    upgrade = run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    return config


class Receiver:
    """A json:// endpoint that records each request's Idempotency-Key and answers after
    `delay` seconds, or, with `drip`, one byte every 2 s for minutes (never a whole answer)."""

    def __init__(self, server: LocalServer, *, delay: float = 0.0, drip: bool = False) -> None:
        self.delay, self.drip = delay, drip
        self.keys: list[str] = []
        self._lock = threading.Lock()
        self.url = server.route("/hook", self._answer).replace("http://", "json://")

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.keys.append(seen.headers.get("idempotency-key", ""))
        if self.drip:
            return Reply(chunks=[b" "] * 100, delay=2, headers={"Content-Type": "application/json"})
        return Reply(chunks=[b"{}"], delay=self.delay, headers={"Content-Type": "application/json"})

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.keys) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.keys) >= count, f"only {len(self.keys)} of {count} requests arrived"


def start(
    command: str, config: Path, cwd: Path, *, new_session: bool = False
) -> subprocess.Popen[str]:
    """`aggregate COMMAND --config CONFIG` as a real process, as cron or systemd starts it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    extra: dict[str, Any] = {"start_new_session": new_session}
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator", command, "--config", str(config)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        **extra,
    )
