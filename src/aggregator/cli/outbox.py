"""`aggregate notify test` and `aggregate outbox list|retry|purge`: try a channel, manage alerts."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from aggregator import redact
from aggregator.cli.options import ConfigOption
from aggregator.models import JobDetails, Listing, OutboxEntry, OutboxStatus

if TYPE_CHECKING:
    from aggregator.store import Store

# The stages (config loading, the store, the channels) are imported in the command bodies:
# `--help` starts without them.

__all__ = ["notify_app", "outbox_app"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

notify_app = typer.Typer(help="Try the alert channels.", no_args_is_help=True)
outbox_app = typer.Typer(
    help="Show and manage queued alerts: pending, failing and dead.", no_args_is_help=True
)

STATUS_CHOICES = ("pending", "failing", "dead", "sent", "all")


def _quiet_logs() -> None:
    # apprise's own warnings could echo a URL; our messages are redacted.
    logging.getLogger("apprise").propagate = False


def sample_listing(now: datetime) -> Listing:
    """The listing `notify test` sends: plausible, and plainly a test."""
    return Listing(
        id=0,
        title="Sample alert: Data analysis micro-internship",
        url="https://example.org/jobs/sample",
        company="Example Co",
        location="Remote",
        description="This is a test message from `aggregate notify test`. No job here.",
        tags=("test",),
        posted_at=now - timedelta(hours=2),
        first_seen_at=now,
        sources=("sample",),
        job=JobDetails(
            remote="yes",
            employment_type="micro-internship",
            pay_min=25,
            pay_max=30,
            currency="USD",
            pay_period="hour",
        ),
    )


@notify_app.command("test")
def notify_test(
    channel: Annotated[str, typer.Argument(help="A channel name from the config.")],
    config_path: ConfigOption,
) -> None:
    """Send a sample alert to CHANNEL through every one of its URLs and report each outcome."""
    from aggregator.cli.startup import load_checked_config
    from aggregator.notify import build_channels, render_alert

    _quiet_logs()
    config = load_checked_config(config_path)
    if channel not in config.channels:
        known = ", ".join(sorted(config.channels)) or "none"
        typer.echo(f"unknown channel {channel!r} (configured: {known})", err=True)
        raise typer.Exit(EXIT_USAGE)
    built = build_channels({channel: config.channels[channel]})[channel]
    now = datetime.now(UTC)
    alert = render_alert(
        sample_listing(now),
        rule="sample",
        why="this is a test of the channel",
        now=now,
        templates=built.config.templates,
        html=built.is_email,
        channel=channel,
    )
    failed = 0
    for index, target in enumerate(built.targets):
        outcome = built.send(
            alert,
            key=f"test:{channel}:{now:%Y%m%dT%H%M%S}",
            skip=frozenset(i for i in range(len(built.targets)) if i != index),
        )
        failed += not outcome.ok
        status = "ok" if outcome.ok else f"failed: {outcome.error}"
        # apprise's privacy form still shows webhook header values (`+X-Token=...`).
        typer.echo(redact.scrub(f"{channel} [{index + 1}] {target.display}: {status}"))
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _matches(entry: OutboxEntry, status: str) -> bool:
    if status == "all":
        return True
    if status == "failing":
        return entry.status == OutboxStatus.PENDING and entry.attempts > 0
    return entry.status.value == status


def _row(entry: OutboxEntry) -> dict[str, object]:
    when = entry.sent_at if entry.status == OutboxStatus.SENT else entry.next_attempt_at
    return {
        "id": entry.id,
        "key": entry.key,
        "kind": entry.kind,
        "status": entry.status.value,
        "channel": entry.channel,
        "rule": entry.rule,
        "attempts": entry.attempts,
        "next_attempt_at" if entry.status == OutboxStatus.PENDING else "at": (
            when.isoformat() if when else None
        ),
        "last_error": entry.last_error,
    }


def _print_table(entries: Sequence[OutboxEntry]) -> None:
    typer.echo(
        f"{'ID':>6}  {'STATUS':<8} {'KIND':<7} {'CHANNEL':<12} {'TRIES':>5}  "
        f"{'NEXT/SENT (UTC)':<16}  KEY / LAST ERROR"
    )
    for entry in entries:
        when = entry.sent_at if entry.status == OutboxStatus.SENT else entry.next_attempt_at
        stamp = f"{when:%Y-%m-%d %H:%M}" if when else "-"
        if entry.status == OutboxStatus.DEAD:
            stamp = "-"
        typer.echo(
            f"{entry.id:>6}  {entry.status.value:<8} {entry.kind:<7} {entry.channel:<12} "
            f"{entry.attempts:>5}  {stamp:<16}  {entry.key}"
        )
        if entry.last_error and entry.status != OutboxStatus.SENT:
            typer.echo(f"{'':>8}last error: {entry.last_error}")


@outbox_app.command("list")
def outbox_list(
    config_path: ConfigOption,
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="pending, failing (pending after a failed attempt), dead, sent, or all. "
            "Default: everything not sent.",
            show_default=False,
        ),
    ] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per row.")] = False,
) -> None:
    """Show queued alerts with their attempts, next attempt and last error (secrets redacted)."""
    from aggregator.cli.startup import load_checked_config, open_store

    if status and status not in STATUS_CHOICES:
        typer.echo(f"--status must be one of {', '.join(STATUS_CHOICES)}", err=True)
        raise typer.Exit(EXIT_USAGE)
    config = load_checked_config(config_path)
    store = open_store(config.database)
    try:
        entries = store.outbox()
    finally:
        store.dispose()
    if status:
        entries = [e for e in entries if _matches(e, status)]
    else:
        entries = [e for e in entries if e.status != OutboxStatus.SENT]
    if as_json:
        for entry in entries:
            typer.echo(json.dumps(_row(entry)))
        return
    if not entries:
        typer.echo("the outbox has no such alerts")
        return
    _print_table(entries)


@outbox_app.command("retry")
def outbox_retry(
    config_path: ConfigOption,
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="Row ids to retry now (default: every dead row).", show_default=False),
    ] = None,
) -> None:
    """Make dead alerts (or the given rows) due now, with a fresh retry schedule."""
    from aggregator.cli.startup import load_checked_config, open_store

    config = load_checked_config(config_path)
    store = open_store(config.database)
    try:
        count = store.retry_outbox(ids=ids or None, now=datetime.now(UTC))
    finally:
        store.dispose()
    what = "row(s)" if ids else "dead row(s)"
    typer.echo(f"{count} {what} will be sent on the next delivery (`aggregate run` or the daemon)")


@outbox_app.command("purge")
def outbox_purge(
    config_path: ConfigOption,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than", help="Only rows created longer ago than this (sent and dead: 30d)."
        ),
    ] = None,
    dead: Annotated[
        bool, typer.Option("--dead", help="Also delete dead rows (they are kept by default).")
    ] = False,
    pending: Annotated[
        bool,
        typer.Option("--pending", help="Drop queued alerts instead: they will never be sent."),
    ] = False,
    rule: Annotated[
        str | None, typer.Option("--rule", help="With --pending: only this rule's alerts.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="With --pending: only alerts of listings this source saw."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="With --pending: do not ask.")] = False,
) -> None:
    """Delete sent alerts (and dead ones with --dead) older than --older-than; never pending
    ones, unless --pending: then drop queued alerts (of --rule, --source), after a confirmation.

    A purged alert is never sent again: only new listings are queued.
    """
    from aggregator.cli.startup import load_checked_config, open_store
    from aggregator.config.model import parse_duration

    _check_purge_options(
        pending=pending, dead=dead, older_than=older_than, rule=rule, source=source
    )
    try:
        age = parse_duration(older_than or "30d")
    except ValueError as exc:
        typer.echo(f"--older-than: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    config = load_checked_config(config_path)
    store = open_store(config.database)
    try:
        if pending:
            count = _purge_pending(store, rule=rule, source=source, yes=yes)
            typer.echo(f"dropped {count} pending alert(s)")
            return
        statuses = [OutboxStatus.SENT, *([OutboxStatus.DEAD] if dead else [])]
        count = store.purge_outbox(statuses=statuses, before=datetime.now(UTC) - age)
    finally:
        store.dispose()
    typer.echo(f"purged {count} row(s)")


def _check_purge_options(
    *, pending: bool, dead: bool, older_than: str | None, rule: str | None, source: str | None
) -> None:
    """--pending drops queued alerts by rule and source, not by age; the others purge by age."""
    if pending and (dead or older_than is not None):
        problem = "--pending cannot be combined with --dead or --older-than"
    elif not pending and (rule is not None or source is not None):
        problem = "--rule and --source need --pending (sent and dead rows are purged by age)"
    else:
        return
    typer.echo(problem, err=True)
    raise typer.Exit(EXIT_USAGE)


def _purge_pending(store: Store, *, rule: str | None, source: str | None, yes: bool) -> int:
    """Count the pending alerts, ask (unless `yes`), then drop them; return how many went."""
    now = datetime.now(UTC)
    count = store.purge_pending(now=now, rule=rule, source=source, dry_run=True)
    if count == 0:
        return 0
    which = "".join(
        f" of {kind} {name!r}" for kind, name in (("rule", rule), ("source", source)) if name
    )
    if not yes:
        if not sys.stdin.isatty():
            typer.echo(
                f"refusing to drop {count} pending alert(s){which} without a confirmation: "
                "stdin is not a terminal; add --yes",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE)
        if not typer.confirm(f"Drop {count} pending alert(s){which}? They will never be sent."):
            typer.echo("nothing dropped", err=True)
            raise typer.Exit(EXIT_FAILED)
    return store.purge_pending(now=datetime.now(UTC), rule=rule, source=source)
