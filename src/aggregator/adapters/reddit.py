"""Reddit: a subreddit's newest posts or a search in it (e.g. r/forhire, flair:Hiring) as Atom."""

from __future__ import annotations

import dataclasses
import re
from typing import ClassVar
from urllib.parse import urlencode

from pydantic import Field

from aggregator.adapters.base import AdapterOptions
from aggregator.adapters.rss import FeedAdapter, parse_feed
from aggregator.models import RawPosting

__all__ = ["REDDIT_ROOT", "RedditAdapter", "feed_url", "search_query", "split_title_tags"]

REDDIT_ROOT = "https://www.reddit.com"
# Leading labels such as "[Hiring]", "[For Hire] [Remote]": tags, not part of the title.
_LABEL_RE = re.compile(r"\s*\[([^\[\]]{1,40})\]\s*[-:|]?")
# A post's fullname (t3_ and base 36), which feedparser may have resolved into a URL.
_FULLNAME_RE = re.compile(r"\bt3_[0-9a-z]+$")
MAX_LABELS = 5


class RedditOptions(AdapterOptions):
    subreddit: str = Field(pattern=r"^[A-Za-z0-9_]{2,21}$", description="e.g. forhire")
    query: str | None = Field(None, description="Reddit search syntax, e.g. remote python")
    flair: str | None = Field(None, description='adds flair:"FLAIR" to the query, e.g. Hiring')


class RedditAdapter(FeedAdapter[RedditOptions]):
    """One subreddit's Atom feed; posts name no employer, so the company is left unknown."""

    name: ClassVar[str] = "reddit"
    Options: ClassVar[type[AdapterOptions]] = RedditOptions
    needs_url: ClassVar[bool] = False
    origin: ClassVar[str] = "social"

    @property
    def url(self) -> str:
        if self.source.url:
            return self.source.url
        options = self.options
        return feed_url(options.subreddit, search_query(options.query, options.flair))

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        return [_post(posting) for posting in parse_feed(body, url=url)]


def search_query(query: str | None, flair: str | None) -> str | None:
    """The search terms, with `flair:"X"` added for a flair; None for no search at all."""
    parts = [part for part in ((query or "").strip(), _flair_term(flair)) if part]
    return " ".join(parts) or None


def _flair_term(flair: str | None) -> str:
    name = (flair or "").strip().replace('"', "")
    return f'flair:"{name}"' if name else ""


def feed_url(subreddit: str, query: str | None) -> str:
    """The newest posts of r/SUBREDDIT, or the newest matching `query` within it."""
    if query is None:
        return f"{REDDIT_ROOT}/r/{subreddit}/new/.rss"
    params = urlencode({"q": query, "restrict_sr": "1", "sort": "new"})
    return f"{REDDIT_ROOT}/r/{subreddit}/search.rss?{params}"


def split_title_tags(title: str) -> tuple[str, tuple[str, ...]]:
    """`[Hiring] Python dev` -> ("Python dev", ("hiring",)); other titles are kept whole."""
    labels: list[str] = []
    rest = title
    while len(labels) < MAX_LABELS and (found := _LABEL_RE.match(rest)):
        labels.append(" ".join(found[1].split()).lower())
        rest = rest[found.end() :]
    if not rest.strip():
        return title, ()  # a title that is only labels stays as it is
    return rest.strip(), tuple(label for label in labels if label)


def _post(posting: RawPosting) -> RawPosting:
    title, labels = split_title_tags(posting.title)
    # The generic parser takes the Atom author (/u/name) as the company; a poster is no employer.
    extra = {**posting.extra, "author": posting.company} if posting.company else posting.extra
    return dataclasses.replace(
        posting,
        title=title,
        guid=_fullname(posting.guid),
        company=None,
        tags=(*labels, *posting.tags),
        remote=True if "remote" in labels else posting.remote,
        extra=extra,
    )


def _fullname(guid: str | None) -> str | None:
    """`t3_abc`: feedparser resolves the Atom id `t3_abc` against the feed's URL, which would
    give one post a different id in the /new feed and in a search feed."""
    found = _FULLNAME_RE.search(guid or "")
    return found[0] if found else guid
