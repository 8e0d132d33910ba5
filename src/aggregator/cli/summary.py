"""Human and JSON summaries of a run, as the CLI prints them."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

import typer

if TYPE_CHECKING:
    from aggregator.pipeline.cycle import RunReport

__all__ = ["Style", "print_report", "report_as_json"]


@dataclass(frozen=True, slots=True)
class Style:
    """How much of a summary to print, and whether in colour (per stream)."""

    table: bool = True  # the per-source table and the delivery count (a TTY or --verbose)
    quiet: bool = False  # --quiet: problems only, not even a dry run's previews
    color: bool = False  # on standard output
    err_color: bool = False  # on standard error

    @classmethod
    def for_streams(cls, *, quiet: bool, verbose: bool) -> Style:
        """The style for this process's standard output and error."""
        return cls(
            table=verbose or (not quiet and sys.stdout.isatty()),
            quiet=quiet,
            color=_colour(sys.stdout),
            err_color=_colour(sys.stderr),
        )


def _colour(stream: TextIO) -> bool:
    """Colour on a terminal only, and not where $NO_COLOR is set to anything (no-color.org)
    or the terminal says it cannot (TERM=dumb)."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def print_report(report: RunReport, *, dry_run: bool = False, style: Style = Style()) -> None:
    """A line per source (fetched, new, matched, status), then the delivery outcome, on
    standard output with `style.table`; every problem on standard error in any case, so that
    cron mails a run only when something is wrong."""
    if style.table:
        _print_table(report, style)
    _print_problems(report, style)
    if dry_run:
        if not style.quiet:
            typer.echo(f"dry run: nothing written; {len(report.previews)} alert(s) would be queued")
            for preview in report.previews:
                typer.echo(f"  -> {preview.channel}: {preview.alert.title}")
        return
    if style.table:
        sent = sum(1 for d in report.deliveries if d.ok)
        failed = sum(1 for d in report.deliveries if not d.ok)
        typer.echo(f"delivered {sent} alert(s), {failed} failed")


def _print_table(report: RunReport, style: Style) -> None:
    width = max([len(r.source) for r in report.sources] + [6])
    typer.echo(f"{'source':<{width}}  fetched    new  matched  status")
    for result in report.sources:
        status = (
            typer.style("ok", fg="green")
            if result.ok
            else typer.style(f"error: {result.error}", fg="red")
        )
        typer.echo(
            f"{result.source:<{width}}  {result.fetched:>7}  {result.new:>5}  "
            f"{result.matched:>7}  {status}",
            color=style.color,
        )
    for result in report.sources:
        for note in result.notes:
            typer.echo(f"note: {result.source}: {note}")
    if not report.sources:
        typer.echo("(no source was due; use --all to fetch every source now)")
    if report.disabled:
        names = ", ".join(report.disabled)
        typer.echo(f"skipped (disabled; see `aggregate sources status`): {names}")


def _print_problems(report: RunReport, style: Style) -> None:
    def problem(label: str, text: str, colour: str = "red") -> None:
        typer.echo(f"{typer.style(label, fg=colour)} {text}", err=True, color=style.err_color)

    for result in report.sources:
        if not result.ok:
            problem("error:", f"source {result.source}: {result.error}")
    for event in report.health:
        problem("health:", event.message, "yellow")
    for delivery in report.deliveries:
        if not delivery.ok:
            problem("error:", f"channel {delivery.channel}: {delivery.error} (will retry)")
    if report.delivery_error:
        problem("delivery stopped:", f"{report.delivery_error} (will retry)")


def report_as_json(report: RunReport) -> dict[str, Any]:
    return {
        "ok": report.sources_ok and report.delivery_ok,
        "sources": [
            {
                "source": r.source,
                "fetched": r.fetched,
                "new": r.new,
                "matched": r.matched,
                "held_back": r.held_back,
                "error": r.error,
                "notes": r.notes,
            }
            for r in report.sources
        ],
        "disabled": report.disabled,
        "health": [
            {"source": e.source, "kind": e.kind, "message": e.message} for e in report.health
        ],
        "delivered": sum(1 for d in report.deliveries if d.ok),
        "failed": [{"channel": d.channel, "error": d.error} for d in report.deliveries if not d.ok],
        "delivery_error": report.delivery_error,
        "would_send": [
            {"channel": p.channel, "title": p.alert.title, "body": p.alert.body}
            for p in report.previews
        ],
    }
