"""Boards read from feeds: We Work Remotely (RSS, "Company: Role") and Reddit (Atom)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters.base import FetchResult, FetchState, option_problems
from aggregator.adapters.reddit import RedditAdapter, feed_url, search_query, split_title_tags
from aggregator.adapters.weworkremotely import WeWorkRemotelyAdapter, split_company
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from tests.support.http_server import LocalServer, Reply
from tests.support.shared import PAYLOADS

FIXTURES = Path(__file__).parent / "fixtures"
WWR_FEED = "https://weworkremotely.com/remote-jobs.rss"


def wwr(url: str | None = None, **options: Any) -> WeWorkRemotelyAdapter:
    source = SourceConfig(name="wwr", adapter="weworkremotely", url=url, options=options)
    return WeWorkRemotelyAdapter(source)


def reddit(url: str | None = None, **options: Any) -> RedditAdapter:
    source = SourceConfig(name="r", adapter="reddit", url=url, options=options)
    return RedditAdapter(source)


# We Work Remotely


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Acme: Backend Developer", ("Acme", "Backend Developer")),
        ("Acme: Lead: Platform", ("Acme", "Lead: Platform")),
        ("Acme:Backend", (None, "Acme:Backend")),
        ("Backend Developer", (None, "Backend Developer")),
        (": Backend Developer", (None, ": Backend Developer")),
        ("Acme: ", (None, "Acme: ")),
    ],
)
def test_wwr_titles_split_into_company_and_role_at_the_first_colon_space(
    title: str, expected: tuple[str | None, str]
) -> None:
    assert split_company(title) == expected


def wwr_fixture() -> list[RawPosting]:
    return wwr().parse((FIXTURES / "weworkremotely.xml").read_bytes(), url=WWR_FEED)


def test_wwr_items_give_company_role_region_type_and_closing_date() -> None:
    first, second, third = wwr_fixture()
    assert (first.company, first.title) == (
        "Quillmere Labs",
        "Junior Data Analyst (Contract, 3 months)",
    )
    assert (second.company, second.title) == ("Brightfern", "Support Engineer: Tier 2 (Americas)")
    assert [p.location for p in (first, second, third)] == [
        "Anywhere in the World",
        "USA Only",
        "Europe Only",
    ]
    assert [p.employment_type for p in (first, second, third)] == [
        "Contract",
        "Full-Time",
        "Part-Time",
    ]
    assert first.deadline == "Wed, 23 Dec 2026 16:05:12 +0000"
    assert first.tags == ("All Other Remote",)


def test_every_wwr_listing_is_remote() -> None:
    assert {posting.remote for posting in wwr_fixture()} == {True}


def test_a_wwr_item_without_board_elements_keeps_what_the_feed_gives() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title><item><title>Plain role</title>'
        b"<link>https://weworkremotely.com/remote-jobs/plain</link></item></channel></rss>"
    )
    (posting,) = wwr().parse(body, url=WWR_FEED)
    assert (posting.title, posting.company, posting.employment_type) == ("Plain role", None, None)
    assert posting.remote is True


def test_wwr_reads_the_all_jobs_feed_or_one_category_feed() -> None:
    assert wwr().url == "https://weworkremotely.com/remote-jobs.rss"
    assert wwr(category="remote-programming-jobs").url == (
        "https://weworkremotely.com/categories/remote-programming-jobs.rss"
    )
    assert wwr("https://mirror.example/wwr.rss", category="x").url == (
        "https://mirror.example/wwr.rss"
    )


def test_wwr_needs_no_url_and_rejects_a_category_that_is_not_a_slug() -> None:
    assert option_problems(WeWorkRemotelyAdapter, None, {}) == []
    (problem,) = option_problems(WeWorkRemotelyAdapter, None, {"category": "../admin"})
    assert problem.startswith("options.category: String should match pattern")


def test_wwr_fetches_its_feed_through_the_shared_client(server: LocalServer) -> None:
    body = (FIXTURES / "weworkremotely.xml").read_bytes()
    url = server.route("/remote-jobs.rss", Reply(body=body, headers={"ETag": '"v1"'}))

    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0)) as client:
            return await wwr(url).fetch(client, FetchState())

    (page,) = asyncio.run(go()).pages
    assert [p.company for p in wwr().parse(page.body, url=page.url)] == [
        "Quillmere Labs",
        "Brightfern",
        "Otterpine Studio",
    ]


# Reddit


@pytest.mark.parametrize(
    ("query", "flair", "expected"),
    [
        (None, None, None),
        ("  ", None, None),
        ("python remote", None, "python remote"),
        (None, "Hiring", 'flair:"Hiring"'),
        ("python", "Hiring", 'python flair:"Hiring"'),
        (None, 'Hi"ring', 'flair:"Hiring"'),
    ],
)
def test_reddit_search_terms_combine_the_query_and_the_flair(
    query: str | None, flair: str | None, expected: str | None
) -> None:
    assert search_query(query, flair) == expected


def test_reddit_reads_the_newest_posts_or_a_search_restricted_to_the_subreddit() -> None:
    assert feed_url("forhire", None) == "https://www.reddit.com/r/forhire/new/.rss"
    assert feed_url("forhire", 'flair:"Hiring"') == (
        "https://www.reddit.com/r/forhire/search.rss?q=flair%3A%22Hiring%22&restrict_sr=1&sort=new"
    )
    assert reddit(subreddit="slavelabour").url == "https://www.reddit.com/r/slavelabour/new/.rss"
    assert reddit(subreddit="forhire", query="logo", flair="Hiring").url == (
        "https://www.reddit.com/r/forhire/search.rss"
        "?q=logo+flair%3A%22Hiring%22&restrict_sr=1&sort=new"
    )


def test_reddit_needs_a_valid_subreddit_name() -> None:
    assert option_problems(RedditAdapter, None, {"subreddit": "forhire"}) == []
    assert option_problems(RedditAdapter, None, {}) == [
        "options.subreddit: required by the reddit adapter"
    ]
    (problem,) = option_problems(RedditAdapter, None, {"subreddit": "forhire/../x"})
    assert problem.startswith("options.subreddit: String should match pattern")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("[Hiring] Logo designer", ("Logo designer", ("hiring",))),
        ("[HIRING] [Remote] Python dev", ("Python dev", ("hiring", "remote"))),
        ("[Hiring] - Flyer designer", ("Flyer designer", ("hiring",))),
        ("[For Hire]: Copy editor", ("Copy editor", ("for hire",))),
        ("Logo designer [Hiring]", ("Logo designer [Hiring]", ())),
        ("[Hiring]", ("[Hiring]", ())),
    ],
)
def test_reddit_leading_labels_become_tags(title: str, expected: tuple[str, tuple[str]]) -> None:
    assert split_title_tags(title) == expected


def test_reddit_posts_name_no_company_and_keep_the_author_aside() -> None:
    body = (FIXTURES / "reddit.atom.xml").read_bytes()
    first, second, _ = reddit(subreddit="forhire").parse(body, url=feed_url("forhire", "x"))
    assert (first.title, first.company, first.guid) == (
        "Proofreader for a 40k-word novella",
        None,
        "t3_1x7q2ab",
    )
    assert first.extra["author"] == "/u/tidewater_books"
    assert first.tags == ("hiring", "forhire")
    assert first.remote is None
    assert second.remote is True  # from its [Remote] label


def test_one_reddit_post_has_the_same_id_in_the_new_feed_and_in_a_search() -> None:
    body = (FIXTURES / "reddit.atom.xml").read_bytes()
    adapter = reddit(subreddit="forhire")
    from_new = adapter.parse(body, url=feed_url("forhire", None))
    from_search = adapter.parse(body, url=feed_url("forhire", "x"))
    assert [p.guid for p in from_new] == [p.guid for p in from_search]


# Real payloads (../shared/payloads), when present


def real_reddit(name: str) -> list[RawPosting]:
    path = PAYLOADS / "reddit" / name
    if not path.exists():
        pytest.skip(f"no real payload at {path}")
    page_url = "https://www.reddit.com/r/homelab/new/.rss"
    return reddit(subreddit="homelab").parse(path.read_bytes(), url=page_url)


def test_the_real_homelab_feed_gives_25_titled_linked_posts_without_a_company() -> None:
    posts = real_reddit("r_homelab_new_rss.atom.xml")
    assert len(posts) == 25
    for post in posts:
        assert post.title
        assert post.company is None
        assert post.posted_at is not None
        assert str(post.url).startswith("https://ud.reddit.com/r/homelab/comments/")
        assert str(post.guid).startswith("t3_")
        assert str(post.extra["author"]).startswith("/u/")
        assert "homelab" in post.tags
    assert posts[0].title == "Any reason to keep 1G connections to my servers?"
    labelled = next(p for p in posts if "newbie" in p.tags)
    assert labelled.title.startswith("NAS on proxmox")


def test_the_real_rust_feed_dates_its_post_by_its_update_time() -> None:
    (post,) = real_reddit("r_rust_rss.atom.xml")
    assert post.title == "Hey Rustaceans! Got an easy question? Ask here (21/2020)!"
    assert post.guid == "t3_glvkc5"
    assert post.posted_at is not None
    assert post.posted_at.isoformat() == "2020-05-18T05:44:47+00:00"


def test_the_real_search_feed_gives_its_one_post() -> None:
    (post,) = real_reddit("search_rss_site-kevincox.atom.xml")
    assert (post.title, post.guid, post.company) == ("Announcing FeedMail", "t3_qksbf1", None)
    assert post.url == "https://www.reddit.com/r/kevincox/comments/qksbf1/announcing_feedmail/"
