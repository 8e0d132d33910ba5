"""`aggregate db check`: the health probe of the Docker image and the systemd units."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

SOURCES = "sources:\n  - name: board\n    adapter: rss\n    url: http://127.0.0.1:9/feed\n"


def _config(tmp_path: Path, database: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {database}\n{SOURCES}")
    return config


def test_a_database_that_opens_with_a_current_schema_is_healthy(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path / 'ok.db'}")
    assert run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path).returncode == 0

    result = run_cli("db", "check", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok.db: ok (schema current)")


def test_a_file_that_is_not_a_database_exits_1_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not an SQLite file" * 100)
    config = _config(tmp_path, f"sqlite:///{broken}")

    result = run_cli("db", "check", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot open the database sqlite:///")
    assert broken.read_bytes() == b"this is not an SQLite file" * 100


def test_an_unreachable_server_exits_1_without_the_password(tmp_path: Path) -> None:
    config = _config(tmp_path, "postgresql+psycopg://agg:hunter2-pw@127.0.0.1:9/jobs")

    result = run_cli("db", "check", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert "cannot open the database postgresql+psycopg://agg:***@127.0.0.1:9/jobs" in (
        result.stderr
    )
    assert "hunter2-pw" not in result.stdout + result.stderr


def test_a_missing_sqlite_file_is_unhealthy_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "never.db"
    config = _config(tmp_path, f"sqlite:///{missing}")

    result = run_cli("db", "check", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert "does not exist" in result.stderr
    assert not missing.exists()
