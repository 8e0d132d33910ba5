"""`pytest` (and `make test`) end with skips counted by reason, not one SKIPPED line per test."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.shared import REPO

_TESTS = """
import pytest

@pytest.mark.parametrize("n", range(3))
def test_needs_postgres(n):
    pytest.skip("AGGREGATOR_TEST_POSTGRES_URL is not set")

def test_needs_dovecot():
    pytest.skip("dovecot is not installed")

def test_runs():
    assert True
"""


def run_pytest(tmp_path: Path) -> str:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "from tests.support.skip_summary import pytest_terminal_summary  # noqa: F401\n"
    )
    (tmp_path / "test_some.py").write_text(_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_skips_are_counted_by_reason_most_frequent_first(tmp_path: Path) -> None:
    lines = run_pytest(tmp_path).splitlines()

    start = lines.index("4 tests skipped, by reason:")
    assert lines[start + 1 : start + 3] == [
        "  3  AGGREGATOR_TEST_POSTGRES_URL is not set",
        "  1  dovecot is not installed",
    ]
    assert not [line for line in lines if line.startswith("SKIPPED")]


def test_the_project_options_do_not_list_each_skip() -> None:
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]
    addopts = options["ini_options"]["addopts"].split()
    reports = [option for option in addopts if option.startswith("-r")]
    assert not [option for option in reports if "a" in option or "s" in option], addopts
    conftest = (REPO / "tests" / "conftest.py").read_text()
    assert "import pytest_terminal_summary" in conftest
