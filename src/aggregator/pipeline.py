"""One cycle from fetch to outbox delivery, in stage order: the only module that crosses stages."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aggregator import rules
from aggregator.adapters.base import Adapter, AdapterError, FetchResult, FetchState, Page
from aggregator.adapters.catalogue import resolve
from aggregator.config import Config, SourceConfig
from aggregator.http import HttpClient
from aggregator.models import (
    DeliveryResult,
    Listing,
    Match,
    RawPosting,
    SourceRunResult,
    SourceState,
)
from aggregator.normalize import normalize_all
from aggregator.notify import Alert, Channel, build_channels, deliver_pending, render_alert
from aggregator.store import Store

__all__ = ["Pipeline", "PreviewAlert", "RunReport", "utc_now"]

log = logging.getLogger(__name__)

MAX_FAILURE_BACKOFF = timedelta(hours=24)


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

    @property
    def sources_ok(self) -> bool:
        return all(result.ok for result in self.sources)

    @property
    def delivery_ok(self) -> bool:
        return all(result.ok for result in self.deliveries)


class Pipeline:
    """Runs cycles for one configuration against one store, through one shared HTTP client."""

    def __init__(
        self,
        config: Config,
        store: Store,
        client: HttpClient,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self.store = store
        self.client = client
        self.clock = clock
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
        """The enabled sources whose next fetch time has come (every enabled one: include_all)."""
        enabled = [source for source in self.config.sources if source.enabled]
        if include_all:
            return enabled
        states, now = self.store.source_states(), self.clock()
        return [s for s in enabled if _is_due(states.get(s.name), now)]

    async def run_sources(
        self, sources: Sequence[SourceConfig], *, dry_run: bool = False
    ) -> RunReport:
        """Fetch the sources concurrently, then store and match each; one failure stays local."""
        report = RunReport()
        states = self.store.source_states()
        fetches = await asyncio.gather(
            *(self._fetch(source, states.get(source.name)) for source in sources),
            return_exceptions=True,
        )
        for source, fetched in zip(sources, fetches, strict=True):
            result = SourceRunResult(source=source.name)
            report.sources.append(result)
            try:
                if isinstance(fetched, BaseException):
                    raise fetched
                raw = await self._parse(source, fetched)
                new = self._ingest(source, raw, result, report, dry_run=dry_run)
            except (AdapterError, OSError, ValueError) as exc:
                result.error = str(exc) or type(exc).__name__
                new = 0
                log.warning("source %s failed: %s", source.name, result.error)
            except Exception as exc:  # a bug in one adapter must not stop the other sources
                result.error = f"internal error: {type(exc).__name__}: {exc}"
                log.exception("source %s crashed", source.name)
                new = 0
            if not dry_run:
                self._record(source, states.get(source.name), fetched, result, new)
        return report

    def deliver(self) -> list[DeliveryResult]:
        """Send every due outbox row; failures are recorded for retry, never raised."""
        return deliver_pending(self.store, self.channels, clock=self.clock)

    async def _fetch(self, source: SourceConfig, state: SourceState | None) -> FetchResult:
        adapter = self._adapter(source)
        fetch_state = FetchState(
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
            content_hash=state.content_hash if state else None,
        )
        return await adapter.fetch(self.client, fetch_state)

    def _adapter(self, source: SourceConfig) -> Adapter:
        resolved = resolve(source)
        return resolved.adapter(resolved.config)

    async def _parse(self, source: SourceConfig, fetched: FetchResult) -> list[RawPosting]:
        # Parsing a large document takes a while (feedparser: ~0.4 ms an entry); a worker thread
        # keeps the loop serving the other sources' fetches and signals meanwhile.
        return await asyncio.to_thread(parse_pages, self._adapter(source), fetched.pages)

    def _ingest(
        self,
        source: SourceConfig,
        raw: Sequence[RawPosting],
        result: SourceRunResult,
        report: RunReport,
        *,
        dry_run: bool,
    ) -> int:
        if not raw:
            return 0
        postings = normalize_all(raw, source=source.name, now=self.clock())
        result.fetched = len(postings)
        with self.store.transaction(rollback=dry_run) as unit:
            new_listings = unit.upsert_postings(postings)
            matches = [m for listing in new_listings for m in self.matcher.match(listing)]
            unit.add_matches(matches)
            targets = [(m, ch) for m in matches for ch in self._notify_targets[m.rule]]
            unit.enqueue(targets, now=self.clock())
        result.new, result.matched = len(new_listings), len(matches)
        if dry_run:
            report.previews += self._previews(new_listings, targets)
        return len(new_listings)

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
    ) -> None:
        """Remember health and cache keys; back off (doubling, at most 24 h) while failing."""
        now = self.clock()
        state = previous or SourceState(name=source.name)
        if result.ok and isinstance(fetched, FetchResult):
            state = dataclasses.replace(
                state,
                last_attempt_at=now,
                last_success_at=now,
                last_new_item_at=now if new else state.last_new_item_at,
                next_due_at=now + source.interval,
                consecutive_failures=0,
                last_error=None,
                etag=fetched.etag or state.etag,
                last_modified=fetched.last_modified or state.last_modified,
                content_hash=fetched.content_hash or state.content_hash,
            )
        else:
            failures = state.consecutive_failures + 1
            backoff = min(source.interval * 2 ** min(failures - 1, 16), MAX_FAILURE_BACKOFF)
            state = dataclasses.replace(
                state,
                last_attempt_at=now,
                next_due_at=now + max(backoff, source.interval),
                consecutive_failures=failures,
                last_error=result.error,
            )
        self.store.save_source_state(state)


def parse_pages(adapter: Adapter, pages: Sequence[Page]) -> list[RawPosting]:
    """Every page's raw postings, in page order."""
    return [raw for page in pages for raw in adapter.parse(page.body, url=page.url)]


def _is_due(state: SourceState | None, now: datetime) -> bool:
    return state is None or state.next_due_at is None or state.next_due_at <= now
