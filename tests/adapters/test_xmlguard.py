"""The XML prolog guard, and the field caps applied before any regex."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.adapters._xmlguard import UnsafeXmlError, check_prolog
from aggregator.adapters.rss import parse_feed
from aggregator.errors import SourceError
from aggregator.models import RawPosting
from aggregator.normalize.postings import MAX_FIELD_CHARS, capped, normalize

ITEM = b"<rss version='2.0'><channel><item><title>t &amp; u</title></item></channel></rss>"


def with_doctype(subset: bytes) -> bytes:
    return b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + subset + b"\n]>\n" + ITEM


@pytest.mark.parametrize(
    ("subset", "reason"),
    [
        (b'<!ENTITY xxe SYSTEM "file:///etc/passwd">', "external XML entity 'xxe'"),
        (b'<!ENTITY ping PUBLIC "-//x//y" "http://canary/">', "external XML entity 'ping'"),
        (b'<!ENTITY % dtd SYSTEM "http://canary/evil.dtd"> %dtd;', "parameter entity"),
        (b'<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;">', "'b' in terms of other entities"),
        (b"<!ENTITY b '%a;'>", "in terms of other entities"),
        (b'<!ENTITY a "' + b"x" * 5000 + b'">', "unterminated or oversized"),
        (b"".join(b'<!ENTITY e%d "x">' % i for i in range(65)), "more than 64 XML entities"),
    ],
)
def test_unsafe_entity_declarations_are_refused(subset: bytes, reason: str) -> None:
    with pytest.raises(UnsafeXmlError, match=reason):
        check_prolog(with_doctype(subset))


@pytest.mark.parametrize(
    "subset",
    [
        b'<!ENTITY nbsp "&#160;">',
        b'<!ENTITY company "Acme &amp; Sons">',
        b'<!ENTITY % lat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "http://w3.org/x.ent">',
    ],
)
def test_plain_entities_and_w3c_entity_sets_pass(subset: bytes) -> None:
    check_prolog(with_doctype(subset))


def test_a_netscape_rss_091_doctype_passes() -> None:
    doctype = (
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">'
    )
    check_prolog(doctype + ITEM)


def test_entity_text_after_the_first_element_is_not_read() -> None:
    check_prolog(ITEM + b'<!ENTITY xxe SYSTEM "file:///etc/passwd">')


def test_a_utf16_document_cannot_hide_its_declarations() -> None:
    body = with_doctype(b'<!ENTITY xxe SYSTEM "file:///etc/passwd">').decode()
    with pytest.raises(UnsafeXmlError, match="external XML entity"):
        check_prolog(body.encode("utf-16"))


def test_the_rss_adapter_turns_a_refusal_into_a_clear_adapter_error() -> None:
    body = with_doctype(b'<!ENTITY xxe SYSTEM "file:///etc/passwd">')
    with pytest.raises(SourceError, match=r"^refused: the document declares the external"):
        parse_feed(body, url="https://feeds.example/")


def test_capped_cuts_every_text_field_before_normalization() -> None:
    raw = RawPosting(
        title="t" * 5000,
        company="c" * 65536,
        location="l" * 1000,
        description_html="<p>" + "d" * 200_000,
        tags=tuple("x" * 500 for _ in range(80)),
        pay_text="$" * 5000,
        url="https://a.example/" + "p" * 10_000,
    )
    cut = capped(raw)
    assert (len(cut.title), len(cut.company or ""), len(cut.location or "")) == (1024, 256, 256)
    assert len(cut.description_html or "") == 64 * 1024
    assert (len(cut.tags), max(map(len, cut.tags))) == (50, MAX_FIELD_CHARS)
    assert (len(cut.pay_text or ""), len(cut.url or "")) == (1024, 4096)


def test_a_64_kib_author_becomes_a_256_character_company() -> None:
    posting = normalize(RawPosting(title="Job", company="A" * 65536), source="s", now=_now())
    assert posting.company == "A" * 256


def _now() -> datetime:
    return datetime(2025, 1, 6, tzinfo=UTC)
