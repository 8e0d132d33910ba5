"""Source state: saved by name, replaced on the next save."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from aggregator.models import SourceState
from aggregator.store import Store


def test_source_states_are_empty_on_a_new_database(store: Store) -> None:
    assert store.source_states() == {}


def test_saved_source_state_is_read_back_field_for_field(store: Store, now: datetime) -> None:
    state = SourceState(
        name="board",
        last_attempt_at=now,
        last_success_at=now - timedelta(minutes=1),
        last_new_item_at=now - timedelta(hours=1),
        next_due_at=now + timedelta(hours=1),
        consecutive_failures=2,
        last_error="HTTP 503",
        etag='W/"abc"',
        last_modified="Wed, 21 Oct 2015 07:28:00 GMT",
        content_hash="deadbeef",
        cursor="1796144644:42",
    )

    store.save_source_state(state)

    assert store.source_states() == {"board": state}


def test_saving_a_source_state_again_replaces_every_field(store: Store, now: datetime) -> None:
    first = SourceState(name="board", last_error="HTTP 503", consecutive_failures=3, etag="x")
    store.save_source_state(first)
    store.save_source_state(SourceState(name="other"))
    second = replace(first, last_error=None, consecutive_failures=0, etag=None, next_due_at=now)

    store.save_source_state(second)

    assert store.source_states() == {"board": second, "other": SourceState(name="other")}
