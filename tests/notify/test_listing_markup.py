"""Hostile listings through the real delivery path: e-mail (aiosmtpd) and a json:// webhook.

Whatever a board puts in a title, description or link, the received HTML has only the elements
and attributes our template wrote, and the Markdown has exactly the links we made.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from aggregator.store import Store
from tests.notify.markup_probe import ParsedHtml, parse_html, parse_markdown
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, SmtpSink, rss

# (marker, title, link, description, the only href the alert may carry)
HOSTILE = [
    (
        "quote",
        "Data quote &lt;img src=//evil.test/t.gif onerror=alert(1)&gt;",
        'https://x.test/"><img src=//evil.test/p.gif>',
        "&lt;img src=//evil.test/d.gif&gt; &lt;script&gt;alert(1)&lt;/script&gt;",
        None,
    ),
    (
        "brackets",
        "Data brackets ](https://evil.test/) [more](https://evil.test/)",
        "https://x.test/a)](https://evil.test/)",
        "[click](https://evil.test/) ![pixel](https://evil.test/p.gif) **bold**",
        "https://x.test/a%29%5D%28https://evil.test/%29",
    ),
    (
        "space",
        "Data space &lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;",
        "https://x.test/a b onmouseover=alert(1)",
        "&lt;a href=https://evil.test/&gt;phish&lt;/a&gt;",
        None,
    ),
    (
        "encoded",
        "Data encoded",
        "https://x.test/%3Cimg%20src=x%3E",
        "plain",
        None,
    ),
    (
        "idn",
        "Data idn &lt;/p&gt;&lt;h1&gt;big&lt;/h1&gt;",
        "https://bücher.test/stellen/über?q=daten&amp;page=2",
        "&lt;style&gt;body{display:none}&lt;/style&gt;",
        "https://xn--bcher-kva.test/stellen/%C3%BCber?q=daten&page=2",
    ),
]
MARKERS = [marker for marker, *_ in HOSTILE]
# What our default e-mail template itself writes; anything else came from listing data.
TEMPLATE_TAGS = {"p", "strong", "a", "br"}


def hostile_feed() -> str:
    return rss(
        [
            {"title": escape(title), "link": escape(link), "guid": marker, "description": text}
            for marker, title, link, text, _ in HOSTILE
        ]
    )


def expected_href(marker: str) -> str | None:
    return next(href for name, _, _, _, href in HOSTILE if name == marker)


def run_hostile_cycle(tmp_path: Path, feed_server: FeedServer, channel_url: str) -> Store:
    feed = feed_server.serve("/f.xml", hostile_feed())
    config = config_for(tmp_path / "a.db", feed, {"me": channel_url})
    store = Store(config.database)
    store.upgrade()
    report = cycle(config, store, Clock())
    assert [d.ok for d in report.deliveries] == [True] * len(HOSTILE)
    titles = " ".join(listing.title for listing in store.listings(range(1, 20)).values())
    assert "<img src=//evil.test/t.gif" in titles  # the hostile text really reached the store
    return store


def assert_only_our_markup(parsed: ParsedHtml, href: str | None) -> None:
    assert parsed.tags() <= TEMPLATE_TAGS, parsed.elements
    assert parsed.attributes() <= {"href"}, parsed.elements
    assert set(parsed.hrefs()) <= ({href} if href else set())
    if href:
        assert parsed.hrefs(), "a safe URL is still linked"


def test_hostile_listings_arrive_in_e_mail_as_text_never_as_markup(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    store = run_hostile_cycle(tmp_path, feed_server, smtp.apprise_url())

    assert len(smtp.messages) == len(HOSTILE)
    texts = []
    for message in smtp.messages:
        subject = str(message["Subject"])
        marker = next(m for m in MARKERS if f"Data {m}" in subject)
        html = message.get_body(preferencelist=("html",))
        assert html is not None
        parsed = parse_html(html.get_content())
        assert_only_our_markup(parsed, expected_href(marker))
        assert f"Data {marker}" in parsed.text
        texts.append(parsed.text)
    # The hostile text is shown as the text it is.
    assert "<img src=//evil.test/t.gif onerror=alert(1)>" in " ".join(texts)
    assert "<script>alert(1)</script>" in " ".join(texts)
    store.dispose()


def test_hostile_listings_reach_a_webhook_with_exactly_the_links_we_made(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    store = run_hostile_cycle(tmp_path, feed_server, sink.url)

    delivered = sink.delivered()
    assert len(delivered) == len(HOSTILE)
    for body in delivered:
        marker = next(m for m in MARKERS if f"Data {m}" in body["title"])
        parsed = parse_markdown(body["message"])
        assert parsed.raw_html == []
        assert parsed.images == []
        href = expected_href(marker)
        assert [link for link, _ in parsed.links] == ([href] if href else [])
        assert f"Data {marker}" in parsed.text
        assert "\n" not in body["title"]
    store.dispose()


@pytest.mark.parametrize(
    ("marker", "unsafe"), [("quote", 'https://x.test/"'), ("space", "https://x.test/a b")]
)
def test_an_unsafe_link_is_left_out_and_the_alert_still_names_the_listing(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer, marker: str, unsafe: str
) -> None:
    sink = WebhookSink(server)
    store = run_hostile_cycle(tmp_path, feed_server, sink.url)

    (body,) = [b for b in sink.delivered() if f"Data {marker}" in b["title"]]
    assert unsafe not in body["message"]
    assert "evil.test/p.gif" not in body["message"]
    assert f"Data {marker}" in body["message"]
    assert "Seen on jobs" in body["message"]
    store.dispose()
