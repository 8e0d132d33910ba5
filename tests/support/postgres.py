"""A fresh PostgreSQL schema per test, when AGGREGATOR_TEST_POSTGRES_URL names a server."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

POSTGRES_ENV = "AGGREGATOR_TEST_POSTGRES_URL"
# An odd session zone: PostgreSQL hands back timestamps in it, and the store must return UTC.
PG_SESSION_TIMEZONE = "Asia/Kolkata"


def postgres_schema_url() -> Iterator[str]:
    """Yield a URL whose search path is a new, empty schema; drop the schema afterwards.
    Skips the test when no server is configured."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}, e.g. postgresql+psycopg://...")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = f"-csearch_path={schema} -ctimezone={PG_SESSION_TIMEZONE}"
    try:
        yield (
            make_url(base)
            .update_query_dict({"options": options})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
