"""The `imap` adapter in the pipeline, against Dovecot: the cursor and mark_seen/move_to happen
only once the postings are stored; skip counts reach the run; a wrong password stays secret."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import imapclient
import pytest

from aggregator.config.model import Config
from aggregator.errors import StoreError
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from aggregator.store.unit_of_work import UnitOfWork
from tests.support.dovecot import MailUser
from tests.support.mail import alert, plain

pytestmark = pytest.mark.usefixtures("lines_parser")


def config(tmp_path: Path, user: MailUser, **options: Any) -> Config:
    settings = {
        "host": "127.0.0.1",
        "port": user.server.imaps_port,
        "username": user.name,
        "password": user.password,
        "ca_file": str(user.server.cert),
    }
    return Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'mail.db'}",
            "parse": {"isolate": False},  # the test's parser lives in this process only
            "sources": [{"name": "mail", "adapter": "imap", "options": settings | options}],
        }
    )


def run(cfg: Config) -> tuple[RunReport, Store]:
    store = Store(cfg.database)
    store.upgrade()

    async def go() -> RunReport:
        async with HttpClient(cfg.http) as client:
            return await Pipeline(cfg, store, client).run_sources(cfg.sources)

    try:
        return asyncio.run(go()), store
    finally:
        store.dispose()


def seen(user: MailUser, folder: str = "INBOX") -> list[bool]:
    return [imapclient.SEEN in flags for flags in user.flags(folder).values()]


def test_mark_seen_happens_only_after_the_postings_are_stored(
    tmp_path: Path, mail_user: MailUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, mail_user, mark_seen=True)
    mail_user.append(alert("Data intern"), alert("Survey gig"))

    with monkeypatch.context() as patch:
        patch.setattr(UnitOfWork, "upsert_postings", _fail)
        failed, store = run(cfg)
    cursor_after_failure = store.source_states()["mail"].cursor
    unseen_after_failure = seen(mail_user)
    stored, store = run(cfg)

    assert failed.sources[0].error == "the disk is full"
    assert (cursor_after_failure, unseen_after_failure) == (None, [False, False])
    assert stored.sources[0].ok
    assert stored.sources[0].new == 2
    assert seen(mail_user) == [True, True]
    assert store.source_states()["mail"].cursor is not None


def test_move_to_happens_only_after_the_postings_are_stored(
    tmp_path: Path, mail_user: MailUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, mail_user, move_to="Processed")
    mail_user.append(alert("Data intern"))

    with monkeypatch.context() as patch:
        patch.setattr(UnitOfWork, "upsert_postings", _fail)
        run(cfg)
    still_there = len(mail_user.flags("INBOX"))
    moved, store = run(cfg)
    again, _ = run(cfg)

    assert still_there == 1
    assert moved.sources[0].new == 1
    assert (len(mail_user.flags("INBOX")), len(mail_user.flags("Processed"))) == (0, 1)
    assert [x.title for x in store.all_listings()] == ["Data intern"]
    assert again.sources[0].ok
    assert again.sources[0].fetched == 0


def _fail(*_args: object, **_kwargs: object) -> None:
    raise StoreError("the disk is full")


def test_skipped_messages_are_counted_in_the_run(tmp_path: Path, mail_user: MailUser) -> None:
    mail_user.append(
        plain("Hello", sender="friend@example.org"),
        plain("Nothing here", sender="news@example.org"),
        plain("JOB: Huge | https://jobs.example/h\n" + ("y" * 75 + "\n") * 800),
        alert("Data intern"),
    )

    report, _store = run(config(tmp_path, mail_user, max_message_bytes=20_000))

    (result,) = report.sources
    assert result.ok
    assert result.new == 1
    assert result.notes == [
        "1 message over max_message_bytes (20000 bytes), skipped",
        "2 messages no sender parser recognised, skipped",
    ]


def test_a_wrong_password_names_the_source_and_no_secret_is_logged_or_stored(
    tmp_path: Path, mail_user: MailUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + mail_user.password
    cfg = config(tmp_path, mail_user, password=wrong)

    report, store = run(cfg)

    port = mail_user.server.imaps_port
    error = f"source mail: IMAP login refused for user {mail_user.name} at 127.0.0.1:{port}"
    assert report.sources[0].error == error
    assert store.source_states()["mail"].last_error == error
    assert wrong not in caplog.text
    assert wrong.encode() not in (tmp_path / "mail.db").read_bytes()
