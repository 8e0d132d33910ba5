"""Malformed queries: QuerySyntaxError points at the column of the problem."""

from __future__ import annotations

import pytest

from aggregator.rules import QuerySyntaxError, check_query, compile


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("data science OR", 14, "expected a term after OR"),
        ("", 1, "empty query"),
        ("   ", 1, "empty query"),
        ('remote "micro internship', 8, "unclosed quote"),
        ("data -", 6, "expected a term right after -"),
        ("data - senior", 6, "expected a term right after -"),
        ("data -)", 6, "expected a term right after -"),
        ("OR gig", 1, "expected a term before OR"),
        ("gig OR OR freelance", 5, "expected a term after OR"),
        ("gig AND", 5, "expected a term after AND"),
        ("gig NOT", 5, "expected a term after NOT"),
        ("(gig OR freelance", 1, "unclosed ("),
        ("gig)", 4, "unmatched )"),
        (") gig", 1, "unmatched )"),
        ("gig ()", 5, "empty parentheses"),
        ("data #", 6, "expected a tag name after #"),
        ("data #_-", 6, "expected a tag name after #"),
        ('data ""', 6, "empty phrase"),
        ("café OR", 6, "expected a term after OR"),
    ],
)
def test_syntax_error_names_the_column_and_the_problem(
    query: str, position: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile(query)
    assert caught.value.position == position
    assert caught.value.message == message
    assert str(caught.value) == f"col {position}: {message}"


@pytest.mark.parametrize(
    ("query", "position", "feature"),
    [
        ("title:intern", 1, "field searches (title:)"),
        ("data intern*", 12, "prefix searches"),
        ("#intern*", 8, "prefix searches"),
        ("pay>=25/h", 4, "comparisons"),
        ("data /intern(ship)?/", 6, "regular expressions"),
    ],
)
def test_syntax_reserved_for_a_later_version_is_refused_for_now(
    query: str, position: int, feature: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        compile(query)
    assert caught.value.position == position
    assert caught.value.message.startswith(feature)
    assert "not supported yet" in caught.value.message


def test_query_syntax_error_is_a_value_error() -> None:
    assert issubclass(QuerySyntaxError, ValueError)


def test_check_query_returns_the_error_message() -> None:
    assert check_query("data science OR") == "col 14: expected a term after OR"


def test_check_query_returns_none_for_a_good_query() -> None:
    assert check_query('data #microinternship -senior OR "micro internship"') is None
