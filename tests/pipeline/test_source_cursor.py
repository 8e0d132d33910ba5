"""The source cursor in the pipeline: passed to the next fetch, recorded only after a store that
succeeded (a failed one reads the same messages again), and a settle failure is only a note."""

from __future__ import annotations

import asyncio
import mailbox
from pathlib import Path

import pytest

from aggregator.adapters.base import FetchResult
from aggregator.adapters.mail.local import MaildirAdapter
from aggregator.config.model import Config
from aggregator.errors import SourceError, StoreError
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from aggregator.store.unit_of_work import UnitOfWork
from tests.support.mail import alert, lines_parser

__all__ = ["lines_parser"]

pytestmark = pytest.mark.usefixtures("lines_parser")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    mailbox.Maildir(tmp_path / "Mail")
    return Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'c.db'}",
            "parse": {"isolate": False},
            "sources": [
                {"name": "box", "adapter": "maildir", "options": {"path": str(tmp_path / "Mail")}}
            ],
        }
    )


def run(config: Config) -> tuple[RunReport, str | None, list[str]]:
    store = Store(config.database)
    store.upgrade()

    async def go() -> RunReport:
        async with HttpClient(config.http) as client:
            return await Pipeline(config, store, client).run_sources(config.sources)

    try:
        report = asyncio.run(go())
        titles = sorted(listing.title for listing in store.all_listings())
        return report, store.source_states()["box"].cursor, titles
    finally:
        store.dispose()


def fail(*_args: object, **_kwargs: object) -> None:
    raise StoreError("the disk is full")


def test_a_failed_store_leaves_the_cursor_and_the_next_run_reads_the_messages_again(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    box.add(alert("Data intern"))
    _, first_cursor, _ = run(config)
    box.add(alert("Survey gig"))

    with monkeypatch.context() as patch:
        patch.setattr(UnitOfWork, "upsert_postings", fail)
        failed, cursor_after_failure, _ = run(config)
    again, cursor, titles = run(config)

    assert failed.sources[0].error == "the disk is full"
    assert first_cursor is not None
    assert cursor_after_failure == first_cursor
    assert (again.sources[0].new, titles) == (1, ["Data intern", "Survey gig"])
    assert cursor not in (None, first_cursor)


def test_a_failed_settle_is_a_note_and_the_run_stays_ok(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: list[FetchResult] = []

    async def settle(self: MaildirAdapter, result: FetchResult) -> None:
        settled.append(result)
        raise SourceError("the server went away")

    monkeypatch.setattr(MaildirAdapter, "settle", settle)
    mailbox.Maildir(tmp_path / "Mail").add(alert("Data intern"))

    report, cursor, titles = run(config)

    (result,) = report.sources
    assert result.ok
    assert result.notes == ["stored, but the source's follow-up failed: the server went away"]
    assert [len(r.pages) for r in settled] == [1]
    assert (cursor is not None, titles) == (True, ["Data intern"])
