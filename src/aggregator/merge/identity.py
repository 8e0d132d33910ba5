"""A posting's identity: the ATS jobs it names, its normalized company, title and place, a text
signature, and the blocking keys under which the store finds its candidates."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from aggregator.models import Posting

__all__ = ["Identity", "identity_of"]


@dataclass(frozen=True, slots=True)
class Identity:
    """What two postings are compared on. Stored as JSON with each sighting (`to_json`), so a
    later posting is compared with every sighting of a candidate listing."""

    ats_ids: tuple[str, ...]  # "greenhouse:acme:4012345", "lever:acme:<uuid>", "linkedin::123"
    company: str | None  # normalized: case, punctuation and legal suffixes dropped
    title: str  # normalized: abbreviations spelled out, "(Remote)", emoji, tags dropped
    seniority: str | None  # "senior", "junior", "lead", "intern" ... None: not stated
    team: str | None  # "marketing" of "Data Analyst, Marketing"
    location: str | None  # a place key: "munich", "remote-us", "remote-eu", None: not stated
    posted_at: datetime
    text: tuple[int, ...]  # a signature of the description without boilerplate (may be empty)
    origin: str = "board"  # "ats" (the company's own board), "board", "social", "mail"

    def keys(self) -> tuple[str, ...]:
        """Blocking keys: a listing sharing one of them is a candidate (never the whole store)."""
        keys = [f"ats:{ats_id}" for ats_id in self.ats_ids]
        if self.title:
            keys.append(f"ct:{self.company or ''}|{self.title}")
        return tuple(key[:255] for key in keys)

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
        )


def identity_of(posting: Posting) -> Identity:
    """The identity of a normalized posting (a first version: exact names only)."""
    return Identity(
        ats_ids=(),
        company=(posting.company or "").casefold() or None,
        title=posting.title.casefold(),
        seniority=None,
        team=None,
        location=(posting.location or "").casefold() or None,
        posted_at=posting.posted_at,
        text=(),
    )
