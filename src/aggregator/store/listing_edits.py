"""The hand corrections of `aggregate listings`: merge two listings into one, split a sighting
out of its listing into a new one (kept apart in later runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Integer, Row, bindparam, delete, insert, literal, select, update

from aggregator.errors import StoreError
from aggregator.merge import Identity
from aggregator.models import Match
from aggregator.store.lifecycle import refresh_status
from aggregator.store.listing_queries import SightingRecord, sighting_record
from aggregator.store.tables import (
    listing_keys,
    listings,
    matches,
    merge_overrides,
    outbox,
    sightings,
)
from aggregator.store.unit_of_work import outbox_key

__all__ = [
    "HAND_MERGE",
    "ListingEditError",
    "MergeResult",
    "SplitResult",
    "merge_listings",
    "split_listing",
]


class ListingEditError(StoreError):
    """A merge or split that cannot be done as asked (an unknown id, a listing with itself)."""


@dataclass(frozen=True, slots=True)
class MergeResult:
    """What `merge_listings` moved from the removed listing into the kept one."""

    kept: int
    removed: int
    sightings: int
    matches: int  # the removed listing's matches of rules the kept one had not matched
    outbox_moved: int  # its alerts re-pointed to the kept listing
    outbox_dropped: int  # its alerts the kept listing already had (same rule and channel)


@dataclass(frozen=True, slots=True)
class SplitResult:
    """The sighting `split_listing` moved out, from which listing, into which new one."""

    listing_id: int
    new_id: int
    sighting: SightingRecord


def merge_listings(
    connection: Connection, keep: int, remove: int, *, now: datetime | None = None
) -> MergeResult:
    """Move every sighting of `remove` into `keep`, with its matches, alerts, keys and
    corrections, fill `keep`'s missing fields from it, and delete it."""
    if keep == remove:
        raise ListingEditError(f"listing {keep} cannot be merged with itself")
    # Locked in id order, so that two merges of the same pair cannot deadlock on PostgreSQL.
    locked = {listing_id: _locked(connection, listing_id) for listing_id in sorted((keep, remove))}
    kept, removed = locked[keep], locked[remove]
    moved = _keys_of(connection, remove)
    _settle_overrides(connection, keep, remove, _keys_of(connection, keep), moved)
    reason = f"{HAND_MERGE} (from listing {remove})"
    count = connection.execute(
        update(sightings)
        .where(sightings.c.listing_id == remove)
        .values(listing_id=keep, merge_reason=reason)
    ).rowcount
    theirs = select(matches.c.rule).where(matches.c.listing_id == keep)
    moved_matches = connection.execute(
        update(matches)
        .where(matches.c.listing_id == remove, matches.c.rule.not_in(theirs))
        .values(listing_id=keep)
    ).rowcount
    outbox_moved, outbox_dropped = _move_outbox(connection, keep, remove)
    _move_listing_keys(connection, keep, remove)
    connection.execute(
        update(listings).where(listings.c.reposted_from == remove).values(reposted_from=keep)
    )
    connection.execute(update(listings).where(listings.c.id == keep).values(_merged(kept, removed)))
    connection.execute(delete(listings).where(listings.c.id == remove))
    # Open, closed or expired as the lifecycle decides it from the sightings it now has.
    refresh_status(connection, [keep], now or datetime.now(UTC))
    return MergeResult(keep, remove, count, moved_matches, outbox_moved, outbox_dropped)


def split_listing(
    connection: Connection, listing_id: int, sighting_id: int, *, now: datetime
) -> SplitResult:
    """Move one sighting out of `listing_id` into a new listing (a copy of its fields, with the
    sighting's URL and dates, and its matches) and record that the two stay apart."""
    row = _locked(connection, listing_id)
    found = connection.execute(select(sightings).where(sightings.c.id == sighting_id)).first()
    if found is None:
        raise ListingEditError(f"no sighting {sighting_id} (`aggregate listings show` lists them)")
    if found.listing_id != listing_id:
        raise ListingEditError(
            f"sighting {sighting_id} is a sighting of listing {found.listing_id}, "
            f"not of {listing_id}"
        )
    others = _keys_of(connection, listing_id) - {(found.source, found.dedup_key)}
    if not others:
        raise ListingEditError(f"listing {listing_id} has no other sighting: nothing to split")
    new_id: int = connection.execute(
        insert(listings).values(_split_values(row, found)).returning(listings.c.id)
    ).scalar_one()
    connection.execute(
        update(sightings)
        .where(sightings.c.id == sighting_id)
        .values(listing_id=new_id, merge_reason=None)
    )
    _copy_matches(connection, listing_id, new_id)
    _keys_for(connection, new_id, found.identity)
    if row.url is not None and row.url == found.url:
        _repoint_url(connection, listing_id)
    connection.execute(
        insert(merge_overrides).values(
            kind="apart",
            source=found.source,
            dedup_key=found.dedup_key,
            listing_id=listing_id,
            created_at=now,
        )
    )
    refresh_status(connection, [listing_id, new_id], now)
    sighting = sighting_record(found)
    return SplitResult(listing_id, new_id, sighting)


HAND_MERGE = "merged by hand"
_PAY = ("pay_min", "pay_max", "currency", "pay_period")
_DURATION = ("duration", "duration_min_hours", "duration_max_hours")
_SINGLE = ("url", "company", "location", "employment_type", "deadline")


def _locked(connection: Connection, listing_id: int) -> Row[Any]:
    # FOR UPDATE on PostgreSQL: a run adding a sighting to it waits; SQLite's BEGIN IMMEDIATE
    # already serializes every writer.
    query = select(listings).where(listings.c.id == listing_id).with_for_update()
    row = connection.execute(query).first()
    if row is None:
        raise ListingEditError(f"no listing {listing_id}")
    return row


def _keys_of(connection: Connection, listing_id: int) -> set[tuple[str, str]]:
    query = select(sightings.c.source, sightings.c.dedup_key).where(
        sightings.c.listing_id == listing_id
    )
    return {(source, key) for source, key in connection.execute(query)}


def _merged(kept: Row[Any], removed: Row[Any]) -> dict[str, Any]:
    """The kept listing's fields, completed from the removed one: what it lacks, the longer
    description, pay and duration where only the removed one states them, every tag."""
    old, new = kept._mapping, removed._mapping
    values: dict[str, Any] = {name: new[name] for name in _SINGLE if old[name] is None}
    for group in (_PAY, _DURATION):
        if all(old[name] is None for name in group):
            values.update((name, new[name]) for name in group)
    if old["remote"] == "unknown":
        values["remote"] = new["remote"]
    if len(new["description"]) > len(old["description"]):
        values.update(description=new["description"], description_html=new["description_html"])
    values["tags"] = list(dict.fromkeys([*old["tags"], *new["tags"]]))
    values["first_seen_at"] = min(old["first_seen_at"], new["first_seen_at"])
    values["posted_at"] = min(old["posted_at"], new["posted_at"])
    if old["status"] != "open" and new["status"] == "open":
        values.update(status="open", closed_at=None)
    if old["reposted_from"] in (None, removed.id):
        reposted = new["reposted_from"]
        values["reposted_from"] = None if reposted == kept.id else reposted
    return values


def _settle_overrides(
    connection: Connection,
    keep: int,
    remove: int,
    keep_keys: set[tuple[str, str]],
    remove_keys: set[tuple[str, str]],
) -> None:
    """A hand merge overrules an earlier split of the same two; the removed listing's other
    corrections now apply to the kept one."""
    contradicted = [(keep, key) for key in remove_keys] + [(remove, key) for key in keep_keys]
    if contradicted:
        connection.execute(
            delete(merge_overrides).where(
                merge_overrides.c.listing_id == bindparam("b_listing"),
                merge_overrides.c.source == bindparam("b_source"),
                merge_overrides.c.dedup_key == bindparam("b_key"),
            ),
            [
                {"b_listing": listing, "b_source": source, "b_key": key}
                for listing, (source, key) in contradicted
            ],
        )
    connection.execute(
        update(merge_overrides)
        .where(merge_overrides.c.listing_id == remove)
        .values(listing_id=keep)
    )


def _move_outbox(connection: Connection, keep: int, remove: int) -> tuple[int, int]:
    """Re-point the removed listing's alerts to the kept one, keyed as if queued for it (so a
    later match of the kept listing does not queue them twice); an alert the kept listing
    already has for the same rule and channel is dropped: it would tell of the same job again.
    Returns (moved, dropped)."""
    mine = select(outbox.c.rule, outbox.c.channel).where(outbox.c.listing_id == keep)
    taken = {(rule, channel) for rule, channel in connection.execute(mine)}
    theirs = select(outbox.c.id, outbox.c.rule, outbox.c.channel, outbox.c.why).where(
        outbox.c.listing_id == remove
    )
    rows = connection.execute(theirs).all()
    moving = [row for row in rows if (row.rule, row.channel) not in taken]
    if moving:
        connection.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("b_id"))
            .values(listing_id=keep, key=bindparam("b_key")),
            [
                {"b_id": row.id, "b_key": outbox_key(Match(keep, row.rule, row.why), row.channel)}
                for row in moving
            ],
        )
    return len(moving), len(rows) - len(moving)


def _move_listing_keys(connection: Connection, keep: int, remove: int) -> None:
    mine = select(listing_keys.c.key).where(listing_keys.c.listing_id == keep)
    theirs = select(listing_keys.c.key, literal(keep, Integer)).where(
        listing_keys.c.listing_id == remove, listing_keys.c.key.not_in(mine)
    )
    connection.execute(insert(listing_keys).from_select(["key", "listing_id"], theirs))


def _split_values(row: Row[Any], sighting: Row[Any]) -> dict[str, Any]:
    """The new listing of a split: the old one's fields, the sighting's URL, dates and state."""
    values = {
        column.name: row._mapping[column.name] for column in listings.c if column.name != "id"
    }
    values.update(url=sighting.url or row.url, first_seen_at=sighting.first_seen_at)
    values["reposted_from"] = None
    if sighting.closed_at is not None:
        values.update(status="closed", closed_at=sighting.closed_at)
    elif row.status != "expired":  # an expired listing's copy has the same past deadline
        values.update(status="open", closed_at=None)
    return values


def _copy_matches(connection: Connection, listing_id: int, new_id: int) -> None:
    # The user was alerted of the split-out job as part of the old listing: the same rules do
    # not alert of it again.
    theirs = select(literal(new_id, Integer), matches.c.rule, matches.c.why, matches.c.created_at)
    connection.execute(
        insert(matches).from_select(
            ["listing_id", "rule", "why", "created_at"],
            theirs.where(matches.c.listing_id == listing_id),
        )
    )


def _keys_for(connection: Connection, listing_id: int, identity: Any) -> None:
    """The blocking keys of the sighting's identity, so later copies of its job find it."""
    if not identity:
        return
    try:
        keys = Identity.from_json(identity).keys()
    except (KeyError, TypeError, ValueError):  # an identity stored in an older shape
        return
    if keys:
        rows = [{"key": key, "listing_id": listing_id} for key in dict.fromkeys(keys)]
        connection.execute(insert(listing_keys), rows)


def _repoint_url(connection: Connection, listing_id: int) -> None:
    """The old listing's URL was the split sighting's: take its earliest remaining one."""
    first = (
        select(sightings.c.url)
        .where(sightings.c.listing_id == listing_id, sightings.c.url.is_not(None))
        .order_by(sightings.c.first_seen_at, sightings.c.id)
        .limit(1)
        .scalar_subquery()
    )
    connection.execute(update(listings).where(listings.c.id == listing_id).values(url=first))
