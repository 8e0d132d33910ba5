"""Batched delivery against real receivers: many e-mails over one SMTP connection (aiosmtpd),
webhooks several at a time (a loopback HTTP server), each alert's outcome on its own."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import apprise.url
import pytest

from aggregator.config.model import Config
from aggregator.models import OutboxStatus
from aggregator.notify import Alert, build_channels, message_id_for
from aggregator.store import Store
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import FeedServer, SmtpSink, rss

COUNT = 12


def items(count: int) -> str:
    return rss(
        [
            {"title": f"Data job {n}", "link": f"http://x.test/{n}", "guid": str(n)}
            for n in range(1, count + 1)
        ]
    )


def setup(tmp_path: Path, feed_server: FeedServer, channel: Any) -> tuple[Config, Store, Clock]:
    feed = feed_server.serve("/f.xml", items(COUNT))
    config = config_for(tmp_path / "a.db", feed, {"me": channel})
    store = Store(config.database)
    store.upgrade()
    return config, store, Clock()


def by_status(store: Store) -> dict[OutboxStatus, list[str]]:
    found: dict[OutboxStatus, list[str]] = {status: [] for status in OutboxStatus}
    for entry in store.outbox():
        found[entry.status].append(entry.key)
    return found


def message_ids(sink: SmtpSink) -> list[str]:
    return [str(message["Message-ID"]) for message in sink.messages]


def test_many_alerts_go_over_one_smtp_connection_each_with_its_own_message_id(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    with SmtpSink() as sink:
        config, store, clock = setup(tmp_path, feed_server, sink.apprise_url())
        report = cycle(config, store, clock)

        assert [result.ok for result in report.deliveries] == [True] * COUNT
        assert len(sink.messages) == COUNT
        assert sink.connections == 1
    entries = store.outbox()
    assert {entry.status for entry in entries} == {OutboxStatus.SENT}
    assert sorted(message_ids(sink)) == sorted(message_id_for(entry.key) for entry in entries)
    assert sorted(str(m["Subject"]) for m in sink.messages) == sorted(
        f"Data job {n}" for n in range(1, COUNT + 1)
    )
    store.dispose()


def test_an_email_over_the_kept_connection_is_the_one_apprise_sends_alone() -> None:
    alert = Alert(title="Data job", body="<p>Data <b>job</b></p>", text="Data job")
    with SmtpSink() as sink:
        config = Config.model_validate({"channels": {"me": sink.apprise_url()}})
        (kept,) = build_channels(config.channels).values()
        (alone,) = build_channels(config.channels).values()  # apprise's connection per message
        kept.keep_connections()
        assert kept.send(alert, key="1:data:me").ok
        assert alone.send(alert, key="1:data:me").ok
        kept.close()
    first, second = sink.messages

    def shape(message: Any) -> list[tuple[str, str]]:
        # What differs between two sends: the date and the random MIME boundary.
        return [
            (k, message.get_content_type() if k.lower() == "content-type" else str(v))
            for k, v in message.items()
            if k.lower() != "date"
        ]

    assert shape(first) == shape(second)
    assert [part.get_content() for part in first.iter_parts()] == [
        part.get_content() for part in second.iter_parts()
    ]
    assert first["Message-ID"] == message_id_for("1:data:me")


class Refusing(SmtpSink):
    """Accepts `accept` messages, then refuses every one with 554 until `accept` is None."""

    def __init__(self, accept: int | None) -> None:
        super().__init__()
        self.accept = accept

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.accept is not None and len(self.messages) >= self.accept:
            return "554 5.7.1 refused"
        return await super().handle_DATA(server, session, envelope)


def test_a_server_refusing_mid_batch_fails_only_the_refused_alerts_and_they_go_out_once_later(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    with Refusing(accept=5) as sink:
        config, store, clock = setup(tmp_path, feed_server, sink.apprise_url())
        first = cycle(config, store, clock)

        assert sum(result.ok for result in first.deliveries) == 5
        rows = {entry.key: entry for entry in store.outbox()}
        sent = [key for key, entry in rows.items() if entry.status == OutboxStatus.SENT]
        failed = [entry for entry in rows.values() if entry.status == OutboxStatus.PENDING]
        assert sorted(message_ids(sink)) == sorted(message_id_for(key) for key in sent)
        assert len(failed) == COUNT - 5
        assert {entry.attempts for entry in failed} == {1}  # each tried and recorded itself

        sink.accept = None
        clock.now += timedelta(minutes=5)
        later = cycle(config, store, clock, fetch=False)

    assert [result.ok for result in later.deliveries] == [True] * (COUNT - 5)
    assert by_status(store)[OutboxStatus.PENDING] == []
    assert sorted(message_ids(sink)) == sorted(message_id_for(key) for key in rows)  # once each
    store.dispose()


class Dropping(SmtpSink):
    """Closes every connection after it has carried `per_connection` messages, as a server
    with an idle timeout or a per-connection cap does, before answering the next MAIL."""

    def __init__(self, per_connection: int) -> None:
        super().__init__()
        self.per_connection = per_connection
        self.carried: dict[int, int] = {}

    async def handle_MAIL(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.carried.get(id(session), 0) >= self.per_connection:
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.carried[id(session)] = self.carried.get(id(session), 0) + 1
        return await super().handle_DATA(server, session, envelope)


def test_a_dropped_smtp_connection_is_reopened_and_no_alert_is_lost_or_doubled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    with Dropping(per_connection=4) as sink:
        config, store, clock = setup(tmp_path, feed_server, sink.apprise_url())
        report = cycle(config, store, clock)

        assert [result.ok for result in report.deliveries] == [True] * COUNT
        assert sink.connections == 3  # 12 messages, 4 per connection
    assert sorted(message_ids(sink)) == sorted(message_id_for(e.key) for e in store.outbox())
    store.dispose()


class Stalling(SmtpSink):
    """Holds the `stall_at`-th message (1-based) without answering for `hold` seconds, then
    refuses it; every other message is accepted."""

    def __init__(self, stall_at: int, hold: float) -> None:
        super().__init__()
        self.stall_at, self.hold, self.seen = stall_at, hold, 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.seen += 1
        if self.seen == self.stall_at:
            await asyncio.sleep(self.hold)
            return "451 4.3.0 try again later"
        return await super().handle_DATA(server, session, envelope)


def test_a_send_timeout_mid_batch_puts_the_rest_off_without_counting_an_attempt(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    # Batches grow 1, 2, 4 ...: the third batch holds alerts 4 to 7; the 5th stalls.
    with Stalling(stall_at=5, hold=8) as sink:
        config, store, clock = setup(
            tmp_path, feed_server, {"urls": sink.apprise_url(), "send_timeout": 1}
        )
        report = cycle(config, store, clock)

        assert sorted(result.ok for result in report.deliveries) == [False] + [True] * 4
        rows = sorted(store.outbox(), key=lambda entry: entry.id)
        assert [row.status for row in rows[:4]] == [OutboxStatus.SENT] * 4
        stalled, rest = rows[4], rows[5:]
        assert (stalled.attempts, stalled.last_error) == (1, "no answer within 1 s")
        assert {row.status for row in rest} == {OutboxStatus.PENDING}
        assert {row.attempts for row in rest} == {0}
        put_off = [row for row in rest if row.next_attempt_at == stalled.next_attempt_at]
        assert len(put_off) == 2  # the rest of its batch waits for its retry; later ones are due
        assert all(row.next_attempt_at == clock.now for row in rest if row not in put_off)

        clock.now += timedelta(minutes=5)
        later = cycle(config, store, clock, fetch=False)

    assert [result.ok for result in later.deliveries] == [True] * (COUNT - 4)
    assert sorted(message_ids(sink)) == sorted(message_id_for(row.key) for row in rows)
    store.dispose()


def test_apprise_is_never_asked_to_pause_between_our_messages(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """apprise pauses (time.sleep in its throttle) 5.5 s between two e-mails of one URL."""
    pauses: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if sys._getframe(1).f_globals.get("__name__", "").startswith("apprise"):
            pauses.append(seconds)
            return
        real_sleep(seconds)

    monkeypatch.setattr(apprise.url.time, "sleep", sleep)
    hook = WebhookSink(server)
    with SmtpSink() as sink:
        feed = feed_server.serve("/f.xml", items(COUNT))
        channels = {"mail": sink.apprise_url(), "hook": hook.url}
        config = config_for(tmp_path / "a.db", feed, channels)
        store = Store(config.database)
        store.upgrade()
        report = cycle(config, store, Clock())

    assert [result.ok for result in report.deliveries] == [True] * (2 * COUNT)
    assert len(sink.messages) == len(hook.delivered()) == COUNT
    assert pauses == []
    store.dispose()


class Overlapping:
    """A webhook that records how many requests it holds at once (each held briefly)."""

    def __init__(self, server: LocalServer, fail_titles: set[str]) -> None:
        self.fail_titles = fail_titles
        self.keys: list[str] = []
        self.busy = self.most = 0
        self._lock = threading.Lock()
        self.url = server.route("/hook", self._answer).replace("http://", "json://")

    def _answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.busy += 1
            self.most = max(self.most, self.busy)
        time.sleep(0.05)  # long enough for the next request to arrive meanwhile
        with self._lock:
            self.busy -= 1
        if any(title.encode() in seen.body for title in self.fail_titles):
            return Reply(status=500, body=b"{}")
        with self._lock:
            self.keys.append(seen.headers.get("idempotency-key", ""))
        return Reply(status=200, body=b"{}")


def test_webhook_alerts_go_several_at_a_time_each_with_its_own_key_and_outcome(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    hook = Overlapping(server, fail_titles={"Data job 6", "Data job 9"})
    config, store, clock = setup(tmp_path, feed_server, hook.url)

    report = cycle(config, store, clock)

    assert hook.most > 1
    assert sum(not result.ok for result in report.deliveries) == 2
    rows = {entry.key: entry for entry in store.outbox()}
    sent = {key for key, entry in rows.items() if entry.status == OutboxStatus.SENT}
    assert sorted(hook.keys) == sorted(sent)  # each accepted alert once, under its own key
    failed = [entry for entry in rows.values() if entry.status == OutboxStatus.PENDING]
    assert len(failed) == 2
    assert {entry.attempts for entry in failed} == {1}
    store.dispose()


def test_only_services_without_a_throttle_are_sent_to_several_at_a_time() -> None:
    config = Config.model_validate(
        {
            "channels": {
                "mail": "mailto://127.0.0.1:2525?from=a@b.test&to=c@d.test&mode=insecure",
                "hook": "json://127.0.0.1:8080/hook",
                "chat": "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
                "both": {"urls": ["json://127.0.0.1:8080/a", "console://"]},
            }
        }
    )
    channels = build_channels(config.channels)
    assert {name: channel.parallel for name, channel in channels.items()} == {
        "mail": 1,
        "hook": 8,
        "chat": 1,  # apprise spaces Slack's messages (its rate limit)
        "both": 1,
    }
