"""Holder liveness: a holder id is alive exactly as long as its process, whatever kills it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from aggregator.store import Store

# Another process with a store whose holder id it prints, then waits to be killed.
HOLDER = """
import sys, time
from aggregator.store import Store

store = Store(sys.argv[1])
print(store.holder, flush=True)
time.sleep(600)
"""


# PostgreSQL drops a dead session's locks once it notices the closed connection: milliseconds.
NOTICED_WITHIN = 5.0


def dead_soon(store: Store, holder: str) -> bool:
    """Whether `holder` is found dead within NOTICED_WITHIN seconds."""
    deadline = time.monotonic() + NOTICED_WITHIN
    while store.living([holder]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return store.living([holder]) == set()


@pytest.fixture
def other_holder(store: Store, store_url: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    holder = process.stdout.readline().strip()
    yield process, holder
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    process.stdout.close()


def test_a_holder_id_names_the_host_and_the_pid(store: Store) -> None:
    host, pid, suffix = store.holder.split(":")

    assert (host, pid) == (socket.gethostname()[:32], str(os.getpid()))
    assert len(suffix) >= 8


def test_the_holders_of_this_process_are_alive(store: Store, store_url: str) -> None:
    second = Store(store_url)
    try:
        assert store.living([store.holder, second.holder]) == {store.holder, second.holder}
        assert store.holder != second.holder
    finally:
        second.dispose()


def test_another_live_process_is_alive_until_it_is_killed(
    store: Store, other_holder: tuple[subprocess.Popen[str], str]
) -> None:
    process, holder = other_holder
    assert store.living([holder]) == {holder}

    process.kill()  # SIGKILL: no clean-up of any kind
    process.wait(timeout=30)

    assert dead_soon(store, holder)


def test_a_holder_that_was_disposed_of_is_dead(store: Store, store_url: str) -> None:
    gone = Store(store_url)
    holder = gone.holder
    gone.dispose()

    assert store.living([holder]) == set()


def test_an_id_that_no_process_ever_held_is_dead(store: Store) -> None:
    assert store.living(["elsewhere:1:0123456789abcdef"]) == set()


def test_a_killed_sqlite_holder_leaves_nothing_behind_after_the_next_start(
    store: Store, store_url: str, other_holder: tuple[subprocess.Popen[str], str]
) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL keeps nothing on disk")
    process, _holder = other_holder
    ours = store.holder
    folder = Path(f"{make_url(store_url).database}-holders")
    assert len(list(folder.iterdir())) == 2  # this test's store and the other process

    process.kill()
    process.wait(timeout=30)
    later = Store(store_url)
    assert later.holder  # the first holder a process takes sweeps the files of dead ones
    later.dispose()  # and its own goes with it

    assert [path.name for path in folder.iterdir()] == [ours.replace(":", "_") + ".lock"]


# A process with a holder id and a forked parse worker busy for ten minutes.
HOLDER_WITH_WORKER = """
import os, sys, threading, time
from aggregator.pipeline.isolation import WorkerPool
from aggregator.store import Store

def spin():
    while True:
        pass

store = Store(sys.argv[1])
holder = store.holder
pool = WorkerPool(1)
worker = pool.run(os.getpid, timeout=60)
threading.Thread(target=pool.run, args=(spin,), kwargs={"timeout": 600}, daemon=True).start()
print(holder, worker, flush=True)
time.sleep(600)
"""


def test_a_killed_holder_is_dead_even_while_its_forked_parse_worker_lives_on(
    store: Store, store_url: str
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER_WITH_WORKER, store_url], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    holder, worker = process.stdout.readline().split()
    try:
        process.kill()
        process.wait(timeout=30)

        assert dead_soon(store, holder)
    finally:
        os.kill(int(worker), signal.SIGKILL)  # the orphan worker, still parsing
        process.stdout.close()


def test_the_postgresql_liveness_session_is_found_dead_within_seconds_of_a_power_cut(
    store: Store, store_url: str
) -> None:
    """A power cut cannot be played on 127.0.0.1; what decides how soon the server frees a
    vanished machine's locks is the TCP keepalive of the holder's session, asked of it here."""
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite a power cut takes the holders' machine down too")
    assert store.holder
    session = store._liveness._connection  # type: ignore[attr-defined]

    settings = {
        name: int(session.execute(text(f"SHOW {name}")).scalar_one())
        for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
    }

    idle, interval, count = settings.values()
    assert 0 < idle + interval * count <= 60
