"""Slow receivers: each URL has a total time budget, channels do not wait for each other, and a
lease lost to another deliverer means the message is not sent again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from aggregator.models import OutboxStatus
from aggregator.notify import build_channels, deliver_pending
from aggregator.pipeline.cycle import RunReport
from aggregator.store import Store
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import FeedServer, rss

HANG_GUARD = 60.0  # seconds: far above any budget used here; only a hang reaches it


def items(count: int) -> str:
    return rss(
        [
            {"title": f"Data job {n}", "link": f"http://x.test/{n}", "guid": str(n)}
            for n in range(1, count + 1)
        ]
    )


def guarded(function: Callable[[], RunReport]) -> RunReport:
    """Run `function()` in a thread; fail the test if it has not returned in time."""
    results: list[RunReport] = []
    thread = threading.Thread(target=lambda: results.append(function()), daemon=True)
    thread.start()
    thread.join(HANG_GUARD)
    assert not thread.is_alive(), "delivery hung on a slow receiver"
    (result,) = results
    return result


class Drip:
    """A webhook that answers one byte every 2 s for minutes (apprise's read timeout never
    fires), recording the Idempotency-Key of each request."""

    def __init__(self, server: LocalServer) -> None:
        self.keys: list[str] = []
        self.url = server.route("/drip", self._answer).replace("http://", "json://")

    def _answer(self, seen: Seen) -> Reply:
        self.keys.append(seen.headers.get("idempotency-key", ""))
        return Reply(chunks=[b" "] * 100, delay=2, headers={"Content-Type": "application/json"})


def test_a_drip_feeding_receiver_costs_its_budget_and_the_other_channel_gets_its_alert(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    drip, fast = Drip(server), WebhookSink(server, "/fast")
    feed = feed_server.serve("/f.xml", items(1))
    channels = {"slow": {"urls": drip.url, "send_timeout": 2}, "fast": fast.url}
    config = config_for(tmp_path / "a.db", feed, channels)
    store, clock = Store(config.database), Clock()
    store.upgrade()

    report = guarded(lambda: cycle(config, store, clock))

    assert [body["title"] for body in fast.delivered()] == ["Data job 1"]
    by_channel = {result.channel: result for result in report.deliveries}
    assert by_channel["fast"].ok
    assert by_channel["slow"].error == "no answer within 2 s"
    (slow_row,) = [entry for entry in store.outbox() if entry.channel == "slow"]
    assert (slow_row.status, slow_row.attempts) == (OutboxStatus.PENDING, 1)
    assert slow_row.last_error == "no answer within 2 s"
    store.dispose()


def test_an_abandoned_send_is_retried_later_with_the_same_idempotency_key(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    drip = Drip(server)
    feed = feed_server.serve("/f.xml", items(1))
    config = config_for(tmp_path / "a.db", feed, {"me": {"urls": drip.url, "send_timeout": 1}})
    store, clock = Store(config.database), Clock()
    store.upgrade()
    guarded(lambda: cycle(config, store, clock))
    recovered = WebhookSink(server, "/drip")  # the receiver answers again, at the same URL

    clock.now += timedelta(minutes=1)
    report = guarded(lambda: cycle(config, store, clock, fetch=False))

    assert [result.ok for result in report.deliveries] == [True]
    (entry,) = store.outbox()
    assert entry.status == OutboxStatus.SENT
    assert drip.keys == recovered.keys() == [entry.key]
    store.dispose()


def test_a_deliverer_never_sends_what_another_deliverer_took_over_after_its_lease_ran_out(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    """The receiver takes 35 s (of the test clock) per message, as in the issue; once five
    minutes have passed a second deliverer, with its own store, starts on the same outbox. It
    runs inside the receiver while the first one waits for its answer; its own sends take no
    test time, since in reality they would run alongside the first deliverer's."""
    clock = Clock()
    started = clock.now
    received: list[str] = []
    second: list[int] = []
    feed = feed_server.serve("/f.xml", items(10))
    hook = server.url("/hook").replace("http://", "json://")
    config = config_for(tmp_path / "a.db", feed, {"me": hook})

    def slow_receiver(seen: Seen) -> Reply:
        received.append(seen.headers.get("idempotency-key", ""))
        if second:
            return Reply(status=200, body=b"{}")
        clock.now += timedelta(seconds=35)
        if clock.now - started > timedelta(minutes=5):
            second.append(1)
            other = Store(config.database)
            results = deliver_pending(other, build_channels(config.channels), clock=clock)
            second.append(len(results))
            other.dispose()
        return Reply(status=200, body=b"{}")

    server.route("/hook", slow_receiver)
    store = Store(config.database)
    store.upgrade()

    guarded(lambda: cycle(config, store, clock))

    entries = store.outbox()
    assert {entry.status for entry in entries} == {OutboxStatus.SENT}
    assert sorted(received) == sorted(entry.key for entry in entries)  # each exactly once
    _started, delivered_by_second = second
    assert delivered_by_second > 0  # the second deliverer did take rows over
    store.dispose()
