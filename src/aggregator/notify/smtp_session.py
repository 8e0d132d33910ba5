"""One SMTP connection per e-mail URL across a delivery pass, inside apprise's own e-mail plugin.

apprise opens, authenticates and quits one SMTP connection per message. Its plugin builds the
message and hands it to `AppriseSMTPController`; `KeptConnection` replaces that controller while
a `Session` is active in the sending thread: the first message opens the connection as apprise
would (same host, port, TLS mode, login), the next ones reuse it, and the session's owner quits
it at the end of the pass. Everything the message is made of (headers, Message-ID, parts) stays
apprise's. A reused connection the server has dropped meanwhile is reopened once per message.
"""

from __future__ import annotations

import contextlib
import smtplib
from collections.abc import Iterator
from contextvars import ContextVar
from types import TracebackType

from apprise.logger import logger as apprise_log
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController

__all__ = ["KeptConnection", "Session", "active"]

QUIT_TIMEOUT = 5.0  # seconds a QUIT at the end of a pass may take before the socket is dropped

_session: ContextVar[Session | None] = ContextVar("aggregator_smtp_session", default=None)


class Session:
    """The open SMTP connection of one e-mail URL (at most one), reused by its sends."""

    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None
        self.opened = 0  # connections opened so far (tests and the benchmark count them)
        self._identity: tuple[object, ...] | None = None

    def take(self, identity: tuple[object, ...]) -> smtplib.SMTP | None:
        """The open connection to the same server as the same user, if there is one."""
        return self.connection if identity == self._identity else None

    def keep(self, connection: smtplib.SMTP, identity: tuple[object, ...]) -> None:
        self.close()
        self.connection, self._identity = connection, identity
        self.opened += 1

    def close(self) -> None:
        """QUIT, briefly; a server that does not answer only loses its socket."""
        connection, self.connection, self._identity = self.connection, None, None
        if connection is None:
            return
        with contextlib.suppress(*SMTP_EXCEPTIONS):
            if connection.sock is not None:
                connection.sock.settimeout(QUIT_TIMEOUT)
            connection.quit()
        with contextlib.suppress(*SMTP_EXCEPTIONS):
            connection.close()


@contextlib.contextmanager
def active(session: Session | None) -> Iterator[None]:
    """Let the e-mails sent in this thread (within the block) use `session`'s connection."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


class KeptConnection(AppriseSMTPController):
    """apprise's SMTP controller, keeping its connection in the thread's `Session` (if any)."""

    _reused = False
    _socket: smtplib.SMTP | None  # type: ignore[assignment]  # apprise sets it in __enter__

    def _identity(self) -> tuple[object, ...]:
        return (self.host, self.port, self.secure_mode, self.user, self.password)

    def __enter__(self) -> KeptConnection:
        session = _session.get()
        if session is None:
            super().__enter__()
            return self
        kept = session.take(self._identity())
        if kept is not None:
            self._socket, self._reused = kept, True
            return self
        session.close()
        super().__enter__()  # connects, secures and logs in exactly as apprise does
        session.keep(self._socket, self._identity())  # type: ignore[arg-type]
        return self

    def sendmail(self, from_addr: str, to_addrs: list[str], message: str) -> bool:
        session = _session.get()
        if session is None or not self._reused:
            return bool(super().sendmail(from_addr, to_addrs, message))
        try:
            assert self._socket is not None  # a reused connection
            refused = self._socket.sendmail(from_addr, to_addrs, message)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            # The server closed the connection while it sat between two messages (an idle
            # timeout, a cap on messages per connection): open a fresh one, once.
            apprise_log.debug("SMTP connection dropped; reconnecting once")
            session.close()
            self._reused = False
            super().__enter__()
            session.keep(self._socket, self._identity())  # type: ignore[arg-type]
            return bool(super().sendmail(from_addr, to_addrs, message))
        except SMTP_EXCEPTIONS as exc:
            apprise_log.debug("Socket Exception: %s", exc)
            return False
        if refused:
            for address, (code, answer) in refused.items():
                apprise_log.warning("SMTP recipient %s was refused: %s %s", address, code, answer)
            return False
        return True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session = _session.get()
        if session is None or session.connection is not self._socket:
            super().__exit__(exc_type, exc, traceback)
        elif exc_type is not None:
            session.close()  # never reuse a connection in an unknown state
