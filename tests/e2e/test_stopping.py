"""Ctrl-C and SIGTERM during a slow delivery: `run` and `daemon` stop within seconds, the
undelivered alerts stay queued (and claimable at once), and nothing prints a traceback."""

from __future__ import annotations

import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.slow_receivers import STOP_GUARD, Receiver, feed, start, write_config
from tests.notify.support import WebhookSink
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer


def statuses(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "data" / "a.db") as db:
        return [status for (status,) in db.execute("SELECT status FROM outbox ORDER BY id")]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_a_slow_delivery_ends_run_and_the_next_run_sends_the_rest_at_once(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer, signum: int, code: int
) -> None:
    receiver = Receiver(server, drip=True)
    url = feed_server.serve("/f.xml", feed(3))
    config = write_config(tmp_path, "sqlite:///data/a.db", url, receiver.url)
    process = start("run", config, tmp_path)
    receiver.wait_for(1)

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=STOP_GUARD)

    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert f"stopped by {signal.Signals(signum).name}" in stderr
    assert statuses(tmp_path) == ["pending"] * 3
    recovered = WebhookSink(server, "/hook")  # the receiver answers again
    after = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert len(set(recovered.keys())) == 3
    assert statuses(tmp_path) == ["sent"] * 3


def test_sigterm_to_the_whole_process_group_prints_no_traceback(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    """As a terminal's Ctrl-C or `kill -TERM -PGID` does: the parse workers get it too."""
    receiver = Receiver(server, drip=True)
    url = feed_server.serve("/f.xml", feed(2))
    config = write_config(tmp_path, "sqlite:///data/a.db", url, receiver.url)
    process = start("run", config, tmp_path, new_session=True)
    receiver.wait_for(1)  # parsed (the workers are alive), now delivering

    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=STOP_GUARD)

    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "KeyboardInterrupt" not in stderr
    assert statuses(tmp_path) == ["pending"] * 2


def test_sigterm_during_a_slow_delivery_ends_the_daemon_with_exit_0(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    receiver = Receiver(server, drip=True)
    url = feed_server.serve("/f.xml", feed(3))
    config = write_config(tmp_path, "sqlite:///data/a.db", url, receiver.url)
    process = start("daemon", config, tmp_path, new_session=True)
    receiver.wait_for(1)

    os.killpg(process.pid, signal.SIGTERM)  # as `docker stop` on a container's whole tree
    _, stderr = process.communicate(timeout=STOP_GUARD)

    assert process.returncode == 0, stderr
    assert "daemon stopped" in stderr
    assert "Traceback" not in stderr
    assert statuses(tmp_path) == ["pending"] * 3
