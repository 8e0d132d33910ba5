"""SimplifyJobs lists: which file each list reads, what closes a listing, the big-file fetch."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from aggregator.adapters.base import Adapter, FetchResult, FetchState, option_problems
from aggregator.adapters.catalogue import resolve
from aggregator.adapters.simplify import LISTS, SimplifyAdapter
from aggregator.config.model import HttpConfig, SourceConfig
from aggregator.errors import FetchError, SourceError
from aggregator.fetch.client import HttpClient
from tests.support.http_server import LocalServer, Reply, Seen

FIXTURE = Path(__file__).parent / "fixtures" / "simplify.json"
LISTINGS: list[dict[str, Any]] = json.loads(FIXTURE.read_bytes())


def source(url: str | None = None, **options: Any) -> SimplifyAdapter:
    resolved = resolve(SourceConfig(name="lists", adapter="simplify", url=url, options=options))
    adapter = resolved.build()
    assert isinstance(adapter, SimplifyAdapter)
    return adapter


def fetch(adapter: Adapter, state: FetchState | None = None) -> FetchResult:
    async def go() -> FetchResult:
        async with HttpClient(HttpConfig(per_host_gap=0, retries=0)) as client:
            return await adapter.scoped_fetch(client, state or FetchState())

    return asyncio.run(go())


def listing(**fields: Any) -> dict[str, Any]:
    return {**LISTINGS[0], **fields}


def parse(*records: dict[str, Any], **options: Any) -> list[Any]:
    return source(**options).parse(json.dumps(list(records)).encode(), url="https://x.example/")


@pytest.mark.parametrize(
    ("name", "repository", "file"),
    [
        ("summer", "Summer2026-Internships", "listings.json"),
        ("offseason", "Summer2026-Internships", "listings-off-season.json"),
        ("newgrad", "New-Grad-Positions", "listings.json"),
    ],
)
def test_each_list_reads_its_repositorys_file(name: str, repository: str, file: str) -> None:
    expected = (
        f"https://raw.githubusercontent.com/SimplifyJobs/{repository}/dev/.github/scripts/{file}"
    )
    assert LISTS[name] == expected
    assert source(list=name).url == expected


def test_the_default_list_is_summer_and_a_url_overrides_it() -> None:
    assert source().url == LISTS["summer"]
    other = "https://raw.githubusercontent.com/SimplifyJobs/Summer2027-Internships/dev/x.json"
    assert source(other, list="newgrad").url == other


def test_an_unknown_list_is_an_option_error() -> None:
    (problem,) = option_problems(SimplifyAdapter, None, {"list": "winter"})
    assert problem.startswith("options.list: ")
    assert "summer" in problem


def test_inactive_and_hidden_listings_are_left_out() -> None:
    postings = parse(
        listing(id="a"),
        listing(id="b", active=False),
        listing(id="c", is_visible=False),
        listing(id="d", active=True, is_visible=True),
    )
    assert [p.guid for p in postings] == ["a", "d"]


def test_a_listing_becomes_a_posting_with_terms_as_tags_and_sponsorship_in_extra() -> None:
    (posting,) = parse(listing(terms=["Summer 2026", "Fall 2026"], season="Summer"))
    assert posting.title == "Data Engineering Intern"  # the list's trailing space trimmed
    assert posting.company == "Lanternworks"
    assert posting.location == "Pittsburgh, PA; Remote in USA"
    assert posting.tags == ("Summer 2026", "Fall 2026")
    assert posting.posted_at is not None
    assert posting.posted_at.timestamp() == 1761300000
    assert posting.employment_type == "internship"
    assert posting.extra["sponsorship"] == "Offers Sponsorship"
    assert posting.extra["season"] == "Summer"
    assert posting.extra["date_updated"] == "2025-10-25T13:46:40+00:00"


def test_new_grad_positions_are_full_time() -> None:
    (posting,) = parse(listing(), list="newgrad")
    assert posting.employment_type == "full-time"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"listings": []}', "simplify: expected a list at $, got an object"),
        (b'[{"title": "ok"}, 3]', "simplify: expected an object at $[1], got a number"),
        (b'[{"company_name": "x"}]', "simplify: expected a string at $[0].title, got null"),
        (b"404: Not Found", "simplify: expected a JSON document"),
    ],
)
def test_a_file_of_the_wrong_shape_names_the_path(body: bytes, message: str) -> None:
    with pytest.raises(SourceError) as caught:
        source().parse(body, url="https://x.example/")
    assert message in str(caught.value)


def test_the_catalogue_entry_raises_the_body_cap_for_the_big_file() -> None:
    cap = source().source.max_body_bytes
    assert cap == 64 * 1024 * 1024
    assert cap > HttpConfig().max_body_bytes  # the client's default would refuse the file


def test_fetch_sends_the_etag_back_and_a_304_is_not_modified(server: LocalServer) -> None:
    body = FIXTURE.read_bytes()

    def reply(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == '"v1"':
            return Reply(status=304, headers={"ETag": '"v1"'})
        return Reply(body=body, headers={"ETag": '"v1"', "Content-Type": "text/plain"})

    url = server.route("/SimplifyJobs/listings.json", reply)
    adapter = source(url)

    first = fetch(adapter)
    second = fetch(adapter, FetchState(etag=first.etag, content_hash=first.content_hash))

    assert [page.body for page in first.pages] == [body]
    assert first.etag == '"v1"'
    assert (second.pages, second.not_modified) == ((), True)
    assert server.seen[1].headers["if-none-match"] == '"v1"'


def test_a_file_past_the_sources_own_cap_is_a_clear_error(server: LocalServer) -> None:
    url = server.route("/listings.json", Reply(body=b"[" + b" " * 5000 + b"]"))
    resolved = resolve(SourceConfig(name="lists", adapter="simplify", url=url, max_body_bytes=1000))

    with pytest.raises(FetchError, match="body exceeds 1000 bytes"):
        fetch(resolved.build())


def test_a_moved_file_says_so(server: LocalServer) -> None:
    url = server.url("/SimplifyJobs/Summer2024-Internships/dev/listings.json")
    with pytest.raises(FetchError, match=r"no list at .*a new season has a new repository"):
        fetch(source(url))


def test_the_real_first_hundred_listings_give_the_active_visible_ones(shared: Path) -> None:
    path = shared / "payloads/simplify/summer2025-internships_listings_first100_2024-10-25.json"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    records = json.loads(path.read_bytes())
    shown = [r for r in records if r["active"] and r["is_visible"]]

    postings = source().parse(path.read_bytes(), url="https://x.example/")

    assert [p.guid for p in postings] == [r["id"] for r in shown]
    assert len(postings) < len(records)
    for posting, record in zip(postings, shown, strict=True):
        assert posting.title == record["title"].strip()
        assert posting.company == record["company_name"]
        assert posting.url == record["url"]
        assert posting.tags == tuple(record["terms"])
        assert posting.extra["sponsorship"] == record["sponsorship"]
