"""Parse workers and stop signals: the parent decides when workers stop, and a stop is at once."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from aggregator.pipeline.isolation import IsolationError, WorkerPool


def pid() -> int:
    return os.getpid()


def spin() -> None:
    while True:
        pass


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_worker_ignores_a_stop_signal_sent_to_the_process_group(signum: int) -> None:
    pool = WorkerPool(1)
    try:
        worker = pool.run(pid, timeout=30)

        os.kill(worker, signum)  # what `kill -TERM -PGID` or Ctrl-C delivers to each process

        assert pool.run(pid, timeout=30) == worker
    finally:
        pool.close()


def test_stopping_the_pool_ends_a_running_task_at_once_and_refuses_new_ones() -> None:
    pool = WorkerPool(1)
    errors: list[BaseException] = []

    def parse_forever() -> None:
        try:
            pool.run(spin, timeout=600)
        except IsolationError as exc:
            errors.append(exc)

    pool.run(pid, timeout=30)  # a worker is up
    thread = threading.Thread(target=parse_forever)
    thread.start()

    pool.stop_now()  # whether the task has reached the worker yet or not
    thread.join(timeout=30)

    assert not thread.is_alive()
    assert len(errors) == 1
    with pytest.raises(IsolationError):
        pool.run(pid, timeout=30)
    pool.close()
