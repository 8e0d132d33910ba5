"""A real HTTP server on 127.0.0.1 for fetch tests: each route is a canned or computed reply."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

__all__ = ["LocalServer", "Reply", "Seen"]


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    path: str  # with the query string
    headers: Mapping[str, str]  # lowercase names
    at: float  # time.monotonic() on arrival
    method: str = "GET"
    body: bytes = b""


@dataclass(frozen=True)
class Reply:
    """What to answer; `chunks` are sent one by one, `delay` seconds apart, without a length."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    chunks: Sequence[bytes] | None = None
    delay: float = 0.0


Route = Reply | Callable[[Seen], Reply]


class LocalServer:
    """`with LocalServer() as server: server.route("/feed", Reply(body=...))` -> a URL."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.app = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def answer(self, seen: Seen) -> Reply:
        self.seen.append(seen)
        route = self.routes.get(urlsplit(seen.path).path)
        if route is None:
            return Reply(status=404, body=b"not here")
        return route if isinstance(route, Reply) else route(seen)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            at=time.monotonic(),
            method=self.command,
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.app.answer(seen)  # type: ignore[attr-defined]
        # The client may give up mid-body (a deadline or a cap): expected in tests.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.chunks is None and "Content-Length" not in reply.headers:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.chunks is None:
            self.wfile.write(reply.body)
            return
        for chunk in reply.chunks:
            time.sleep(reply.delay)
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet
