"""Thread and hashtag adapters (HN, Mastodon, Bluesky, X): parsing and fetching over loopback."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from aggregator.adapters.base import Adapter, FetchResult, FetchState
from aggregator.adapters.bluesky import BlueskySearchAdapter
from aggregator.adapters.hn_whoishiring import HnWhoIsHiringAdapter, split_first_line
from aggregator.adapters.mastodon import MastodonTagAdapter
from aggregator.adapters.x_search import XRecentSearchAdapter
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.normalize.postings import normalize_all
from tests.support.http_server import LocalServer, Reply, Seen

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def make(adapter: type[Adapter], **options: Any) -> Any:
    return adapter(SourceConfig(name="test", adapter=adapter.name, options=options))


def fetch(adapter: Adapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as shared:
            return await adapter.fetch(shared, state or FetchState())

    return asyncio.run(go())


def fetch_error(adapter: Adapter) -> str:
    with pytest.raises(SourceError) as caught:
        fetch(adapter)
    return str(caught.value)


def json_reply(document: object, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(body=json.dumps(document).encode(), headers=headers or {})


def query_of(seen: Seen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(seen.path).query)


def parse_all(adapter: Adapter, result: FetchResult) -> list[RawPosting]:
    return [posting for page in result.pages for posting in adapter.parse(page.body, url=page.url)]


# --- Hacker News -----------------------------------------------------------------------------

HIRING, FREELANCER, HIRED = 9001, 9002, 9003
TIMINGS = itertools.count(1)


def story(story_id: int, title: str) -> dict[str, Any]:
    return {
        "title": title,
        "author": "whoishiring",
        "story_id": story_id,
        "objectID": str(story_id),
    }


def hn_comment(
    comment_id: int, text: str | None, *, story_id: int = HIRING, parent: int | None = None
) -> dict[str, Any]:
    titles = {HIRING: "Ask HN: Who is hiring? (November 2026)"}
    titles[FREELANCER] = "Ask HN: Freelancer? Seeking freelancer? (November 2026)"
    return {
        "author": "someone" if text is not None else None,
        "comment_text": text,
        "story_id": story_id,
        "story_title": titles[story_id],
        "parent_id": parent or story_id,
        "created_at_i": 1793700000,
        "objectID": str(comment_id),
    }


def hn_page(*hits: dict[str, Any], page: int = 0, pages: int = 1) -> dict[str, Any]:
    timing = next(TIMINGS)  # as in Algolia's answers: differs on every request
    return {"hits": list(hits), "page": page, "nbPages": pages, "processingTimeMS": timing}


def hn_parse(*hits: dict[str, Any]) -> list[RawPosting]:
    body = json.dumps(hn_page(*hits)).encode()
    return make(HnWhoIsHiringAdapter).parse(body, url="https://hn.algolia.com/api/v1/x")


def serve_hn(server: LocalServer, comments: Mapping[int, list[dict[str, Any]]]) -> None:
    """The whoishiring story list, then each thread's comments split into pages of two."""
    stories = [
        story(HIRED, "Ask HN: Who wants to be hired? (November 2026)"),
        story(FREELANCER, "Ask HN: Freelancer? Seeking freelancer? (November 2026)"),
        story(HIRING, "Ask HN: Who is hiring? (November 2026)"),
        story(8001, "Ask HN: Who is hiring? (October 2026)"),
    ]

    def answer(seen: Seen) -> Reply:
        query = query_of(seen)
        tags = query["tags"][0]
        if tags == "story,author_whoishiring":
            return json_reply(hn_page(*stories))
        story_id = int(tags.removeprefix("comment,story_"))
        page = int(query["page"][0])
        hits = comments.get(story_id, [])
        pages = max(1, -(-len(hits) // 2))
        return json_reply(hn_page(*hits[page * 2 : page * 2 + 2], page=page, pages=pages))

    server.route("/api/v1/search_by_date", answer)


def test_hn_split_reads_company_role_place_remote_and_pay_from_the_first_line() -> None:
    fields = split_first_line("Acme | Backend Engineer | Berlin, DE | REMOTE | €70k")
    assert fields == {
        "company": "Acme",
        "title": "Backend Engineer",
        "location": "Berlin, DE",
        "remote": "REMOTE",
        "pay_text": "€70k",
    }


def test_hn_split_keeps_the_whole_line_as_title_when_no_segment_looks_like_a_role() -> None:
    fields = split_first_line("Bar | https://bar.example | Remote (US) | Contract")
    assert fields["title"] == "Bar | https://bar.example | Remote (US) | Contract"
    assert fields["employment_type"] == "Contract"
    assert "location" not in fields


def test_hn_split_of_a_line_without_pipes_is_only_a_title() -> None:
    assert split_first_line("We are hiring a designer in Leeds") == {
        "title": "We are hiring a designer in Leeds"
    }


def test_hn_parse_keeps_only_live_top_level_comments() -> None:
    postings = hn_parse(
        hn_comment(1, "Acme | Engineer | Oslo, NO<p>Details"),
        hn_comment(2, "A reply", parent=1),
        hn_comment(3, None),
    )
    assert [p.url for p in postings] == ["https://news.ycombinator.com/item?id=1"]
    assert postings[0].description_html == "Details"


def test_hn_parse_keeps_seeking_freelancer_offers_and_skips_seeking_work() -> None:
    postings = hn_parse(
        hn_comment(4, "SEEKING WORK | Remote | Python, Django", story_id=FREELANCER),
        hn_comment(
            5, "SEEKING FREELANCER | Inkwell Co | Illustrator | Remote", story_id=FREELANCER
        ),
    )
    assert [(p.company, p.title, p.employment_type) for p in postings] == [
        ("Inkwell Co", "Illustrator", "freelance")
    ]


def test_hn_parse_rejects_a_page_without_hits() -> None:
    adapter = make(HnWhoIsHiringAdapter)
    with pytest.raises(SourceError, match=r"hn_whoishiring: expected a list at hits, got null"):
        adapter.parse(b'{"nbHits": 0}', url="https://hn.algolia.com/api/v1/x")


def test_hn_rejects_an_unknown_thread_name_as_an_option_error() -> None:
    with pytest.raises(ValueError, match="threads"):
        make(HnWhoIsHiringAdapter, threads=["hired"])


def test_hn_fetch_finds_the_latest_threads_and_reads_every_comment_page(
    server: LocalServer,
) -> None:
    serve_hn(
        server,
        {
            HIRING: [hn_comment(n, f"Co{n} | Engineer | Remote") for n in (11, 12, 13)],
            FREELANCER: [
                hn_comment(21, "SEEKING FREELANCER | Inkwell | Editor", story_id=FREELANCER)
            ],
        },
    )
    adapter = make(HnWhoIsHiringAdapter, api_base=server.url("/api/v1"))
    result = fetch(adapter)

    comment_queries = [query_of(s) for s in server.seen[1:]]
    assert [(q["tags"][0], q["page"][0]) for q in comment_queries] == [
        (f"comment,story_{HIRING}", "0"),
        (f"comment,story_{HIRING}", "1"),
        (f"comment,story_{FREELANCER}", "0"),
    ]
    assert [p.company for p in parse_all(adapter, result)] == ["Co11", "Co12", "Co13", "Inkwell"]


def test_hn_fetch_of_threads_with_the_same_comments_reports_not_modified(
    server: LocalServer,
) -> None:
    serve_hn(server, {HIRING: [hn_comment(11, "Co | Engineer")]})
    adapter = make(HnWhoIsHiringAdapter, api_base=server.url("/api/v1"), threads=["hiring"])
    first = fetch(adapter)
    again = fetch(adapter, FetchState(content_hash=first.content_hash))
    assert len(first.pages) == 1
    assert again.not_modified
    assert again.pages == ()


def test_hn_fetch_without_a_hiring_thread_says_so(server: LocalServer) -> None:
    server.route("/api/v1/search_by_date", json_reply(hn_page(story(HIRED, "Ask HN: Hi"))))
    adapter = make(HnWhoIsHiringAdapter, api_base=server.url("/api/v1"), threads=["hiring"])
    assert 'no "who is hiring?" thread' in fetch_error(adapter)


# --- Mastodon --------------------------------------------------------------------------------

TAG_PATH = "/api/v1/timelines/tag/microinternship"


def toot(status_id: str, content: str, **fields: Any) -> dict[str, Any]:
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": "2026-11-25T09:00:00.000Z",
        "spoiler_text": "",
        "uri": f"https://masto.example/users/ann/statuses/{status_id}",
        "url": f"https://masto.example/@ann/{status_id}",
        "content": content,
        "reblog": None,
        "account": {
            "acct": "ann",
            "display_name": "Ann's Bakery",
            "url": "https://masto.example/@ann",
        },
        "tags": [{"name": "microinternship", "url": "https://masto.example/tags/microinternship"}],
    }
    return status | fields


def mastodon(server: LocalServer, **options: Any) -> MastodonTagAdapter:
    options = {"instance": server.url(), "tag": "microinternship"} | options
    adapter: MastodonTagAdapter = make(MastodonTagAdapter, **options)
    return adapter


def masto_parse(*statuses: object) -> list[RawPosting]:
    adapter = make(MastodonTagAdapter, instance="masto.example", tag="microinternship")
    postings: list[RawPosting] = adapter.parse(json.dumps(statuses).encode(), url="https://x")
    return postings


def test_mastodon_options_accept_a_host_or_a_url_and_a_tag_with_or_without_hash() -> None:
    adapter = make(MastodonTagAdapter, instance="https://Masto.Example/", tag="#gig", any=["#job"])
    assert adapter.first_page_url() == (
        "https://masto.example/api/v1/timelines/tag/gig?limit=40&any%5B%5D=job"
    )


def test_mastodon_rejects_a_tag_with_a_slash() -> None:
    with pytest.raises(ValueError, match="expected a hashtag"):
        make(MastodonTagAdapter, instance="masto.example", tag="a/b")


def test_mastodon_parse_titles_a_post_with_its_first_line_and_names_the_poster() -> None:
    (posting,) = masto_parse(toot("1", "<p>Paid gig: logo refresh<br />Two weeks</p>"))
    assert posting.title == "Paid gig: logo refresh"
    assert posting.company == "Ann's Bakery"
    assert posting.url == "https://masto.example/@ann/1"
    assert posting.tags == ("microinternship",)


def test_mastodon_parse_keeps_the_content_warning_in_the_description() -> None:
    (posting,) = masto_parse(toot("2", "<p>Details inside</p>", spoiler_text="Job <paid>"))
    assert posting.description_html == "<p>Job &lt;paid&gt;</p><p>Details inside</p>"


def test_mastodon_parse_reads_the_boosted_post_rather_than_the_boost() -> None:
    original = toot("3", "<p>Original job post</p>")
    boost = toot("4", "", reblog=original, account={"acct": "booster", "display_name": "B"})
    (posting,) = masto_parse(boost)
    assert (posting.title, posting.company) == ("Original job post", "Ann's Bakery")


def test_mastodon_parse_names_the_status_without_an_account() -> None:
    with pytest.raises(SourceError, match=r"expected an object at \[1\]\.account, got null"):
        masto_parse(toot("5", "<p>ok</p>"), toot("6", "<p>bad</p>", account=None))


def test_mastodon_fetch_follows_next_links_up_to_max_pages(server: LocalServer) -> None:
    def answer(seen: Seen) -> Reply:
        max_id = int(query_of(seen).get("max_id", ["100"])[0])
        older = server.url(f"{TAG_PATH}?max_id={max_id - 1}")
        link = f'<{server.url(TAG_PATH)}?min_id={max_id}>; rel="prev", <{older}>; rel="next"'
        return json_reply([toot(str(max_id), f"<p>post {max_id}</p>")], {"Link": link})

    server.route(TAG_PATH, answer)
    adapter = mastodon(server, max_pages=3, local=True)
    result = fetch(adapter)

    assert [p.title for p in parse_all(adapter, result)] == ["post 100", "post 99", "post 98"]
    assert query_of(server.seen[0]) == {"limit": ["40"], "local": ["true"]}
    assert query_of(server.seen[2])["max_id"] == ["98"]


def test_mastodon_fetch_does_not_follow_a_next_link_to_another_host(server: LocalServer) -> None:
    link = '<https://elsewhere.example/api/v1/timelines/tag/x?max_id=1>; rel="next"'
    server.route(TAG_PATH, json_reply([toot("1", "<p>a</p>")], {"Link": link}))
    result = fetch(mastodon(server))
    assert len(result.pages) == 1
    assert len(server.seen) == 1


@pytest.mark.parametrize("status", [401, 422])
def test_mastodon_fetch_explains_an_instance_closed_to_anonymous_readers(
    server: LocalServer, status: int
) -> None:
    server.route(
        TAG_PATH,
        Reply(status=status, body=b'{"error":"This method requires an authenticated user"}'),
    )
    message = fetch_error(mastodon(server))
    assert f"does not show hashtag timelines to anonymous readers (HTTP {status})" in message


def test_mastodon_fetch_names_the_rate_limit_on_429(server: LocalServer) -> None:
    server.route(TAG_PATH, Reply(status=429))
    assert "300 requests per 5 minutes" in fetch_error(mastodon(server))


# --- Bluesky ---------------------------------------------------------------------------------

SEARCH_PATH = "/xrpc/app.bsky.feed.searchPosts"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


LOGIN_PATH = "/xrpc/com.atproto.server.createSession"


def answer_login(seen: Seen) -> Reply:
    """The createSession endpoint: a session for the right app password, else 401."""
    if json.loads(seen.body).get("password") != APP_PASSWORD:
        return Reply(status=401, body=b'{"error": "AuthenticationRequired"}')
    return json_reply({"did": "did:plc:me", "handle": "me.bsky.social", "accessJwt": "jwt-123"})


def logins(server: LocalServer) -> list[tuple[str, dict[str, Any]]]:
    return [(s.method, json.loads(s.body)) for s in server.seen if s.path == LOGIN_PATH]


def searches(server: LocalServer) -> list[Seen]:
    return [s for s in server.seen if s.path != LOGIN_PATH]


def skeet(rkey: str, text: str, **record: Any) -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:abc/app.bsky.feed.post/{rkey}",
        "author": {"did": "did:plc:abc", "handle": "acme.bsky.social", "displayName": "Acme"},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-25T10:00:00Z"}
        | record,
        "indexedAt": "2026-11-25T10:00:01.000Z",
    }


def bluesky(server: LocalServer, **options: Any) -> BlueskySearchAdapter:
    defaults = {"handle": "me.bsky.social", "app_password": APP_PASSWORD, "query": "#gig"}
    server.route(LOGIN_PATH, answer_login)
    adapter: BlueskySearchAdapter = make(
        BlueskySearchAdapter, service=server.url(), **(defaults | options)
    )
    return adapter


def serve_search_pages(server: LocalServer, pages: int) -> None:
    """Page n (cursor n) holds one post; the last page has no cursor."""

    def answer(seen: Seen) -> Reply:
        number = int(query_of(seen).get("cursor", ["0"])[0])
        page: dict[str, Any] = {"posts": [skeet(f"r{number}", f"Gig {number}")]}
        if number + 1 < pages:
            page["cursor"] = str(number + 1)
        return json_reply(page)

    server.route(SEARCH_PATH, answer)


def test_bluesky_parse_takes_tags_from_facets_and_the_record() -> None:
    tag_facet = {"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "MicroInternship"}]}
    link_facet = {"features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x"}]}
    post = skeet("r1", "Paid #MicroInternship", facets=[link_facet, tag_facet], tags=["design"])
    adapter = make(BlueskySearchAdapter, handle="me", app_password="pw", query="q")
    (posting,) = adapter.parse(json.dumps({"posts": [post]}).encode(), url="https://x")
    assert posting.tags == ("design", "MicroInternship")
    assert posting.url == "https://bsky.app/profile/acme.bsky.social/post/r1"


def test_bluesky_parse_links_an_author_with_an_invalid_handle_by_did() -> None:
    post = skeet("r9", "Gig") | {"author": {"did": "did:plc:xyz", "handle": "handle.invalid"}}
    adapter = make(BlueskySearchAdapter, handle="me", app_password="pw", query="q")
    (posting,) = adapter.parse(json.dumps({"posts": [post]}).encode(), url="https://x")
    assert posting.url == "https://bsky.app/profile/did:plc:xyz/post/r9"


def test_bluesky_hashtags_written_in_the_text_become_tags_on_normalization() -> None:
    adapter = make(BlueskySearchAdapter, handle="me", app_password="pw", query="q")
    body = json.dumps({"posts": [skeet("r1", "Logo refresh #Gig #micro_internship")]})
    (posting,) = normalize_all(adapter.parse(body.encode(), url="https://x"), source="s", now=NOW)
    assert posting.tags == ("gig", "microinternship")


def test_bluesky_parse_names_a_post_without_an_author_handle() -> None:
    adapter = make(BlueskySearchAdapter, handle="me", app_password="pw", query="q")
    broken = skeet("r2", "x") | {"author": {"did": "did:plc:abc"}}
    body = json.dumps({"posts": [skeet("r1", "ok"), broken]}).encode()
    with pytest.raises(SourceError, match=r"expected a string at posts\[1\]\.author\.handle"):
        adapter.parse(body, url="https://x")


def test_bluesky_fetch_logs_in_then_searches_with_the_bearer_token_page_by_page(
    server: LocalServer,
) -> None:
    serve_search_pages(server, pages=2)
    adapter = bluesky(server, max_pages=5)
    result = fetch(adapter)

    assert logins(server) == [("POST", {"identifier": "me.bsky.social", "password": APP_PASSWORD})]
    found = searches(server)
    assert [s.headers["authorization"] for s in found] == ["Bearer jwt-123"] * 2
    assert query_of(found[0]) == {"q": ["#gig"], "limit": ["100"], "sort": ["latest"]}
    assert query_of(found[1])["cursor"] == ["1"]
    assert [p.title for p in parse_all(adapter, result)] == ["Gig 0", "Gig 1"]


def test_bluesky_fetch_stops_at_max_pages(server: LocalServer) -> None:
    serve_search_pages(server, pages=10)
    result = fetch(bluesky(server, max_pages=2))
    assert len(result.pages) == 2
    assert len(searches(server)) == 2


def test_bluesky_failed_login_names_the_handle_but_not_the_password(server: LocalServer) -> None:
    message = fetch_error(bluesky(server, app_password="wrong-pass-word"))
    assert "Bluesky login failed for handle 'me.bsky.social' (HTTP 401)" in message
    assert "wrong-pass-word" not in message
    assert searches(server) == []


def test_bluesky_option_errors_do_not_echo_the_app_password() -> None:
    adapter = make(BlueskySearchAdapter, handle="me", app_password="s3cret-pw", query="q")
    assert "s3cret-pw" not in repr(adapter.options)


def test_bluesky_search_rate_limit_is_explained(server: LocalServer) -> None:
    server.route(SEARCH_PATH, Reply(status=429))
    message = fetch_error(bluesky(server))
    assert "Bluesky rate limit hit during search" in message


# --- X ---------------------------------------------------------------------------------------

X_PATH = "/2/tweets/search/recent"
X_TOKEN = "AAAAsecret-bearer-token"


def x_adapter(server: LocalServer, **options: Any) -> XRecentSearchAdapter:
    defaults = {"bearer_token": X_TOKEN, "query": "#gig -is:retweet", "api_base": server.url("/2")}
    adapter: XRecentSearchAdapter = make(XRecentSearchAdapter, **(defaults | options))
    return adapter


def x_parse(document: object) -> list[RawPosting]:
    adapter = make(XRecentSearchAdapter, bearer_token="t", query="q")
    postings: list[RawPosting] = adapter.parse(json.dumps(document).encode(), url="https://x")
    return postings


def test_x_parse_of_a_search_without_results_gives_no_postings() -> None:
    assert x_parse({"meta": {"result_count": 0}}) == []


def test_x_parse_links_a_post_whose_author_is_not_included_by_its_id() -> None:
    (posting,) = x_parse({"data": [{"id": "77", "text": "Gig &amp; more", "author_id": "5"}]})
    assert posting.url == "https://x.com/i/web/status/77"
    assert posting.title == "Gig & more"
    assert posting.company is None


def test_x_parse_replaces_t_co_links_with_the_expanded_ones() -> None:
    link = {"url": "https://t.co/abc", "expanded_url": "https://acme.example/apply"}
    tweet = {"id": "1", "text": "Apply https://t.co/abc", "entities": {"urls": [link]}}
    (posting,) = x_parse({"data": [tweet]})
    assert posting.description_html == "Apply https://acme.example/apply"


def test_x_parse_names_a_post_without_text() -> None:
    with pytest.raises(SourceError, match=r"expected a string at data\[0\]\.text, got null"):
        x_parse({"data": [{"id": "1"}]})


def test_x_fetch_sends_the_bearer_token_and_follows_next_token(server: LocalServer) -> None:
    def answer(seen: Seen) -> Reply:
        token = query_of(seen).get("next_token", [""])[0]
        tweet = {"id": token or "first", "text": f"Gig {token or 'first'}", "author_id": "9"}
        meta = {"result_count": 1} | ({} if token else {"next_token": "second"})
        return json_reply({"data": [tweet], "meta": meta})

    server.route(X_PATH, answer)
    adapter = x_adapter(server, max_pages=5)
    result = fetch(adapter)

    assert [s.headers["authorization"] for s in server.seen] == [f"Bearer {X_TOKEN}"] * 2
    first_query = query_of(server.seen[0])
    assert first_query["query"] == ["#gig -is:retweet"]
    assert first_query["max_results"] == ["100"]
    assert first_query["expansions"] == ["author_id"]
    assert query_of(server.seen[1])["next_token"] == ["second"]
    assert [p.title for p in parse_all(adapter, result)] == ["Gig first", "Gig second"]


def test_x_fetch_reads_one_page_by_default(server: LocalServer) -> None:
    server.route(X_PATH, json_reply({"data": [], "meta": {"next_token": "more"}}))
    assert len(fetch(x_adapter(server)).pages) == 1
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "X rejected the bearer token (HTTP 401)"),
        (403, "X refused the search (HTTP 403)"),
        (429, "the monthly post cap or the 15-minute request window is used up"),
    ],
)
def test_x_fetch_explains_auth_and_rate_limit_errors_without_the_token(
    server: LocalServer, status: int, expected: str
) -> None:
    server.route(X_PATH, Reply(status=status, body=b'{"title": "Unauthorized"}'))
    message = fetch_error(x_adapter(server))
    assert expected in message
    assert X_TOKEN not in message
