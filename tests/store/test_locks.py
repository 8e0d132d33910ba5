"""The run lock: one holder at a time, released on exit, taken over when its lease expires."""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from datetime import timedelta

import pytest

from aggregator.store import RunLockBusy, Store

NO_WAIT = timedelta(0)
LONG = timedelta(minutes=10)


def _lock_and_leave(store: Store, name: str = "run", *, wait: timedelta = NO_WAIT) -> None:
    with store.run_lock(name, wait=wait, lease=LONG):
        pass


def test_run_lock_is_busy_while_another_holder_has_it(store: Store) -> None:
    with (
        store.run_lock(wait=NO_WAIT, lease=LONG),
        pytest.raises(RunLockBusy, match="'run' is held") as busy,
    ):
        _lock_and_leave(store, wait=timedelta(seconds=0.3))

    assert busy.value.name == "run"
    assert busy.value.expires_at is not None


def test_run_lock_waits_up_to_the_given_time_before_giving_up(store: Store) -> None:
    with store.run_lock(wait=NO_WAIT, lease=LONG):
        started = time.monotonic()
        with pytest.raises(RunLockBusy):
            _lock_and_leave(store, wait=timedelta(seconds=0.6))
        waited = time.monotonic() - started

    assert 0.6 <= waited < 5


def test_run_lock_is_free_again_after_the_block(store: Store) -> None:
    _lock_and_leave(store)

    _lock_and_leave(store)


def test_run_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), store.run_lock(wait=NO_WAIT, lease=LONG):
        raise RuntimeError("run failed")

    _lock_and_leave(store)


def test_locks_with_different_names_do_not_block_each_other(store: Store) -> None:
    with store.run_lock("run", wait=NO_WAIT, lease=LONG):
        _lock_and_leave(store, "deliver")


def test_a_waiting_run_gets_the_lock_when_the_holder_releases_it(store: Store) -> None:
    released = threading.Event()

    def holder() -> None:
        with store.run_lock(wait=NO_WAIT, lease=LONG):
            acquired.set()
            time.sleep(0.5)
        released.set()

    acquired = threading.Event()
    thread = threading.Thread(target=holder)
    thread.start()
    assert acquired.wait(timeout=10)

    with store.run_lock(wait=timedelta(seconds=10), lease=LONG):
        assert released.is_set()
    thread.join()


def test_an_expired_lease_is_taken_over(store: Store) -> None:
    with store.run_lock(wait=NO_WAIT, lease=timedelta(milliseconds=50)):
        time.sleep(0.1)  # the holder "crashed": its lease ran out
        _lock_and_leave(store)


def test_a_stale_holder_leaving_does_not_release_the_new_holders_lock(store: Store) -> None:
    with ExitStack() as new_holder:
        with store.run_lock(wait=NO_WAIT, lease=timedelta(milliseconds=50)):
            time.sleep(0.1)
            new_holder.enter_context(store.run_lock(wait=NO_WAIT, lease=LONG))
        # the stale holder has left; the new holder must still own the lock
        with pytest.raises(RunLockBusy):
            _lock_and_leave(store)

    _lock_and_leave(store)
