"""Thread and hashtag adapters on real recorded payloads (skipped when ../shared is absent)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from aggregator.adapters.base import Adapter
from aggregator.adapters.bluesky import BlueskySearchAdapter, next_cursor
from aggregator.adapters.hn_whoishiring import HnWhoIsHiringAdapter
from aggregator.adapters.json_pagination import next_link_from_header
from aggregator.adapters.mastodon import MastodonTagAdapter
from aggregator.config.model import SourceConfig
from aggregator.errors import SourceError
from aggregator.models import RawPosting
from tests.support.shared import PAYLOADS


def payload(relative: str) -> bytes:
    path = PAYLOADS / relative
    if not path.exists():
        pytest.skip(f"no real payload at {path}")
    return path.read_bytes()


def make(adapter: type[Adapter], **options: Any) -> Any:
    return adapter(SourceConfig(name="real", adapter=adapter.name, options=options))


HN_SEARCH = "hackernews/algolia_search_query-Angular_2022-05.json"


def test_hn_real_search_page_of_a_who_wants_to_be_hired_thread_gives_no_postings() -> None:
    # The one hit is a top-level comment of "Who wants to be hired?": a person, not a job.
    adapter = make(HnWhoIsHiringAdapter)
    assert adapter.parse(payload(HN_SEARCH), url="https://hn.algolia.com/api/v1/search") == []


@pytest.mark.parametrize("item", ["firebase_item_192327.json", "firebase_item_2921983.json"])
def test_hn_real_firebase_item_is_refused_as_the_wrong_kind_of_document(item: str) -> None:
    adapter = make(HnWhoIsHiringAdapter)
    with pytest.raises(SourceError, match="expected an HN Algolia search page, got a Firebase"):
        adapter.parse(payload(f"hackernews/{item}"), url="https://hacker-news.firebaseio.com/v0/x")


def test_hn_real_comment_hit_under_a_hiring_thread_becomes_one_posting() -> None:
    document = json.loads(payload(HN_SEARCH))
    document["hits"][0]["story_title"] = "Ask HN: Who is hiring? (May 2022)"
    body = json.dumps(document).encode()

    postings = make(HnWhoIsHiringAdapter).parse(body, url="https://hn.algolia.com/api/v1/search")

    assert len(postings) == 1
    posting = postings[0]
    assert posting.title == "Location: Amsterdam, NL"
    assert posting.url == "https://news.ycombinator.com/item?id=31276852"
    assert posting.posted_at == datetime(2022, 5, 5, 18, 25, 9, tzinfo=UTC)
    assert posting.description_html is not None
    assert posting.description_html.startswith("Remote: Yes")


MASTODON_TAG = "mastodon/api_v1_timelines_tag_hoot_localtest"
MASTODON_PUBLIC = "mastodon/api_v1_timelines_public_anonymous_localtest.json"


def mastodon() -> MastodonTagAdapter:
    adapter: MastodonTagAdapter = make(MastodonTagAdapter, instance="localhost:3000", tag="hoot")
    return adapter


def test_mastodon_real_tag_timeline_gives_its_one_post_with_tag_and_date() -> None:
    url = "http://localhost:3000/api/v1/timelines/tag/hoot"
    (posting,) = mastodon().parse(payload(f"{MASTODON_TAG}.json"), url=url)
    assert posting.title == "#hoot (hashtag toot)"
    assert posting.url == "http://localhost:3000/@mastodonpy_test_2/117020593741189701"
    assert posting.company == "mastodonpy_test_2"  # no display name: the account name
    assert posting.tags == ("hoot",)
    assert posting.posted_at == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)


def test_mastodon_real_link_header_gives_the_older_page_by_max_id() -> None:
    headers = json.loads(payload(f"{MASTODON_TAG}.headers.json"))["headers"]
    assert next_link_from_header(headers["link"][0]) == (
        "http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701"
    )


def test_mastodon_real_public_timeline_gives_eight_titled_linked_posts() -> None:
    postings = mastodon().parse(payload(MASTODON_PUBLIC), url="http://localhost:3000/x")
    assert len(postings) == 8
    for posting in postings:
        assert posting.title
        assert posting.url is not None
        assert posting.url.startswith("http://localhost:3000/@")
        assert posting.company in ("admin", "mastodonpy_test_2")
        assert posting.posted_at is not None


BLUESKY_SEARCH = "bluesky/searchPosts_q-redistricting_2025-05-19.json"


def bluesky_postings() -> list[RawPosting]:
    adapter = make(BlueskySearchAdapter, handle="me.bsky.social", app_password="pw", query="q")
    url = "https://bsky.social/xrpc/app.bsky.feed.searchPosts?q=redistricting"
    postings: list[RawPosting] = adapter.parse(payload(BLUESKY_SEARCH), url=url)
    return postings


def test_bluesky_real_search_page_gives_25_titled_posts_linked_on_bsky_app() -> None:
    postings = bluesky_postings()
    assert len(postings) == 25
    for posting in postings:
        assert posting.title
        assert posting.url is not None
        assert posting.url.startswith("https://bsky.app/profile/")
        assert posting.company
        assert posting.posted_at is not None
        assert posting.posted_at.tzinfo is not None


def test_bluesky_real_post_with_an_empty_display_name_is_named_by_its_handle() -> None:
    assert bluesky_postings()[11].company == "bodyballistics.bsky.social"


def test_bluesky_real_tag_facet_becomes_the_post_tag() -> None:
    last = bluesky_postings()[-1]
    assert last.tags == ("txlege",)
    assert last.url == "https://bsky.app/profile/mcpli.bsky.social/post/3lpica7sxmk2u"


def test_bluesky_real_page_gives_its_cursor_for_the_next_page() -> None:
    assert next_cursor(payload(BLUESKY_SEARCH)) == "25"
