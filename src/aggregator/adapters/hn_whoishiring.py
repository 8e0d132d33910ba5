"""Hacker News "Who is hiring?" and "Freelancer?" threads through the HN Algolia API.

Threads are found among the latest stories of the `whoishiring` account; their comments are
read with `search_by_date?tags=comment,story_<id>` rather than `items/<id>`: the search pages
are flat, bounded (`hitsPerPage`) and carry each comment's `story_title`, so one page parses on
its own, while `items/<id>` returns the whole reply tree in one response of several megabytes.
Only top-level comments (`parent_id == story_id`) are postings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlencode

from pydantic import AfterValidator, Field

from aggregator.adapters._json import expect_list, expect_object, http_base_url, load_json, text
from aggregator.adapters._posts import first_line
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState, Page
from aggregator.dates import from_epoch
from aggregator.errors import SourceError
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting
from aggregator.text import html_to_text

__all__ = ["HnWhoIsHiringAdapter", "latest_threads", "split_first_line"]

log = logging.getLogger(__name__)

NAME = "hn_whoishiring"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
# The HN Algolia index returns at most 1000 hits per query, whatever the page size.
MAX_HITS = 1000
PAGE_SIZE = 500
Thread = Literal["hiring", "freelancer"]
_THREAD_TITLES: dict[Thread, str] = {
    "hiring": "who is hiring?",
    "freelancer": "seeking freelancer?",
}
_SEEKING_FREELANCER_RE = re.compile(r"^\s*seeking\s+freelancers?\b[\s:|\-–—]*", re.IGNORECASE)

# Heuristics for the segments of a "Company | Role | Location | REMOTE | $120k" first line.
_REMOTE_RE = re.compile(r"\bremote\b", re.IGNORECASE)
_PAY_RE = re.compile(
    r"[$€£¥]\s?\d|\d\s?[kK]?\s?(?:USD|EUR|GBP|CAD|AUD|CHF)\b|\b(?:USD|EUR|GBP|CAD|AUD|CHF)\s?\d",
    re.IGNORECASE,
)
_EMPLOYMENT_RE = re.compile(
    r"\b(?:full[\s-]?time|part[\s-]?time|contract(?:or)?|freelance|intern(?:ship)?s?|"
    r"permanent|temporary)\b",
    re.IGNORECASE,
)
_ROLE_RE = re.compile(
    r"\b(?:engineers?|developers?|designers?|managers?|scientists?|analysts?|leads?|"
    r"architects?|interns?|sre|devops|director|head of|vp|researchers?|writers?|"
    r"marketers?|recruiters?|consultants?|administrators?|specialists?|founding|"
    r"cto|programmers?|technicians?|product|illustrators?|editors?|copywriters?|translators?|"
    r"tutors?|assistants?|coordinators?|accountants?|bookkeepers?|artists?|animators?|"
    r"photographers?|producers?|full[\s-]?stack|front[\s-]?end|back[\s-]?end|"
    r"ml|ai|data|staff|senior|junior|principal)\b",
    re.IGNORECASE,
)
_PLACE_RE = re.compile(
    r",|\b(?:on[\s-]?site|onsite|hybrid|in[\s-]office|us|usa|uk|eu|europe|emea|apac|"
    r"americas|canada|germany|india|nyc|new york|sf|san francisco|bay area|london|berlin|"
    r"paris|amsterdam|toronto|boston|seattle|austin|chicago|los angeles|singapore|"
    r"worldwide|anywhere|global)\b",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"^(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?$", re.IGNORECASE)


class HnWhoIsHiringOptions(AdapterOptions):
    threads: list[Thread] = Field(default=["hiring", "freelancer"], min_length=1)
    api_base: Annotated[str, AfterValidator(http_base_url)] = "https://hn.algolia.com/api/v1"
    max_comments: int = Field(MAX_HITS, ge=1, le=MAX_HITS, description="per thread")


class HnWhoIsHiringAdapter(Adapter[HnWhoIsHiringOptions]):
    """Top-level comments of the latest monthly hiring threads, one posting per comment."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = HnWhoIsHiringOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "social"

    def home_urls(self) -> tuple[str, ...]:
        return (self.options.api_base,)

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        base = self.options.api_base
        query = {"tags": "story,author_whoishiring", "hitsPerPage": "20"}
        stories = await client.get(f"{base}/search_by_date?{urlencode(query)}")
        threads = latest_threads(stories.body, self.options.threads)
        pages: list[Page] = []
        for story_id in threads.values():
            pages += await self._comment_pages(client, base, story_id)
        return FetchResult.of_pages(pages, state, digest=_hits_hash(pages))

    async def _comment_pages(self, client: HttpClient, base: str, story_id: int) -> list[Page]:
        limit = self.options.max_comments
        size = min(limit, PAGE_SIZE)
        pages: list[Page] = []
        for number in range(math.ceil(limit / size)):
            query = {"tags": f"comment,story_{story_id}", "hitsPerPage": size, "page": number}
            response = await client.get(f"{base}/search_by_date?{urlencode(query)}")
            pages.append(Page(response.url, response.body, response.headers.get("Content-Type")))
            if number + 1 >= _page_count(response.body):
                break
        return pages

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        hits = _hits(load_json(body, adapter=NAME))
        return [posting for hit in hits if (posting := _posting(hit)) is not None]


def latest_threads(body: bytes, wanted: Sequence[Thread]) -> dict[Thread, int]:
    """The newest story id of each wanted thread among a `whoishiring` story search page."""
    found: dict[Thread, int] = {}
    for index, story in enumerate(_hits(load_json(body, adapter=NAME))):
        title = (text(story.get("title")) or "").lower()
        for thread in wanted:
            if thread not in found and _THREAD_TITLES[thread] in title:
                found[thread] = _story_id(story, index)
    if not found:
        names = " and ".join(f'"{_THREAD_TITLES[t]}"' for t in wanted)
        raise SourceError(f"{NAME}: no {names} thread among the whoishiring stories")
    for thread in set(wanted) - set(found):
        log.warning("%s: no recent %r thread; reading the others", NAME, _THREAD_TITLES[thread])
    return {thread: found[thread] for thread in wanted if thread in found}  # the options' order


def split_first_line(line: str) -> dict[str, Any]:
    """Guess company, title, location, remote, pay and employment type from a first line such
    as "Acme | Backend Engineer | Berlin, DE | REMOTE | €70k"; unknown fields are left out."""
    segments = [s.strip() for s in line.split("|") if s.strip()]
    if len(segments) < 2:
        return {"title": first_line(line)}
    fields: dict[str, Any] = {"company": segments[0]}
    for segment in segments[1:]:
        key = _segment_kind(segment)
        if key is not None and key not in fields:
            fields[key] = segment
    fields.setdefault("title", first_line(line))
    return fields


def _segment_kind(segment: str) -> str | None:
    """Which field a segment fills; the order matters ("Remote, US" is remote, not a place)."""
    if _PAY_RE.search(segment):
        return "pay_text"
    if _REMOTE_RE.search(segment):
        return "remote"
    if _EMPLOYMENT_RE.search(segment) and not _ROLE_RE.search(segment):
        return "employment_type"
    if _ROLE_RE.search(segment):
        return "title"
    if _URL_RE.match(segment):
        return None  # the company's site
    if _PLACE_RE.search(segment):
        return "location"
    return None


def _hits(document: object) -> list[Mapping[str, Any]]:
    """The `hits` of a search response, each checked to be an object before any is read."""
    envelope = expect_object(document, adapter=NAME, path="the top level")
    if "hits" not in envelope and isinstance(envelope.get("type"), str):
        kind = envelope["type"]
        raise SourceError(f"{NAME}: expected an HN Algolia search page, got a Firebase {kind} item")
    hits = expect_list(envelope.get("hits"), adapter=NAME, path="hits")
    return [expect_object(hit, adapter=NAME, path=f"hits[{i}]") for i, hit in enumerate(hits)]


def _hits_hash(pages: Sequence[Page]) -> str:
    """A hash of the pages' hits only: the envelope's timings (`processingTimeMS`) change on
    every request, so a hash of whole bodies would never find the threads unchanged."""
    digest = hashlib.sha256()
    for page in pages:
        hits = _hits(load_json(page.body, adapter=NAME))
        digest.update(json.dumps(hits, sort_keys=True).encode())
    return digest.hexdigest()


def _page_count(body: bytes) -> int:
    document = expect_object(load_json(body, adapter=NAME), adapter=NAME, path="the top level")
    pages = document.get("nbPages")
    return pages if isinstance(pages, int) else 1


def _story_id(story: Mapping[str, Any], index: int) -> int:
    value = story.get("story_id") or story.get("objectID")
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return int(value)
    raise SourceError(f"{NAME}: expected a story id at hits[{index}].objectID, got {value!r}")


def _thread_of(hit: Mapping[str, Any]) -> Thread | None:
    title = (text(hit.get("story_title")) or "").lower()
    return next((t for t, words in _THREAD_TITLES.items() if words in title), None)


def _posting(hit: Mapping[str, Any]) -> RawPosting | None:
    """A posting for a live top-level comment of a hiring thread; None for anything else."""
    thread = _thread_of(hit)
    markup = text(hit.get("comment_text")) or ""
    story_id = hit.get("story_id")
    is_top_level = story_id is not None and hit.get("parent_id") == story_id
    if thread is None or not markup or not hit.get("author") or not is_top_level:
        return None  # another thread, a deleted comment or a reply
    head_html, _, rest_html = markup.partition("<p>")
    head = first_line(html_to_text(head_html), limit=1024)
    if thread == "freelancer":
        if not _SEEKING_FREELANCER_RE.match(head):
            return None  # "SEEKING WORK": a person offering work, not a job
        head = _SEEKING_FREELANCER_RE.sub("", head, count=1)
    fields = split_first_line(head)
    if thread == "freelancer":
        fields.setdefault("employment_type", "freelance")
    comment_id = text(hit.get("objectID"))
    return RawPosting(
        guid=f"hn:{comment_id}",
        url=ITEM_URL.format(id=comment_id),
        description_html=rest_html if rest_html.strip() else markup,
        posted_at=_created_at(hit),
        extra={"thread": thread, "story_id": story_id, "author": hit.get("author")},
        **fields,
    )


def _created_at(hit: Mapping[str, Any]) -> datetime | None:
    seconds = hit.get("created_at_i")
    return from_epoch(seconds, unit="s") if isinstance(seconds, int) else None
