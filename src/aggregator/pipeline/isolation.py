"""Parsing in reusable worker processes: a native crash or a runaway parse fails one source only.

Each worker is a process serving one task at a time over a pipe. A task that runs past its
deadline gets its worker killed (Python cannot stop a thread stuck in C code); a worker that
dies (selectolax has had segfaults) fails only the task it held. Either way a fresh worker takes
its place, and the other sources' parses go on in the other workers. Workers live until the
process exits, so a run pays their start-up once. On Linux they are forked (a few ms, nothing
to import again; a worker only parses, so the parent's threads and locks do not matter to it);
elsewhere they are spawned.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import faulthandler
import importlib
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from aggregator.adapters.base import Adapter, Page
from aggregator.errors import ParseError, SourceError, describe_error
from aggregator.models import Posting, RawPosting

__all__ = [
    "IsolationError",
    "ParsedSource",
    "WorkerPool",
    "parse_pages",
    "parse_source",
    "shared_pool",
    "stop_workers",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

_CONTEXT = (
    multiprocessing.get_context("fork")
    if sys.platform == "linux"
    else multiprocessing.get_context("spawn")
)
START_METHOD = _CONTEXT.get_start_method()
START_TIMEOUT = 60.0  # seconds a new worker may take to import the parsers
_READY = "ready"
# The parent decides when workers stop: Ctrl-C and `kill -TERM -PGID` reach the whole process
# group, and a worker must neither die mid-task nor print a traceback for them.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class IsolationError(ParseError):
    """A parse was stopped (deadline) or its worker died (a crash in native code)."""


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedSource:
    """One source's parsed pages: the postings, and how many pages gave none."""

    postings: list[Posting]
    empty_pages: int = 0


def parse_source(adapter: Adapter[Any], pages: Sequence[Page], now: datetime) -> list[Posting]:
    """Parse and normalize one source's pages with its ready adapter (sent to the worker as it
    is): the work a worker does (both steps run native HTML parsers, selectolax and nh3)."""
    return parse_pages(adapter, pages, now).postings


def parse_pages(adapter: Adapter[Any], pages: Sequence[Page], now: datetime) -> ParsedSource:
    """`parse_source`, counting the pages that gave no posting (for `Adapter.unparsed_note`)."""
    # Imported here: the pipeline imports this module, and a worker needs only these.
    from aggregator.credentials import option_secrets
    from aggregator.normalize.postings import normalize_all

    try:
        per_page = [adapter.parse(page.body, url=page.url) for page in pages]
        raws = [raw for found in per_page for raw in found]
        secrets = option_secrets(adapter.options, adapter.source.url).values
        if secrets:  # what a board echoes of our keys stays out of the store and the alerts
            raws = [_without_secrets(raw, secrets) for raw in raws]
        postings = normalize_all(raws, source=adapter.source.name, now=now)
        return ParsedSource(postings, empty_pages=sum(1 for found in per_page if not found))
    except (ValueError, OSError, RecursionError) as exc:
        # What a hostile or broken document makes a parser raise; other exceptions are bugs
        # and reach the pipeline as what they are.
        error = ParseError(describe_error(exc))
        # The cause does not survive the worker's pipe (pickling drops __cause__); a note does,
        # so `--debug` still shows where the parser failed.
        error.add_note("".join(traceback.format_exception(exc)).rstrip())
        raise error from exc


def _without_secrets(raw: RawPosting, secrets: frozenset[str]) -> RawPosting:
    from aggregator.credentials import strip_secrets

    fields = dataclasses.fields(raw)
    return dataclasses.replace(
        raw, **{field.name: strip_secrets(getattr(raw, field.name), secrets) for field in fields}
    )


class _Worker:
    """One spawned process and the parent's end of its pipe."""

    def __init__(
        self, memory_limit: int | None, siblings: Sequence[Connection], modules: Sequence[str]
    ) -> None:
        self.conn, child = _CONTEXT.Pipe()
        # A forked child holds copies of the parent's pipe ends, which would keep a worker from
        # seeing EOF when the parent dies; it closes them first.
        inherited = [self.conn, *siblings] if START_METHOD == "fork" else []
        self.process: BaseProcess = _CONTEXT.Process(
            target=_serve,
            args=(child, memory_limit, inherited, tuple(modules)),
            name="aggregator-parse",
            daemon=True,
        )
        # Blocked across the start: a forked child runs the parent's Python handlers until
        # `_serve` ignores these signals, and one arriving in between would print a traceback.
        # The child unblocks them once ignored; a pending one is then dropped.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            self.process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(START_TIMEOUT) or self.conn.recv() != _READY:
            raise IsolationError("the parser worker did not start")
        self.ready = True

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """Up to `size` workers, started on first use and reused for every later task."""

    def __init__(self, size: int = 2, *, memory_limit: int | None = None) -> None:
        self.size = size
        self.memory_limit = memory_limit
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._started = 0
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._stopped = False
        self._modules: dict[str, None] = {}  # ordered set

    def preload(self, modules: Iterable[str]) -> None:
        """Have workers started from now on import `modules` before they take work (the
        adapters' `parse_modules`): a spawned worker would otherwise import a parser inside
        its first task's deadline. A forked worker has them from its parent already."""
        self._modules.update(dict.fromkeys(modules))

    def warm(self, count: int = 1) -> None:
        """Have at least `count` workers started (they start in the background), so a parse
        that comes soon need not wait for one."""
        while self._started < min(count, self.size) and self._start_one():
            pass

    def run(self, function: Callable[..., T], *args: Any, timeout: float) -> T:
        """`function(*args)` in a worker, blocking; IsolationError past `timeout` seconds or if
        the worker dies; an exception the function raised is raised here."""
        worker = self._checkout()
        try:
            worker.wait_ready()
            worker.conn.send((function, args))
            if not worker.conn.poll(timeout):
                self._discard(worker)
                raise IsolationError(f"parsing took longer than {timeout:g} s; stopped")
            status, value = worker.conn.recv()
        except (EOFError, OSError):
            reason = _exit_reason(worker)  # before _discard, which kills a worker still alive
            self._discard(worker)
            raise IsolationError(f"the parser crashed ({reason})") from None
        except BaseException:
            self._discard(worker)
            raise
        self._idle.put(worker)
        if status == "error":
            raise value
        result: T = value
        return result

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.stop()

    def _checkout(self) -> _Worker:
        """An idle worker; a new one while below `size`; else wait for one to come back."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            self._start_one()
        while not self._stopped:  # after a stop, no worker would ever come back
            with contextlib.suppress(queue.Empty):
                return self._idle.get(timeout=0.2)
        raise IsolationError("parsing stopped: the process is stopping")

    def stop_now(self) -> None:
        """Kill every worker at once and start no new one: the process is stopping. Takes no
        lock, so that a signal handler may call it whatever the interrupted code holds; a task
        waiting for a worker fails with IsolationError."""
        self._stopped = True
        for worker in list(self._workers):  # a copy made in one step, under the GIL
            with contextlib.suppress(OSError, ValueError, AttributeError):
                worker.process.kill()

    def _start_one(self) -> bool:
        with self._lock:
            if self._started >= self.size or self._stopped:
                return False
            self._started += 1
            worker = _Worker(
                self.memory_limit, [w.conn for w in self._workers], list(self._modules)
            )
            self._workers.add(worker)
        self._idle.put(worker)
        return True

    def _discard(self, worker: _Worker) -> None:
        """Replace a killed or dead worker (a task waiting for one gets the new one)."""
        worker.stop()
        with self._lock:
            self._workers.discard(worker)
            self._started -= 1
        self._start_one()


def _exit_reason(worker: _Worker) -> str:
    worker.process.join(timeout=5)
    code = worker.process.exitcode
    if code is None:
        return "no answer"
    if code < 0:
        return f"killed by signal {-code}"
    return f"exit status {code}"


def _serve(
    conn: Connection,
    memory_limit: int | None,
    inherited: Sequence[Connection],
    modules: Sequence[str] = (),
) -> None:
    """A worker's loop: run each task it is sent and send back ("ok", result) or ("error", exc)."""
    for other in inherited:
        other.close()
    faulthandler.disable()  # the parent reports a crash, with its signal
    for signum in _STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # a forked copy of the event loop's wake-up pipe is not ours
    if memory_limit is not None:
        _limit_memory(memory_limit)
    # Import the parsers before saying ready, so start-up does not count against a deadline:
    # normalization's, and those of the adapters the pool was told of (`preload`).
    import aggregator.normalize.postings  # noqa: F401

    for module in modules:
        with contextlib.suppress(Exception):  # a broken plug-in fails its own parse, not this
            importlib.import_module(module)

    conn.send(_READY)
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:  # sent back and raised in the parent
            reply = ("error", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result or exception
            conn.send(("error", SourceError(f"{type(exc).__name__}: {exc}")))


def _limit_memory(limit: int) -> None:
    """Let the worker's address space grow by at most `limit` bytes beyond its size now (a
    forked worker starts as large as its parent)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    with contextlib.suppress(ValueError, OSError):
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
        limit += pages * os.sysconf("SC_PAGE_SIZE")
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_shared: WorkerPool | None = None
_shared_lock = threading.Lock()


def stop_workers() -> None:
    """Kill the shared pool's workers now (a run or the daemon is stopping); safe to call from
    a signal handler."""
    if _shared is not None:
        _shared.stop_now()


def shared_pool(size: int = 2, *, memory_limit: int | None = None) -> WorkerPool:
    """The process-wide pool, closed at exit; the first caller's size and limit are kept."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = WorkerPool(max(1, min(size, os.cpu_count() or 1)), memory_limit=memory_limit)
            atexit.register(_shared.close)
        return _shared
