"""Outbox delivery end to end in-process: per-URL retries, keyed messages, dead letters."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aggregator.models import OutboxStatus
from aggregator.notify import RETRY_SCHEDULE, message_id_for
from aggregator.store import Store
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, SmtpSink, rss

ITEM = {"title": "Data gig", "link": "http://x.test/1", "guid": "1"}


def test_a_retry_only_resends_to_the_urls_of_a_channel_that_failed(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    good, bad = WebhookSink(server, "/good"), WebhookSink(server, "/bad")
    bad.status = 500
    feed = feed_server.serve("/f.xml", rss([ITEM]))
    config = config_for(tmp_path / "a.db", feed, {"me": [good.url, bad.url]})
    store, clock = Store(config.database), Clock()
    store.upgrade()

    first = cycle(config, store, clock)
    bad.status = 200
    clock.now += timedelta(minutes=1)
    second = cycle(config, store, clock)

    assert [d.ok for d in first.deliveries + second.deliveries] == [False, True]
    assert len(good.delivered()) == 1
    assert len(bad.delivered()) == 1
    (entry,) = store.outbox()
    assert (entry.status, entry.attempts, entry.last_error) == (OutboxStatus.SENT, 2, None)
    store.dispose()


def test_an_e_mail_message_id_is_derived_from_the_outbox_key(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    feed = feed_server.serve("/f.xml", rss([ITEM]))
    config = config_for(tmp_path / "a.db", feed, {"me": smtp.apprise_url()})
    store = Store(config.database)
    store.upgrade()

    cycle(config, store, Clock())

    (entry,) = store.outbox()
    (message,) = smtp.messages
    assert message.get_all("Message-ID") == [message_id_for(entry.key)]
    assert entry.key.replace(":", "-") in message["Message-ID"]
    store.dispose()


def test_a_webhook_gets_the_outbox_key_as_an_idempotency_key(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", rss([ITEM]))
    config = config_for(tmp_path / "a.db", feed, {"me": sink.url})
    store = Store(config.database)
    store.upgrade()

    cycle(config, store, Clock())

    (entry,) = store.outbox()
    assert sink.keys() == [entry.key]
    assert "Data gig" in sink.delivered()[0]["title"]
    store.dispose()


def test_a_channel_that_keeps_failing_is_dead_lettered_and_reported_to_admin(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    broken, admin, other = (WebhookSink(server, p) for p in ("/broken", "/admin", "/other"))
    broken.status = 503
    feed = feed_server.serve("/f.xml", rss([ITEM]))
    channels = {"me": broken.url, "admin": admin.url, "other": other.url}
    config = config_for(tmp_path / "a.db", feed, channels, rule={"notify": ["me"]})
    store, clock = Store(config.database), Clock()
    store.upgrade()

    cycle(config, store, clock)
    for wait in RETRY_SCHEDULE:
        clock.now += wait * 1.2
        cycle(config, store, clock, fetch=False)

    dead = store.outbox(status=OutboxStatus.DEAD)
    assert [(e.channel, e.attempts) for e in dead] == [("me", len(RETRY_SCHEDULE) + 1)]
    (notice,) = admin.delivered()
    assert "Channel me is failing" in notice["message"]
    assert other.delivered() == []
    clock.now += timedelta(days=2)
    cycle(config, store, clock, fetch=False)
    assert len(admin.delivered()) == 1  # nothing more to report
    store.dispose()


def test_without_an_admin_channel_the_failing_notice_goes_to_the_other_channels(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    broken, other = WebhookSink(server, "/broken"), WebhookSink(server, "/other")
    broken.status = 500
    feed = feed_server.serve("/f.xml", rss([ITEM]))
    config = config_for(
        tmp_path / "a.db", feed, {"me": broken.url, "other": other.url}, rule={"notify": ["me"]}
    )
    store, clock = Store(config.database), Clock()
    store.upgrade()

    cycle(config, store, clock)
    for wait in RETRY_SCHEDULE:
        clock.now += wait * 1.2
        cycle(config, store, clock, fetch=False)

    (notice,) = other.delivered()
    assert "Channel me is failing" in notice["title"] + notice["message"]
    assert "aggregate outbox retry" in notice["message"]
    store.dispose()
