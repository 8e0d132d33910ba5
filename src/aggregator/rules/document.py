"""What a rule query looks at: the searchable parts of a listing, and their normalized form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import get_args

from aggregator.models import JobDetails, Listing
from aggregator.normalize.pay import PayPeriod
from aggregator.rules.terms import normalize
from aggregator.text import extract_hashtags, fold_tag

__all__ = [
    "EMPLOYMENT_TYPES",
    "PAY_PERIODS",
    "TEXT_FIELDS",
    "MatchDocument",
    "PreparedDocument",
    "document_from_listing",
    "employment_type",
]

# Joins the fields of the searched text: neither a space nor a word character, so a phrase
# never runs from the end of the title into the company, yet every field keeps its word edges.
_FIELD_SEPARATOR = "\n\x00\n"
TEXT_FIELDS = ("title", "company", "location", "description")
EMPLOYMENT_TYPES = ("micro-internship", "internship", "gig", "contract", "part-time", "full-time")
_TYPES = {fold_tag(kind): kind for kind in EMPLOYMENT_TYPES}
PAY_PERIODS: dict[str, PayPeriod] = {period: period for period in get_args(PayPeriod)}


def employment_type(value: str) -> str | None:
    """The canonical type for `part-time`, `Part time`, `parttime`; None if it is none of them."""
    return _TYPES.get(fold_tag(value))


@dataclass(frozen=True, slots=True)
class MatchDocument:
    """The parts of a listing that rule queries can see."""

    title: str
    company: str | None
    location: str | None
    description: str
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    job: JobDetails = field(default_factory=JobDetails)
    posted_at: datetime | None = None
    status: str = "open"  # the listing's lifecycle: open, closed or expired


def document_from_listing(listing: Listing) -> MatchDocument:
    """Take the fields rule queries look at from a stored listing."""
    return MatchDocument(
        title=listing.title,
        company=listing.company,
        location=listing.location,
        description=listing.description,
        tags=listing.tags,
        sources=listing.sources,
        job=listing.job,
        posted_at=listing.posted_at,
        status=listing.status,
    )


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document normalized once, so that many queries can test it cheaply.

    `text` is title, company, location and description, normalized and joined, and `fields`
    each of them alone; `tags` holds the folded tags and the hashtags found in the title and
    description; `facets` the `name=value` facts (`source=x`, `type=gig`, `remote=yes`,
    `pay=known`, `status=open`, `seen=2+`) that structured terms test; `now` is the moment
    `age` and `deadline` count from; `memo` remembers terms already tested, shared by every rule.
    """

    text: str
    tags: frozenset[str]
    sources: frozenset[str]
    fields: dict[str, str] = field(default_factory=dict)
    facets: frozenset[str] = frozenset()
    job: JobDetails = field(default_factory=JobDetails)
    posted_at: datetime | None = None
    now: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    memo: dict[object, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_document(cls, doc: MatchDocument, *, now: datetime | None = None) -> PreparedDocument:
        parts = (doc.title, doc.company or "", doc.location or "", doc.description)
        fields = dict(zip(TEXT_FIELDS, (normalize(part) for part in parts), strict=True))
        tags = {fold_tag(tag) for tag in doc.tags}
        tags.update(extract_hashtags(f"{doc.title}\n{doc.description}"))
        tags.discard("")
        sources = frozenset(doc.sources)
        return cls(
            text=_FIELD_SEPARATOR.join(part for part in fields.values() if part),
            tags=frozenset(tags),
            sources=sources,
            fields=fields,
            facets=_facets(sources, doc.job) | _lifecycle(doc.status, sources),
            job=doc.job,
            posted_at=doc.posted_at,
            now=now or datetime.now(UTC),
        )


def _facets(sources: frozenset[str], job: JobDetails) -> frozenset[str]:
    found = {f"source={source.casefold()}" for source in sources}
    found.add(f"remote={job.remote}")
    if job.employment_type:
        kind = employment_type(job.employment_type) or job.employment_type.casefold()
        found.add(f"type={kind}")
    has_pay = job.pay_min is not None or job.pay_max is not None
    found.add("pay=" + ("known" if has_pay and job.pay_period in PAY_PERIODS else "unknown"))
    has_hours = job.duration_min_hours is not None or job.duration_max_hours is not None
    found.add("hours=" + ("known" if has_hours else "unknown"))
    found.add("deadline=" + ("known" if job.deadline is not None else "unknown"))
    return frozenset(found)


def _lifecycle(status: str, sources: frozenset[str]) -> frozenset[str]:
    """`status=open`, and `seen=1+` up to `seen=N+` for a listing on N distinct sources."""
    boards = len({source.casefold() for source in sources})
    return frozenset({f"status={status}", *(f"seen={n}+" for n in range(1, boards + 1))})
