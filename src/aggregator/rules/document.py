"""What a rule query looks at: the searchable parts of a listing, and their normalized form."""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.models import Listing
from aggregator.rules.terms import normalize
from aggregator.text import extract_hashtags, fold_tag

__all__ = ["MatchDocument", "PreparedDocument", "document_from_listing"]

# Joins the fields of the searched text: neither a space nor a word character, so a phrase
# never runs from the end of the title into the company, yet every field keeps its word edges.
_FIELD_SEPARATOR = "\n\x00\n"


@dataclass(frozen=True, slots=True)
class MatchDocument:
    """The parts of a listing that rule queries can see."""

    title: str
    company: str | None
    location: str | None
    description: str
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def document_from_listing(listing: Listing) -> MatchDocument:
    """Take the fields rule queries look at from a stored listing."""
    return MatchDocument(
        title=listing.title,
        company=listing.company,
        location=listing.location,
        description=listing.description,
        tags=listing.tags,
        sources=listing.sources,
    )


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A document normalized once, so that many queries can test it cheaply.

    `text` is title, company, location and description, normalized and joined; `tags` holds
    the folded tags and the hashtags found in the title and description.
    """

    text: str
    tags: frozenset[str]
    sources: frozenset[str]

    @classmethod
    def from_document(cls, doc: MatchDocument) -> PreparedDocument:
        fields = (doc.title, doc.company, doc.location, doc.description)
        tags = {fold_tag(tag) for tag in doc.tags}
        tags.update(extract_hashtags(f"{doc.title}\n{doc.description}"))
        tags.discard("")
        return cls(
            text=_FIELD_SEPARATOR.join(normalize(part) for part in fields if part),
            tags=frozenset(tags),
            sources=frozenset(doc.sources),
        )
