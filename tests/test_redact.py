"""The scrubbing every log line, CLI error and `notify test` line goes through."""

from __future__ import annotations

import io
import logging

import httpx
import pytest

from aggregator import redact

# Exact-text checks: start each from a process that has seen no secret yet.
pytestmark = pytest.mark.usefixtures("fresh_secrets")


def test_http_urls_lose_userinfo_query_and_fragment_but_keep_the_punctuation_after_them() -> None:
    text = "GET https://u:pw@api.example/v1/jobs?api_key=s3cr3t#x, then (http://h:8080/a?b=c)."
    assert redact.scrub(text) == "GET https://api.example/v1/jobs, then (http://h:8080/a)."


def test_remembered_secrets_are_masked_as_written_percent_encoded_and_as_a_bearer_token() -> None:
    redact.remember(["Bearer tok/en+9f81c2"])
    text = "a tok/en+9f81c2 b tok%2Fen%2B9f81c2 c Bearer tok/en+9f81c2"
    assert redact.scrub(text) == "a *** b *** c ***"


def test_short_values_are_not_treated_as_secrets() -> None:
    redact.remember(["abc", "1"])
    assert redact.scrub("abc 1") == "abc 1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mailto://me:hunter22@smtp.example?to=a", "mailto://me:***@smtp.example?to=a"),
        ("json://bob:****@127.0.0.1/hook", "json://bob:****@127.0.0.1/hook"),  # apprise's mask
        ("json://h/hook?a=1&+X-Token=abc123&b=2", "json://h/hook?a=1&+X-Token=***&b=2"),
        ("xml://h/?method=POST&%2BX-Api-Key=zz99zz", "xml://h/?method=POST&%2BX-Api-Key=***"),
    ],
)
def test_passwords_and_webhook_headers_are_masked_in_urls_of_any_scheme(
    text: str, expected: str
) -> None:
    assert redact.scrub(text) == expected


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("json://u:pw-4411@h/hook?+X-Token=tok-7788", {"pw-4411", "tok-7788"}),
        ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/", {"TIiajkdnlazkcOXrIdevi7FQ"}),
        ("tgram://123456789:abcdefg_hijklmnop/12315544/", {"abcdefg_hijklmnop"}),
        ("mailtos://user:pw123@gmail.com", {"pw123"}),
    ],
)
def test_channel_secrets_are_what_apprise_hides_plus_passwords_and_header_values(
    url: str, secrets: set[str]
) -> None:
    assert secrets <= redact.channel_secrets(url)
    assert "gmail.com" not in redact.channel_secrets(url)


def test_the_filter_scrubs_arguments_and_tracebacks_before_any_handler_formats_them() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redact.install(handler)
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        url = httpx.URL("http://127.0.0.1:9/jobs?api_key=abc-123456")
        logger.warning("HTTP Request: GET %s %r", url, {"k": 1})
        try:
            raise ValueError(f"bad answer from {url}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "HTTP Request: GET http://127.0.0.1:9/jobs {'k': 1}" in output
    assert "ValueError: bad answer from http://127.0.0.1:9/jobs" in output
    assert "abc-123456" not in output
