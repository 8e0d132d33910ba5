"""Human and JSON summaries of a run, as the CLI prints them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from aggregator.pipeline.cycle import RunReport

__all__ = ["print_report", "report_as_json"]


def print_report(report: RunReport, *, dry_run: bool = False) -> None:
    """A line per source (fetched, new, matched, status), then the delivery outcome."""
    width = max([len(r.source) for r in report.sources] + [6])
    typer.echo(f"{'source':<{width}}  fetched    new  matched  status")
    for result in report.sources:
        status = "ok" if result.ok else f"error: {result.error}"
        typer.echo(
            f"{result.source:<{width}}  {result.fetched:>7}  {result.new:>5}  "
            f"{result.matched:>7}  {status}"
        )
    for result in report.sources:
        for note in result.notes:
            typer.echo(f"note: {result.source}: {note}")
    if not report.sources:
        typer.echo("(no source was due; use --all to fetch every source now)")
    if report.disabled:
        names = ", ".join(report.disabled)
        typer.echo(f"skipped (disabled; see `aggregate sources status`): {names}")
    for event in report.health:
        typer.echo(f"health: {event.message}", err=True)
    if dry_run:
        typer.echo(f"dry run: nothing written; {len(report.previews)} alert(s) would be queued")
        for preview in report.previews:
            typer.echo(f"  -> {preview.channel}: {preview.alert.title}")
        return
    sent = sum(1 for d in report.deliveries if d.ok)
    failed = [d for d in report.deliveries if not d.ok]
    typer.echo(f"delivered {sent} alert(s), {len(failed)} failed")
    for delivery in failed:
        typer.echo(f"  channel {delivery.channel}: {delivery.error} (will retry)", err=True)
    if report.delivery_error:
        typer.echo(f"delivery stopped: {report.delivery_error} (will retry)", err=True)


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
