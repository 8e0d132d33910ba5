"""Channel URL checks: a URL apprise refuses is reported without any of its secret parts."""

from __future__ import annotations

import pytest

from aggregator.notify import check_channel_url


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("slack://T0kenAlphaSecret/B", "T0kenAlphaSecret"),  # slack's first token sits in the host
        ("discord://WebhookIdSecret", "WebhookIdSecret"),
        ("mailto://bob:Sup3r/S3cretPw@host.test", "Sup3r"),  # an unescaped `/` in a password
        ("mailtoo://bob:hunter2@host.test", "hunter2"),
        ("bob:hunter2@host.test", "hunter2"),
        ("bob:hunter2@host://x", "hunter2"),  # no valid scheme before `://`
    ],
)
def test_a_refused_channel_url_is_reported_without_its_secrets(url: str, secret: str) -> None:
    problem = check_channel_url(url)
    assert problem is not None
    assert secret not in problem


def test_a_refused_channel_url_still_names_its_scheme() -> None:
    assert "'mailtoo'" in (check_channel_url("mailtoo://bob:hunter2@host.test") or "")
