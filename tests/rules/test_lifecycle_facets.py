"""`status:open|closed|expired` and `seen:N+` (distinct boards among a listing's sightings)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.models import Listing
from aggregator.rules import Matcher, QuerySyntaxError, Rule, compile

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _listing(sources: tuple[str, ...] = ("a",), status: str = "open") -> Listing:
    return Listing(
        id=3,
        title="Data analyst",
        url=None,
        company="Acme",
        location="Berlin",
        description="Numbers.",
        tags=(),
        posted_at=NOW,
        first_seen_at=NOW,
        sources=sources,
        status=status,
    )


def _matches(query: str, listing: Listing) -> bool:
    return bool(Matcher([Rule("r", compile(query))]).match(listing, now=NOW))


@pytest.mark.parametrize("status", ["open", "closed", "expired"])
def test_status_matches_the_listing_status_only(status: str) -> None:
    for other in ("open", "closed", "expired"):
        assert _matches(f"status:{status}", _listing(status=other)) is (status == other)


@pytest.mark.parametrize(
    ("sources", "at_least", "expected"),
    [
        (("a",), 1, True),
        (("a",), 2, False),
        (("a", "b"), 2, True),
        (("a", "b"), 3, False),
        (("a", "b", "c"), 2, True),
        (("A", "a"), 2, False),  # one board, however its name is cased
    ],
)
def test_seen_counts_distinct_boards(
    sources: tuple[str, ...], at_least: int, expected: bool
) -> None:
    assert _matches(f"seen:{at_least}+", _listing(sources=sources)) is expected


def test_the_facets_combine_with_text_and_explain_themselves() -> None:
    [match] = Matcher([Rule("r", compile("data status:open seen:2+"))]).match(
        _listing(sources=("a", "b")), now=NOW
    )
    assert match.why == 'has "data"; status open; seen 2+'
    assert _matches("data -status:closed", _listing(status="closed")) is False


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status:gone", "status: is open, closed or expired"),
        ("seen:2", "seen: takes a number of boards and +"),
        ("seen:0+", "seen: takes a number of boards and +"),
        ("seen:many+", "seen: takes a number of boards and +"),
    ],
)
def test_bad_values_are_query_errors(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        compile(query)
