"""`aggregate rules test QUERY`: try a rule on postings from a file or on the stored listings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aggregator.cli.options import config_option
from aggregator.models import JobDetails
from aggregator.text import clean_data

# The stages are imported where they are used: `--help` starts without them.
if TYPE_CHECKING:
    from aggregator.rules import CompiledQuery, MatchDocument

__all__ = ["rules_app"]

rules_app = typer.Typer(help="Try rule queries before trusting them.", no_args_is_help=True)

EXIT_USAGE = 2
# What `remote` may be in an input line: posting_to_json writes yes/no/unknown, hand-written
# lines and other tools often say true/false (a JSON boolean or a string).
_REMOTE_INPUT = {
    "yes": "yes", "true": "yes", "no": "no", "false": "no", "unknown": "unknown", "": "unknown"
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A posting to test: its id as shown, title, url and what the query sees."""

    id: str | int
    title: str
    url: str | None
    document: MatchDocument


@rules_app.command("test")
def try_rule(
    query: Annotated[str, typer.Argument(help='A rule query, such as "data #microinternship".')],
    input_path: Annotated[
        Path | None,
        typer.Option(
            "--input",
            "-i",
            help="Postings as JSON lines (as `aggregate sources test --json` prints them); "
            "without it, the listings stored in the config's database.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only postings from this far back, such as 30d or 12h."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per match.")] = False,
    config_path: Annotated[
        Path | None,
        config_option("Config whose database to backtest. Defaults to $AGGREGATOR_CONFIG."),
    ] = None,
) -> None:
    """Print each posting QUERY matches, with why; exit 2 if the query is malformed."""
    compiled = _compile_or_exit(query)
    now = datetime.now(UTC)
    cutoff = None if since is None else now - _duration_or_exit(since)
    if input_path is not None:
        candidates = list(_from_file(input_path, cutoff))
    else:
        candidates = list(_from_store(config_path, cutoff))
    matched = 0
    for candidate in candidates:
        why = compiled.explain(candidate.document, now=now)
        if why is not None:
            matched += 1
            _print_match(candidate, why, as_json=as_json)
    if not as_json:
        typer.echo(f"{matched} of {len(candidates)} posting(s) match")


def _compile_or_exit(query: str) -> CompiledQuery:
    from aggregator.rules import QuerySyntaxError, compile

    try:
        return compile(query)
    except QuerySyntaxError as error:
        typer.echo(f"error: {error}", err=True)
        excerpt, caret = _excerpt(query, error.position - 1)
        typer.echo(f"  {excerpt}\n  {' ' * caret}^", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _excerpt(query: str, index: int, width: int = 76) -> tuple[str, int]:
    """The part of a long query around `index` (with `...` where cut), and where `index` is."""
    start = max(0, min(index - width // 2, len(query) - width))
    head, tail = ("..." if start else ""), ("..." if start + width < len(query) else "")
    return head + query[start : start + width] + tail, index - start + len(head)


def _duration_or_exit(text: str) -> timedelta:
    from aggregator.config.model import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        typer.echo(f"error: --since: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _print_match(candidate: _Candidate, why: str, *, as_json: bool) -> None:
    if as_json:
        row = {"id": candidate.id, "title": candidate.title, "url": candidate.url, "why": why}
        typer.echo(json.dumps(row, ensure_ascii=False))
        return
    where = f"  <{candidate.url}>" if candidate.url else ""
    # A posting without an id is named by its URL: print the URL once.
    shown = "" if candidate.id == candidate.url else f"[{candidate.id}] "
    typer.echo(f"{shown}{candidate.title}{where}")
    typer.echo(f"    why: {why}")


def _from_store(config_path: Path | None, cutoff: datetime | None) -> Iterator[_Candidate]:
    if config_path is None:
        typer.echo("error: give --input FILE, or --config (or $AGGREGATOR_CONFIG)", err=True)
        raise typer.Exit(EXIT_USAGE)
    from aggregator.cli.startup import load_checked_config, open_store
    from aggregator.rules import document_from_listing as listing_document

    config = load_checked_config(config_path)
    store = open_store(config.database, dry_run=True)
    try:
        listings = store.all_listings(since=cutoff)
    finally:
        store.dispose()
    for listing in listings:
        yield _Candidate(listing.id, listing.title, listing.url, listing_document(listing))


def _from_file(path: Path, cutoff: datetime | None) -> Iterator[_Candidate]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        typer.echo(f"error: --input: {error.strerror}: {path}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            candidate = _candidate(clean_data(json.loads(line)), number)
        except (ValueError, TypeError, AttributeError) as error:
            typer.echo(f"error: {path}:{number}: not a posting: {error}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        posted = candidate.document.posted_at
        if cutoff is None or (posted is not None and posted >= cutoff):
            yield candidate


def _candidate(data: dict[str, Any], number: int) -> _Candidate:
    """A posting as `posting_to_json` writes it (extra keys ignored, most keys optional)."""
    from aggregator.rules import MatchDocument

    title = str(data.get("title") or "")
    sources = data.get("sources") or ([data["source"]] if data.get("source") else [])
    document = MatchDocument(
        title=title,
        company=data.get("company"),
        location=data.get("location"),
        description=str(data.get("description") or ""),
        tags=tuple(data.get("tags") or ()),
        sources=tuple(str(source) for source in sources),
        job=_job(data),
        posted_at=_moment(data.get("posted_at")),
        status=str(data.get("status") or "open"),
    )
    shown = data.get("id") or data.get("url") or f"line {number}"
    return _Candidate(shown, title, data.get("url"), document)


def _job(data: dict[str, Any]) -> JobDetails:
    return JobDetails(
        remote=_remote(data.get("remote")),
        employment_type=_text(data.get("employment_type")),
        pay_min=_number(data.get("pay_min")),
        pay_max=_number(data.get("pay_max")),
        currency=_text(data.get("currency")),
        pay_period=_text(data.get("pay_period")),
        duration=_text(data.get("duration")),
        duration_min_hours=_number(data.get("duration_min_hours")),
        duration_max_hours=_number(data.get("duration_max_hours")),
        deadline=_moment(data.get("deadline")),
    )


def _remote(value: object) -> str:
    """yes, no or unknown from a JSON boolean or a word; anything else is an error, not unknown."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    word = _REMOTE_INPUT.get(str(value).strip().casefold())
    if word is None:
        raise ValueError(f"remote is yes, no, unknown, true or false, got {str(value)[:40]!r}")
    return word


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> float | None:
    return None if value is None else float(str(value))


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
