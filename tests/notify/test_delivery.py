"""Outbox delivery in-process with a controllable clock: a real SQLite file and aiosmtpd."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.models import JobDetails, Listing, OutboxStatus
from aggregator.notify import RETRY_SCHEDULE, Alert, build_channels, render_alert
from aggregator.notify.deliver import next_attempt_after
from aggregator.notify.render import format_pay
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.support.servers import FeedServer, SmtpSink, rss


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make_config(feed_url: str, channel_url: str, db: Path) -> Config:
    return Config.model_validate(
        {
            "database": f"sqlite:///{db}",
            "http": {"per_host_gap": 0},
            "sources": [{"name": "jobs", "adapter": "rss", "url": feed_url}],
            "channels": {"me": channel_url},
            "rules": [{"name": "data", "query": "data", "notify": ["me"]}],
        }
    )


async def cycle(config: Config, store: Store, clock: Clock) -> RunReport:
    async with HttpClient(config.http) as client:
        pipeline = Pipeline(config, store, client, clock=clock)
        report = await pipeline.run_sources(pipeline.due_sources(include_all=True))
    report.deliveries = pipeline.deliver()
    return report


def test_an_alert_that_failed_while_smtp_was_down_goes_out_once_on_a_later_run(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    sink = SmtpSink()
    url = feed_server.serve(
        "/f.xml", rss([{"title": "Data gig", "link": "http://x.test/1", "guid": "1"}])
    )
    config = make_config(url, sink.apprise_url(), tmp_path / "a.db")
    store = Store(config.database)
    store.upgrade()
    clock = Clock()

    first = asyncio.run(cycle(config, store, clock))
    assert [d.ok for d in first.deliveries] == [False]
    (entry,) = store.outbox()
    assert (entry.status, entry.attempts) == (OutboxStatus.PENDING, 1)
    assert entry.next_attempt_at > clock.now + timedelta(seconds=20)

    with sink:
        clock.now += timedelta(seconds=10)  # before the retry is due: nothing is sent
        assert asyncio.run(cycle(config, store, clock)).deliveries == []
        clock.now += timedelta(seconds=30)
        later = asyncio.run(cycle(config, store, clock))
        assert [d.ok for d in later.deliveries] == [True]
        clock.now += timedelta(hours=1)
        assert asyncio.run(cycle(config, store, clock)).deliveries == []
    assert len(sink.messages) == 1
    assert store.outbox()[0].status == OutboxStatus.SENT
    store.dispose()


def test_a_delivery_error_never_shows_the_smtp_password(tmp_path: Path) -> None:
    sink = SmtpSink()  # never started
    url = (
        f"mailto://user:Sup3rSecretPw@127.0.0.1:{sink.port}?from=a@b.test&to=a@b.test&mode=insecure"
    )
    (channel,) = build_channels(Config.model_validate({"channels": {"me": url}}).channels).values()
    outcome = channel.send(Alert(title="title", body="body", text="body"))
    assert outcome.error is not None
    assert "Sup3rSecretPw" not in outcome.error


def test_retries_follow_the_schedule_and_then_give_up() -> None:
    rng = random.Random(7)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for attempts, expected in enumerate(RETRY_SCHEDULE, start=1):
        retry_at = next_attempt_after(attempts, now, rng)
        assert retry_at is not None
        assert abs((retry_at - now) - expected) <= expected * 0.1
    assert next_attempt_after(len(RETRY_SCHEDULE) + 1, now, rng) is None


def listing(**overrides: object) -> Listing:
    fields: dict[str, object] = {
        "id": 1,
        "title": "Data *intern*",
        "url": "http://x.test/1",
        "company": "Acme",
        "location": "Remote",
        "description": "Some words " * 100,
        "tags": (),
        "posted_at": datetime(2026, 1, 1, tzinfo=UTC),
        "first_seen_at": datetime(2026, 1, 1, tzinfo=UTC),
        "sources": ("jobs",),
    }
    fields.update(overrides)
    return Listing(**fields)  # type: ignore[arg-type]


def test_an_alert_names_the_listing_its_link_company_source_age_and_reason() -> None:
    alert = render_alert(
        listing(), rule="r", why='has "data"', now=datetime(2026, 1, 1, 3, tzinfo=UTC)
    )
    assert alert.title == "Data *intern* at Acme"
    assert r"[Data \*intern\*](<http://x.test/1>)" in alert.body
    assert "http://x.test/1" in alert.body
    assert "Acme · Remote" in alert.body
    assert "Seen on jobs, posted 3 h ago." in alert.body
    assert 'Why: has "data" (rule r)' in alert.body
    assert alert.body.rstrip().endswith("…")
    assert alert.text.startswith("Data *intern*\nhttp://x.test/1\nAcme · Remote\n")


def test_an_alert_shows_remote_type_and_pay_when_known() -> None:
    job = JobDetails(
        remote="yes",
        employment_type="gig",
        pay_min=25,
        pay_max=30,
        currency="USD",
        pay_period="hour",
    )
    alert = render_alert(listing(job=job), rule="r", why="w", now=datetime(2026, 1, 2, tzinfo=UTC))
    assert "Acme · Remote · gig · 25–30 USD/hour" in alert.text


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        (JobDetails(pay_min=40000, currency="EUR", pay_period="year"), "from 40,000 EUR/year"),
        (JobDetails(pay_max=12.5, currency="GBP", pay_period="hour"), "up to 12.50 GBP/hour"),
        (JobDetails(pay_min=300, pay_max=300, pay_period="project"), "300/project"),
        (JobDetails(), None),
    ],
)
def test_pay_is_formatted_for_people(job: JobDetails, expected: str | None) -> None:
    assert format_pay(job) == expected


@pytest.mark.parametrize("title", ["Evil\r\nBcc: victim@x.test", "Two\nlines", "Three\r\rparts"])
def test_line_breaks_are_stripped_from_alert_titles(title: str) -> None:
    alert = render_alert(
        listing(title=title, company=None), rule="r", why="w", now=datetime(2026, 1, 2, tzinfo=UTC)
    )
    assert "\r" not in alert.title
    assert "\n" not in alert.title
