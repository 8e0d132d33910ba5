"""The `maildir` and `mbox` adapters: alert e-mails from local mail files, read-only.

Neither adapter changes the mailbox (no flag, no move, no delete): a mail client or the
delivery agent (fetchmail, getmail, procmail) owns it. What was read is kept in the source's
cursor instead:

* maildir: a high-water mark, the delivery time of the newest message read (the whole seconds
  a Maildir key starts with, else the file's mtime) with the keys read at that second. A
  message is new when it was delivered later, or at that second under another key. A message
  moved from new/ to cur/ keeps its key and is not read again.
* mbox: the number of messages read and a digest of the last of them. Appended messages come
  after it; a file rewritten so that this message is no longer where it was (a mail client
  compacting it, a message deleted) is read again from the start, and the store recognises
  the postings it already has.
"""

from __future__ import annotations

import abc
import asyncio
import hashlib
import json
import mailbox
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar
from urllib.parse import quote

from pydantic import Field

from aggregator.adapters.base import AdapterOptions, FetchResult, FetchState, Page
from aggregator.adapters.mail.source import (
    MESSAGE_TYPE,
    MailAdapter,
    MailOptions,
    oversized_note,
)
from aggregator.errors import FetchError

if TYPE_CHECKING:
    from aggregator.fetch.client import HttpClient

__all__ = [
    "LocalMailAdapter",
    "LocalMailOptions",
    "MaildirAdapter",
    "MaildirOptions",
    "MboxAdapter",
    "MboxOptions",
]


class LocalMailOptions(MailOptions):
    path: str = Field(min_length=1, description="the Maildir (with new/, cur/, tmp/) or mbox")


class MaildirOptions(LocalMailOptions):
    """A Maildir's options."""


class MboxOptions(LocalMailOptions):
    """An mbox file's options."""


LocalOptionsT = TypeVar("LocalOptionsT", bound=LocalMailOptions)
# What a reader returns: (key, message bytes) pairs, the new cursor, how many were too big.
Messages = tuple[list[tuple[str, bytes]], str, int]


class LocalMailAdapter(MailAdapter[LocalOptionsT]):
    """Mail on this machine (a Maildir, an mbox), read in a thread without changing it; the
    cursor in the source state says what was read."""

    scheme: ClassVar[str]

    def home_urls(self) -> tuple[str, ...]:
        return ()

    @abc.abstractmethod
    def read(self, path: Path, cursor: str | None) -> Messages:
        """The messages after `cursor`, at most max_messages, none read past max_bytes."""

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        path = Path(self.options.path).expanduser().absolute()
        try:
            messages, cursor, oversized = await asyncio.to_thread(self.read, path, state.cursor)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise FetchError(f"source {self.source.name}: cannot read {path}: {reason}") from None
        pages = tuple(
            Page(_file_url(self.scheme, path, key), body, MESSAGE_TYPE) for key, body in messages
        )
        notes = (oversized_note(oversized, self.options.max_message_bytes),) if oversized else ()
        return FetchResult(pages=pages, cursor=cursor, notes=notes)


def _file_url(scheme: str, path: Path, key: str) -> str:
    return f"{scheme}://{quote(str(path))}#{quote(key, safe='')}"


@dataclass(frozen=True, slots=True)
class _Mark:
    """A Maildir high-water mark: a delivery second and the keys read at that second."""

    second: int = -1
    keys: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> _Mark:
        try:
            data = json.loads(text or "")
            return cls(int(data["second"]), frozenset(str(key) for key in data["keys"]))
        except (ValueError, TypeError, KeyError):
            return cls()  # none yet, or unreadable: from the first message

    def dump(self) -> str:
        return json.dumps({"second": self.second, "keys": sorted(self.keys)})

    def is_read(self, second: int, key: str) -> bool:
        return second < self.second or (second == self.second and key in self.keys)

    def after(self, read: Sequence[tuple[int, str]]) -> _Mark:
        """The mark once `read` (sorted by second, key) are read too."""
        if not read:
            return self
        last = read[-1][0]
        keys = {key for second, key in read if second == last}
        return _Mark(last, frozenset(keys | (self.keys if last == self.second else set())))


def _delivered(box: mailbox.Maildir, key: str) -> int:
    """A message's delivery second: the time a Maildir key starts with (`1700000000.M1P2.host`),
    else the file's mtime (delivery writes the file once; moving it to cur/ keeps its time)."""
    head = key.split(".", 1)[0]
    if head.isdigit():
        return int(head)
    return int(box.get_message(key).get_date())


def read_maildir(
    path: Path, cursor: str | None, *, max_messages: int, max_bytes: int
) -> tuple[list[tuple[str, bytes]], str, int]:
    """The messages after the mark, oldest first: (key, bytes) pairs, the new mark, and how
    many were skipped for their size (read no further than the cap)."""
    if not (path / "cur").is_dir() or not (path / "new").is_dir():
        raise OSError(f"{path} is not a Maildir (no cur/ and new/)")
    box = mailbox.Maildir(path, create=False)
    mark = _Mark.parse(cursor)
    order = sorted((_delivered(box, key), key) for key in box.iterkeys())
    batch = [item for item in order if not mark.is_read(*item)][:max_messages]
    messages, oversized = [], 0
    for _second, key in batch:
        with box.get_file(key) as handle:
            body = handle.read(max_bytes + 1)  # enough to know it is too big
        if len(body) > max_bytes:
            oversized += 1
        else:
            messages.append((key, body))
    return messages, mark.after(batch).dump(), oversized


class MaildirAdapter(LocalMailAdapter[MaildirOptions]):
    """A local Maildir (filled by fetchmail, getmail, procmail...), read without changing it."""

    name: ClassVar[str] = "maildir"
    Options: ClassVar[type[AdapterOptions]] = MaildirOptions
    scheme: ClassVar[str] = "maildir"

    def read(self, path: Path, cursor: str | None) -> Messages:
        options = self.options
        return read_maildir(
            path, cursor, max_messages=options.max_messages, max_bytes=options.max_message_bytes
        )


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


def read_mbox(
    path: Path, cursor: str | None, *, max_messages: int, max_bytes: int
) -> tuple[list[tuple[int, bytes]], str, int]:
    """The messages after the `count` read so far, oldest first: (index, bytes) pairs, the new
    cursor, and how many were skipped for their size (no more than `max_bytes` + 1 bytes of a
    message is read). A rewritten file starts over."""
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    box = mailbox.mbox(path, create=False)
    try:
        keys = sorted(box.keys())
        count, digest = _mbox_cursor(cursor)
        if count > len(keys) or (
            count and _digest(_head(box, keys[count - 1], max_bytes)) != digest
        ):
            count = 0  # rewritten, not appended to: read again from the start
        messages, oversized, last = [], 0, None
        for index in range(count, min(len(keys), count + max_messages)):
            body = _head(box, keys[index], max_bytes)
            too_big = len(body) > max_bytes
            if index == len(keys) - 1 and not too_big and not body.endswith(b"\n"):
                break  # still being written (a complete message ends with a line break)
            count, last = index + 1, body
            if too_big:
                oversized += 1
            else:
                messages.append((index, body))
        if last is not None:
            digest = _digest(last)
        return messages, json.dumps({"count": count, "digest": digest}), oversized
    finally:
        box.close()


def _head(box: mailbox.mbox, key: str, max_bytes: int) -> bytes:
    """A message's first `max_bytes` + 1 bytes: all of it, or enough to know it is too big."""
    handle = box.get_file(key)
    try:
        return handle.read(max_bytes + 1)
    finally:
        handle.close()


def _mbox_cursor(text: str | None) -> tuple[int, str]:
    try:
        data = json.loads(text or "")
        return max(0, int(data["count"])), str(data["digest"])
    except (ValueError, TypeError, KeyError):
        return 0, ""


class MboxAdapter(LocalMailAdapter[MboxOptions]):
    """A local mbox file, read without changing it; messages appended later are read next."""

    name: ClassVar[str] = "mbox"
    Options: ClassVar[type[AdapterOptions]] = MboxOptions
    scheme: ClassVar[str] = "mbox"

    def read(self, path: Path, cursor: str | None) -> Messages:
        options = self.options
        messages, cursor, oversized = read_mbox(
            path, cursor, max_messages=options.max_messages, max_bytes=options.max_message_bytes
        )
        # A message's key is its place in the file, counted from 1 as a mail client shows it.
        return [(str(index + 1), body) for index, body in messages], cursor, oversized
