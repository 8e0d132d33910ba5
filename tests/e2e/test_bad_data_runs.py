"""Real `aggregate run`s meeting bad data and a failing database: what is good is stored, and
every error is one line in the summary and in `sources status`."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply

POSTGRES_ENV = "AGGREGATOR_TEST_POSTGRES_URL"
CANARY = "LISTINGTEXTCANARY"
FIELDS = "{records: jobs, fields: {title: title, url: url, company: company, tags: tags}}"
# Written by hand: json.dumps would refuse to write a lone surrogate escape or keep "\u0000".
HOSTILE_PAGE = (
    '{"jobs": ['
    '{"title": "First good job", "url": "http://jobs.test/1"},'
    '{"title": "Broken \\ud800 title", "url": "http://jobs.test/2", "company": "Nul\\u0000Co",'
    ' "tags": ["ok", "half\\udfff"]},'
    '{"title": "Split pair \\ud83d\\ude00", "url": "http://jobs.test/3"},'
    '{"title": "Tracking link", "url": "http://jobs.test/4?state=' + secrets.token_hex(1600) + '"},'
    '{"title": "Last good job", "url": "http://jobs.test/5"}'
    "]}"
)


def json_source(name: str, url: str) -> str:
    return f"  - name: {name}\n    adapter: json_api\n    url: '{url}'\n    options: {FIELDS}\n"


def write_config(folder: Path, database: str, sources: str) -> Path:
    config = folder / "config.yaml"
    config.write_text(
        f"database: '{database}'\nhttp: {{per_host_gap: 0, retries: 0}}\nsources:\n{sources}"
    )
    return config


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A SQLite file, or a fresh schema on the PostgreSQL server (skipped without one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def stored_titles(database: str) -> list[str]:
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT title FROM listings ORDER BY title"))
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def test_records_with_unencodable_text_are_cleaned_and_the_whole_page_is_stored(
    tmp_path: Path, server: LocalServer, database: str
) -> None:
    url = server.route("/jobs", Reply(body=HOSTILE_PAGE.encode()))
    config = write_config(tmp_path, database, json_source("board", url))
    if database.startswith("postgresql"):
        assert run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0

    result = run_cli("run", "--config", str(config), "--json", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    (summary,) = json.loads(result.stdout)["sources"]
    assert (summary["fetched"], summary["new"], summary["error"]) == (5, 5, None)
    assert stored_titles(database) == [
        "Broken \ufffd title",
        "First good job",
        "Last good job",
        "Split pair 😀",
        "Tracking link",
    ]
    status = run_cli("sources", "status", "--config", str(config), "--json", cwd=tmp_path)
    assert json.loads(status.stdout)["health"] == "ok"


def test_a_100k_deep_json_body_is_one_line_and_the_other_source_is_stored(
    tmp_path: Path, server: LocalServer
) -> None:
    good = server.route("/good", Reply(body=b'{"jobs": [{"title": "Fine job"}]}'))
    deep = server.route("/deep", Reply(body=b"[" * 100_000 + b"]" * 100_000))
    database = f"sqlite:///{tmp_path / 'data.db'}"
    config = write_config(tmp_path, database, json_source("deep", deep) + json_source("ok", good))

    result = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("deep ")]
    assert line.endswith("error: the data is nested too deeply to read")
    assert stored_titles(database) == ["Fine job"]
    status = run_cli("sources", "status", "--config", str(config), cwd=tmp_path)
    assert "  last error: the data is nested too deeply to read\n" in status.stdout
    debug = run_cli("--debug", "run", "--all", "--config", str(config), cwd=tmp_path)
    assert "Traceback" in debug.stderr
    assert "RecursionError" in debug.stderr


# A launcher playing a full disk: every SQLite connection of the real `aggregate` process may
# grow the file to a fixed number of pages, past which SQLite fails with SQLITE_FULL ("database
# or disk is full"), exactly as on a full disk.
FULL_DISK = """
import sys
from sqlalchemy import event
from sqlalchemy.pool import Pool

PAGES = int(sys.argv[1])

@event.listens_for(Pool, "connect")
def _cap(dbapi_connection, record):
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA max_page_count = {PAGES}")
    cursor.close()

from aggregator.cli.app import main
sys.argv = ["aggregate", *sys.argv[2:]]
main()
"""


def run_on_a_full_disk(pages: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(pages), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def big_page(prefix: str, count: int, size: int) -> bytes:
    jobs = [
        {
            "id": f"{prefix}-{n}",
            "title": f"{prefix} {n}",
            "description": f"{CANARY} " + secrets.token_hex(size // 2),
        }
        for n in range(count)
    ]
    return json.dumps({"jobs": jobs}).encode()


def test_a_full_disk_fails_that_source_in_one_line_and_keeps_what_the_others_stored(
    tmp_path: Path, server: LocalServer
) -> None:
    fields = "{records: jobs, fields: {id: id, title: title, description: description}}"
    small = server.route("/small", Reply(body=big_page("Small", 1, 10)))
    large = server.route("/large", Reply(body=big_page("Large", 1, 10)))
    database = tmp_path / "data.db"
    sources = "".join(
        f"  - {{name: {name}, adapter: json_api, url: '{url}', options: {fields}}}\n"
        for name, url in (("small", small), ("large", large))
    )
    config = write_config(tmp_path, f"sqlite:///{database}", sources)
    assert run_cli("run", "--config", str(config), cwd=tmp_path).returncode == 0
    with sqlite3.connect(database) as db:
        (pages,) = db.execute("PRAGMA page_count").fetchone()
    server.route("/small", Reply(body=big_page("Small", 3, 10)))
    server.route("/large", Reply(body=big_page("Large", 40, 20_000)))  # 800 kB: no room

    result = run_on_a_full_disk(
        pages + 2, "run", "--verbose", "--all", "--config", str(config), cwd=tmp_path
    )

    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert CANARY not in output
    assert "[SQL" not in output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:3]}
    assert lines["small"].endswith("ok")
    assert lines["large"].endswith("error: database error: database or disk is full")
    assert sorted(stored_titles(f"sqlite:///{database}")) == [
        "Large 0",
        "Small 0",
        "Small 1",
        "Small 2",
    ]
    status = run_cli("sources", "status", "--config", str(config), cwd=tmp_path)
    assert "  last error: database error: database or disk is full\n" in status.stdout
    assert CANARY not in status.stdout


def test_a_corrupt_database_file_is_one_line_for_run_and_sources_status(
    tmp_path: Path, server: LocalServer
) -> None:
    url = server.route("/jobs", Reply(body=b'{"jobs": [{"title": "Fine job"}]}'))
    database = tmp_path / "data.db"
    config = write_config(tmp_path, f"sqlite:///{database}", json_source("board", url))
    database.write_bytes(secrets.token_bytes(64 * 1024))  # garbage from the first byte

    for args in (["run"], ["sources", "status"]):
        result = run_cli(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"error: cannot open the database sqlite:///{database}: file is not a database "
            "(run with --debug for details)"
        )


def test_a_database_corrupt_inside_is_one_line_without_the_sql(
    tmp_path: Path, server: LocalServer
) -> None:
    url = server.route("/jobs", Reply(body=b'{"jobs": [{"title": "Fine job"}]}'))
    database = tmp_path / "data.db"
    config = write_config(tmp_path, f"sqlite:///{database}", json_source("board", url))
    assert run_cli("run", "--config", str(config), cwd=tmp_path).returncode == 0
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'source_state'")
        (page_size,) = db.execute("PRAGMA page_size").fetchone()
    with database.open("r+b") as file:  # the header and the schema stay, one table is garbage
        file.seek((page[0] - 1) * page_size)
        file.write(secrets.token_bytes(page_size))

    for args in (["run", "--all"], ["sources", "status"]):
        result = run_cli(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: database error: ")
        assert "malformed" in line or "not a database" in line
        assert "SELECT" not in line


def test_rules_test_reads_postings_holding_unencodable_text(tmp_path: Path) -> None:
    postings = tmp_path / "postings.jsonl"
    postings.write_text(
        '{"title": "Data \\ud800 job", "url": "http://jobs.test/1", "tags": ["x\\udfff"]}\n'
        '{"title": "Nul\\u0000 data", "description": "regex target"}\n'
    )
    for args in ([], ["--json"]):
        query = "data OR regex:/target/"
        result = run_cli("rules", "test", query, "--input", str(postings), *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Data \ufffd job" in result.stdout
        assert "Nul data" in result.stdout


def test_a_server_asking_to_wait_for_ages_costs_a_day_not_the_run(
    tmp_path: Path, server: LocalServer
) -> None:
    ages = server.route("/ages", Reply(status=503, headers={"Retry-After": "9" * 30}))
    good = server.route("/good", Reply(body=b'{"jobs": [{"title": "Fine job"}]}'))
    database = f"sqlite:///{tmp_path / 'data.db'}"
    config = write_config(tmp_path, database, json_source("ages", ages) + json_source("ok", good))

    result = run_cli("run", "--config", str(config), "--json", cwd=tmp_path)

    assert result.returncode == 1
    summary = {s["source"]: s for s in json.loads(result.stdout)["sources"]}
    assert "503" in summary["ages"]["error"]
    assert summary["ok"]["error"] is None
    assert stored_titles(database) == ["Fine job"]
    status = run_cli("sources", "status", "--config", str(config), "--json", cwd=tmp_path)
    rows = {row["name"]: row for row in map(json.loads, status.stdout.splitlines())}
    assert rows["ages"]["health"] == "failing"
    assert rows["ages"]["next_due"] is not None


def test_a_database_that_cannot_be_opened_is_named_without_its_password(tmp_path: Path) -> None:
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    url = make_url(base).set(password="hunter2secret", database=f"nosuch_{secrets.token_hex(4)}")
    database = url.update_query_dict({"password": "hunter3secret"})
    config = write_config(tmp_path, database.render_as_string(hide_password=False), "  []\n")
    config.write_text(config.read_text().replace("sources:\n  []", "sources: []"))
    for args in (["run"], ["sources", "status"]):
        result = run_cli(*args, "--config", str(config), cwd=tmp_path)
        assert result.returncode == 1
        (line,) = result.stderr.splitlines()
        assert line.startswith(
            f"error: cannot open the database postgresql+psycopg://{url.username}"
        )
        assert url.database in line
        assert "hunter2secret" not in line
        assert "hunter3secret" not in line
