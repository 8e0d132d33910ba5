"""Messages that read well: every link in the plain text, the company and "remote" said once,
the title printed once on the terminal."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from aggregator.config.model import Config
from aggregator.models import JobDetails, Listing
from aggregator.notify import Alert, build_channels, render_alert, render_digest
from aggregator.notify.channels import Channel, set_console_stream
from tests.notify.test_delivery import listing
from tests.support.servers import SmtpSink

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
REMOTE = JobDetails(remote="yes", employment_type="gig")


def channel(url: str) -> Channel:
    return build_channels(Config.model_validate({"channels": {"me": url}}).channels)["me"]


def three_listings() -> list[Listing]:
    return [
        listing(id=1, title="Data engineer", url="https://a.test/1", company="Acme", job=REMOTE),
        listing(
            id=2, title="Data analyst", url="https://b.test/2", company="Beta", location="Kyiv"
        ),
        listing(id=3, title="ML gig", url="https://c.test/3", company=None, location=None),
    ]


def digest() -> Alert:
    items = [(item, f"has {item.title!r}") for item in three_listings()]
    return render_digest(items, title="3 new match(es) for data", now=NOW)


def plain_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the e-mail has no text/plain part"
    return str(part.get_content())


def test_a_digest_e_mail_carries_every_link_in_its_plain_text_part(smtp: SmtpSink) -> None:
    assert channel(smtp.apprise_url()).send(digest()).ok

    (message,) = smtp.messages
    text = plain_part(message)
    for url in ("https://a.test/1", "https://b.test/2", "https://c.test/3"):
        assert url in text


def test_an_alert_e_mail_carries_its_link_in_its_plain_text_part(smtp: SmtpSink) -> None:
    target = channel(smtp.apprise_url())
    alert = render_alert(three_listings()[0], rule="r", why="w", now=NOW, html=target.is_email)
    assert target.send(alert).ok

    (message,) = smtp.messages
    assert "https://a.test/1" in plain_part(message)


@pytest.mark.parametrize("body", ["text", "body", "html"])
def test_a_digest_names_each_company_once(body: str) -> None:
    rendered = getattr(digest(), body)
    assert rendered.count("Acme") == 1
    assert rendered.count("Beta") == 1
    assert "Data engineer at Acme" in rendered


@pytest.mark.parametrize("body", ["text", "body", "html"])
def test_remote_is_said_once_when_the_location_says_it(body: str) -> None:
    remote_location = render_alert(three_listings()[0], rule="r", why="w", now=NOW)
    rendered = getattr(remote_location, body)
    assert "Remote · gig" in rendered
    assert "remote ·" not in rendered.casefold().replace("remote · gig", "")
    assert "Remote · remote" not in getattr(digest(), body)


def test_remote_is_shown_when_the_location_does_not_say_it() -> None:
    berlin = listing(location="Berlin", job=REMOTE)
    alert = render_alert(berlin, rule="r", why="w", now=NOW)
    assert "Acme · Berlin · remote · gig" in alert.text


def test_a_title_naming_the_company_does_not_repeat_it() -> None:
    named = listing(title="Data engineer at Acme", company="ACME")
    alert = render_alert(named, rule="r", why="w", now=NOW)
    assert alert.title == "Data engineer at Acme"
    assert "acme" not in alert.text.casefold().replace("data engineer at acme", "")
    entry = render_digest([(named, "w")], title="t", now=NOW + timedelta(hours=1)).text
    assert entry.casefold().count("acme") == 1


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    set_console_stream(stream)
    yield stream
    set_console_stream(None)


def test_the_terminal_prints_an_alert_s_title_once(console: io.StringIO) -> None:
    alert = render_alert(three_listings()[0], rule="r", why="w", now=NOW)
    assert channel("console://").send(alert).ok

    printed = console.getvalue()
    assert printed.count("Data engineer") == 1
    lines = printed.splitlines()
    assert lines[1:3] == ["Data engineer at Acme", "https://a.test/1"]
    assert "Why: w (rule r)" in printed


def test_the_terminal_prints_a_digest_whole(console: io.StringIO) -> None:
    alert = digest()
    assert channel("console://").send(alert).ok

    printed = console.getvalue()
    assert printed.splitlines()[1] == "3 new match(es) for data"
    assert alert.text.strip() in printed
