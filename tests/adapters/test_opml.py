"""Reading OPML lists: nested outlines, outlines without a feed, and hostile XML."""

from __future__ import annotations

import pytest

from aggregator.adapters.opml import MAX_DEPTH, MAX_OUTLINES, OpmlError, Outline, read_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Gigs" title="Gig boards">
      <outline text="Campus Gigs" type="rss" xmlUrl="https://gigs.example/feed.xml"/>
      <outline text="Deep">
        <outline title="Remote &amp; Micro" text="ignored" xmlUrl="https://micro.example/rss"/>
      </outline>
    </outline>
    <outline text="A bookmark" htmlUrl="https://example.org/"/>
    <outline type="rss" xmlurl="https://lower.example/atom"/>
    <outline text="Local" xmlUrl="file:///etc/passwd"/>
    <outline text="Empty" xmlUrl="   "/>
  </body>
</opml>
"""


def test_every_outline_with_an_xml_url_is_a_feed_in_document_order() -> None:
    opml = read_opml(NESTED)
    assert opml.feeds == (
        Outline("https://gigs.example/feed.xml", "Campus Gigs"),
        Outline("https://micro.example/rss", "Remote & Micro"),
        Outline("https://lower.example/atom", None),
    )
    assert opml.without_url == 2  # the bookmark and the empty xmlUrl; folders do not count
    assert opml.not_http == ("file:///etc/passwd",)


def test_an_opml_file_without_feeds_reads_as_empty() -> None:
    opml = read_opml(b"<opml><body><outline text='folder'/></body></opml>")
    assert opml.feeds == ()
    assert opml.without_url == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<rss><channel/></rss>", "not an OPML file: the root element is <rss>"),
        (b"<opml><body><outline", "not well-formed XML"),
        (b"", "not well-formed XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline xmlUrl="https://x.test/&xxe;"/></body></opml>',
            "external XML entity 'xxe'",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline xmlUrl="https://x.test/&b;"/></body></opml>',
            "in terms of other entities",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY % p SYSTEM "http://x.test/e.dtd">%p;]>'
            b"<opml/>",
            "parameter entity",
        ),
        (
            b"<opml><body>"
            + b"<outline>" * (MAX_DEPTH + 5)
            + b"</outline>" * (MAX_DEPTH + 5)
            + b"</body></opml>",
            f"nests more than {MAX_DEPTH} levels deep",
        ),
        (
            b"<opml><body>"
            + b'<outline xmlUrl="https://x.test/"/>' * (MAX_OUTLINES + 1)
            + b"</body></opml>",
            f"more than {MAX_OUTLINES} outlines",
        ),
    ],
)
def test_a_hostile_or_wrong_document_is_refused_in_one_line(body: bytes, message: str) -> None:
    with pytest.raises(OpmlError) as refused:
        read_opml(body)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_very_deep_document_is_refused_without_recursing() -> None:
    body = b"<opml>" + b"<outline>" * 200_000 + b"</outline>" * 200_000 + b"</opml>"
    with pytest.raises(OpmlError, match="levels deep"):
        read_opml(body)


def test_a_plain_internal_entity_is_still_read() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY site "gigs.example">]>'
        b'<opml><body><outline text="&site;" xmlUrl="https://gigs.example/f"/></body></opml>'
    )
    assert read_opml(body).feeds == (Outline("https://gigs.example/f", "gigs.example"),)
