"""Parse worker processes: a crash or a runaway task fails that task only."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from aggregator.errors import SourceError
from aggregator.pipeline.isolation import IsolationError, WorkerPool


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def spin() -> None:
    while True:
        pass


def refuse() -> None:
    raise SourceError("not a feed")


def hog_memory() -> int:
    return len(bytearray(4 * 1024**3))


def pid() -> int:
    return os.getpid()


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(1, memory_limit=1024**3)
    yield workers
    workers.close()


def test_a_task_runs_in_another_process_and_returns_its_result(pool: WorkerPool) -> None:
    assert pool.run(len, b"abc", timeout=30) == 3
    assert pool.run(pid, timeout=30) != os.getpid()


def test_the_worker_is_reused_between_tasks(pool: WorkerPool) -> None:
    assert pool.run(pid, timeout=30) == pool.run(pid, timeout=30)


def test_a_worker_that_segfaults_fails_its_task_and_is_replaced(pool: WorkerPool) -> None:
    before = pool.run(pid, timeout=30)
    with pytest.raises(IsolationError, match=r"the parser crashed \(killed by signal 11\)"):
        pool.run(segfault, timeout=30)
    after = pool.run(pid, timeout=30)
    assert after != before


def test_a_task_past_its_deadline_is_stopped_and_named(pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(IsolationError, match=r"parsing took longer than 0\.5 s; stopped"):
        pool.run(spin, timeout=0.5)
    assert time.monotonic() - started < 10
    assert pool.run(len, "ok", timeout=30) == 2


def test_an_exception_in_the_task_is_raised_in_the_caller(pool: WorkerPool) -> None:
    with pytest.raises(SourceError, match="not a feed"):
        pool.run(refuse, timeout=30)


def test_a_task_past_the_memory_limit_fails_with_memory_error(pool: WorkerPool) -> None:
    with pytest.raises(MemoryError):
        pool.run(hog_memory, timeout=30)
    assert pool.run(len, "still here", timeout=30) == 10
