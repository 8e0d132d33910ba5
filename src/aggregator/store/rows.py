"""Conversions between table rows and the plain models, and the dialect's upsert INSERT."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from sqlalchemy import Connection, Row, Table
from sqlalchemy.dialects import postgresql, sqlite

from aggregator.models import JobDetails, Listing, OutboxEntry, OutboxStatus, SourceState

__all__ = [
    "JOB_FIELDS",
    "format_done_urls",
    "job_values",
    "listing_from_row",
    "outbox_from_row",
    "parse_done_urls",
    "source_state_from_row",
    "source_state_values",
    "upsert_insert",
]


def upsert_insert(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT on this connection's database."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


# Every JobDetails field is a listings column of the same name.
JOB_FIELDS = tuple(f.name for f in fields(JobDetails))


def job_values(job: JobDetails) -> dict[str, Any]:
    return {field: getattr(job, field) for field in JOB_FIELDS}


def listing_from_row(row: Row[Any], sources: Iterable[str]) -> Listing:
    mapping = row._mapping
    return Listing(
        id=row.id,
        title=row.title,
        url=row.url,
        company=row.company,
        location=row.location,
        description=row.description,
        tags=tuple(row.tags),
        posted_at=row.posted_at,
        first_seen_at=row.first_seen_at,
        sources=tuple(sorted(set(sources))),
        job=JobDetails(**{field: mapping[field] for field in JOB_FIELDS}),
        status=row.status,
        closed_at=row.closed_at,
        reposted_from=row.reposted_from,
    )


def outbox_from_row(row: Row[Any]) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        key=row.key,
        listing_id=row.listing_id,
        rule=row.rule,
        channel=row.channel,
        why=row.why,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        kind=row.kind,
        done_urls=parse_done_urls(row.done_urls),
        lease_token=row.lease_token,
        message_id=row.message_id,
    )


def parse_done_urls(text: str | None) -> frozenset[int]:
    """`"0,2"` -> {0, 2}: the channel URLs that already took an outbox row."""
    return frozenset(int(part) for part in (text or "").split(",") if part.strip().isdigit())


def format_done_urls(done: frozenset[int]) -> str | None:
    return ",".join(str(index) for index in sorted(done)) or None


# Every SourceState field but the key, so a field added to the model cannot be forgotten here.
SOURCE_STATE_FIELDS = tuple(f.name for f in fields(SourceState) if f.name != "name")


def source_state_from_row(row: Row[Any]) -> SourceState:
    mapping = row._mapping
    return SourceState(name=row.name, **{field: mapping[field] for field in SOURCE_STATE_FIELDS})


def source_state_values(state: SourceState) -> Mapping[str, Any]:
    """Column values of a SourceState, without its name."""
    return {field: getattr(state, field) for field in SOURCE_STATE_FIELDS}
