"""Holder ids that die with their process: an fcntl lock (SQLite) or an advisory lock (PostgreSQL).

A holder id is `host:pid:suffix`. While a process holds one, the operating system (a POSIX
record lock on a file beside the SQLite database) or the database server (a session advisory
lock on a connection kept for it) holds a lock for it, and releases that lock when the process
dies in any way: exit, SIGKILL, the OOM killer, a lost connection. Anyone can then ask whether
a holder is still alive, so the run lock and outbox leases of a dead process are taken over at
once instead of when a lease runs out. A forked child (a parse worker) never keeps its parent's
holders alive: POSIX locks are not inherited, and the child lets go of the session's socket.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import secrets
import socket
import threading
import weakref
from collections.abc import Collection
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL

__all__ = ["Liveness", "liveness_for", "new_holder_id", "show_holder"]

# Server-side keepalive of the liveness session: idle 15 s, then a probe every 5 s, 3 probes.
KEEPALIVE = (
    ("tcp_keepalives_idle", 15),
    ("tcp_keepalives_interval", 5),
    ("tcp_keepalives_count", 3),
)
HOST_CHARS = 32  # keeps a holder id within the 64-character columns that store it
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")
# Every holder id this process holds, whichever store took it: POSIX locks belong to the
# process, so a probe from this process would succeed on its own files (and closing the probe
# would drop the real lock). Ours are answered from here instead.
_OWN: set[str] = set()
_OWN_LOCK = threading.Lock()


def new_holder_id() -> str:
    """A fresh id naming this host and process; the suffix makes it unique within both."""
    return f"{socket.gethostname()[:HOST_CHARS]}:{os.getpid()}:{secrets.token_hex(8)}"


def show_holder(holder: str) -> str:
    """`host:pid` for people: the suffix means nothing to them."""
    return holder.rsplit(":", 1)[0] if holder.count(":") >= 2 else holder


class Liveness(Protocol):
    """Holds holder ids for this process and tells which ids are held by any live process."""

    def take(self) -> str: ...
    def release(self, holder: str) -> None: ...
    def living(self, holders: Collection[str], connection: Connection) -> set[str]: ...
    def intact(self) -> bool: ...
    def close(self) -> None: ...


def liveness_for(engine: Engine) -> Liveness:
    """The kind of liveness lock the engine's database allows."""
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return AdvisoryLiveness(engine)
    path = _sqlite_path(url)
    return ProcessLiveness() if path is None else FileLiveness(Path(f"{path}-holders"))


def _sqlite_path(url: URL) -> Path | None:
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    if url.query.get("uri"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database).expanduser().absolute()


def _own(holder: str) -> bool:
    with _OWN_LOCK:
        return holder in _OWN


def _remember(holder: str, held: bool) -> None:
    with _OWN_LOCK:
        if held:
            _OWN.add(holder)
        else:
            _OWN.discard(holder)


class ProcessLiveness:
    """A database in this process's memory: no other process can see it."""

    def take(self) -> str:
        holder = new_holder_id()
        _remember(holder, True)
        return holder

    def release(self, holder: str) -> None:
        _remember(holder, False)

    def living(self, holders: Collection[str], connection: Connection) -> set[str]:
        return {holder for holder in holders if _own(holder)}

    def intact(self) -> bool:
        return True

    def close(self) -> None:
        pass


class _SweptError(Exception):
    """A new holder file was taken away by a probe before it was locked."""


class FileLiveness:
    """One locked file per holder in a folder beside the SQLite file (`DB-holders/`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, int] = {}
        self._swept = False

    def _path(self, holder: str) -> Path:
        return self.folder / f"{_FILE_UNSAFE.sub('_', holder)}.lock"

    def take(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self._swept:
            self._swept = True
            self._sweep()
        attempts = 3
        for attempt in range(1, attempts + 1):
            holder = new_holder_id()
            try:
                self._hold(holder)
            except _SweptError:
                if attempt == attempts:
                    raise
                continue
            return holder
        raise AssertionError("unreachable")

    def _hold(self, holder: str) -> None:
        path = self._path(holder)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            # Between our open and our lock, a probe may lock the new file (it looks like a
            # dead holder's) and remove it; a lock on a removed file protects nothing.
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                swept = os.fstat(descriptor).st_ino != os.stat(path).st_ino
            except FileNotFoundError:
                swept = True
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                swept = True
            if swept:
                raise _SweptError(holder)
        except BaseException:
            os.close(descriptor)
            raise
        self._files[holder] = descriptor
        _remember(holder, True)

    def release(self, holder: str) -> None:
        descriptor = self._files.pop(holder, None)
        _remember(holder, False)
        if descriptor is not None:
            with contextlib.suppress(OSError):
                self._path(holder).unlink()
            os.close(descriptor)

    def living(self, holders: Collection[str], connection: Connection) -> set[str]:
        return {holder for holder in holders if _own(holder) or self._locked(self._path(holder))}

    def intact(self) -> bool:
        """Our files are still there (someone deleting the folder would void our locks)."""
        try:
            return all(
                os.fstat(fd).st_ino == os.stat(self._path(h)).st_ino
                for h, fd in self._files.items()
            )
        except OSError:
            return False

    def close(self) -> None:
        for holder in list(self._files):
            self.release(holder)

    def _sweep(self) -> None:
        """Remove the files that dead holders left (a SIGKILL runs no clean-up)."""
        for path in self.folder.glob("*.lock"):
            if path.stem not in {_FILE_UNSAFE.sub("_", h) for h in _OWN}:
                self._locked(path)

    @staticmethod
    def _locked(path: Path) -> bool:
        """Whether a live process holds `path`'s lock; a free file is removed on the way."""
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            return False
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return True
            raise
        else:
            with contextlib.suppress(OSError):
                path.unlink()
            return False
        finally:
            os.close(descriptor)


class AdvisoryLiveness:
    """A session advisory lock per holder, on one connection kept open for them (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._held: set[str] = set()
        self._lock = threading.Lock()
        _SESSIONS.add(self)

    def let_go_in_child(self) -> None:
        """In a forked child: point the inherited session socket at /dev/null. The socket would
        keep the session, and so our holders, alive after this process died, for as long as the
        child lives; the parent's own socket is untouched, and nothing is sent on it."""
        connection = self._connection
        if connection is None:
            return
        with contextlib.suppress(Exception):
            socket_fd = connection.connection.dbapi_connection.fileno()  # type: ignore[union-attr]
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, socket_fd)
            os.close(null)

    def _session(self) -> Connection:
        if self._connection is None:
            # Checked out for the life of the holders and never returned to the pool:
            # AUTOCOMMIT so that it never sits idle inside a transaction.
            connection = self._engine.connect()
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            # A machine that loses power closes nothing: the server finds the session dead
            # (and frees its locks) by TCP keepalive, after hours by default, here ~30 s.
            for setting, seconds in KEEPALIVE:
                connection.execute(text(f"SET {setting} = {seconds}"))
            self._connection = connection
        return self._connection

    def take(self) -> str:
        holder = new_holder_id()
        with self._lock:
            statement = text("SELECT pg_try_advisory_lock(:key)")
            if not self._session().execute(statement, {"key": _key(holder)}).scalar_one():
                raise RuntimeError(f"holder id {holder} is taken")  # 2^-64 odds
            self._held.add(holder)
        _remember(holder, True)
        return holder

    def release(self, holder: str) -> None:
        _remember(holder, False)
        with self._lock:
            if holder not in self._held or self._connection is None:
                return
            self._held.discard(holder)
            with contextlib.suppress(Exception):  # a lost session has released it already
                statement = text("SELECT pg_advisory_unlock(:key)")
                self._connection.execute(statement, {"key": _key(holder)})

    def living(self, holders: Collection[str], connection: Connection) -> set[str]:
        # A shared lock that is granted proves nobody holds the exclusive one; taken for the
        # transaction only, it is gone at commit, and two probes never block each other.
        probe = text("SELECT pg_try_advisory_xact_lock_shared(:key)")
        return {
            holder
            for holder in holders
            if _own(holder) or not connection.execute(probe, {"key": _key(holder)}).scalar_one()
        }

    def intact(self) -> bool:
        """The session holding our locks is still there (else they were released)."""
        with self._lock:
            if self._connection is None:
                return not self._held
            try:
                self._connection.execute(text("SELECT 1"))
            except Exception:
                return False
            return True

    def close(self) -> None:
        with self._lock:
            held, self._held = set(self._held), set()
            connection, self._connection = self._connection, None
        for holder in held:
            _remember(holder, False)
        if connection is not None:
            with contextlib.suppress(Exception):
                # Never back to the pool, where the session would keep our locks: ending it
                # releases every lock it holds.
                connection.invalidate()
                connection.close()


_SESSIONS: weakref.WeakSet[AdvisoryLiveness] = weakref.WeakSet()


def _let_go_in_child() -> None:
    # No lock taken here: a lock some other thread held at the fork stays held in the child.
    for session in list(_SESSIONS):
        session.let_go_in_child()


os.register_at_fork(after_in_child=_let_go_in_child)


def _key(holder: str) -> int:
    """The signed 64-bit advisory lock key of a holder id."""
    digest = hashlib.blake2b(f"aggregator-holder:{holder}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
