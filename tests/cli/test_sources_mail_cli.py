"""`aggregate sources test --adapter imap|maildir|mbox --file MSG.eml`: one e-mail, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.support.mail import alert, job_url, lines_parser, plain

__all__ = ["lines_parser"]

MAIL_OPTIONS = {
    "maildir": ["--option", "path=/nonexistent/Mail"],  # not read: the file is the message
    "mbox": ["--option", "path=/nonexistent/alerts.mbox"],
    "imap": ["-o", "host=imap.example.com", "-o", "username=me", "-o", "password=app-pass"],
}


@pytest.mark.usefixtures("lines_parser")
@pytest.mark.parametrize("adapter", sorted(MAIL_OPTIONS))
def test_one_message_file_is_parsed_offline(invoke: Invoke, tmp_path: Path, adapter: str) -> None:
    message = tmp_path / "MSG.eml"
    message.write_bytes(alert("Data intern", "Survey gig"))

    result = invoke(
        "sources", "test", "--adapter", adapter, *MAIL_OPTIONS[adapter], "--file", str(message),
        "--json",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    postings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(p["title"], p["url"]) for p in postings] == [
        ("Data intern", job_url("Data intern")),
        ("Survey gig", job_url("Survey gig")),
    ]


@pytest.mark.usefixtures("lines_parser")
def test_a_message_no_parser_recognises_is_a_note_not_an_error(
    invoke: Invoke, tmp_path: Path
) -> None:
    message = tmp_path / "MSG.eml"
    message.write_bytes(plain("Lunch on Friday?", sender="friend@example.org"))

    result = invoke(
        "sources", "test", "--adapter", "maildir", *MAIL_OPTIONS["maildir"], "--file", str(message)
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "0 posting(s) from 1 page(s)\n"
    assert "note: 1 message no sender parser recognised, skipped" in result.stderr
