"""One cycle from fetch to outbox delivery, in stage order: the only module that crosses stages."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from aggregator import rules
from aggregator.adapters.base import Adapter, FetchResult, FetchState, parsing_with
from aggregator.adapters.catalogue import ResolvedSource, resolve
from aggregator.config.model import Config, SourceConfig
from aggregator.crash import crash_point
from aggregator.errors import AggregatorError, ParseError, describe_error
from aggregator.fetch.client import HttpClient
from aggregator.models import (
    DeliveryResult,
    Listing,
    Match,
    Posting,
    SourceRunResult,
    SourceState,
)
from aggregator.notify import Alert, Channel, build_channels, deliver_pending, render_alert
from aggregator.notify.deliver import ADMIN_CHANNEL
from aggregator.notify.schedules import next_digest_time
from aggregator.pipeline.backfill import HoldBack, hold_back
from aggregator.pipeline.health import HealthEvent, after_failure, after_success
from aggregator.pipeline.isolation import WorkerPool, parse_pages, shared_pool
from aggregator.store import SkippedPosting, Store

__all__ = ["Pipeline", "PreviewAlert", "RunReport", "utc_now"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PreviewAlert:
    """An alert that a dry run would have queued."""

    channel: str
    alert: Alert


@dataclass(slots=True)
class RunReport:
    """What one cycle did, for the CLI's summary and exit code."""

    sources: list[SourceRunResult] = field(default_factory=list)
    deliveries: list[DeliveryResult] = field(default_factory=list)
    previews: list[PreviewAlert] = field(default_factory=list)
    health: list[HealthEvent] = field(default_factory=list)  # sources disabled or gone silent
    disabled: list[str] = field(default_factory=list)  # skipped: disabled by a health rule
    delivery_error: str | None = None  # the delivery pass itself failed (a full disk, say)

    @property
    def sources_ok(self) -> bool:
        return all(result.ok for result in self.sources)

    @property
    def delivery_ok(self) -> bool:
        return self.delivery_error is None and all(result.ok for result in self.deliveries)


class Pipeline:
    """Runs cycles for one configuration against one store, through one shared HTTP client."""

    def __init__(
        self,
        config: Config,
        store: Store,
        client: HttpClient,
        *,
        clock: Callable[[], datetime] = utc_now,
        resolved: Sequence[ResolvedSource] | None = None,
    ) -> None:
        """`resolved`: the config's sources already resolved against the catalogue (the CLI's
        start-up does that); else each is resolved here, once."""
        self.config = config
        self.store = store
        self.client = client
        self.clock = clock
        self._adapters: dict[str, Adapter[Any]] = {}
        self._whole_board: dict[str, bool] = {}  # source: a complete fetch lists every job
        given = {source.config.name: source for source in resolved or ()}
        for source in config.sources:
            # A source whose adapter cannot be built (a broken plug-in) is tried again when it
            # is fetched, and fails there, alone, as any fetch does.
            with contextlib.suppress(Exception):
                self._build(given.get(source.name) or resolve(source))
        self.channels: dict[str, Channel] = build_channels(config.channels)
        self.matcher = rules.Matcher(
            [
                rules.Rule(
                    name=rule.name,
                    query=rules.compile(rule.query),
                    sources=frozenset(rule.sources) if rule.sources is not None else None,
                )
                for rule in config.rules
            ]
        )
        self._notify_targets = {rule.name: tuple(rule.notify) for rule in config.rules}

    def due_sources(self, *, include_all: bool = False) -> list[SourceConfig]:
        """The enabled sources whose next fetch time has come (every enabled one: include_all);
        never one that a health rule disabled (`aggregate sources enable` brings it back)."""
        states, now = self.store.source_states(), self.clock()
        enabled = [
            source
            for source in self.config.sources
            if source.enabled and not _is_disabled(states.get(source.name))
        ]
        if include_all:
            return enabled
        return [s for s in enabled if _is_due(states.get(s.name), now)]

    async def run_sources(
        self,
        sources: Sequence[SourceConfig],
        *,
        dry_run: bool = False,
        on_fetched: Callable[[str], None] | None = None,
    ) -> RunReport:
        """Fetch the sources concurrently, then store and match each; one failure stays local.
        `on_fetched(name)` is told as each fetch ends, well or not (the CLI's progress bar)."""
        report = RunReport()
        states = self.store.source_states()
        report.disabled = [s.name for s in sources if _is_disabled(states.get(s.name))]
        sources = [s for s in sources if s.name not in report.disabled]
        fetches = await asyncio.gather(
            *(self._fetch_told(source, states.get(source.name), on_fetched) for source in sources),
            return_exceptions=True,
        )
        crash_point("after_fetch")
        for source, fetched in zip(sources, fetches, strict=True):
            result = SourceRunResult(source=source.name)
            report.sources.append(result)
            hold = hold_back(self.config, source, states.get(source.name), now=self.clock())
            new = await self._process(source, fetched, result, report, dry_run=dry_run, hold=hold)
            if not dry_run:
                self._record_safely(source, states.get(source.name), fetched, result, new, report)
                if result.ok and isinstance(fetched, FetchResult):
                    await self._settle(source, fetched, result)
        return report

    async def _settle(
        self, source: SourceConfig, fetched: FetchResult, result: SourceRunResult
    ) -> None:
        """The adapter's `settle` (an IMAP message marked seen), now that the fetch's postings
        are committed and its cursor recorded; a failure is a note: nothing was lost."""
        try:
            await self.adapter(source).settle(fetched)
        except Exception as exc:
            reason = describe_error(exc)
            result.notes.append(f"stored, but the source's follow-up failed: {reason}")
            log.warning("source %s: settle failed: %s", source.name, reason, exc_info=_debugging())

    async def _process(
        self,
        source: SourceConfig,
        fetched: FetchResult | BaseException,
        result: SourceRunResult,
        report: RunReport,
        *,
        dry_run: bool,
        hold: HoldBack | None = None,
    ) -> int:
        """Parse and store one source's fetch; return how many listings were new. Any failure
        stays in `result` as one line (the traceback goes to the log with --debug only)."""
        try:
            if isinstance(fetched, BaseException):
                raise fetched
            postings = await self._parse(source, fetched, result)
            whole_board = self._lists_whole_board(source, fetched)
            return self._ingest(
                source,
                postings,
                result,
                report,
                dry_run=dry_run,
                whole_board=whole_board,
                hold=hold,
            )
        except (AggregatorError, RecursionError) as exc:
            result.error = describe_error(exc)
            log.warning("source %s failed: %s", source.name, result.error, exc_info=_debugging())
        except Exception as exc:  # a bug in one adapter must not stop the other sources
            result.error = f"internal error: {type(exc).__name__}: {describe_error(exc)}"
            log.error("source %s crashed: %s", source.name, result.error, exc_info=_debugging())
        return 0

    def _record_safely(
        self,
        source: SourceConfig,
        previous: SourceState | None,
        fetched: FetchResult | BaseException,
        result: SourceRunResult,
        new: int,
        report: RunReport,
    ) -> None:
        """`_record`, where a failure (a full disk, a bug) fails this source, not the run: the
        other sources' listings are already committed and theirs still get recorded."""
        try:
            report.health += self._record(source, previous, fetched, result, new)
        except Exception as exc:
            reason = describe_error(exc)
            result.error = result.error or f"cannot record the source's state: {reason}"
            log.error(
                "source %s: cannot record its state: %s", source.name, reason, exc_info=_debugging()
            )

    def deliver(self, stop: threading.Event | None = None) -> list[DeliveryResult]:
        """Send every due outbox row; failures are recorded for retry, never raised. Once
        `stop` is set, no new message is started (the rest stays queued)."""
        return deliver_pending(
            self.store, self.channels, clock=self.clock, zone=self.config.zone, stop=stop
        )

    async def _fetch_told(
        self,
        source: SourceConfig,
        state: SourceState | None,
        on_fetched: Callable[[str], None] | None,
    ) -> FetchResult:
        try:
            return await self._fetch(source, state)
        finally:
            if on_fetched is not None:
                on_fetched(source.name)

    async def _fetch(self, source: SourceConfig, state: SourceState | None) -> FetchResult:
        adapter = self.adapter(source)
        fetch_state = FetchState(
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
            content_hash=state.content_hash if state else None,
            cursor=state.cursor if state else None,
        )
        with parsing_with(self._run_parser):  # what the fetch parses is isolated too
            fetched = await adapter.scoped_fetch(self.client, fetch_state)
        if fetched.pages and self.config.parse.isolate:
            self._parsers().warm()  # a worker starts while the other fetches run
        return fetched

    def adapter(self, source: SourceConfig) -> Adapter[Any]:
        """The source's ready adapter: built once, reused by every fetch and parse."""
        return self._adapters.get(source.name) or self._build(resolve(source))

    def _build(self, resolved: ResolvedSource) -> Adapter[Any]:
        adapter = self._adapters[resolved.config.name] = resolved.build()
        self._whole_board[resolved.config.name] = resolved.lists_whole_board
        if self.config.parse.isolate:
            self._parsers().preload(adapter.parse_modules())
        return adapter

    def _lists_whole_board(self, source: SourceConfig, fetched: FetchResult) -> bool:
        """Whether this fetch listed every open posting of the source's board: a complete,
        changed fetch (not a 304 or an unchanged body, which list nothing) of such a board."""
        whole = self._whole_board.get(source.name, False)
        return whole and bool(fetched.pages) and fetched.complete and not fetched.not_modified

    async def _parse(
        self, source: SourceConfig, fetched: FetchResult, result: SourceRunResult
    ) -> list[Posting]:
        """Parse and normalize the fetched pages (`_run_parser`) with the source's adapter; the
        fetch's notes, and the adapter's note on pages that gave nothing, go to `result`."""
        result.notes += fetched.notes
        if not fetched.pages:
            return []
        adapter = self.adapter(source)
        parsed = await self._run_parser(parse_pages, (adapter, fetched.pages, self.clock()))
        if parsed.empty_pages and (note := adapter.unparsed_note(parsed.empty_pages)):
            result.notes.append(note)
        return parsed.postings

    async def _run_parser(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        """`function(*args)` in a worker process with the parse deadline (crash isolation),
        waited for from a thread so the loop keeps serving fetches and signals meanwhile."""
        limits = self.config.parse
        if limits.isolate:
            pool = self._parsers()
            try:
                return await asyncio.to_thread(
                    lambda: pool.run(function, *args, timeout=limits.timeout)
                )
            except MemoryError:
                limit = limits.max_memory_mb
                raise ParseError(f"parsing needed more than {limit} MiB; stopped") from None
        try:  # in-process: a parse past its deadline is abandoned, not stopped
            return await asyncio.wait_for(asyncio.to_thread(function, *args), limits.timeout)
        except TimeoutError:
            raise ParseError(f"parsing took longer than {limits.timeout:g} s") from None

    def _parsers(self) -> WorkerPool:
        limits = self.config.parse
        return shared_pool(limits.workers, memory_limit=limits.max_memory_mb * 1024 * 1024)

    def _ingest(
        self,
        source: SourceConfig,
        postings: Sequence[Posting],
        result: SourceRunResult,
        report: RunReport,
        *,
        dry_run: bool,
        whole_board: bool = False,
        hold: HoldBack | None = None,
    ) -> int:
        """Store the postings and queue the alerts of the listings they made (or joined: a rule
        matches a listing once, so only a rule that had not matched it yet alerts); a fetch
        of the whole board closes the source's postings it no longer lists. With `hold` (a
        first fetch), the older listings' matches are recorded, so they never alert later,
        but not queued."""
        if not postings and not whole_board:
            return 0
        result.fetched = len(postings)
        origins = {source.name: self.adapter(source).origin}
        with self.store.transaction(rollback=dry_run) as unit:
            new_listings = unit.upsert_postings(postings, origins=origins)
            if whole_board:
                seen = {posting.dedup_key for posting in postings}
                unit.close_unseen(source.name, seen, now=self.clock())
            unit.expire_overdue(now=self.clock())
            skipped = list(unit.skipped)
            touched = [*new_listings, *unit.joined]
            open_ones = [listing for listing in touched if listing.status == "open"]
            found = [m for item in open_ones for m in self.matcher.match(item, now=self.clock())]
            matches = unit.add_matches(found)
            crash_point("mid_store_tx")
            alerting, held = hold.split(matches, _by_id(open_ones)) if hold else (matches, set())
            targets = [(m, ch) for m in alerting for ch in self._notify_targets[m.rule]]
            unit.enqueue(targets, now=self.clock(), digest_at=self._digest_times())
        if not dry_run:
            crash_point("after_outbox_commit")
        result.notes += [_skip_note(posting) for posting in skipped]  # once committed
        result.new, result.matched, result.held_back = len(new_listings), len(matches), len(held)
        if hold and held:
            result.notes.append(hold.note(len(held)))
        if dry_run:
            report.previews += self._previews(touched, targets)
        return len(new_listings)

    def _digest_times(self) -> dict[str, datetime]:
        """When each digest rule's next digest goes out, for the rows queued now."""
        now, zone = self.clock(), self.config.zone
        return {
            rule.name: next_digest_time(rule.digest, now, zone)
            for rule in self.config.rules
            if rule.digest is not None
        }

    def _previews(
        self, listings: Sequence[Listing], targets: Sequence[tuple[Match, str]]
    ) -> list[PreviewAlert]:
        by_id = {listing.id: listing for listing in listings}
        now = self.clock()
        return [
            PreviewAlert(
                channel=channel,
                alert=render_alert(by_id[m.listing_id], rule=m.rule, why=m.why, now=now),
            )
            for m, channel in targets
        ]

    def _record(
        self,
        source: SourceConfig,
        previous: SourceState | None,
        fetched: FetchResult | BaseException,
        result: SourceRunResult,
        new: int,
    ) -> list[HealthEvent]:
        """Remember health and cache keys (rules in `health`); return the health events."""
        now = self.clock()
        state = previous or SourceState(name=source.name)
        if result.ok and isinstance(fetched, FetchResult):
            state = dataclasses.replace(
                state,
                etag=fetched.etag or state.etag,
                last_modified=fetched.last_modified or state.last_modified,
                content_hash=fetched.content_hash or state.content_hash,
                # Only here, after a successful store: a failed one leaves the cursor where it
                # was, and the next fetch reads the same messages again.
                cursor=fetched.cursor if fetched.cursor is not None else state.cursor,
            )
            state, events = after_success(
                state,
                source,
                self.config.health,
                now=now,
                new=new,
                min_interval=fetched.min_interval,
            )
        else:
            state, events = after_failure(
                state,
                source,
                self.config.health,
                now=now,
                error=result.error or "unknown error",
                status=getattr(fetched, "status", None),
                retry_after=getattr(fetched, "retry_after", None),
            )
        self.store.save_source_state(state)
        for event in events:
            log.warning("%s", event.message)
            if ADMIN_CHANNEL in self.channels:
                key = f"notice:source-{event.kind}:{event.source}:{now:%Y-%m-%dT%H:%M}"
                self.store.enqueue_notice(
                    key=key, channel=ADMIN_CHANNEL, text=event.message, now=now
                )
        return events


def _by_id(listings: Sequence[Listing]) -> dict[int, Listing]:
    return {listing.id: listing for listing in listings}


def _skip_note(skipped: SkippedPosting) -> str:
    title = skipped.title if len(skipped.title) <= 60 else f"{skipped.title[:59]}…"
    return f"skipped the record {title!r}: {skipped.reason}; the others were stored"


def _debugging() -> bool:
    """Tracebacks go to the log only at --debug (DEBUG level); a run shows one line."""
    return log.isEnabledFor(logging.DEBUG)


def _is_disabled(state: SourceState | None) -> bool:
    return state is not None and state.disabled_at is not None


def _is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_due_at is None or state.next_due_at <= now
