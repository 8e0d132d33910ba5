"""The blocking IMAP conversation of the `imap` adapter (imapclient), run in a thread."""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from aggregator.errors import FetchError, SourceError

__all__ = ["Batch", "Cursor", "Endpoint", "read_batch", "settle_messages"]

# UIDs per FETCH command: a command line stays short, and a slow server answers in time.
FETCH_CHUNK = 100
_BODY_KEYS = (b"BODY[]<0>", b"BODY[]")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to connect: `address` is the guard's checked address (None: by name)."""

    source: str
    host: str
    port: int
    security: str  # ssl | starttls | none
    username: str
    password: str
    timeout: float
    ca_file: str | None = None
    address: str | None = None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Cursor:
    """A folder's UIDVALIDITY and the highest UID read in it."""

    uidvalidity: int
    last_uid: int

    def __str__(self) -> str:
        return f"{self.uidvalidity}:{self.last_uid}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor a previous fetch left; None for none (or one this version cannot read,
        which restarts from the folder's first message: the store drops what it has)."""
        validity, _, uid = (text or "").partition(":")
        if not (validity.isdigit() and uid.isdigit()):
            return None
        return cls(int(validity), int(uid))


@dataclass(frozen=True, slots=True)
class Batch:
    """One run's messages, oldest first: (UID, raw bytes) pairs and what was left out."""

    cursor: Cursor
    messages: tuple[tuple[int, bytes], ...]
    oversized: int = 0
    remaining: int = 0  # newer messages left for the next runs (max_messages)


class _NamedContext(ssl.SSLContext):
    """Checks the server's certificate against the configured host name even when the socket
    goes to the address the guard checked (imapclient passes its host as server_hostname)."""

    server_name: str

    def wrap_socket(self, sock: socket.socket, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        kwargs["server_hostname"] = self.server_name
        return super().wrap_socket(sock, *args, **kwargs)


def _tls_context(endpoint: Endpoint) -> ssl.SSLContext:
    context = _NamedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.server_name = endpoint.host
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if endpoint.ca_file:
        context.load_verify_locations(cafile=endpoint.ca_file)
    else:
        context.load_default_certs()
    return context


@contextmanager
def _session(endpoint: Endpoint) -> Iterator[imapclient.IMAPClient]:
    """A logged-in client; every failure is a FetchError naming the source, never the password."""
    label = f"source {endpoint.source}"
    try:
        context = _tls_context(endpoint) if endpoint.security != "none" else None
        client = imapclient.IMAPClient(
            endpoint.address or endpoint.host,
            port=endpoint.port,
            ssl=endpoint.security == "ssl",
            ssl_context=context,
            timeout=endpoint.timeout,
        )
    except ssl.SSLCertVerificationError as exc:
        message = f"{label}: the TLS certificate of {endpoint.where} is not trusted"
        raise FetchError(f"{message} ({exc.verify_message}); see the ca_file option") from None
    except (OSError, imaplib.IMAP4.error) as exc:
        message = f"{label}: cannot connect to the IMAP server {endpoint.where}: {_reason(exc)}"
        raise FetchError(message, retryable=True) from None
    try:
        with _commands(endpoint):
            if endpoint.security == "starttls":
                client.starttls(context)
            client.login(endpoint.username, endpoint.password)
        yield client
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error, IMAPClientError):
            with contextlib.suppress(OSError):  # the connection is gone already
                client.shutdown()


@contextmanager
def _commands(endpoint: Endpoint) -> Iterator[None]:
    """Turn the errors of IMAP commands into FetchErrors naming the source."""
    label = f"source {endpoint.source}"
    try:
        yield
    except LoginError:
        # The server's words are left out: some echo the command, none is needed here.
        user = endpoint.username
        raise FetchError(
            f"{label}: IMAP login refused for user {user} at {endpoint.where}"
        ) from None
    except ssl.SSLCertVerificationError as exc:
        message = f"{label}: the TLS certificate of {endpoint.where} is not trusted"
        raise FetchError(f"{message} ({exc.verify_message}); see the ca_file option") from None
    except (OSError, imaplib.IMAP4.abort) as exc:
        message = f"{label}: the IMAP connection to {endpoint.where} failed: {_reason(exc)}"
        raise FetchError(message, retryable=True) from None
    except (imaplib.IMAP4.error, IMAPClientError) as exc:
        message = f"{label}: the IMAP server {endpoint.where} refused: {_reason(exc)}"
        raise FetchError(message) from None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def read_batch(
    endpoint: Endpoint,
    folder: str,
    previous: Cursor | None,
    *,
    max_messages: int,
    max_bytes: int,
) -> Batch:
    """The next `max_messages` messages after `previous`, oldest first, read-only (EXAMINE,
    BODY.PEEK: nothing is marked seen here); a message over `max_bytes` (by RFC822.SIZE) is
    counted, never downloaded, and no body is read past `max_bytes` either way."""
    with _session(endpoint) as client, _commands(endpoint):
        selected = client.select_folder(folder, readonly=True)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        # A changed UIDVALIDITY means the UIDs we hold name other messages now (the folder was
        # recreated, or the server rebuilt its index): start again from the folder's first
        # message. What was stored before is found again by its dedup key and not repeated.
        last = previous.last_uid if previous and previous.uidvalidity == uidvalidity else 0
        # `UID n:*` always matches the newest message, even below n: hence the filter.
        newer = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
        batch = newer[:max_messages]
        if not batch:
            return Batch(Cursor(uidvalidity, last), ())
        sizes = _fetch(client, batch, [b"RFC822.SIZE"])
        small = [
            uid for uid in batch if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) <= max_bytes
        ]
        bodies = _fetch(client, small, [f"BODY.PEEK[]<0.{max_bytes}>".encode()])
        messages = tuple((uid, body) for uid in small if (body := _body(bodies.get(uid))))
        return Batch(
            Cursor(uidvalidity, batch[-1]),
            messages,
            oversized=sum(1 for uid in batch if uid in sizes and uid not in small),
            remaining=len(newer) - len(batch),
        )


def _fetch(
    client: imapclient.IMAPClient, uids: Sequence[int], items: list[bytes]
) -> dict[int, dict[bytes, Any]]:
    """FETCH `items` of `uids`, in chunks; a message expunged meanwhile is simply absent."""
    found: dict[int, dict[bytes, Any]] = {}
    for start in range(0, len(uids), FETCH_CHUNK):
        found.update(client.fetch(list(uids[start : start + FETCH_CHUNK]), items))
    return found


def _body(data: dict[bytes, Any] | None) -> bytes | None:
    for key in _BODY_KEYS:
        if data is not None and isinstance(data.get(key), bytes):
            return bytes(data[key])
    return None


def settle_messages(
    endpoint: Endpoint,
    folder: str,
    cursor: Cursor,
    uids: Sequence[int],
    *,
    mark_seen: bool,
    move_to: str | None,
) -> None:
    """Mark the read messages seen and/or move them (MOVE, RFC 6851); never delete. Nothing
    is done when the folder's UIDVALIDITY changed since they were read: the UIDs would name
    other messages."""
    with _session(endpoint) as client, _commands(endpoint):
        selected = client.select_folder(folder)
        if int(selected[b"UIDVALIDITY"]) != cursor.uidvalidity:
            raise SourceError(f"folder {folder!r} changed (UIDVALIDITY) since it was read")
        if mark_seen:
            client.add_flags(list(uids), [imapclient.SEEN], silent=True)
        if move_to is not None:
            if not client.has_capability("MOVE"):
                raise SourceError(f"the server at {endpoint.where} cannot MOVE (RFC 6851)")
            if not client.folder_exists(move_to):
                client.create_folder(move_to)
            client.move(list(uids), move_to)
