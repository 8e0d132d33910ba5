"""The daemon: APScheduler 3 runs each source on its interval, plus a delivery job for retries."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aggregator.config.model import SourceConfig
from aggregator.models import DeliveryResult
from aggregator.pipeline.cycle import Pipeline
from aggregator.pipeline.isolation import stop_workers

__all__ = ["Daemon"]

log = logging.getLogger(__name__)

DELIVERY_INTERVAL = timedelta(seconds=30)
# How long a stop waits for the jobs in flight before cancelling them; with the deliverer's
# grace for a message in flight, the daemon is gone well within `docker stop`'s 10 s.
DRAIN_TIMEOUT = timedelta(seconds=5)
MAX_JITTER = timedelta(minutes=5)
SUMMARY_TITLES = 10  # listing titles named in a delivery pass's log line


class Daemon:
    """Schedules the pipeline's jobs and stops cleanly on SIGTERM or SIGINT."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.stop_requested = asyncio.Event()
        self._stop_sending = threading.Event()  # seen by the delivery thread
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._delivery_lock = asyncio.Lock()
        self._scheduler: AsyncIOScheduler | None = None

    async def run(self) -> None:
        """Run until a stop is requested, then let the jobs in flight finish."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.request_stop)
        scheduler = self._scheduler = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._add_jobs(scheduler)
        scheduler.start()
        log.info("daemon started with %d source(s)", len(self.pipeline.config.sources))
        for source in self.pipeline.config.sources:
            if source.enabled:
                log.info("source %s: first due %s", source.name, self._next_due(source))
        try:
            await self.stop_requested.wait()
        finally:
            scheduler.pause()
            await self._drain()
            scheduler.shutdown(wait=False)
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
            log.info("daemon stopped")

    def request_stop(self) -> None:
        log.info("stop requested; finishing the jobs in flight")
        self.stop_requested.set()
        self._stop_sending.set()

    def _add_jobs(self, scheduler: AsyncIOScheduler) -> None:
        now = self.pipeline.clock()
        states = self.pipeline.store.source_states()
        for source in self.pipeline.config.sources:
            if not source.enabled:
                continue
            state = states.get(source.name)
            first = state.next_due_at if state and state.next_due_at else now
            # Spread the first runs a little so that a restart does not fire every source at once.
            first = max(first, now) + timedelta(seconds=random.uniform(0, 3))
            jitter = min(source.interval * 0.1, MAX_JITTER).total_seconds()
            scheduler.add_job(
                self._run_source,
                IntervalTrigger(seconds=source.interval.total_seconds(), jitter=jitter),
                args=[source],
                id=f"source:{source.name}",
                next_run_time=first,
            )
        scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=DELIVERY_INTERVAL.total_seconds()),
            id="deliver",
            next_run_time=now,
        )

    async def _run_source(self, source: SourceConfig) -> None:
        if self.stop_requested.is_set():
            return
        with self._tracked():
            report = await self.pipeline.run_sources([source])
            # Also after a success: a server's max-age or <ttl> may put next_due_at past `every`.
            self._back_off(source)
            for result in report.sources:
                log.info(
                    "source %s: fetched %d, new %d, matched %d%s; next due %s",
                    result.source,
                    result.fetched,
                    result.new,
                    result.matched,
                    f", error: {result.error}" if result.error else "",
                    self._next_due(source),
                )
            await self._deliver_now()

    def _next_due(self, source: SourceConfig) -> str:
        """When the scheduler runs the source next, in the config's zone, zone named."""
        job = self._scheduler.get_job(f"source:{source.name}") if self._scheduler else None
        when: datetime | None = getattr(job, "next_run_time", None)
        if when is None:
            return "never (paused)"
        return f"{when.astimezone(self.pipeline.config.zone):%Y-%m-%d %H:%M:%S %Z}"

    def _back_off(self, source: SourceConfig) -> None:
        # The pipeline pushed next_due_at out (doubling, at most 24 h); the interval trigger alone
        # would retry a failing source every `every`, so move the job's next run there.
        state = self.pipeline.store.source_states().get(source.name)
        if self._scheduler is None or state is None or state.next_due_at is None:
            return
        if state.next_due_at > self.pipeline.clock():  # a disabled source's is past: leave it
            self._scheduler.modify_job(f"source:{source.name}", next_run_time=state.next_due_at)

    async def _deliver(self) -> None:
        if self.stop_requested.is_set():
            return
        with self._tracked():
            await self._deliver_now()

    async def _deliver_now(self) -> None:
        # One delivery pass at a time; sending blocks (apprise is synchronous), so it runs in a
        # worker thread and the loop keeps serving fetches and signals meanwhile.
        async with self._delivery_lock:
            results = await asyncio.to_thread(self.pipeline.deliver, self._stop_sending)
        if results:
            log.info("%s", sent_summary(results))

    def _tracked(self) -> _InFlight:
        return _InFlight(self)

    async def _drain(self) -> None:
        try:
            await asyncio.wait_for(self._idle.wait(), DRAIN_TIMEOUT.total_seconds())
        except TimeoutError:
            # Fetches are cancelled with the scheduler; a parse would hold the exit until its
            # deadline, so its worker goes now (the source is fetched again on the next start).
            log.warning("jobs still running after %s; stopping anyway", DRAIN_TIMEOUT)
            stop_workers()


def sent_summary(results: Sequence[DeliveryResult]) -> str:
    """`sent 2 alert(s): 'Data engineer' on mail, 'Analyst' on mail; 1 failed`, by listing
    title (the outbox key is in the DEBUG log), at most SUMMARY_TITLES of them."""
    sent = [f"{r.title!r} on {r.channel}" for r in results if r.ok]
    failed = len(results) - len(sent)
    shown = ", ".join(sent[:SUMMARY_TITLES])
    if len(sent) > SUMMARY_TITLES:
        shown += f" and {len(sent) - SUMMARY_TITLES} more"
    line = f"sent {len(sent)} alert(s)" + (f": {shown}" if sent else "")
    return line + (f"; {failed} failed (retried later)" if failed else "")


class _InFlight:
    """Counts running jobs so a stop can wait for them."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon

    def __enter__(self) -> None:
        self.daemon._in_flight += 1
        self.daemon._idle.clear()

    def __exit__(self, *_exc: object) -> None:
        self.daemon._in_flight -= 1
        if self.daemon._in_flight == 0:
            self.daemon._idle.set()
