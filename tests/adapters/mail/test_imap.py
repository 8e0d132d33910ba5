"""The `imap` adapter against a real Dovecot on 127.0.0.1: UIDs, batches, sizes, TLS, errors."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest

from aggregator.adapters.base import FetchResult, FetchState
from aggregator.adapters.mail.imap import ImapAdapter
from aggregator.config.model import SourceConfig
from aggregator.errors import FetchError
from aggregator.fetch.client import HttpClient
from tests.support.dovecot import Dovecot, MailUser
from tests.support.mail import LinesParser, alert, job_url, plain


def imap(user: MailUser, **options: Any) -> ImapAdapter:
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": user.server.imaps_port,
        "username": user.name,
        "password": user.password,
        "ca_file": str(user.server.cert),
        "timeout": 10,
    }
    raw = {"name": "mail", "adapter": "imap", "options": settings | options}
    return ImapAdapter(SourceConfig.model_validate(raw))


def fetch(adapter: ImapAdapter, cursor: str | None = None) -> FetchResult:
    # The imap adapter makes no HTTP request: it is given no client.
    return asyncio.run(adapter.fetch(cast(HttpClient, None), FetchState(cursor=cursor)))


def titles(adapter: ImapAdapter, result: FetchResult) -> list[str]:
    return [raw.title for page in result.pages for raw in adapter.parse(page.body, url=page.url)]


@pytest.mark.usefixtures("lines_parser")
def test_a_second_run_reads_only_the_messages_that_came_since(mail_user: MailUser) -> None:
    adapter = imap(mail_user)
    mail_user.append(alert("Data intern"), alert("Survey gig"))

    first = fetch(adapter)
    mail_user.append(alert("Logo designer"))
    second = fetch(adapter, first.cursor)
    third = fetch(adapter, second.cursor)

    assert titles(adapter, first) == ["Data intern", "Survey gig"]
    assert titles(adapter, second) == ["Logo designer"]
    assert (third.pages, third.cursor) == ((), second.cursor)


def test_each_message_is_a_page_of_its_raw_bytes_at_its_imap_url(mail_user: MailUser) -> None:
    message = alert("Data intern")
    (uid,) = mail_user.append(message)

    (page,) = fetch(imap(mail_user)).pages

    assert page.body.replace(b"\r\n", b"\n") == message.replace(b"\r\n", b"\n")
    with mail_user.client() as client:
        validity = client.select_folder("INBOX")[b"UIDVALIDITY"]
    port = mail_user.server.imaps_port
    assert page.url == f"imap://127.0.0.1:{port}/INBOX;UIDVALIDITY={validity}/;UID={uid}"


@pytest.mark.usefixtures("lines_parser")
@pytest.mark.parametrize("security", ["starttls", "none"])
def test_starttls_and_plain_loopback_connections(mail_user: MailUser, security: str) -> None:
    mail_user.append(alert("Data intern"))
    adapter = imap(mail_user, security=security, port=mail_user.server.imap_port)

    assert titles(adapter, fetch(adapter)) == ["Data intern"]


def test_plain_imap_is_refused_for_a_host_off_the_loopback() -> None:
    raw = {
        "name": "mail",
        "adapter": "imap",
        "options": {"host": "imap.example.com", "security": "none", "username": "u"}
        | {"password": "app-password"},
    }
    with pytest.raises(ValueError, match="allowed only for a server on the loopback"):
        ImapAdapter(SourceConfig.model_validate(raw))


def test_allow_private_false_refuses_a_private_imap_host(mail_user: MailUser) -> None:
    settings = imap(mail_user).options.model_dump() | {"password": mail_user.password}
    raw = {"name": "mail", "adapter": "imap", "allow_private": False, "options": settings}
    adapter = ImapAdapter(SourceConfig.model_validate(raw))

    with pytest.raises(FetchError, match=r"refusing the IMAP server 127\.0\.0\.1") as refused:
        fetch(adapter)

    assert refused.value.refused
    assert mail_user.server.bytes_sent(mail_user.name) == []  # it never even logged in


@pytest.mark.usefixtures("lines_parser")
def test_a_changed_uidvalidity_reads_the_folder_again(mail_user: MailUser) -> None:
    with mail_user.client() as client:
        client.create_folder("Alerts")
    mail_user.append(alert("Old one"), alert("Old two"), folder="Alerts")
    adapter = imap(mail_user, folder="Alerts")
    first = fetch(adapter)

    mail_user.recreate("Alerts")  # new UIDVALIDITY; its first message has UID 1 again
    mail_user.append(alert("After the rebuild"), folder="Alerts")
    second = fetch(adapter, first.cursor)

    assert titles(adapter, second) == ["After the rebuild"]
    assert first.cursor is not None
    assert second.cursor is not None
    assert second.cursor.split(":")[0] != first.cursor.split(":")[0]


@pytest.mark.usefixtures("lines_parser")
def test_the_next_run_reconnects_after_the_server_restarted(
    dovecot: Dovecot, mail_user: MailUser
) -> None:
    adapter = imap(mail_user)
    mail_user.append(alert("Before"))
    first = fetch(adapter)

    dovecot.stop()
    with pytest.raises(FetchError, match="source mail: cannot connect to the IMAP server") as down:
        fetch(adapter, first.cursor)
    dovecot.start()
    mail_user.append(alert("After"))
    second = fetch(adapter, first.cursor)

    assert down.value.retryable
    assert titles(adapter, second) == ["After"]


def test_a_wrong_password_is_a_clear_error_without_the_password(mail_user: MailUser) -> None:
    wrong = "wrong-" + mail_user.password
    port = mail_user.server.imaps_port

    with pytest.raises(FetchError) as refused:
        fetch(imap(mail_user, password=wrong))

    expected = f"source mail: IMAP login refused for user {mail_user.name} at 127.0.0.1:{port}"
    assert str(refused.value) == expected
    assert wrong not in repr(refused.value.__reduce__())


def test_an_untrusted_certificate_is_a_clear_error(mail_user: MailUser) -> None:
    adapter = imap(mail_user, ca_file=None)  # the system's CAs do not know the test's own

    with pytest.raises(FetchError, match=r"TLS certificate of 127\.0\.0\.1:\d+ is not trusted"):
        fetch(adapter)


@pytest.mark.usefixtures("lines_parser")
def test_a_huge_message_is_skipped_by_its_size_and_never_downloaded(
    dovecot: Dovecot, mail_user: MailUser
) -> None:
    huge = plain("JOB: Huge | https://jobs.example/huge\n" + ("x" * 75 + "\n") * 5000)  # 380 KB
    mail_user.append(alert("Before"), huge, alert("After"))
    adapter = imap(mail_user, max_message_bytes=20_000)

    result = fetch(adapter)

    assert titles(adapter, result) == ["Before", "After"]
    assert result.notes == ("1 message over max_message_bytes (20000 bytes), skipped",)
    assert result.cursor is not None
    assert result.cursor.endswith(":3")
    deadline = time.monotonic() + 5
    while len(dovecot.bytes_sent(mail_user.name)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the log line comes a moment after the logout
    assert max(dovecot.bytes_sent(mail_user.name)[1:]) < len(huge) / 4


@pytest.mark.usefixtures("lines_parser")
def test_a_big_mailbox_is_read_in_bounded_batches_oldest_first(mail_user: MailUser) -> None:
    names = [f"Job {n:02}" for n in range(23)]
    mail_user.append(*(alert(name) for name in names))
    adapter = imap(mail_user, max_messages=10)

    cursor, runs, notes = None, [], []
    for _ in range(4):
        result = fetch(adapter, cursor)
        cursor = result.cursor
        runs.append(titles(adapter, result))
        notes.append(result.notes)

    assert [len(run) for run in runs] == [10, 10, 3, 0]
    assert [title for run in runs for title in run] == names
    assert notes[0] == ("13 newer messages left for the next runs",)
    assert notes[2:] == [(), ()]


def test_a_message_with_no_text_part_is_skipped_not_an_error(
    mail_user: MailUser, lines_parser: LinesParser
) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "alerts@jobs.example"
    message["Subject"] = "Only a picture"
    message.add_attachment(b"\x89PNG\r\n" + bytes(300), maintype="image", subtype="png")
    mail_user.append(message.as_bytes(), alert("Data intern"))
    adapter = imap(mail_user)

    result = fetch(adapter)

    assert len(result.pages) == 2
    assert next(adapter.parse(page.body, url=page.url) for page in result.pages) == []
    assert titles(adapter, result) == ["Data intern"]
    assert adapter.unparsed_note(1) == "1 message no sender parser recognised, skipped"


@pytest.mark.usefixtures("lines_parser")
def test_the_parsers_option_restricts_the_sender_parsers(mail_user: MailUser) -> None:
    mail_user.append(alert("Data intern"))

    only_others = imap(mail_user, parsers=["linkedin"])
    only_lines = imap(mail_user, parsers="lines")

    assert titles(only_others, fetch(only_others)) == []
    assert titles(only_lines, fetch(only_lines)) == ["Data intern"]
    assert only_lines.parse(alert("X"), url="imap://x")[0].url == job_url("X")
