"""`aggregate listings list|show|export|merge|split`: see, search and export what the store
holds, and correct a wrong merge by hand."""

from __future__ import annotations

import io
import os
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from aggregator.cli.options import ConfigOption

# The stages (config loading, the store, the rule language) are imported in the command
# bodies: `--help` starts without them.
if TYPE_CHECKING:
    from aggregator.rules import CompiledQuery
    from aggregator.store import Store
    from aggregator.store.listing_queries import ListingFilter, StoredListing

__all__ = ["listings_app"]

EXIT_USAGE = 2
STATUS_HELP = "open (the default), closed (closed or expired), expired, or all."
FORMATS = ("csv", "jsonl", "atom")

listings_app = typer.Typer(
    help="List, search, show and export the stored listings; merge or split them by hand.",
    no_args_is_help=True,
)

QueryOption = Annotated[
    str | None,
    typer.Option(
        "--query",
        "-q",
        help='Only listings this rule query matches, as in a rule: "data #microinternship".',
        show_default=False,
    ),
]
StatusOption = Annotated[str, typer.Option("--status", help=STATUS_HELP, show_default=False)]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source", help="Only listings seen on this source (its name).", show_default=False
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only listings first seen this recently: 7d, 12h.", show_default=False
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, help="At most this many listings.", show_default=False),
]


@dataclass(frozen=True, slots=True)
class _Selection:
    """What the filter options ask for: a store filter, a rule query and a limit."""

    filter: ListingFilter
    query: CompiledQuery | None
    limit: int | None


def _selection(
    query: str | None, status: str, source: str | None, since: str | None, limit: int | None
) -> _Selection:
    from aggregator.cli.rules import _compile_or_exit, _duration_or_exit
    from aggregator.store.listing_queries import STATUS_CHOICES, ListingFilter

    if status not in STATUS_CHOICES:
        typer.echo(f"error: --status must be one of {', '.join(STATUS_CHOICES)}", err=True)
        raise typer.Exit(EXIT_USAGE)
    cutoff = None if since is None else datetime.now(UTC) - _duration_or_exit(since)
    compiled = None if query is None else _compile_or_exit(query)
    return _Selection(ListingFilter(STATUS_CHOICES[status], source, cutoff), compiled, limit)


def _selected(
    store: Store, selection: _Selection, now: datetime
) -> Generator[StoredListing, None, None]:
    """The store's stream, through the rule query (with the document the matcher uses), up to
    the limit; the store's read ends when this generator does."""
    from aggregator.rules import PreparedDocument, document_from_listing

    count = 0
    with closing(store.iter_listings(selection.filter)) as items:
        for item in items:
            if selection.limit is not None and count >= selection.limit:
                return
            if selection.query is not None:
                document = PreparedDocument.from_document(
                    document_from_listing(item.listing), now=now
                )
                if not selection.query.matches_prepared(document):
                    continue
            count += 1
            yield item


@contextmanager
def _store(config_path: Path, *, write: bool = False) -> Iterator[Store]:
    from aggregator.cli.startup import load_checked_config, open_store

    config = load_checked_config(config_path)
    store = open_store(config.database, dry_run=not write)
    try:
        yield store
    finally:
        store.dispose()


@listings_app.command("list")
def list_listings(
    config_path: ConfigOption,
    query: QueryOption = None,
    status: StatusOption = "open",
    source: SourceOption = None,
    since: SinceOption = None,
    limit: LimitOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per listing, as `export` writes.")
    ] = False,
) -> None:
    """Newest first, one line each: id, title, company, place, pay, boards, age."""
    from aggregator.cli.listing_export import json_line, listing_json, summary_line

    selection = _selection(query, status, source, since, limit)
    now = datetime.now(UTC)
    shown = 0
    with _store(config_path) as store, closing(_selected(store, selection, now)) as items:
        for shown, item in enumerate(items, start=1):  # noqa: B007 (the count is printed)
            line = json_line(listing_json(item)) if as_json else summary_line(item, now)
            typer.echo(line)
    if not as_json and not shown:
        typer.echo("no listings match", err=True)


@listings_app.command("show")
def show_listing(
    listing_id: Annotated[int, typer.Argument(metavar="ID", help="The listing's id.")],
    config_path: ConfigOption,
) -> None:
    """Every field of a listing, every sighting (with why it joined), and the rules it matched."""
    from aggregator.cli.listing_export import show_lines

    with _store(config_path) as store:
        detail = store.listing_detail(listing_id)
    if detail is None:
        typer.echo(f"error: no listing {listing_id}", err=True)
        raise typer.Exit(EXIT_USAGE)
    for line in show_lines(detail, datetime.now(UTC)):
        typer.echo(line)


@listings_app.command("export")
def export_listings(
    config_path: ConfigOption,
    export_format: Annotated[
        str, typer.Option("--format", "-f", help="csv, jsonl or atom.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write to this file (default: standard output).", dir_okay=False
        ),
    ] = None,
    query: QueryOption = None,
    status: StatusOption = "open",
    source: SourceOption = None,
    since: SinceOption = None,
    limit: LimitOption = None,
) -> None:
    """Write the selected listings as CSV, JSON lines or Atom, newest first.

    jsonl: one object per listing, with its sightings. csv: a header row; a cell that would
    start a spreadsheet formula gets a leading '. atom: a feed for a feed reader. The store is
    read a page at a time: an export of any size streams.
    """
    from aggregator.cli import listing_export

    if export_format not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(EXIT_USAGE)
    selection = _selection(query, status, source, since, limit)
    now = datetime.now(UTC)
    with (
        _store(config_path) as store,
        _output(output) as out,
        closing(_selected(store, selection, now)) as items,
    ):
        if export_format == "atom":
            count = listing_export.write_atom(items, out, feed_key=store.display_url, now=now)
        elif export_format == "csv":
            count = listing_export.write_csv(items, out)
        else:
            count = listing_export.write_jsonl(items, out)
    if output is not None:
        typer.echo(f"wrote {count} listing(s) to {output}", err=True)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    """UTF-8 text to `path` (written beside it, then moved in place: no half file is left
    where the old one was) or to standard output."""
    if path is None:
        wrapper = io.TextIOWrapper(typer.get_binary_stream("stdout"), "utf-8", newline="")
        try:
            yield wrapper
        finally:
            wrapper.flush()
            wrapper.detach()  # standard output stays open
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
    except OSError as error:
        partial.unlink(missing_ok=True)
        typer.echo(f"error: --output: {error.strerror}: {path}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


@listings_app.command("merge")
def merge_listings(
    keep: Annotated[int, typer.Argument(metavar="A", help="The listing to keep.")],
    remove: Annotated[int, typer.Argument(metavar="B", help="The listing merged into A.")],
    config_path: ConfigOption,
) -> None:
    """Merge listing B into A: two listings that are the same job.

    B's sightings, matches and queued alerts move to A (an alert A already has for the same
    rule and channel is dropped), and B is deleted.
    """
    from aggregator.store.listing_edits import ListingEditError

    with _store(config_path, write=True) as store:
        try:
            done = store.merge_listings(keep, remove)
        except ListingEditError as error:
            _refuse(error)
    typer.echo(
        f"merged listing {done.removed} into {done.kept}: {done.sightings} sighting(s), "
        f"{done.matches} match(es) and {done.outbox_moved} alert(s) moved, "
        f"{done.outbox_dropped} duplicate alert(s) dropped; listing {done.removed} is gone"
    )


@listings_app.command("split")
def split_listing(
    listing_id: Annotated[int, typer.Argument(metavar="ID", help="The listing to split.")],
    sighting_id: Annotated[
        int, typer.Argument(metavar="SIGHTING", help="The sighting's id, as `show` lists it.")
    ],
    config_path: ConfigOption,
) -> None:
    """Move a sighting out of listing ID into a new listing: a different job merged by mistake.

    Later runs keep the two apart.
    """
    from aggregator.store.listing_edits import ListingEditError

    with _store(config_path, write=True) as store:
        try:
            done = store.split_listing(listing_id, sighting_id, now=datetime.now(UTC))
        except ListingEditError as error:
            _refuse(error)
    from aggregator.notify.escaping import one_line

    sighting = done.sighting
    seen = one_line(f"{sighting.source} {sighting.external_id or ''}")
    typer.echo(
        f"moved sighting {sighting.id} ({seen}) out of listing {done.listing_id} into new "
        f"listing {done.new_id}; later runs keep them apart"
    )


def _refuse(error: Exception) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(EXIT_USAGE) from None
