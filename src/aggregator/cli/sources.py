"""`aggregate sources ...`: the board catalogue, and testing an adapter on a saved or live page."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aggregator.cli.options import ConfigOption, config_option
from aggregator.cli.source_add import ADD_HELP, IMPORT_HELP, add_source, import_sources
from aggregator.errors import ConfigError, SourceError

# The stages are imported where they are used: `--help` starts without them.
if TYPE_CHECKING:
    from aggregator.adapters.base import Adapter, Page
    from aggregator.adapters.catalogue import ResolvedSource
    from aggregator.config.model import HttpConfig, SourceConfig
    from aggregator.models import Posting

__all__ = ["sources_app"]

sources_app = typer.Typer(help="The board catalogue, and testing a source.", no_args_is_help=True)

sources_app.command("add", help=ADD_HELP)(add_source)
sources_app.command("import", help=IMPORT_HELP)(import_sources)

EXIT_FAILED, EXIT_USAGE = 1, 2
_UNHEALTHY = ("failing", "disabled")  # `sources status` exits 1 (enabled: false is not)
# Links in a saved page are made absolute against this when neither --url nor the source has one.
OFFLINE_BASE_URL = "https://offline.invalid/"


@sources_app.command("list")
def list_sources(
    config_path: Annotated[
        Path | None, config_option("Also show which configured sources use each entry.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per entry.")] = False,
) -> None:
    """The catalogue: every named board with its adapter, auth, schedule and limits."""
    from aggregator.adapters.catalogue import load_catalogue
    from aggregator.cli.startup import load_checked_config
    from aggregator.config.model import format_duration

    used: dict[str, list[str]] = {}
    if config_path is not None:
        for source in load_checked_config(config_path).sources:
            used.setdefault(source.adapter, []).append(source.name)
    for name, entry in load_catalogue().items():
        if as_json:
            row = entry.model_dump(mode="json") | {"used_by": used.get(name, [])}
            typer.echo(json.dumps(row))
            continue
        users = f"  used by: {', '.join(used[name])}" if name in used else ""
        required = f"  needs: {', '.join(entry.required)}" if entry.required else ""
        schedule = f"{entry.adapter}, every {format_duration(entry.every)}"
        typer.echo(f"{name:<16} {entry.title} [{schedule}]{users}")
        typer.echo(f"{'':<16} auth: {entry.auth}{required}")
        if entry.limits:
            typer.echo(f"{'':<16} limits: {entry.limits}")


def _parse_option(text: str) -> tuple[str, Any]:
    import yaml

    key, separator, value = text.partition("=")
    if not separator or not key:
        raise typer.BadParameter(f"expected KEY=VALUE, got {text!r}", param_hint="--option")
    # YAML scalars, so `--option remote=true` and `--option max_pages=2` get their types; a
    # value YAML would read as a comment or nothing (`#microinternship`) stays the text it is.
    try:
        parsed = yaml.safe_load(value) if value else None
    except yaml.YAMLError:
        return key, value
    return key, value if parsed is None and value not in ("null", "~") else parsed


def _source_from_flags(adapter: str, url: str | None, options: list[str]) -> SourceConfig:
    from aggregator.adapters.catalogue import check_source
    from aggregator.config.model import SourceConfig

    raw: dict[str, Any] = {"name": "test", "adapter": adapter, "url": url}
    raw["options"] = dict(_parse_option(option) for option in options)
    if problems := check_source(raw):
        raise ConfigError(f"--adapter {adapter}", problems)
    return SourceConfig.model_validate(raw)


def _pick_source(
    name: str | None,
    adapter: str | None,
    url: str | None,
    options: list[str],
    config: Path | None,
    *,
    offline: bool,
) -> tuple[ResolvedSource, HttpConfig | None]:
    """The source to test, and the config's `http:` settings when it comes from a config."""
    from aggregator.adapters.catalogue import resolve
    from aggregator.cli.startup import load_checked_config

    if (name is None) == (adapter is None):
        raise typer.BadParameter("give a source NAME from the config, or --adapter (not both)")
    if adapter is not None:
        # A saved page needs no URL to fetch; links in it are made absolute against this one.
        flags = _source_from_flags(adapter, url or (OFFLINE_BASE_URL if offline else None), options)
        return resolve(flags), None
    if config is None:
        raise typer.BadParameter("NAME needs --config (or AGGREGATOR_CONFIG)")
    loaded = load_checked_config(config)
    sources = {s.name: s for s in loaded.sources}
    if name not in sources:
        known = ", ".join(sources) or "none"
        raise typer.BadParameter(f"no source {name!r} in {config} (sources: {known})")
    source = sources[name]
    if url:
        source = source.model_copy(update={"url": url})
    return resolve(source), loaded.http


async def _fetch_live(adapter: Adapter[Any], http: HttpConfig | None) -> list[Page]:
    from aggregator.adapters.base import FetchState
    from aggregator.fetch.client import HttpClient

    # The config's proxy, user agent and limits apply to a test fetch as to a run.
    async with HttpClient(http) as client:
        result = await adapter.scoped_fetch(client, FetchState())
    return list(result.pages)


def _print_posting(posting: Posting) -> None:
    where = ", ".join(x for x in (posting.company, posting.location) if x)
    typer.echo(f"* {posting.title}" + (f" ({where})" if where else ""))
    typer.echo(f"  {posting.url or '(no link)'}")
    typer.echo(f"  posted {posting.posted_at:%Y-%m-%d %H:%M}Z, id {posting.dedup_key}")
    if posting.tags:
        typer.echo(f"  tags: {', '.join(posting.tags)}")


@sources_app.command("test")
def try_source(
    name: Annotated[
        str | None, typer.Argument(help="A source name from the config.", show_default=False)
    ] = None,
    adapter: Annotated[
        str | None,
        typer.Option(
            "--adapter",
            "-a",
            help="Test an adapter or catalogue entry by name.",
            show_default=False,
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", "-o", help="An adapter option, KEY=VALUE (repeatable).", show_default=False
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="The source URL (with --file: the URL the page came from).",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        list[Path] | None,
        typer.Option(
            "--file",
            "-f",
            help="Parse this saved response instead of fetching (repeatable, one page each).",
            show_default=False,
        ),
    ] = None,
    config_path: Annotated[Path | None, config_option("Config file for NAME.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per posting, fields by name.")
    ] = False,
) -> None:
    """Fetch (or, with --file, parse offline) one source and print its normalized postings,
    like `scrapy parse`. Nothing is stored and nothing is sent."""
    import asyncio
    from datetime import UTC, datetime

    from aggregator.adapters.base import Page
    from aggregator.models import posting_to_json
    from aggregator.pipeline.isolation import parse_pages

    resolved, http = _pick_source(
        name, adapter, url, option or [], config_path, offline=bool(files)
    )
    label = f"source {resolved.config.name} (adapter {resolved.config.adapter})"
    reader = resolved.build()
    try:
        if files:
            base = resolved.config.url or OFFLINE_BASE_URL
            pages = [Page(url=base, body=_read(path)) for path in files]
        else:
            pages = asyncio.run(_fetch_live(reader, http))
        # The pipeline's own parse step (in-process here), secret stripping included.
        parsed = parse_pages(reader, pages, datetime.now(UTC))
    except SourceError as exc:
        typer.echo(f"{label}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    postings = parsed.postings
    if parsed.empty_pages and (note := reader.unparsed_note(parsed.empty_pages)):
        typer.echo(f"note: {note}", err=True)  # an e-mail no sender parser knows
    for posting in postings:
        if as_json:
            typer.echo(json.dumps(posting_to_json(posting), ensure_ascii=False))
        else:
            _print_posting(posting)
    if not as_json:
        typer.echo(f"{len(postings)} posting(s) from {len(pages)} page(s)")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        message = f"cannot read {path}: {exc.strerror}"
        raise typer.BadParameter(message, param_hint="--file") from None


@sources_app.command("status")
def status(
    config_path: ConfigOption,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source.")] = False,
) -> None:
    """Each configured source's health: last attempt and success, failures and the last error,
    last new item, next fetch, and whether it is disabled or silent. Times are in the config's
    `timezone`.

    Exit status (for health checks): 0 when no source is failing, 1 when one is failing or a
    health rule disabled it (410 Gone, days of failures), 2 for a bad configuration.
    """
    from aggregator.cli.startup import load_checked_config, open_store
    from aggregator.pipeline.health import status_row

    config = load_checked_config(config_path)
    store = open_store(config.database)
    try:
        states = store.source_states()
    finally:
        store.dispose()
    rows = [status_row(source, states.get(source.name)) for source in config.sources]
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row))
        else:
            _print_status(row, config.zone)
    # For health checks: a failing source, or one a health rule disabled, needs someone.
    failing = [row["name"] for row in rows if row["enabled"] and row["health"] in _UNHEALTHY]
    if failing:
        typer.echo(f"{len(failing)} source(s) failing: {', '.join(failing)}", err=True)
        raise typer.Exit(EXIT_FAILED)


def _print_status(row: dict[str, Any], zone: tzinfo) -> None:
    def short(value: str | None) -> str:
        """An ISO time in the config's zone, the zone named: `2026-12-01 10:00 CET`."""
        if not value:
            return "never"
        return f"{datetime.fromisoformat(value).astimezone(zone):%Y-%m-%d %H:%M %Z}"

    label = row["health"] if row["enabled"] else "off (enabled: false)"
    typer.echo(f"{row['name']} ({row['adapter']}): {label}")
    typer.echo(
        f"  last attempt {short(row['last_attempt'])}, last success {short(row['last_success'])}, "
        f"last new item {short(row['last_new_item'])}, next due {short(row['next_due'])}"
    )
    if row["failures"]:
        typer.echo(f"  {row['failures']} failure(s) in a row since {short(row['failing_since'])}")
    if row["last_error"]:
        typer.echo(f"  last error: {row['last_error']}")
    if row["disabled_at"]:
        typer.echo(f"  disabled {short(row['disabled_at'])}: {row['disabled_reason']}")
    if row["silent_since"]:
        typer.echo(f"  silent since {short(row['silent_since'])}")


@sources_app.command("enable")
def enable(
    name: Annotated[str, typer.Argument(help="The source to fetch again.", show_default=False)],
    config_path: ConfigOption,
) -> None:
    """Re-enable a source that a health rule disabled (410 Gone, or days of failures)."""
    from aggregator.cli.startup import load_checked_config, open_store
    from aggregator.pipeline.health import reenabled

    config = load_checked_config(config_path)
    if name not in {source.name for source in config.sources}:
        raise typer.BadParameter(f"no source {name!r} in {config_path}")
    store = open_store(config.database)
    try:
        state = store.source_states().get(name)
        if state is None or state.disabled_at is None:
            typer.echo(f"source {name} is not disabled")
            return
        store.save_source_state(reenabled(state))
    finally:
        store.dispose()
    typer.echo(f"source {name} enabled; it is fetched on the next run")
