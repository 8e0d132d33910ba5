"""Cross-source merging inside an upsert: a new posting's candidate listings (by blocking key,
a bounded few), the verdict against their sightings, and the fields a better sighting brings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from aggregator.merge import Identity, Verdict, compare
from aggregator.models import Posting
from aggregator.store.rows import job_values
from aggregator.store.tables import listing_keys, merge_overrides, sightings

__all__ = [
    "Candidates",
    "Decision",
    "better_values",
    "listing_face",
    "load_apart",
    "rank",
]

CHUNK = 500  # values per IN (...) list
# A key shared by many listings ("engineer" at no company) is a weak key: only its newest
# listings are candidates, so one posting is never compared with a large part of the store.
MAX_LISTINGS_PER_KEY = 20
# A listing's newest sightings stand for it (a board that rotates guids adds one per fetch).
MAX_SIGHTINGS_PER_LISTING = 20
PAY_FIELDS = ("pay_min", "pay_max", "currency", "pay_period")
FILLED_FIELDS = ("company", "location", "employment_type", "deadline")


@dataclass(frozen=True, slots=True)
class Decision:
    """Where a new posting goes: `join` an existing listing (with the reason), or a new listing
    that may repost an old one."""

    join: int | None = None
    reason: str | None = None
    reposted_from: int | None = None


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Candidates:
    """The listings a batch's postings may join: those in the store sharing one of the batch's
    keys (loaded once, with indexed lookups) and those the batch itself created or joined."""

    def __init__(self) -> None:
        self._by_key: defaultdict[str, list[int]] = defaultdict(list)
        self._identities: defaultdict[int, list[Identity]] = defaultdict(list)

    @classmethod
    def load(cls, connection: Connection, keys: Collection[str]) -> Candidates:
        found = cls()
        for chunk in _chunks(sorted(set(keys))):
            for key, listing_id in connection.execute(_ranked_keys(chunk)):
                found._by_key[key].append(listing_id)
        ids = sorted({lid for ids in found._by_key.values() for lid in ids})
        for chunk in _chunks(ids):
            for listing_id, data in connection.execute(_ranked_identities(chunk)):
                if isinstance(data, dict):  # NULL: a sighting stored before identities were
                    found._remember(listing_id, Identity.from_json(data))
        return found

    def add(self, listing_id: int, identity: Identity) -> None:
        """A listing the batch created or joined: later postings of the batch may join it."""
        blocking = identity.keys()
        for key in blocking:
            if listing_id not in self._by_key[key]:
                self._by_key[key].append(listing_id)
        self._remember(listing_id, identity)

    def has_origin(self, listing_id: int, origin: str) -> bool:
        return any(identity.origin == origin for identity in self._identities[listing_id])

    def decide(self, identity: Identity, apart: Collection[int]) -> Decision:
        """The best listing to join (most sightings judged the same job, then the newest);
        else the newest one this posting reposts; else a listing of its own."""
        blocking = identity.keys()
        ids = {lid for key in blocking for lid in self._by_key.get(key, ())}
        joins: list[tuple[int, int, str]] = []
        reposts: list[int] = []
        for listing_id in ids - set(apart):
            verdicts = [compare(identity, old) for old in self._identities[listing_id]]
            same = [v for v in verdicts if v.same and not v.repost]
            if same:
                joins.append((len(same), listing_id, _first_reason(same)))
            elif any(v.repost for v in verdicts):
                reposts.append(listing_id)
        if joins:
            _, listing_id, reason = max(joins)
            return Decision(join=listing_id, reason=reason)
        return Decision(reposted_from=max(reposts) if reposts else None)

    def _remember(self, listing_id: int, identity: Identity) -> None:
        known = self._identities[listing_id]
        if identity not in known:  # rotated guids leave many equal identities
            known.append(identity)


def _first_reason(verdicts: Sequence[Verdict]) -> str:
    return verdicts[0].reason


def _ranked_keys(chunk: Sequence[str]) -> Any:
    """(key, listing_id) for the newest MAX_LISTINGS_PER_KEY listings under each key."""
    column = listing_keys.c
    return _newest_per(
        column.key, column.listing_id, column.listing_id, chunk, MAX_LISTINGS_PER_KEY
    )


def _ranked_identities(chunk: Sequence[int]) -> Any:
    """(listing_id, identity) of the newest MAX_SIGHTINGS_PER_LISTING sightings of each."""
    column = sightings.c
    return _newest_per(
        column.listing_id, column.id, column.identity, chunk, MAX_SIGHTINGS_PER_LISTING
    )


def _newest_per(group: Any, order: Any, value: Any, chunk: Sequence[Any], limit: int) -> Any:
    """(group, value) of the `limit` rows with the highest `order` in each group of `chunk`:
    a bounded candidate set however many rows a group has."""
    rank = func.row_number().over(partition_by=group, order_by=order.desc()).label("rank")
    ranked = select(group, value, rank).where(group.in_(chunk)).subquery()
    return select(ranked.c[group.name], ranked.c[value.name]).where(ranked.c.rank <= limit)


def load_apart(
    connection: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], set[int]]:
    """The listings each (source, dedup_key) must stay apart from (`aggregate listings split`)."""
    wanted = set(keys)
    apart: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
    sources = sorted({source for source, _ in wanted})
    if not sources:
        return {}
    query = select(
        merge_overrides.c.source, merge_overrides.c.dedup_key, merge_overrides.c.listing_id
    ).where(merge_overrides.c.kind == "apart", merge_overrides.c.source.in_(sources))
    for source, dedup_key, listing_id in connection.execute(query):
        if (source, dedup_key) in wanted:
            apart[(source, dedup_key)].add(listing_id)
    return dict(apart)


def rank(origin: str, description: str) -> tuple[bool, int]:
    """How good a sighting is as the listing's face: the company's own board, then the longest
    description."""
    return origin == "ats", len(description)


def better_values(
    row: Mapping[Any, Any], has_ats: bool, joiners: Sequence[tuple[Posting, Identity]]
) -> dict[str, Any]:
    """The listing columns to change after `joiners` joined the listing `row`: the fields of the
    best sighting, pay and the place where any sighting states them, the earliest posting date."""
    best: Posting | None = None
    best_rank = rank("ats" if has_ats else "board", row["description"])
    for posting, identity in joiners:
        if rank(identity.origin, posting.description) > best_rank:
            best, best_rank = posting, rank(identity.origin, posting.description)
    values: dict[str, Any] = {} if best is None else listing_face(best)
    # What the best sighting leaves unsaid, another may state: the old face first, then the
    # joiners in turn (pay as a whole: an amount with another sighting's period means nothing).
    stated = [dict(row), *(listing_face(posting) for posting, _ in joiners)]
    if all(_value(values, row, name) is None for name in ("pay_min", "pay_max")):
        with_pay = next(
            (f for f in stated if f["pay_min"] is not None or f["pay_max"] is not None), None
        )
        if with_pay is not None:
            values.update({name: with_pay[name] for name in PAY_FIELDS})
    for name in FILLED_FIELDS:
        if _value(values, row, name) is None:
            values[name] = next((f[name] for f in stated if f[name] is not None), None)
    earliest = min([row["posted_at"], *(posting.posted_at for posting, _ in joiners)])
    if earliest != row["posted_at"]:
        values["posted_at"] = earliest
    return {name: value for name, value in values.items() if row[name] != value}


def _value(values: Mapping[str, Any], row: Mapping[Any, Any], name: str) -> Any:
    return values[name] if name in values else row[name]


def listing_face(posting: Posting) -> dict[str, Any]:
    """The columns a listing takes from its best sighting (not when it was first seen)."""
    return {
        "title": posting.title,
        "url": posting.url,
        "company": posting.company,
        "location": posting.location,
        "description": posting.description,
        "description_html": posting.description_html,
        "tags": list(posting.tags),
        **job_values(posting.job),
    }
