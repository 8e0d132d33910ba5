"""The run lock: one holder at a time, released on exit, free at once when its holder dies."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.store import RunLockBusy, Store

NO_WAIT = timedelta(0)
# PostgreSQL drops a dead session's locks once it notices the closed connection: milliseconds.
NOTICED = timedelta(seconds=5)

# Another process that takes the run lock and keeps it until it is killed.
HOLDER = """
import sys, time
from datetime import timedelta
from aggregator.store import Store

store = Store(sys.argv[1])
with store.run_lock("run", wait=timedelta(0)):
    print("holding", flush=True)
    time.sleep(600)
"""


def _lock_and_leave(store: Store, name: str = "run", *, wait: timedelta = NO_WAIT) -> None:
    with store.run_lock(name, wait=wait):
        pass


@pytest.fixture
def other_process(store: Store, store_url: str) -> Iterator[subprocess.Popen[str]]:
    """A real process holding the run lock of the test's database."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "holding"
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    process.stdout.close()


def test_run_lock_is_busy_while_another_holder_has_it(store: Store) -> None:
    with (
        store.run_lock(wait=NO_WAIT),
        pytest.raises(RunLockBusy, match="'run' is held") as busy,
    ):
        _lock_and_leave(store, wait=timedelta(seconds=0.3))

    assert busy.value.name == "run"
    assert busy.value.holder == f"{socket.gethostname()}:{os.getpid()}"


def test_run_lock_waits_up_to_the_given_time_before_giving_up(store: Store) -> None:
    with store.run_lock(wait=NO_WAIT):
        started = time.monotonic()
        with pytest.raises(RunLockBusy):
            _lock_and_leave(store, wait=timedelta(seconds=0.6))
        waited = time.monotonic() - started

    assert 0.6 <= waited < 5


def test_run_lock_is_free_again_after_the_block(store: Store) -> None:
    _lock_and_leave(store)

    _lock_and_leave(store)


def test_run_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), store.run_lock(wait=NO_WAIT):
        raise RuntimeError("run failed")

    _lock_and_leave(store)


def test_locks_with_different_names_do_not_block_each_other(store: Store) -> None:
    with store.run_lock("run", wait=NO_WAIT):
        _lock_and_leave(store, "deliver")


def test_a_waiting_run_gets_the_lock_when_the_holder_releases_it(store: Store) -> None:
    released = threading.Event()

    def holder() -> None:
        with store.run_lock(wait=NO_WAIT):
            acquired.set()
            time.sleep(0.5)
        released.set()

    acquired = threading.Event()
    thread = threading.Thread(target=holder)
    thread.start()
    assert acquired.wait(timeout=10)

    with store.run_lock(wait=timedelta(seconds=10)):
        assert released.is_set()
    thread.join()


def test_a_lock_held_by_another_live_process_names_its_host_pid_and_since(
    store: Store, other_process: subprocess.Popen[str]
) -> None:
    with pytest.raises(RunLockBusy) as busy:
        _lock_and_leave(store)

    assert busy.value.holder == f"{socket.gethostname()}:{other_process.pid}"
    assert busy.value.since is not None
    assert abs(busy.value.since - datetime.now(UTC)) < timedelta(minutes=1)
    assert f"{socket.gethostname()}:{other_process.pid}" in str(busy.value)


def test_a_lock_whose_holder_was_killed_is_free_at_once(
    store: Store, other_process: subprocess.Popen[str]
) -> None:
    other_process.kill()  # SIGKILL: nothing gets to release the lock
    other_process.wait(timeout=30)

    _lock_and_leave(store, wait=NOTICED)  # the holder is dead, whatever its row says


def test_a_lock_taken_over_from_a_dead_holder_belongs_to_the_new_holder(
    store: Store, store_url: str, other_process: subprocess.Popen[str]
) -> None:
    other_process.kill()
    other_process.wait(timeout=30)
    second = Store(store_url)  # a second process's store on the same database
    try:
        with store.run_lock(wait=NOTICED), pytest.raises(RunLockBusy):
            _lock_and_leave(second)
    finally:
        second.dispose()

    _lock_and_leave(store)
