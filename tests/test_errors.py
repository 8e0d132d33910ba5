"""Errors as one short line: never a SQL statement, its parameters or a DETAIL line."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from aggregator import redact
from aggregator.errors import MAX_ERROR_CHARS, describe_error, one_line

# Exact-text checks: start each from a process that has seen no secret yet.
pytestmark = pytest.mark.usefixtures("fresh_secrets")


def test_a_database_error_keeps_the_drivers_first_line_only() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as connection, pytest.raises(DBAPIError) as caught:
        connection.execute(text("INSERT INTO nowhere VALUES (:v)"), {"v": "listing text " * 500})
    assert "listing text" in str(caught.value)  # what SQLAlchemy's own message carries
    assert describe_error(caught.value) == "database error: no such table: nowhere"


def test_detail_lines_of_the_driver_are_left_out() -> None:
    orig = sqlite3.IntegrityError(
        "duplicate key value violates unique constraint\nDETAIL: Key (dedup_key)=(secret)"
    )
    error = DBAPIError("INSERT ...", {"v": "x"}, orig)
    assert describe_error(error) == (
        "database error: duplicate key value violates unique constraint"
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (KeyError(), "KeyError"),
        (ValueError("first\n  second"), "first second"),
        (
            RecursionError("maximum recursion depth exceeded"),
            "the data is nested too deeply to read",
        ),
        (MemoryError(), "out of memory"),
        (OSError("bad \ud800 byte\x00"), "bad \ufffd byte"),
    ],
)
def test_other_errors_become_one_clean_line(error: BaseException, expected: str) -> None:
    assert describe_error(error) == expected


def test_a_long_message_is_cut_to_the_limit() -> None:
    line = one_line("word " * 1000)
    assert len(line) == MAX_ERROR_CHARS
    assert line.endswith("…")


def test_an_error_line_never_holds_a_url_query_or_a_known_secret() -> None:
    redact.remember(["canary-secret-4242"])
    error = ValueError("POST https://api.example.test/v1?key=abc123 failed: canary-secret-4242")
    line = describe_error(error)
    assert "abc123" not in line
    assert "canary-secret-4242" not in line
    assert "https://api.example.test/v1" in line
