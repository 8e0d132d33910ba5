"""The RSS/Atom adapter: parsing invented fixtures, normalizing them, and conditional fetches."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.adapters import rss
from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.rss import RssAdapter, parse_feed
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.http_server import LocalServer, Reply, Seen

FIXTURES = Path(__file__).parent / "fixtures" / "rss"
RSS_URL = "https://gigs.quillfeather.example/feed.xml"
ATOM_URL = "https://board.tinkerwell.example/en/feed.atom"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def adapter(url: str = RSS_URL) -> RssAdapter:
    return RssAdapter(SourceConfig(name="test", adapter="rss", url=url))


def parse_fixture(name: str, url: str) -> list[RawPosting]:
    return adapter(url).parse((FIXTURES / name).read_bytes(), url=url)


def rss_with_items(*items: str) -> bytes:
    body = "".join(f"<item>{item}</item>" for item in items)
    return f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


def test_rss_adapter_is_named_rss() -> None:
    assert RssAdapter.name == "rss"


def test_rss_parse_maps_a_full_item_to_a_raw_posting() -> None:
    first = parse_fixture("jobs.rss.xml", RSS_URL)[0]
    assert first.guid == "qf-gig-101"
    assert first.title == "Junior Data Analyst &amp; Reporting (Remote)"  # as the feed says
    assert first.company == "Northwind Lanterns"
    assert first.location == "Remote, Europe"
    assert first.tags == ("Data", "Micro Internship")
    assert first.posted_at == datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    assert first.description_html is not None
    assert "<b>three years</b>" in first.description_html


def test_rss_parse_makes_relative_links_absolute_against_the_feed_url() -> None:
    first = parse_fixture("jobs.rss.xml", RSS_URL)[0]
    assert first.url == (
        "https://gigs.quillfeather.example/gigs/101?utm_source=rss&utm_medium=feed&ref=board"
    )
    assert first.description_html is not None
    assert 'href="https://gigs.quillfeather.example/apply/101"' in first.description_html


def test_rss_parse_skips_the_empty_item_and_keeps_the_others() -> None:
    titles = [raw.title for raw in parse_fixture("jobs.rss.xml", RSS_URL)]
    assert len(titles) == 4
    assert "Podcast editor" in titles


def test_rss_parse_reads_the_company_from_an_rss_author_with_a_long_tld() -> None:
    second = parse_fixture("jobs.rss.xml", RSS_URL)[1]
    assert second.company == "Bramble Press"


def test_rss_parse_leaves_an_unreadable_date_missing() -> None:
    podcast = parse_fixture("jobs.rss.xml", RSS_URL)[2]
    assert podcast.title == "Podcast editor"
    assert podcast.posted_at is None


def test_atom_parse_resolves_links_against_xml_base_and_reads_updated_dates() -> None:
    firmware = parse_fixture("jobs.atom.xml", ATOM_URL)[0]
    assert firmware.url == "https://board.tinkerwell.example/en/gigs/7"
    assert firmware.posted_at == datetime(2025, 2, 3, 8, 30, tzinfo=UTC)
    assert firmware.company == "Cobalt Kettle Works"
    assert firmware.tags == ("Embedded", "weekend-gig")


def test_atom_parse_prefers_published_over_updated() -> None:
    translate = parse_fixture("jobs.atom.xml", ATOM_URL)[1]
    assert translate.posted_at == datetime(2025, 1, 28, 12, 0, tzinfo=UTC)


def test_rss_fixture_normalizes_to_clean_postings_with_hashtags_and_canonical_urls() -> None:
    postings = normalize_all(parse_fixture("jobs.rss.xml", RSS_URL), source="quill", now=NOW)
    first, illustrator, podcast, survey = postings
    assert first.title == "Junior Data Analyst & Reporting (Remote)"
    assert first.url == "https://gigs.quillfeather.example/gigs/101?ref=board"
    assert first.tags == ("data", "microinternship", "python")
    assert first.description.startswith("Help us tidy three years of lantern sales.\n\n")
    assert "document.location" not in first.description
    assert first.description_html is not None
    assert "<script" not in first.description_html
    assert illustrator.title == "Illustrator for a children's picture book"
    assert illustrator.url == "https://gigs.quillfeather.example/gigs/102"
    assert illustrator.dedup_key == "url:https://gigs.quillfeather.example/gigs/102"
    assert illustrator.tags == ("illustration", "remote")
    assert podcast.posted_at == NOW
    assert survey.dedup_key.startswith("hash:")


def test_atom_fixture_normalizes_an_untitled_entry_from_its_content() -> None:
    postings = normalize_all(parse_fixture("jobs.atom.xml", ATOM_URL), source="tw", now=NOW)
    assert postings[0].title == "Firmware tester for a weekend"
    assert postings[0].tags == ("embedded", "weekendgig", "hardware")
    assert postings[1].url == "https://board.tinkerwell.example/en/gigs/8?lang=en"
    assert postings[2].title == "Untitled gig: sort 300 photos by date."


def test_an_html_page_is_not_a_feed() -> None:
    body = (FIXTURES / "not-a-feed.html").read_bytes()
    with pytest.raises(SourceError, match=r"^not an RSS or Atom feed: got an HTML page$"):
        adapter().parse(body, url=RSS_URL)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the body is empty"),
        (b'{"items": []}', "got JSON"),
        (b"<catalog><book/></catalog>", "no <rss>, <feed> or <rdf:RDF> root element"),
        (b"just some words", "syntax error"),
    ],
)
def test_a_body_that_is_not_a_feed_raises_adapter_error_with_a_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(SourceError, match="not an RSS or Atom feed") as caught:
        adapter().parse(body, url=RSS_URL)
    assert reason in str(caught.value)


def test_a_feed_without_entries_gives_no_postings() -> None:
    assert adapter().parse(rss_with_items(), url=RSS_URL) == []


def test_a_body_naming_a_local_file_is_parsed_as_text_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(bytes) opens the file those bytes name; the adapter must not.
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss_with_items("<title>from the local disk</title>"))
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        adapter().parse(str(secret).encode(), url=RSS_URL)


def test_entries_beyond_the_cap_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rss, "MAX_ENTRIES", 3)
    body = rss_with_items(*(f"<title>gig {n}</title>" for n in range(5)))
    assert [raw.title for raw in adapter().parse(body, url=RSS_URL)] == ["gig 0", "gig 1", "gig 2"]


def test_long_titles_and_descriptions_are_capped() -> None:
    body = rss_with_items(f"<title>{'t' * 5000}</title><description>{'d' * 200_000}</description>")
    (raw,) = adapter().parse(body, url=RSS_URL)
    assert len(raw.title) == rss.MAX_TITLE_CHARS
    assert raw.description_html is not None
    assert len(raw.description_html) == rss.MAX_DESCRIPTION_CHARS


def _fetch(server_url: str, state: FetchState) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await adapter(server_url).fetch(client, state)

    return asyncio.run(go())


FEED = rss_with_items("<title>one gig</title><guid>g1</guid>")
FEED_HASH = hashlib.sha256(FEED).hexdigest()


def _etag_server(seen: Seen) -> Reply:
    if seen.headers.get("if-none-match") == '"feed-v1"':
        return Reply(status=304, headers={"ETag": '"feed-v1"'})
    headers = {"ETag": '"feed-v1"', "Last-Modified": "Mon, 06 Jan 2025 10:00:00 GMT"}
    return Reply(body=FEED, headers={**headers, "Content-Type": "application/rss+xml"})


def test_first_fetch_returns_the_body_its_hash_and_cache_keys(server: LocalServer) -> None:
    url = server.route("/feed.xml", _etag_server)
    result = _fetch(url, FetchState())
    (page,) = result.pages
    assert (page.body, result.not_modified, result.content_hash) == (FEED, False, FEED_HASH)
    assert (result.etag, result.last_modified) == ('"feed-v1"', "Mon, 06 Jan 2025 10:00:00 GMT")
    assert page.content_type == "application/rss+xml"
    assert "application/rss+xml" in server.seen[0].headers["accept"]


def test_fetch_with_the_stored_etag_is_not_modified_and_keeps_the_state(
    server: LocalServer,
) -> None:
    url = server.route("/feed.xml", _etag_server)
    state = FetchState(etag='"feed-v1"', last_modified="Mon, 06 Jan 2025", content_hash="abc")
    result = _fetch(url, state)
    assert (result.not_modified, result.pages) == (True, ())
    assert (result.etag, result.last_modified, result.content_hash) == (
        '"feed-v1"',
        "Mon, 06 Jan 2025",
        "abc",
    )


def test_fetch_of_an_unchanged_body_is_not_modified_and_not_handed_on(
    server: LocalServer,
) -> None:
    url = server.route("/feed.xml", Reply(body=FEED))  # ignores conditional headers
    result = _fetch(url, FetchState(content_hash=FEED_HASH))
    assert (result.not_modified, result.pages, result.content_hash) == (True, (), FEED_HASH)


def test_fetch_of_a_changed_body_returns_it_with_the_new_hash(server: LocalServer) -> None:
    url = server.route("/feed.xml", Reply(body=FEED))
    result = _fetch(url, FetchState(content_hash="0" * 64))
    assert (result.not_modified, result.content_hash) == (False, FEED_HASH)
    assert [page.body for page in result.pages] == [FEED]


def test_fetch_of_a_missing_feed_raises_adapter_error(server: LocalServer) -> None:
    with pytest.raises(SourceError, match=r"^HTTP 404 from http://127\.0\.0\.1:\d+/gone$"):
        _fetch(server.url("/gone"), FetchState())


def test_fetch_honours_the_source_body_cap(server: LocalServer) -> None:
    url = server.route("/feed.xml", Reply(body=FEED))
    source = SourceConfig(name="test", adapter="rss", url=url, max_body_bytes=10)

    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await RssAdapter(source).fetch(client, FetchState())

    with pytest.raises(SourceError, match="body exceeds 10 bytes"):
        asyncio.run(go())


def test_rss_parse_keeps_a_guid_as_written_whatever_the_feed_url() -> None:
    body = rss_with_items("<title>one gig</title><guid>12345</guid>")
    first = parse_feed(body, url="http://old.example/feed.xml")[0]
    second = parse_feed(body, url="https://new.example/jobs/feed.xml")[0]
    assert first.guid == second.guid == "12345"
    # a permalink guid without <link> is still the listing's link, made absolute
    assert second.url == "https://new.example/jobs/12345"
