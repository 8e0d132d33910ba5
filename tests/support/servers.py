"""Real servers on 127.0.0.1 for tests: a feed server with editable routes and an SMTP sink."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.http_server import LocalServer, Reply, Seen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class FeedServer(LocalServer):
    """A LocalServer with a shorthand for serving a fixed document at a path."""

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        return self.route(path, Reply(status=status, body=data, headers=headers or {}))

    @property
    def requests(self) -> list[Seen]:
        return self.seen


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it receives."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[EmailMessage] = []
        self._sessions: list[Any] = []  # the SMTP session (one per connection) of each message
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self._sessions.append(session)
        return "250 OK"

    @property
    def connections(self) -> int:
        """How many SMTP connections delivered the messages received so far."""
        with self._lock:
            return len({id(session) for session in self._sessions})

    def apprise_url(self, to: str = "me@example.com") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@example.com&to={to}&mode=insecure"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def rss(items: list[dict[str, str]], title: str = "Test feed") -> str:
    """A small RSS 2.0 document; item keys: title, link, guid, description, category."""
    parts = []
    for item in items:
        fields = "".join(
            f"<{key}>{value}</{key}>"
            if key != "description"
            else f"<description><![CDATA[{value}]]></description>"
            for key, value in item.items()
        )
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.test/</link><description>t</description>"
        + "".join(parts)
        + "</channel></rss>"
    )


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def iter_text(messages: list[EmailMessage]) -> Iterator[str]:
    for message in messages:
        yield f"{message['Subject']}\n{body_text(message)}"
