"""Two real daemons on one PostgreSQL database, a receiver that is slow to answer: every alert
arrives exactly once."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.e2e.slow_receivers import STOP_GUARD, Receiver, feed, start, write_config
from tests.support.http_server import LocalServer
from tests.support.postgres import postgres_schema_url
from tests.support.servers import FeedServer

ALERTS = 8


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from postgres_schema_url()


def sent(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            query = text("SELECT count(*) FROM outbox WHERE status = 'sent'")
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_daemons_deliver_every_alert_exactly_once_through_a_slow_receiver(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer, postgres_url: str
) -> None:
    receiver = Receiver(server, delay=1.5)
    url = feed_server.serve("/f.xml", feed(ALERTS))
    channel = {"urls": receiver.url, "send_timeout": 4}  # short budget, short claims
    config = write_config(tmp_path, postgres_url, url, channel)
    daemons = [start("daemon", config, tmp_path) for _ in range(2)]
    try:
        deadline = time.monotonic() + 90
        while sent(postgres_url) < ALERTS and time.monotonic() < deadline:
            time.sleep(0.2)
        for daemon in daemons:
            daemon.send_signal(signal.SIGTERM)
        errors = [daemon.communicate(timeout=STOP_GUARD)[1] for daemon in daemons]
    finally:
        for daemon in daemons:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()

    assert [daemon.returncode for daemon in daemons] == [0, 0], errors
    assert sent(postgres_url) == ALERTS
    assert len(receiver.keys) == len(set(receiver.keys)) == ALERTS
