"""`aggregate --version` and `--help` start without loading the stages' heavy libraries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregator import __version__
from aggregator.cli.app import app
from tests.conftest import run_cli

# Each costs a large part of a second to import; a command that does not use them must not.
HEAVY = ("sqlalchemy", "apprise", "httpx")
_IMPORT_TIME_RE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \| *(\S+)$", re.MULTILINE)


def test_version_prints_the_version_and_exits_0() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"aggregate {__version__}\n"


def test_version_works_as_a_real_process_too(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"aggregate {__version__}\n"
    assert result.stderr == ""


def _imported(importtime_stderr: str) -> set[str]:
    """The top-level packages named in `python -X importtime` output."""
    return {name.split(".")[0] for name in _IMPORT_TIME_RE.findall(importtime_stderr)}


@pytest.mark.parametrize(
    "args",
    [
        ("--version",),
        ("--help",),
        ("-h",),
        ("sources", "--help"),
        ("run", "--help"),
        ("config", "init", "-h"),
    ],
    ids=" ".join,
)
def test_version_and_help_import_no_database_alert_or_http_library(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = run_cli(*args, cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    imported = _imported(result.stderr)
    assert "aggregator" in imported  # the import log was read at all
    heavy = imported & set(HEAVY)
    assert not heavy, f"{' '.join(args)} imported {sorted(heavy)}"
