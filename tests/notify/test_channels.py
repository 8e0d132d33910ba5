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


@pytest.mark.parametrize(
    "url",
    [
        "mailto://127.0.0.1:2525?to=me@example.com",
        "mailto://bob:hunter2@127.0.0.1:2525?to=me@example.com",
        "mailtos://bob:hunter2@127.0.0.1?to=me@example.com&mode=ssl",
    ],
)
def test_an_e_mail_url_without_a_sender_it_needs_names_from(url: str) -> None:
    problem = check_channel_url(url) or ""
    assert "needs from=ADDRESS" in problem
    assert "unknown scheme" not in problem
    assert "hunter2" not in problem
    # and the fix it names is the fix
    assert check_channel_url(url + "&from=alerts@example.com") is None


def test_an_e_mail_url_whose_from_is_no_address_says_so() -> None:
    problem = check_channel_url("mailto://bob:hunter2@127.0.0.1:2525?From=bob&to=me@example.com")
    assert problem == "mailto://***: from= is not an e-mail address (e.g. from=alerts@example.com)"


def test_an_e_mail_url_refused_for_another_reason_is_not_blamed_on_from() -> None:
    problem = check_channel_url("mailto://127.0.0.1:25?from=alerts@example.com&mode=bogus")
    assert problem == "apprise cannot use mailto://*** (bad or missing parameters for mailto://)"


def test_an_unknown_scheme_is_called_unknown() -> None:
    problem = check_channel_url("mailtoo://bob:hunter2@host.test")
    assert problem == "apprise cannot use mailtoo://*** (unknown scheme 'mailtoo')"
