"""The `imap` adapter: alert e-mails read from one IMAP folder, newest UIDs only, never deleted."""

from __future__ import annotations

import asyncio
import ipaddress
import re
from typing import TYPE_CHECKING, ClassVar, Literal
from urllib.parse import quote

from pydantic import Field, SecretStr, model_validator

from aggregator.adapters.base import AdapterOptions, FetchResult, FetchState, Page
from aggregator.adapters.mail.imap_session import (
    Batch,
    Cursor,
    Endpoint,
    read_batch,
    settle_messages,
)
from aggregator.adapters.mail.source import (
    MESSAGE_TYPE,
    MailAdapter,
    MailOptions,
    oversized_note,
)
from aggregator.errors import FetchError
from aggregator.fetch.netguard import AddressGuard, PrivateAddressError

if TYPE_CHECKING:
    from aggregator.fetch.client import HttpClient

__all__ = ["ImapAdapter", "ImapOptions", "message_url"]

NAME = "imap"
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
_URL_UID = re.compile(r";UIDVALIDITY=(\d+)/;UID=(\d+)$")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":  # RFC 6761: always the loopback
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ImapOptions(MailOptions):
    host: str = Field(min_length=1, description="the IMAP server, e.g. imap.gmail.com")
    port: int | None = Field(None, ge=1, le=65535, description="default 993 (ssl), 143 (starttls)")
    security: Literal["ssl", "starttls", "none"] = Field(
        "ssl", description="ssl (IMAPS), starttls; none only for a server on the loopback"
    )
    username: str = Field(min_length=1)
    password: SecretStr = Field(description="an app password, as ${ENV_VAR}")
    folder: str = Field("INBOX", min_length=1, description="a folder that receives the alerts")
    mark_seen: bool = Field(False, description="mark read messages seen, once stored")
    move_to: str | None = Field(None, min_length=1, description="move read messages there")
    ca_file: str | None = Field(None, description="CA certificates to trust (a private CA)")
    timeout: float = Field(30.0, gt=0, le=300, description="seconds per connect and command")

    @model_validator(mode="after")
    def _checked(self) -> ImapOptions:
        if self.security == "none" and not _is_loopback(self.host):
            raise ValueError(
                f"security: none sends the password in the clear; it is allowed only for a "
                f"server on the loopback (127.0.0.1, ::1, localhost), not {self.host}"
            )
        if self.move_to is not None and self.move_to == self.folder:
            raise ValueError(f"move_to is the folder itself ({self.folder})")
        return self

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


def message_url(options: ImapOptions, cursor: Cursor, uid: int) -> str:
    """RFC 5092's URL of one message, `imap://host:port/folder;UIDVALIDITY=v/;UID=n`, without
    the user (a Page's URL has no userinfo: it is a base for links and shown in listings)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    folder = quote(options.folder, safe="")
    return (
        f"imap://{host}:{options.effective_port}/{folder}"
        f";UIDVALIDITY={cursor.uidvalidity}/;UID={uid}"
    )


class ImapAdapter(MailAdapter[ImapOptions]):
    """One IMAP folder: each run reads the messages with a UID above the last one read (in
    source state, with the folder's UIDVALIDITY), oldest first, at most `max_messages`.

    The host is written in the config, so it is the source's home, trusted like a home URL:
    a server on the LAN is fine. With `allow_private: false` the host must resolve to public
    addresses only, and the connection goes to the address checked (no second DNS answer)."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = ImapOptions

    def home_urls(self) -> tuple[str, ...]:
        return ()  # no HTTP request is ever made

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        options = self.options
        endpoint = await self._endpoint()
        batch: Batch = await asyncio.to_thread(
            read_batch,
            endpoint,
            options.folder,
            Cursor.parse(state.cursor),
            max_messages=options.max_messages,
            max_bytes=options.max_message_bytes,
        )
        pages = tuple(
            Page(message_url(options, batch.cursor, uid), body, MESSAGE_TYPE)
            for uid, body in batch.messages
        )
        notes: list[str] = []
        if batch.oversized:
            notes.append(oversized_note(batch.oversized, options.max_message_bytes))
        if batch.remaining:
            notes.append(f"{batch.remaining} newer messages left for the next runs")
        return FetchResult(pages=pages, cursor=str(batch.cursor), notes=tuple(notes))

    async def settle(self, result: FetchResult) -> None:
        """Mark seen / move the messages just stored (a new connection: the fetch's is gone)."""
        options = self.options
        if not (options.mark_seen or options.move_to) or not result.pages:
            return
        read = [_URL_UID.search(page.url) for page in result.pages]
        uids = [int(found.group(2)) for found in read if found]
        validity = {int(found.group(1)) for found in read if found}
        if not uids or len(validity) != 1:
            return
        cursor = Cursor(validity.pop(), max(uids))
        endpoint = await self._endpoint()
        await asyncio.to_thread(
            settle_messages,
            endpoint,
            options.folder,
            cursor,
            uids,
            mark_seen=options.mark_seen,
            move_to=options.move_to,
        )

    async def _endpoint(self) -> Endpoint:
        options = self.options
        port = options.effective_port
        address = None
        if self.source.allow_private is False:
            try:
                checked = await AddressGuard().public_addresses(options.host, port)
            except PrivateAddressError as exc:
                raise FetchError(
                    f"source {self.source.name}: refusing the IMAP server {exc} "
                    "(the source has allow_private: false)",
                    refused=True,
                ) from None
            except OSError as exc:
                message = f"source {self.source.name}: cannot resolve {options.host}: {exc}"
                raise FetchError(message, retryable=True) from None
            address = str(checked[0])
        return Endpoint(
            source=self.source.name,
            host=options.host,
            port=port,
            security=options.security,
            username=options.username,
            password=options.password.get_secret_value(),
            timeout=options.timeout,
            ca_file=options.ca_file,
            address=address,
        )
