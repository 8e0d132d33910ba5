"""The adapter interface: `fetch` does I/O through the shared client, `parse` is pure."""

from __future__ import annotations

import abc
import contextlib
import functools
import hashlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError

from aggregator.credentials import option_secrets
from aggregator.errors import SourceError
from aggregator.fetch.hints import max_age
from aggregator.fetch.scope import FetchScope, fetch_scope
from aggregator.models import RawPosting
from aggregator.redact import safe_url, without_userinfo

if TYPE_CHECKING:
    from aggregator.config.model import SourceConfig
    from aggregator.fetch.client import HttpClient

__all__ = [
    "Adapter",
    "AdapterOptions",
    "FetchResult",
    "FetchState",
    "OptionsT",
    "Page",
    "ParseRunner",
    "SourceContext",
    "combined_hash",
    "option_problems",
    "parse_aside",
    "parsing_with",
]

T = TypeVar("T")
# Runs `function(*args)` on a response's bytes where the pipeline runs `parse`: in a worker
# process with the parse deadline (native parsers crash and some are quadratic on hostile pages).
ParseRunner = Callable[[Callable[..., Any], tuple[Any, ...]], Awaitable[Any]]
_parse_runner: ContextVar[ParseRunner | None] = ContextVar("aggregator_parse_runner", default=None)


class AdapterOptions(BaseModel):
    """Base of every adapter's `options:` model: unknown options are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


OptionsT = TypeVar("OptionsT", bound=AdapterOptions)


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What an adapter knows of its source besides its options: names, the URL, the limits.
    Not the schedule or the health settings, which are the pipeline's."""

    name: str
    adapter: str  # as the config names it: a catalogue board, or the adapter itself
    url: str | None = None
    max_body_bytes: int | None = None
    allow_private: bool | None = None
    allow_offsite: bool = False

    @classmethod
    def of(cls, source: SourceConfig) -> SourceContext:
        return cls(
            name=source.name,
            adapter=source.adapter,
            url=source.url,
            max_body_bytes=source.max_body_bytes,
            allow_private=source.allow_private,
            allow_offsite=source.allow_offsite,
        )


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the previous fetch of a source left for a conditional GET, and its `cursor`: where
    an adapter that reads a stream (a mailbox) stopped, as the adapter wrote it."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched response body (a source may need several: pagination, threads). Its URL
    never has userinfo: links are resolved against it, and a password must not end up in
    every listing (stored, and sent in alerts)."""

    url: str
    body: bytes
    content_type: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", without_userinfo(self.url))


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The pages an adapter fetched; none, and `not_modified`, after a 304 or an unchanged body.

    `min_interval` is the server's own hint for the next fetch (Cache-Control max-age, an RSS
    `<ttl>`); the pipeline waits at least that long, and at least the source's `every`.
    `complete` is False when the fetch stopped before the last page (max_pages): the pages
    then do not list the whole board.
    `cursor` is where the next fetch starts (a mailbox's last UID read); the pipeline records
    it only once this fetch's postings are stored, so a failed store reads them again.
    `notes` are lines for the run summary (messages skipped for their size).
    """

    pages: tuple[Page, ...]
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    not_modified: bool = False
    min_interval: timedelta | None = None
    complete: bool = True
    cursor: str | None = None
    notes: tuple[str, ...] = ()

    @classmethod
    def of_pages(
        cls, pages: Sequence[Page], state: FetchState, *, digest: str | None = None
    ) -> FetchResult:
        """The result of a fetch that took several requests: no pages, and `not_modified`, when
        their `digest` (default: `combined_hash`) is the one the previous fetch left."""
        digest = digest if digest is not None else combined_hash(pages)
        if digest == state.content_hash:
            return cls(pages=(), content_hash=digest, not_modified=True)
        return cls(pages=tuple(pages), content_hash=digest)


def combined_hash(pages: Sequence[Page]) -> str:
    """A hash over several pages, for adapters whose result spans many requests."""
    digest = hashlib.sha256()
    for page in pages:
        digest.update(hashlib.sha256(page.body).digest())
    return digest.hexdigest()


_Fetch = Callable[["Adapter[Any]", "HttpClient", FetchState], Awaitable[FetchResult]]


def _within_scope(fetch: _Fetch) -> _Fetch:
    @functools.wraps(fetch)
    async def scoped(self: Adapter[Any], client: HttpClient, state: FetchState) -> FetchResult:
        with fetch_scope(self.scope()):
            return await fetch(self, client, state)

    scoped.__aggregator_scoped__ = True  # type: ignore[attr-defined]
    return scoped


class Adapter(abc.ABC, Generic[OptionsT]):
    """One kind of source. Subclasses set `name` (and `Options`, `needs_url`) and are registered
    through the `aggregator.adapters` entry-point group; `Adapter[TheirOptions]` types
    `self.options`.

    An instance is one source, ready to fetch and parse: built once per source from its
    config (catalogue defaults applied), and sent to a parse worker process as it is, so it
    must pickle (plain data: no clients, locks or open files)."""

    name: ClassVar[str]
    Options: ClassVar[type[AdapterOptions]] = AdapterOptions
    needs_url: ClassVar[bool] = True  # False when the options say where to fetch (board tokens)
    # A complete fetch lists every open posting of the board (an ATS board, Remote OK): one
    # that is no longer listed has closed. A catalogue entry may say so for a json_api board.
    lists_whole_board: ClassVar[bool] = False
    # What kind of board it is, for the store's choice of a listing's best sighting: "ats" (the
    # hiring company's own board), "board" (a job board or aggregator), "social" (posts).
    origin: ClassVar[str] = "board"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every `fetch` of every adapter (plug-ins too) runs inside its source's fetch scope,
        # whoever calls it (a test, a plug-in's own code). The `fetch` the class will call is
        # the one its MRO finds: a plug-in may inherit it from a mixin that is no Adapter.
        # The product itself calls `scoped_fetch`, which does not depend on this hook (a
        # plug-in base class may override __init_subclass__ without calling super()).
        super().__init_subclass__(**kwargs)
        fetch = getattr(cls, "fetch", None)
        abstract = getattr(fetch, "__isabstractmethod__", False)
        if callable(fetch) and not abstract and not getattr(fetch, "__aggregator_scoped__", False):
            setattr(cls, "fetch", _within_scope(fetch))  # noqa: B010

    def __init__(self, source: SourceConfig) -> None:
        self.source = SourceContext.of(source)
        # `Options` is the class of OptionsT (a ClassVar cannot name a type variable).
        self.options: OptionsT = cast(OptionsT, self.Options.model_validate(source.options))

    @classmethod
    def parse_modules(cls) -> tuple[str, ...]:
        """The modules `parse` needs, imported by a parse worker before it takes work, so that
        importing a native parser does not count against a parse's deadline: the adapter's
        own module by default (which imports its parsers); override to add lazy imports."""
        return (cls.__module__,)

    @property
    def url(self) -> str:
        if self.source.url is None:
            raise SourceError(f"source {self.source.name!r} has no url")
        return self.source.url

    def home_urls(self) -> tuple[str, ...]:
        """The URLs written in the config (or built from its options) whose origins are the
        source's own: the url by default; adapters that build URLs from options such as
        `api_base` or `instance` override this."""
        try:
            return (self.url,)
        except SourceError:
            return ()

    def scope(self) -> FetchScope:
        """What this source's requests may reach and which credentials stay on its origins."""
        secrets = option_secrets(self.options, self.source.url)
        return FetchScope.of_urls(
            self.home_urls(),
            source=self.source.name,
            allow_private=self.source.allow_private,
            allow_offsite=self.source.allow_offsite,
            secret_params=secrets.params,
            secrets=secrets.values,
        )

    @abc.abstractmethod
    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        """Fetch the source's pages through the shared client; raise SourceError on failure."""

    @abc.abstractmethod
    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        """Turn one page's bytes into raw postings; pure: no network, no database."""

    async def settle(self, result: FetchResult) -> None:
        """Called by the pipeline once `result`'s postings are committed and its cursor
        recorded: what a source does with what it has read (an IMAP message marked seen or
        moved). Nothing by default; a failure here is a note of the run, not lost data."""

    def unparsed_note(self, pages: int) -> str | None:
        """A run-summary note for `pages` pages that gave no posting, for adapters whose page
        is one item that may rightly be skipped (an e-mail no sender parser knows); None
        (the default) for adapters where an empty page is normal."""
        return None

    async def scoped_fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        """`fetch` inside this source's scope, however the adapter class came to be: the way
        the pipeline and `sources test` fetch (the scope guards every request it makes)."""
        with fetch_scope(self.scope()):
            return await self.fetch(client, state)

    async def fetch_conditional(
        self,
        client: HttpClient,
        state: FetchState,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        body_hint: Callable[[bytes], timedelta | None] | None = None,
    ) -> FetchResult:
        """One conditional GET; a 304 or a body with the same hash as last time yields no page,
        so an unchanged document is not parsed again. The result's `min_interval` is the
        longer of Cache-Control max-age and `body_hint(body)` (an RSS `<ttl>`)."""
        response = await client.get(
            url,
            etag=state.etag,
            last_modified=state.last_modified,
            headers=headers,
            max_bytes=self.source.max_body_bytes,
        )
        etag = response.headers.get("ETag") or state.etag
        last_modified = response.headers.get("Last-Modified") or state.last_modified
        hints = [max_age(response.headers)]
        if body_hint is not None and response.body:
            hints.append(body_hint(response.body))
        min_interval = max((hint for hint in hints if hint is not None), default=None)
        if response.not_modified:
            return FetchResult(
                pages=(),
                etag=etag,
                last_modified=last_modified,
                content_hash=state.content_hash,
                not_modified=True,
                min_interval=min_interval,
            )
        digest = hashlib.sha256(response.body).hexdigest()
        unchanged = digest == state.content_hash
        # The page URL is kept without its query string, which may hold an API key.
        page = Page(safe_url(response.url), response.body, response.headers.get("Content-Type"))
        return FetchResult(
            pages=() if unchanged else (page,),
            etag=etag,
            last_modified=last_modified,
            content_hash=digest,
            not_modified=unchanged,
            min_interval=min_interval,
        )

    @staticmethod
    def combined_hash(pages: Sequence[Page]) -> str:
        """A hash over several pages (`combined_hash`); `FetchResult.of_pages` uses it."""
        return combined_hash(pages)


async def parse_aside(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, for parsing an adapter's fetch needs (a next link in an HTML page):
    isolated like `parse` under the pipeline, in-line elsewhere (`sources test`, a test).
    `function` and its arguments must pickle: a module-level function and plain data."""
    runner = _parse_runner.get()
    if runner is None:
        return function(*args)
    return cast(T, await runner(function, args))


@contextlib.contextmanager
def parsing_with(runner: ParseRunner) -> Iterator[None]:
    """Run the `parse_aside` calls made inside the block with `runner`."""
    token = _parse_runner.set(runner)
    try:
        yield
    finally:
        _parse_runner.reset(token)


def option_problems(adapter: type[Adapter[Any]], url: object, options: object) -> list[str]:
    """Problems with a source's `url` and `options` for this adapter, each `path: message`."""
    problems: list[str] = []
    if adapter.needs_url and not url:
        problems.append(f"url: the {adapter.name} adapter needs a url")
    if not isinstance(options, Mapping):
        return [*problems, "options: expected a mapping of option names to values"]
    try:
        adapter.Options.model_validate(options)
    except ValidationError as exc:
        valid = ", ".join(adapter.Options.model_fields) or "none"
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            if error["type"] == "extra_forbidden":
                problems.append(f"options.{path}: unknown option (valid: {valid})")
            elif error["type"] == "missing":
                problems.append(f"options.{path}: required by the {adapter.name} adapter")
            else:
                message = error["msg"].removeprefix("Value error, ")
                problems.append(f"options.{path}: {message}")
    return problems
