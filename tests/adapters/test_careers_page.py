"""Reading a fetched document for `sources add`: what it is, and the boards a careers page has."""

from __future__ import annotations

import pytest

from aggregator.adapters.careers_page import JSON_FEED_OPTIONS, scan_page, sniff

PAGE = "https://www.acme.test/careers"


def _page(body: str) -> bytes:
    head = "<!doctype html><html><head><title>Careers</title></head>"
    return f"{head}<body>{body}</body></html>".encode()


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', None, "rss"),
        (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "text/xml", "rss"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', None, "rss"),
        (b'<?xml version="1.0"?><!-- list --><opml version="2.0"><body/></opml>', None, "opml"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', None, "jsonfeed"),
        (b'{"jobs": []}', "application/json", "other"),
        (b"[1, 2", None, "other"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", None, "html"),
        (b"<html><body>hi</body></html>", "text/plain", "html"),
        (b"  <div>fragment</div>", "text/html; charset=utf-8", "html"),
        (b"plain text", "text/plain", "other"),
        (b"", None, "other"),
    ],
)
def test_sniff_tells_a_feed_an_opml_list_a_json_feed_and_a_page_apart(
    body: bytes, content_type: str | None, kind: str
) -> None:
    assert sniff(body, content_type) == kind


def test_the_greenhouse_embed_script_gives_its_board() -> None:
    body = _page(
        '<div id="grnhse_app"></div>'
        '<script src="https://boards.greenhouse.io/embed/job_board/js?for=acmelabs"></script>'
    )
    (found,) = scan_page(body, PAGE)
    assert found.source.block("x")["options"] == {"board": "acmelabs"}
    assert found.how.startswith("script https://boards.greenhouse.io/embed/job_board/js?for=")


def test_the_new_greenhouse_embed_host_and_html_escaped_query_are_read() -> None:
    body = _page(
        '<script src="//job-boards.greenhouse.io/embed/job_board/js?b=x&amp;for=acme"></script>'
    )
    (found,) = scan_page(body, PAGE)
    assert found.source.options == {"board": "acme"}


@pytest.mark.parametrize(
    ("markup", "adapter", "options"),
    [
        (
            '<iframe src="https://jobs.lever.co/acme?embed=true"></iframe>',
            "lever",
            {"site": "acme"},
        ),
        (
            '<a href="https://jobs.eu.lever.co/acme/">Jobs</a>',
            "lever",
            {"site": "acme", "region": "eu"},
        ),
        ('<iframe src="https://jobs.ashbyhq.com/acme/embed"></iframe>', "ashby", {"board": "acme"}),
        (
            '<a href="https://apply.workable.com/acme/">Open roles</a>',
            "workable",
            {"board": "acme"},
        ),
        ('<a href="https://acme.recruitee.com/">Jobs</a>', "recruitee", {"board": "acme"}),
        (
            "<script>var c = {url: 'https:\\/\\/jobs.lever.co\\/acme'};</script>",
            "lever",
            {"site": "acme"},
        ),
        (
            '<a href="https://jobs.smartrecruiters.com/Acme/1234-intern">x</a>',
            "smartrecruiters",
            {"board": "Acme"},
        ),
    ],
)
def test_iframes_links_and_inline_script_urls_of_each_board_are_found(
    markup: str, adapter: str, options: dict[str, str]
) -> None:
    (found,) = scan_page(_page(markup), PAGE)
    assert found.source.adapter == adapter
    assert dict(found.source.options) == options


def test_a_workday_link_gives_the_careers_site_url() -> None:
    body = _page('<a href="https://acme.wd1.myworkdayjobs.com/en-US/Careers/job/x_R1">Apply</a>')
    (found,) = scan_page(body, PAGE)
    assert found.source.block("x") == {
        "name": "x",
        "adapter": "workday",
        "url": "https://acme.wd1.myworkdayjobs.com/Careers",
    }
    assert found.how.startswith("link ")


def test_boards_come_in_page_order_once_each_and_before_feeds() -> None:
    body = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="Acme Blog" '
        b'href="/blog/feed.xml"></head><body>'
        b'<a href="https://jobs.lever.co/acme/1">one</a>'
        b'<script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>'
        b'<a href="https://jobs.lever.co/acme/2">two</a>'
        b"</body></html>"
    )
    found = scan_page(body, PAGE)
    assert [f.source.adapter for f in found] == ["lever", "greenhouse", "rss"]
    assert found[2].source.url == "https://www.acme.test/blog/feed.xml"
    assert found[2].source.token == "acme-blog"


def test_a_json_feed_link_becomes_a_json_api_source() -> None:
    body = b'<head><link rel="alternate" type="application/feed+json" href="https://acme.test/jobs.json"></head>'
    (found,) = scan_page(body, PAGE)
    assert found.source.adapter == "json_api"
    assert found.source.options == JSON_FEED_OPTIONS


def test_links_that_are_not_feeds_are_ignored() -> None:
    body = (
        b'<link rel="stylesheet" type="text/css" href="/a.css">'
        b'<link rel="alternate" hreflang="de" href="/de/careers">'
        b'<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/7">'
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        b'<a href="https://www.greenhouse.io/">Powered by Greenhouse</a>'
        b'<a href="https://jobs.lever.co/">Lever</a>'
        b'<img src="https://assets.teamtailor.com/x.png">'
        b'<script src="https://teamtailor-cdn.com/acme/app.js"></script>'
    )
    assert scan_page(body, PAGE) == []


def test_gh_jid_links_alone_give_a_guessed_board_from_the_domain() -> None:
    body = _page('<a href="/careers/job?gh_jid=4012345">Data intern</a>')
    (found,) = scan_page(body, "https://careers.acme-labs.co.uk/open-roles")
    assert found.source.guessed
    assert found.source.options == {"board": "acme-labs"}
    assert "gh_jid" in found.how


def test_gh_jid_links_beside_the_embed_add_no_guess() -> None:
    body = _page(
        '<a href="?gh_jid=1">x</a><script src="https://boards.greenhouse.io/embed/job_board/js'
        '?for=acme"></script>'
    )
    (found,) = scan_page(body, PAGE)
    assert not found.source.guessed


def test_a_page_without_any_board_gives_nothing() -> None:
    assert (
        scan_page(_page("<h1>Join us</h1><a href='mailto:jobs@acme.test'>Mail us</a>"), PAGE) == []
    )
