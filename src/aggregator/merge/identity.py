"""A posting's identity: the ATS jobs it names, its normalized company, title and place, a text
digest, and the blocking keys under which the store finds its candidates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aggregator.dates import as_utc
from aggregator.merge.ats_ids import ats_ids_of_urls, job_key, urls_in_text
from aggregator.merge.boilerplate import digest
from aggregator.merge.names import normalize_company, split_title
from aggregator.merge.places import place_keys
from aggregator.models import Posting

__all__ = ["Identity", "identity_of"]

# Blocking by title and place is limited to postings within about a month of each other:
# each identity files itself under its 30-day bucket and both neighbours.
_BUCKET_DAYS = 30
_MAX_KEY = 255
_SOCIAL_HOSTS = (
    "news.ycombinator.com", "bsky.app", "reddit.com", "x.com", "twitter.com", "threads.net",
)  # fmt: skip
_AUTHOR_HOSTS = ("bsky.app", "reddit.com", "x.com", "twitter.com", "threads.net")
_MAIL_HOSTS = ("linkedin.com", "indeed.com")


@dataclass(frozen=True, slots=True)
class Identity:
    """What two postings are compared on. Stored as JSON with each sighting (`to_json`), so a
    later posting is compared with every sighting of a candidate listing."""

    ats_ids: tuple[str, ...]  # from the posting's own URL and id: "greenhouse:acme:4012345"
    company: str | None  # normalized: case, punctuation and legal suffixes dropped
    title: str  # normalized: abbreviations spelled out, "(Remote)", emoji, tags dropped
    seniority: str | None  # "senior", "junior", "lead", "intern", "senior 2" ... None: not stated
    team: str | None  # "marketing" of "Data Analyst, Marketing"
    location: str | None  # place keys joined by "|": "munich", "remote-us|berlin", None: unknown
    posted_at: datetime
    text: tuple[int, ...] = ()  # reserved for a numeric text signature; `digest` is compared
    origin: str = "board"  # "ats" (the company's own board), "board", "social", "mail"
    ats_linked: tuple[str, ...] = ()  # ATS ids only linked from the description
    company_weak: bool = False  # the company is a social post's author, maybe a person
    digest: str = ""  # the description without boilerplate, folded (boilerplate.digest)

    @property
    def places(self) -> frozenset[str]:
        return frozenset(self.location.split("|")) if self.location else frozenset()

    @property
    def title_words(self) -> str:
        """The words of title and team, sorted: one job's reordered titles share them."""
        return " ".join(sorted(f"{self.title} {self.team or ''}".split()))

    def keys(self) -> tuple[str, ...]:
        """Blocking keys: a listing sharing one of them is a candidate (never the whole store).
        The same ATS job; the same company and title; the same title near the same place and
        date (for posts that name no company)."""
        keys = [f"ats:{job_key(ats_id)}" for ats_id in (*self.ats_ids, *self.ats_linked)]
        if self.title:
            level = self.seniority or ""
            if self.company:
                keys.append(f"ct:{self.company}|{level}|{self.title}")
                # The same words in another order, under the company written without spaces:
                # "Software Engineer, Backend" at "Acme Robotics" finds "Backend Software
                # Engineer" at "acmerobotics.io".
                keys.append(f"cw:{self.company.replace(' ', '')}|{level}|{self.title_words}")
            bucket = int(as_utc(self.posted_at).timestamp() // 86400 // _BUCKET_DAYS)
            for place in sorted({_coarse(place) for place in self.places})[:3]:
                keys.extend(
                    f"tp:{level}|{self.title}|{place}|{b}" for b in (bucket - 1, bucket, bucket + 1)
                )
        return tuple(dict.fromkeys(key[:_MAX_KEY] for key in keys))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["posted_at"] = self.posted_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Identity:
        return cls(
            ats_ids=tuple(data.get("ats_ids", ())),
            company=data.get("company"),
            title=data.get("title", ""),
            seniority=data.get("seniority"),
            team=data.get("team"),
            location=data.get("location"),
            posted_at=datetime.fromisoformat(data["posted_at"]),
            text=tuple(data.get("text", ())),
            origin=data.get("origin", "board"),
            ats_linked=tuple(data.get("ats_linked", ())),
            company_weak=bool(data.get("company_weak", False)),
            digest=data.get("digest", ""),
        )


def _coarse(place: str) -> str:
    """The place a blocking key names: any remote region is "remote" (regions are compared
    later, and "Remote" must find "Remote - US")."""
    return "remote" if place.startswith("remote") else place


def identity_of(posting: Posting) -> Identity:
    """The identity of a normalized posting."""
    own_urls = [posting.url or ""]
    if posting.external_id and posting.external_id.startswith(("http://", "https://")):
        own_urls.append(posting.external_id)
    ats_ids = ats_ids_of_urls(own_urls)
    linked_urls = urls_in_text(posting.description_html or "") + urls_in_text(posting.description)
    ats_linked = tuple(i for i in ats_ids_of_urls(linked_urls) if i not in ats_ids)
    origin = _origin(posting, ats_ids)
    company = normalize_company(posting.company)
    company_weak = company is not None and _author_is_company(posting)
    parts = split_title(posting.title, None if company_weak else company)
    if parts.company and (company is None or company_weak):
        company, company_weak = parts.company, False
    places = place_keys([posting.location, *parts.places], remote=posting.job.remote == "yes")
    return Identity(
        ats_ids=ats_ids,
        company=company,
        title=parts.title,
        seniority=parts.seniority,
        team=parts.team,
        location="|".join(sorted(places)) or None,
        posted_at=as_utc(posting.posted_at).astimezone(UTC),
        origin=origin,
        ats_linked=ats_linked,
        company_weak=company_weak,
        digest=digest(posting.description),
    )


def _author_is_company(posting: Posting) -> bool:
    """Whether the posting's company is only its author's name (a toot, a skeet, a Reddit
    post): maybe the employer, maybe a recruiter or a person. HN's first line names it."""
    parts = urlsplit(posting.url or "")
    host, path = (parts.hostname or "").lower(), parts.path
    return host.endswith(_AUTHOR_HOSTS) or path.startswith("/@") or "/statuses/" in path


def _origin(posting: Posting, ats_ids: tuple[str, ...]) -> str:
    """Where the posting comes from, by its URL: the company's ATS, a job board, a social
    post (HN, Mastodon, Bluesky, Reddit ...) or a job alert."""
    host = (urlsplit(posting.url or "").hostname or "").lower()
    path = urlsplit(posting.url or "").path
    if posting.dedup_key.startswith("guid:hn:") or host.endswith(_SOCIAL_HOSTS):
        return "social"
    if path.startswith("/@") or ("/users/" in path and "/statuses/" in path):
        return "social"  # a Mastodon status
    if host.endswith(_MAIL_HOSTS):
        return "mail"
    return "ats" if ats_ids else "board"
