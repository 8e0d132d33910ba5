"""Boilerplate never makes two jobs look alike."""

from __future__ import annotations

from aggregator.merge.boilerplate import MAX_DIGEST_CHARS, digest, text_similarity

EEO = (
    "We are an equal opportunity employer. All qualified applicants will receive consideration "
    "without regard to race, color, religion, sexual orientation, gender identity or disability."
)
MENTION = (
    "Please mention the word **LANTERN** and tag RMzgu when applying to show you read the job "
    "post completely."
)


def test_boilerplate_lines_are_dropped() -> None:
    text = f"Build payment services in Go.\n\n{EEO}\n\n{MENTION}\n\nApply now at https://x.example/jobs"
    assert digest(text) == "build payment services in go"


def test_boilerplate_heavy_different_jobs_are_not_alike() -> None:
    shared = f"{EEO}\n{MENTION}\nApply now!\n" * 3
    a = (
        shared
        + "You will design the React screens for the store planning tool and its reports. " * 2
    )
    b = (
        shared
        + "You will own the month-end close, the ledger and the cash flow forecasting model. " * 2
    )
    similarity = text_similarity(digest(a), digest(b))
    assert similarity is not None
    assert similarity < 0.6


def test_same_text_is_alike_and_short_text_says_nothing() -> None:
    text = "You will design the React screens for the store planning tool and its reports. " * 3
    assert text_similarity(digest(text), digest(text)) == 1.0
    assert text_similarity("short", digest(text)) is None


def test_digest_is_bounded() -> None:
    assert len(digest("word " * 10_000)) <= MAX_DIGEST_CHARS
