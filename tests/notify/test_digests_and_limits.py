"""Digests, quiet hours, max_per_hour and user templates, delivered to a local webhook."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aggregator.config.schedules import Digest, QuietHours
from aggregator.models import OutboxStatus
from aggregator.notify.schedules import next_digest_time, quiet_until
from aggregator.store import Store
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, rss

BERLIN = ZoneInfo("Europe/Berlin")


def items(*numbers: int) -> str:
    return rss(
        [{"title": f"Data job {n}", "link": f"http://x.test/{n}", "guid": str(n)} for n in numbers]
    )


@pytest.mark.parametrize(
    ("digest", "after", "expected"),
    [
        (
            Digest("hourly"),
            datetime(2026, 3, 2, 9, 15, tzinfo=UTC),
            datetime(2026, 3, 2, 10, tzinfo=UTC),
        ),
        (
            Digest("daily", time(8)),
            datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
            datetime(2026, 3, 2, 7, tzinfo=UTC),
        ),
        (
            Digest("daily", time(8)),
            datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
            datetime(2026, 3, 3, 7, tzinfo=UTC),
        ),
        # Monday 2 March 2026 at 09:00 in Berlin: the next Monday 08:00 is a week later.
        (
            Digest("weekly", time(8), 0),
            datetime(2026, 3, 2, 8, tzinfo=UTC),
            datetime(2026, 3, 9, 7, tzinfo=UTC),
        ),
        # Across the switch to summer time (29 March 2026): 08:00 Berlin is 06:00 UTC after it.
        (
            Digest("daily", time(8)),
            datetime(2026, 3, 28, 8, tzinfo=UTC),
            datetime(2026, 3, 29, 6, tzinfo=UTC),
        ),
    ],
)
def test_the_next_digest_time_is_computed_in_the_configured_zone(
    digest: Digest, after: datetime, expected: datetime
) -> None:
    assert next_digest_time(digest, after, BERLIN) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 1, 5, 22, 30, tzinfo=UTC), datetime(2026, 1, 6, 6, tzinfo=UTC)),  # 23:30
        (datetime(2026, 1, 6, 2, 0, tzinfo=UTC), datetime(2026, 1, 6, 6, tzinfo=UTC)),  # 03:00
        (datetime(2026, 1, 6, 6, 0, tzinfo=UTC), None),  # 07:00, the window has ended
        (datetime(2026, 1, 6, 12, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_that_wrap_midnight_end_at_their_end_time(
    now: datetime, expected: datetime | None
) -> None:
    assert quiet_until(QuietHours(time(22), time(7)), now, BERLIN) == expected


def test_a_digest_rule_sends_one_message_with_all_its_matches_at_the_digest_time(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", items(1, 2))
    config = config_for(
        tmp_path / "a.db",
        feed,
        {"me": sink.url},
        rule={"digest": "daily@08:00"},
        timezone="Europe/Berlin",
    )
    store = Store(config.database)
    store.upgrade()
    clock = Clock(datetime(2026, 1, 5, 12, 0, tzinfo=UTC))  # 13:00 in Berlin

    cycle(config, store, clock)
    feed_server.serve("/f.xml", items(1, 2, 3))
    clock.now += timedelta(hours=3)
    cycle(config, store, clock)
    assert sink.delivered() == []
    clock.now = datetime(2026, 1, 6, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    cycle(config, store, clock, fetch=False)

    (digest,) = sink.delivered()
    assert digest["title"] == "3 new match(es) for data"
    for n in (1, 2, 3):
        assert f"Data job {n}" in digest["message"]
    assert {e.status for e in store.outbox()} == {OutboxStatus.SENT}
    assert len({e.message_id for e in store.outbox()}) == 1
    store.dispose()


def test_quiet_hours_defer_alerts_to_the_end_of_the_window_and_never_drop_them(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", items(1))
    channels = {"me": {"urls": sink.url, "quiet_hours": "22:00-07:00"}}
    config = config_for(tmp_path / "a.db", feed, channels)
    store = Store(config.database)
    store.upgrade()
    clock = Clock(datetime(2026, 1, 5, 23, 0, tzinfo=UTC))

    cycle(config, store, clock)
    clock.now = datetime(2026, 1, 6, 6, 59, tzinfo=UTC)
    cycle(config, store, clock, fetch=False)
    assert sink.delivered() == []
    clock.now = datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    cycle(config, store, clock, fetch=False)

    assert len(sink.delivered()) == 1
    store.dispose()


def test_max_per_hour_folds_the_overflow_into_one_message(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", items(1, 2, 3, 4, 5, 6))
    config = config_for(tmp_path / "a.db", feed, {"me": {"urls": sink.url, "max_per_hour": 3}})
    store = Store(config.database)
    store.upgrade()

    cycle(config, store, Clock())

    titles = [body["title"] for body in sink.delivered()]
    assert len(titles) == 3
    assert titles[2] == "4 more alert(s) (over me's hourly limit)"
    assert all(f"Data job {n}" in sink.delivered()[2]["message"] for n in (3, 4, 5, 6))
    assert {e.status for e in store.outbox()} == {OutboxStatus.SENT}
    store.dispose()


def test_max_per_hour_holds_alerts_back_once_the_hour_is_used_up(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", items(1))
    config = config_for(tmp_path / "a.db", feed, {"me": {"urls": sink.url, "max_per_hour": 1}})
    store = Store(config.database)
    store.upgrade()
    clock = Clock()
    cycle(config, store, clock)
    feed_server.serve("/f.xml", items(1, 2))

    clock.now += timedelta(minutes=10)
    cycle(config, store, clock)
    held = len(sink.delivered())
    clock.now += timedelta(hours=1)
    cycle(config, store, clock, fetch=False)

    assert held == 1
    assert len(sink.delivered()) == 2
    store.dispose()


def test_a_channel_template_shapes_the_title_and_escapes_values_for_markdown(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve(
        "/f.xml",
        rss([{"title": "Data *bold* job", "link": "http://x.test/1", "guid": "1"}]),
    )
    templates = {"title": "[{{ rule }}] {{ title }}\nBcc: x", "body": "{{ title }} -> {{ url }}"}
    config = config_for(tmp_path / "a.db", feed, {"me": {"urls": sink.url, "templates": templates}})
    store = Store(config.database)
    store.upgrade()

    cycle(config, store, Clock())

    (body,) = sink.delivered()
    assert body["title"] == "[data] Data *bold* job Bcc: x"
    assert body["message"].startswith(r"Data \*bold\* job -> http://x.test/1")
    store.dispose()


def test_a_template_that_reaches_for_python_internals_is_refused_and_the_default_used(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    feed = feed_server.serve("/f.xml", items(1))
    templates = {"body": "{{ title.__class__.__mro__[1].__subclasses__() }}"}
    config = config_for(tmp_path / "a.db", feed, {"me": {"urls": sink.url, "templates": templates}})
    store = Store(config.database)
    store.upgrade()

    report = cycle(config, store, Clock())

    (body,) = sink.delivered()  # the default template stands in for the refused one
    assert "<class" not in body["message"]
    assert "Data job 1" in body["message"]
    assert [d.ok for d in report.deliveries] == [True]
    store.dispose()
