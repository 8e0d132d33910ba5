"""Start-up wiring shared by the CLI commands: checked config loading and opening the store."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from aggregator import redact, rules
from aggregator.adapters.catalogue import ResolvedSource, check_source, resolve
from aggregator.config.model import Checks, Config, load_config
from aggregator.errors import AggregatorError, describe_error
from aggregator.notify import check_channel_url
from aggregator.store import Store
from aggregator.store.engine import check_database_url

__all__ = [
    "CONFIG_CHECKS",
    "StartupError",
    "check_store",
    "load_checked_config",
    "load_resolved_config",
    "open_store",
]

CONFIG_CHECKS = Checks(
    source=check_source,
    database=check_database_url,
    query=rules.check_query,
    channel_url=check_channel_url,
)


class StartupError(AggregatorError):
    """Something outside the config stops a command from starting (shown as one line)."""


def load_checked_config(path: Path) -> Config:
    """Load a config with every check (schema, adapters and their options, rule queries,
    channel URLs) and the catalogue's defaults applied to its sources."""
    return load_resolved_config(path)[0]


def load_resolved_config(path: Path) -> tuple[Config, list[ResolvedSource]]:
    """`load_checked_config`, and its sources as resolved against the catalogue (once, here):
    a Pipeline takes them as they are."""
    redact.remember_env_references(path)  # before loading: its errors may quote them
    config = load_config(path, checks=CONFIG_CHECKS)
    resolved = [resolve(source) for source in config.sources]
    config = config.model_copy(update={"sources": [source.config for source in resolved]})
    redact.remember_config(config)
    return config, resolved


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return None if parsed.database == ":memory:" else Path(parsed.database)


def open_store(url: str, *, dry_run: bool = False) -> Store:
    """Open the database; the embedded SQLite default upgrades itself, PostgreSQL must be
    upgraded on purpose (`aggregate db upgrade`), since other machines may share it.

    A dry run writes nothing: on a SQLite file that does not exist yet it uses a memory database.
    """
    sqlite_file = _sqlite_file(url)
    if dry_run and sqlite_file is not None and not sqlite_file.exists():
        url = "sqlite://"
    try:
        store = Store(url)
        if make_url(url).get_backend_name() == "sqlite" and not (dry_run and url != "sqlite://"):
            store.upgrade()
        elif not store.schema_is_current():
            store.dispose()
            raise StartupError(
                f"the database schema of {store.display_url} is not current; "
                "run `aggregate db upgrade` first"
            )
    except SQLAlchemyError as exc:
        # no password, and no query string (psycopg also takes `?password=`)
        where = make_url(url).set(query={}).render_as_string(hide_password=True)
        reason = describe_error(exc).removeprefix("database error: ")
        raise StartupError(f"cannot open the database {where}: {reason}") from None
    return store


def check_store(url: str) -> str:
    """The database's display URL once it opens with a current schema; a StartupError if not.

    A health probe: it writes nothing, and a SQLite file that does not exist yet is a failure
    (the daemon or `aggregate run` creates it), not a fresh memory database.
    """
    sqlite_file = _sqlite_file(url)
    if sqlite_file is not None and not sqlite_file.is_file():
        raise StartupError(f"the database file {sqlite_file} does not exist yet")
    store = open_store(url, dry_run=True)
    try:
        return store.display_url
    finally:
        store.dispose()
