"""One URL's send in a daemon thread, within a total time budget, with its own apprise warnings.

apprise's timeouts bound each connect and each read, not a send: a server that answers one byte
every two seconds holds a send for as long as it likes. Python cannot stop a thread, so a send
past its budget is abandoned: it is reported as failed, and its daemon thread is left to end
(or not) without ever holding up the process's exit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = ["Attempt", "send_within"]

log = logging.getLogger(__name__)

APPRISE_LOGGER = "apprise"


@dataclass(slots=True)
class Attempt:
    """How a send went: finished within its budget or not, and if finished, its result and
    the last warning apprise logged for it (the reason of a failure, not yet redacted)."""

    finished: bool = False
    ok: bool = False
    problem: str = ""
    thread: threading.Thread | None = None


class _PerThread(logging.Handler):
    """apprise logs every send to one shared logger; each send thread reads only its own
    lines, so concurrent channels never see (and report) each other's errors."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._lines: dict[int, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        lines = self._lines.get(record.thread or 0)
        if lines is not None:
            try:
                lines.append(record.getMessage())
            except Exception:  # a malformed apprise log call must not fail the send
                self.handleError(record)

    @contextmanager
    def lines(self) -> Iterator[list[str]]:
        logger = logging.getLogger(APPRISE_LOGGER)
        if logger.getEffectiveLevel() > logging.WARNING:  # `run` logs errors only
            logger.setLevel(logging.WARNING)
        ident, captured = threading.get_ident(), list[str]()
        self._lines[ident] = captured
        try:
            yield captured
        finally:
            del self._lines[ident]


_CAPTURE = _PerThread()
logging.getLogger(APPRISE_LOGGER).addHandler(_CAPTURE)


def send_within(send: Callable[[], bool], *, budget: float, name: str) -> Attempt:
    """Run `send()` in a new daemon thread and wait for it at most `budget` seconds."""
    attempt = Attempt()

    def run() -> None:
        with _CAPTURE.lines() as captured:
            try:
                attempt.ok = send()
            except Exception as exc:  # apprise plugins should not raise; one must not end a run
                log.debug("apprise raised", exc_info=True)
                attempt.problem = type(exc).__name__
            else:
                attempt.problem = _last_line(captured)

    thread = threading.Thread(target=run, name=name, daemon=True)
    attempt.thread = thread
    thread.start()
    thread.join(budget)
    attempt.finished = not thread.is_alive()
    return attempt


def _last_line(messages: list[str]) -> str:
    lines = [line.strip() for message in messages for line in message.splitlines()]
    return next((line for line in reversed(lines) if line), "")
