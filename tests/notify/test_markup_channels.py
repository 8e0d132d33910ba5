"""The same escaping for digests, for services that put the title into the body, and for the
terminal: hostile listings stay text on every path a message takes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.config.model import Config
from aggregator.notify import build_channels, render_alert, render_notice
from aggregator.notify.channels import Channel, set_console_stream
from aggregator.store import Store
from tests.notify.markup_probe import parse_html, parse_markdown
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.notify.test_delivery import listing
from tests.notify.test_listing_markup import HOSTILE, MARKERS, hostile_feed
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import FeedServer, SmtpSink

SAFE_HREFS = sorted(href for *_, href in HOSTILE if href)
HOSTILE_TITLE = "Data [x](https://evil.test/) ![p](https://evil.test/p.gif) <img src=x> # h"


def channel(url: str) -> Channel:
    return build_channels(Config.model_validate({"channels": {"me": url}}).channels)["me"]


def digest_cycle(tmp_path: Path, feed_server: FeedServer, channel_url: str) -> Store:
    feed = feed_server.serve("/f.xml", hostile_feed())
    config = config_for(tmp_path / "a.db", feed, {"me": channel_url}, rule={"digest": "hourly"})
    store = Store(config.database)
    store.upgrade()
    clock = Clock(datetime(2026, 11, 2, 9, 30, tzinfo=UTC))
    cycle(config, store, clock)
    clock.now += timedelta(minutes=30)
    report = cycle(config, store, clock, fetch=False)
    assert [d.ok for d in report.deliveries] == [True] * len(HOSTILE)
    return store


def test_a_digest_of_hostile_listings_is_html_with_only_our_elements_and_links(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    store = digest_cycle(tmp_path, feed_server, smtp.apprise_url())

    (message,) = smtp.messages
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    parsed = parse_html(html.get_content())
    assert parsed.tags() <= {"ol", "li", "strong", "a", "br"}, parsed.elements
    assert parsed.attributes() <= {"href"}
    # Each listing is linked twice: its title, and its URL shown as text for the plain part.
    assert sorted(parsed.hrefs()) == sorted(SAFE_HREFS * 2)
    assert "<img src=//evil.test/t.gif onerror=alert(1)>" in parsed.text
    store.dispose()


def test_a_digest_of_hostile_listings_has_exactly_our_markdown_links(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    store = digest_cycle(tmp_path, feed_server, sink.url)

    (body,) = sink.delivered()
    parsed = parse_markdown(body["message"])
    assert parsed.raw_html == parsed.images == []
    assert sorted(href for href, _ in parsed.links) == SAFE_HREFS
    store.dispose()


def test_a_service_that_puts_the_title_into_the_body_gets_it_escaped(
    server: LocalServer,
) -> None:
    """Rocket.Chat's webhook has no title field: apprise writes `# TITLE` above the body."""
    seen: list[Seen] = []

    def answer(request: Seen) -> Reply:
        seen.append(request)
        return Reply(body=b'{"success": true}', headers={"Content-Type": "application/json"})

    server.route("/hooks/abc/token", answer)
    target = channel(f"rocket://abc@127.0.0.1:{server.port}/%23jobs?webhook=abc/token")
    alert = render_alert(
        listing(title=HOSTILE_TITLE, url="https://x.test/1"),
        rule="r",
        why="w",
        now=datetime(2026, 1, 2, tzinfo=UTC),
    )

    assert target.send(alert).ok
    (request,) = seen
    text = json.loads(request.body)["text"]
    parsed = parse_markdown(text)
    assert parsed.raw_html == parsed.images == []
    assert [href for href, _ in parsed.links] == ["https://x.test/1"]
    assert text.startswith("# Data ")
    assert HOSTILE_TITLE in parsed.text


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    set_console_stream(stream)
    yield stream
    set_console_stream(None)


def test_the_terminal_gets_plain_text_without_escape_sequences(console: io.StringIO) -> None:
    target = channel("console://")
    alert = render_alert(
        listing(
            title="Data \x1b[2J\x1b]8;;https://evil.test/\x07click\x1b]8;;\x07 \u202egpj.exe",
            company="Acme\r\nBcc: victim@x.test",
            description="line\x1b[31m red \x00 nul",
            url="https://x.test/1",
        ),
        rule="r",
        why="w",
        now=datetime(2026, 1, 2, tzinfo=UTC),
    )

    assert target.send(alert).ok
    printed = console.getvalue()
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert "\x00" not in printed
    assert "\u202e" not in printed
    assert "Data [2J]8;;https://evil.test/click]8;; gpj.exe at Acme Bcc: victim@x.test" in printed


def test_a_notice_quoting_a_hostile_error_stays_text_in_e_mail(smtp: SmtpSink) -> None:
    target = channel(smtp.apprise_url())
    notice = render_notice(
        "aggregator: channel failing",
        "last error: 550 <img src=//evil.test/p.gif> [x](https://evil.test/)",
    )

    assert target.send(notice).ok
    (message,) = smtp.messages
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    parsed = parse_html(html.get_content())
    assert parsed.tags() <= {"br"}
    assert "<img src=//evil.test/p.gif>" in parsed.text


def user_template_cycle(
    tmp_path: Path, feed_server: FeedServer, channel_url: str, body: str
) -> Store:
    feed = feed_server.serve("/f.xml", hostile_feed())
    channels = {"me": {"urls": channel_url, "templates": {"body": body}}}
    config = config_for(tmp_path / "a.db", feed, channels)
    store = Store(config.database)
    store.upgrade()
    report = cycle(config, store, Clock())
    assert [d.ok for d in report.deliveries] == [True] * len(HOSTILE)
    return store


def test_a_user_html_template_escapes_listing_text_even_without_autoescape(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    body = (
        "<p>{% autoescape false %}{{ title }} {{ description }}{% endautoescape %}</p>"
        '<p><a href="{{ url }}">{{ title }}</a> <a href={{ description }}>more</a></p>'
    )
    store = user_template_cycle(tmp_path, feed_server, smtp.apprise_url(), body)

    texts = []
    for message in smtp.messages:
        marker = next(m for m in MARKERS if f"Data {m}" in str(message["Subject"]))
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        parsed = parse_html(html.get_content())
        assert parsed.tags() <= {"p", "a"}, parsed.elements
        assert parsed.attributes() <= {"href"}, parsed.elements
        href = next(h for name, *_, h in HOSTILE if name == marker)
        assert set(parsed.hrefs()) <= ({href} if href else set())
        texts.append(parsed.text)
    assert "<script>alert(1)</script>" in " ".join(texts)
    store.dispose()


def test_a_user_markdown_template_links_only_the_checked_url(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    body = "[{{ title }}]({{ url }}) {{ description }} <{{ url }}> {{ link(title, url) }}"
    store = user_template_cycle(tmp_path, feed_server, sink.url, body)

    for delivered in sink.delivered():
        marker = next(m for m in MARKERS if f"Data {m}" in delivered["title"])
        parsed = parse_markdown(delivered["message"])
        href = next(h for name, *_, h in HOSTILE if name == marker)
        assert parsed.images == parsed.raw_html == []
        # An unsafe URL is printed as nothing: `[title]()` links nowhere.
        assert {link for link, _ in parsed.links} <= ({href} if href else {""})
    store.dispose()
