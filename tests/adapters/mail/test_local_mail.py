"""The `maildir` and `mbox` adapters on real files: what was read is not read again, files that
grow between runs, a rewritten mbox, sizes, and the mailbox left as it was."""

from __future__ import annotations

import asyncio
import mailbox
from pathlib import Path
from typing import Any, cast

import pytest

from aggregator.adapters.base import Adapter, FetchResult, FetchState
from aggregator.adapters.mail.local import MaildirAdapter, MboxAdapter
from aggregator.config.model import SourceConfig
from aggregator.errors import FetchError
from aggregator.fetch.client import HttpClient
from tests.support.mail import alert, plain

pytestmark = pytest.mark.usefixtures("lines_parser")


def local(kind: type[MaildirAdapter | MboxAdapter], path: Path, **options: Any) -> Adapter[Any]:
    raw = {"name": "box", "adapter": kind.name, "options": {"path": str(path)} | options}
    return kind(SourceConfig.model_validate(raw))


def read(adapter: Adapter[Any], cursor: str | None = None) -> tuple[list[str], FetchResult]:
    result = asyncio.run(adapter.fetch(cast(HttpClient, None), FetchState(cursor=cursor)))
    found = [raw.title for page in result.pages for raw in adapter.parse(page.body, url=page.url)]
    return found, result


def files(path: Path) -> dict[str, float]:
    return {str(f.relative_to(path)): f.stat().st_mtime for f in path.rglob("*") if f.is_file()}


def test_a_maildir_run_reads_only_messages_delivered_since(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    box.add(alert("Data intern"))
    box.add(alert("Survey gig"))
    adapter = local(MaildirAdapter, tmp_path / "Mail")

    first, result = read(adapter)
    before = files(tmp_path / "Mail")
    box.add(alert("Logo designer"))  # delivered between runs, in the same second too
    second, again = read(adapter, result.cursor)
    third, last = read(adapter, again.cursor)

    assert sorted(first) == ["Data intern", "Survey gig"]
    assert (second, third) == (["Logo designer"], [])
    assert last.cursor == again.cursor
    assert set(before) <= set(files(tmp_path / "Mail"))  # nothing moved, flagged or deleted


def test_a_maildir_message_a_client_moved_to_cur_is_not_read_again(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    key = box.add(alert("Data intern"))
    adapter = local(MaildirAdapter, tmp_path / "Mail")
    _, result = read(adapter)

    message = box[key]
    message.set_subdir("cur")
    message.add_flag("S")
    box[key] = message  # what a mail client does once the user saw it

    assert read(adapter, result.cursor)[0] == []


def test_a_maildir_is_read_in_batches_oldest_first(tmp_path: Path) -> None:
    mailbox.Maildir(tmp_path / "Mail")  # creates new/, cur/ and tmp/
    for n in range(7):  # keys of different seconds: delivery order, not name order
        path = tmp_path / "Mail" / "new" / f"{1_700_000_000 + (6 - n) * 100}.M{n}P1.host"
        path.write_bytes(alert(f"Job {6 - n}"))
    adapter = local(MaildirAdapter, tmp_path / "Mail", max_messages=3)

    cursor, runs = None, []
    for _ in range(4):
        found, result = read(adapter, cursor)
        runs.append(found)
        cursor = result.cursor

    assert runs == [["Job 0", "Job 1", "Job 2"], ["Job 3", "Job 4", "Job 5"], ["Job 6"], []]


def test_a_big_maildir_message_is_skipped_and_counted(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail")
    box.add(plain("JOB: Huge | https://jobs.example/h\n" + ("z" * 75 + "\n") * 400))
    box.add(alert("Small"))

    found, result = read(local(MaildirAdapter, tmp_path / "Mail", max_message_bytes=4096))

    assert found == ["Small"]
    assert result.notes == ("1 message over max_message_bytes (4096 bytes), skipped",)


def test_a_missing_maildir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"source box: cannot read .*/nowhere: .*not a Maildir"):
        read(local(MaildirAdapter, tmp_path / "nowhere"))


def mbox_with(path: Path, *messages: bytes) -> None:
    box = mailbox.mbox(path)
    for message in messages:
        box.add(message)
    box.flush()
    box.close()


def test_an_mbox_appended_to_between_runs_gives_only_the_new_messages(tmp_path: Path) -> None:
    path = tmp_path / "alerts.mbox"
    mbox_with(path, alert("Data intern"), alert("Survey gig"))
    adapter = local(MboxAdapter, path)

    first, result = read(adapter)
    mbox_with(path, alert("Logo designer"))  # appended, as a delivery agent does
    second, again = read(adapter, result.cursor)
    size = path.stat().st_size
    third, _ = read(adapter, again.cursor)

    assert (first, second, third) == (["Data intern", "Survey gig"], ["Logo designer"], [])
    assert path.stat().st_size == size
    assert [page.url for page in again.pages] == [f"mbox://{path}#3"]


def test_a_rewritten_mbox_is_read_again_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "alerts.mbox"
    mbox_with(path, alert("Data intern"), alert("Survey gig"))
    adapter = local(MboxAdapter, path)
    _, result = read(adapter)

    path.unlink()  # a client compacted it: the second message is gone, another came
    mbox_with(path, alert("Data intern"), alert("Logo designer"))

    assert read(adapter, result.cursor)[0] == ["Data intern", "Logo designer"]


def test_an_mbox_message_still_being_written_waits_for_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "alerts.mbox"
    mbox_with(path, alert("Data intern"))
    with path.open("ab") as mbox_file:  # a delivery half done: no final line break yet
        mbox_file.write(b"From alerts@jobs.example Mon Nov 30 09:00:00 2026\n")
        mbox_file.write(alert("Survey gig").rstrip(b"\n"))
    adapter = local(MboxAdapter, path)

    first, result = read(adapter)
    with path.open("ab") as mbox_file:
        mbox_file.write(b"\n\n")
    second, _ = read(adapter, result.cursor)

    assert (first, second) == (["Data intern"], ["Survey gig"])


def test_an_mbox_in_batches_with_a_big_message_counted(tmp_path: Path) -> None:
    path = tmp_path / "alerts.mbox"
    huge = plain("JOB: Huge | https://jobs.example/h\n" + ("z" * 75 + "\n") * 400)
    mbox_with(path, alert("One"), huge, alert("Two"), alert("Three"))
    adapter = local(MboxAdapter, path, max_messages=2, max_message_bytes=4096)

    first, result = read(adapter)
    second, again = read(adapter, result.cursor)

    assert (first, second) == (["One"], ["Two", "Three"])
    assert result.notes == ("1 message over max_message_bytes (4096 bytes), skipped",)
    assert again.notes == ()


def test_a_missing_mbox_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"source box: cannot read .*/none\.mbox: No such file"):
        read(local(MboxAdapter, tmp_path / "none.mbox"))


def test_an_unreadable_cursor_starts_from_the_first_message(tmp_path: Path) -> None:
    path = tmp_path / "alerts.mbox"
    mbox_with(path, alert("Data intern"))
    box = mailbox.Maildir(tmp_path / "Mail")
    box.add(alert("Survey gig"))

    assert read(local(MboxAdapter, path), "not json")[0] == ["Data intern"]
    assert read(local(MaildirAdapter, tmp_path / "Mail"), "{}")[0] == ["Survey gig"]
