"""The `aggregate` command line: parses arguments and hands off to the pipeline and scheduler."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from aggregator import __version__, redact
from aggregator.cli.config_init import config_init
from aggregator.cli.listings import listings_app
from aggregator.cli.options import ConfigOption
from aggregator.cli.outbox import notify_app, outbox_app
from aggregator.cli.rules import rules_app
from aggregator.cli.sources import sources_app
from aggregator.errors import ConfigError, describe_error

# The stages are imported in the command bodies: `--version` and `--help` start without them.
if TYPE_CHECKING:
    from aggregator.adapters.catalogue import ResolvedSource
    from aggregator.config.model import Config
    from aggregator.pipeline.cycle import RunReport
    from aggregator.store import RunLockBusy, Store

__all__ = ["app", "main"]

log = logging.getLogger("aggregator")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
EXIT_SIGNAL = 128  # plus the signal's number, as a shell reports a process a signal ended
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
RUN_LOCK_WAIT = timedelta(seconds=10)

app = typer.Typer(
    help="Aggregate job, gig and micro-internship listings and alert on the ones you want.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help (inherited by every sub-command): typer's rich panels print `<bool>` beside
    # each flag and break the docstrings' lines where the source does.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
config_app = typer.Typer(help="Write and check configuration files.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
config_app.command("init")(config_init)
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(notify_app, name="notify")
app.add_typer(outbox_app, name="outbox")
app.add_typer(rules_app, name="rules")
app.add_typer(listings_app, name="listings")


class _State:
    debug = False


def _setup_logging(level: int) -> None:
    """One stderr handler on the root logger (at DEBUG with --debug), whose filter scrubs
    every record of every library (httpx logs request URLs with their API keys). Called
    again by a command to set its level."""
    root = logging.getLogger()
    if not any(getattr(handler, "_aggregator", False) for handler in root.handlers):
        stderr = logging.StreamHandler(sys.stderr)
        stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        stderr._aggregator = True  # type: ignore[attr-defined]
        root.addHandler(stderr)
    for handler in root.handlers:
        redact.install(handler)
    root.setLevel(logging.DEBUG if _State.debug else level)
    # A failing alert template is the user's to fix, and is reported once per channel: shown
    # even by a quiet `run` (cron mails it), which otherwise prints errors only.
    logging.getLogger("aggregator.notify.templates").setLevel(
        logging.DEBUG if _State.debug else min(level, logging.WARNING)
    )
    logging.captureWarnings(True)  # warnings go through the same scrubbing handler
    # apprise's own warnings are captured per message and reported redacted by our deliverer.
    logging.getLogger("apprise").propagate = _State.debug
    # APScheduler's INFO lines (job added, "Running job ...") are its internals: --debug only.
    logging.getLogger("apscheduler").setLevel(
        logging.DEBUG if _State.debug else max(level, logging.WARNING)
    )


def _print_version(wanted: bool) -> None:
    # Eager, so that it runs while the options are parsed, before click asks for a command.
    if wanted:
        typer.echo(f"aggregate {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and debug logs on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    _State.debug = debug


@app.command()
def run(
    config_path: ConfigOption,
    all_sources: Annotated[
        bool, typer.Option("--all", help="Fetch every enabled source, due or not.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Write nothing, send nothing; print what would be sent."),
    ] = False,
    no_notify: Annotated[
        bool, typer.Option("--no-notify", help="Store and queue alerts but do not send them.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print problems only (on stderr), even on a terminal."),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Print the per-source table, even without a terminal."
        ),
    ] = False,
) -> None:
    """Run one cycle over the due sources, then deliver pending alerts (for cron).

    Without a terminal (cron) or with --quiet, nothing is printed on stdout when all is well;
    errors and failing sources go to stderr, so cron mails only a run in trouble. On a terminal
    or with --verbose, a table shows each source's fetched, new and matched counts.

    Exit status: 0 when every source succeeded (or another run holds the lock), 1 when a source
    or a delivery failed (the rest is still processed and stored, undelivered alerts are
    retried on a later run), 2 for a bad configuration, 130 or 143 when stopped by SIGINT
    (Ctrl-C) or SIGTERM (the alerts not yet delivered stay queued for the next run).
    """
    import asyncio
    import json

    from aggregator.cli.startup import load_resolved_config, open_store
    from aggregator.cli.summary import Style, print_report, report_as_json
    from aggregator.notify.channels import set_console_stream
    from aggregator.store import RunLockBusy

    if quiet and verbose:
        raise typer.BadParameter("--quiet and --verbose exclude each other", param_hint="'--quiet'")
    _setup_logging(logging.ERROR)
    if as_json:
        set_console_stream(sys.stderr)  # keep standard output for the JSON summary alone
    style = Style.for_streams(quiet=quiet, verbose=verbose)
    config, resolved = load_resolved_config(config_path)
    store = open_store(config.database, dry_run=dry_run)
    interrupt = _stop_handler()
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, interrupt)
    # A progress bar on a terminal, never under --quiet; standard error, beside the summary.
    shown = not quiet and sys.stderr.isatty()
    try:
        if dry_run:
            report = asyncio.run(
                _cycle(
                    config, resolved, store, all_sources, dry_run=True, deliver=False, shown=shown
                )
            )
        else:
            with store.run_lock("run", wait=RUN_LOCK_WAIT):
                report = asyncio.run(
                    _cycle(
                        config,
                        resolved,
                        store,
                        all_sources,
                        dry_run=False,
                        deliver=not no_notify,
                        shown=shown,
                    )
                )
    except RunLockBusy as busy:
        typer.echo(
            f"another run is in progress on this database ({_holding(busy)}); nothing done",
            err=True,
        )
        raise typer.Exit(EXIT_OK) from None
    except KeyboardInterrupt as stopped:
        signum = stopped.signum if isinstance(stopped, _Stopped) else int(signal.SIGINT)
        name = signal.Signals(signum).name
        typer.echo(f"stopped by {name}; undelivered alerts stay queued for the next run", err=True)
        raise typer.Exit(EXIT_SIGNAL + signum) from None
    finally:
        store.dispose()
    if as_json:
        typer.echo(json.dumps(report_as_json(report), indent=2))
    else:
        print_report(report, dry_run=dry_run, style=style)
    raise typer.Exit(EXIT_OK if report.sources_ok and report.delivery_ok else EXIT_FAILED)


def _holding(busy: RunLockBusy) -> str:
    since = f" since {busy.since:%Y-%m-%d %H:%M:%S} UTC" if busy.since else ""
    return f"held by {busy.holder or 'another process'}{since}"


class _Stopped(KeyboardInterrupt):
    """A stop signal, raised in the main thread wherever it was."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_handler() -> Callable[[int, object], None]:
    # Imported here, not in the handler: an import in a signal handler could meet a module
    # half-imported by the code the signal interrupted.
    from aggregator.pipeline.isolation import stop_workers

    def interrupt(signum: int, _frame: object) -> None:
        # A terminal ends a run with SIGINT; cron, systemd and `docker stop` with SIGTERM.
        # Unwinding rolls back the open transaction and releases the run lock; a delivery gives
        # its message in flight a few seconds. Parse workers are killed, so that no parse holds
        # up the exit.
        stop_workers()
        raise _Stopped(signum)

    return interrupt


async def _cycle(
    config: Config,
    resolved: list[ResolvedSource],
    store: Store,
    all_sources: bool,
    *,
    dry_run: bool,
    deliver: bool,
    shown: bool = False,
) -> RunReport:
    """One cycle, with a progress bar on standard error when `shown` (a terminal)."""
    from aggregator.cli.progress import RunProgress
    from aggregator.fetch.client import HttpClient
    from aggregator.models import OutboxStatus
    from aggregator.pipeline.cycle import Pipeline

    with RunProgress(enabled=shown) as progress:
        async with HttpClient(config.http) as client:
            pipeline = Pipeline(config, store, client, resolved=resolved)
            due = pipeline.due_sources(include_all=all_sources)
            progress.fetching(len(due))
            report = await pipeline.run_sources(due, dry_run=dry_run, on_fetched=progress.fetched)
        if deliver:
            if _prints_alerts(config):
                progress.stop()  # console:// alerts would tear through the bar
            elif shown:
                progress.delivering(len(store.outbox(status=OutboxStatus.PENDING)))
            try:
                report.deliveries = pipeline.deliver()
            except Exception as exc:
                # What the sources stored is committed: the summary must still say so. The
                # alerts stay queued (a claim of a live-then-gone holder is free at once).
                report.delivery_error = describe_error(exc)
                log.error("delivery failed: %s", report.delivery_error, exc_info=_State.debug)
    return report


def _prints_alerts(config: Config) -> bool:
    urls = (url for channel in config.channels.values() for url in channel.urls)
    return any(url.lower().startswith("console:") for url in urls)


@app.command()
def daemon(config_path: ConfigOption) -> None:
    """Keep running: fetch each source on its `every`, deliver alerts as they come.

    SIGTERM or SIGINT starts no new job and gives the jobs in flight a few seconds (a message
    being sent, a fetch), then exits 0, well within `docker stop`'s 10 s; alerts not yet
    delivered stay queued.
    """
    import asyncio

    from aggregator.cli.startup import load_resolved_config, open_store
    from aggregator.fetch.client import HttpClient
    from aggregator.pipeline.cycle import Pipeline
    from aggregator.pipeline.daemon import Daemon

    _setup_logging(logging.INFO)
    config, resolved = load_resolved_config(config_path)
    store = open_store(config.database)

    async def serve() -> None:
        async with HttpClient(config.http) as client:
            await Daemon(Pipeline(config, store, client, resolved=resolved)).run()

    try:
        asyncio.run(serve())
    finally:
        store.dispose()


@config_app.command("validate")
def config_validate(
    path: Annotated[Path, typer.Argument(help="The config file to check.", show_default=False)],
) -> None:
    """Check a config file and report every problem at once, each with its path."""
    from aggregator.cli.startup import load_checked_config

    config = load_checked_config(path)
    typer.echo(
        f"{path}: ok ({len(config.sources)} sources, {len(config.channels)} channels, "
        f"{len(config.rules)} rules)"
    )


@db_app.command("upgrade")
def db_upgrade(config_path: ConfigOption) -> None:
    """Create or migrate the database schema to the latest version."""
    from aggregator.cli.startup import load_checked_config
    from aggregator.store import Store

    config = load_checked_config(config_path)
    store = Store(config.database)
    try:
        store.upgrade()
        typer.echo(f"database {store.display_url} is up to date")
    finally:
        store.dispose()


@db_app.command("check")
def db_check(config_path: ConfigOption) -> None:
    """Exit 0 when the config loads and the database opens with a current schema, else 1: a
    health check (Docker HEALTHCHECK, systemd). Writes nothing; failing sources do not count."""
    from aggregator.cli.startup import check_store, load_checked_config

    config = load_checked_config(config_path)
    typer.echo(f"database {check_store(config.database)}: ok (schema current)")


@app.command()
def demo(
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the throwaway database and print its path.")
    ] = False,
) -> None:
    """See the whole pipeline work: bundled sample feeds served on 127.0.0.1, a throwaway
    database, alerts printed here. Needs no account and no internet."""
    from aggregator.cli.demo import run_demo

    _setup_logging(logging.ERROR)
    raise typer.Exit(run_demo(keep=keep))


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(redact.scrub(message), err=True)
    sys.exit(code)


def main() -> None:
    """Console entry point: turn known errors into one clear line and an exit code."""
    _State.debug = "--debug" in sys.argv[1:]
    threading.excepthook = redact.thread_excepthook
    _setup_logging(logging.WARNING)
    try:
        app()
    except ConfigError as exc:
        if _State.debug:
            _traceback_and_exit(exc, EXIT_CONFIG)
        lines = [f"{exc.source}: {len(exc.problems)} problem(s)"]
        lines += [f"  {problem}" for problem in exc.problems]
        _fail("\n".join(lines), EXIT_CONFIG)
    except Exception as exc:
        if _State.debug:
            _traceback_and_exit(exc, EXIT_FAILED)
        _fail(f"error: {describe_error(exc)} (run with --debug for details)", EXIT_FAILED)


def _traceback_and_exit(exc: Exception, code: int) -> NoReturn:
    # Printed here, scrubbed like every log line, rather than re-raised: typer replaces
    # sys.excepthook with its own, which prints the raw traceback.
    redact.excepthook(type(exc), exc, exc.__traceback__)
    sys.exit(code)
