"""`-h` and `--help` on every command, flags shown as flags, and real shell completion."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from aggregator import __version__
from aggregator.cli.app import app

AGGREGATE = Path(sys.executable).parent / "aggregate"  # the installed console script


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    for name, sub in getattr(command, "commands", {}).items():  # a group's sub-commands
        yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(typer.main.get_command(app)))


def test_the_walk_found_the_commands() -> None:
    assert {("run",), ("config", "init"), ("sources", "list"), ()} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "aggregate")
def test_dash_h_is_help_on_every_command_and_no_flag_shows_a_bool_type(
    path: tuple[str, ...],
) -> None:
    runner = CliRunner()
    short, long = runner.invoke(app, [*path, "-h"]), runner.invoke(app, [*path, "--help"])
    assert short.exit_code == 0, short.output
    assert short.stdout.startswith("Usage: ")
    assert short.stdout == long.stdout
    assert "<bool>" not in short.stdout


def test_a_flag_is_listed_without_a_value_and_an_option_with_one() -> None:
    help_text = CliRunner().invoke(app, ["run", "-h"]).stdout
    lines = {line.split()[0]: line for line in help_text.splitlines() if line.startswith("  -")}
    assert lines["--all"].split()[1] == "Fetch"  # the help text follows the flag at once
    assert "--config <path>" in lines["-c,"]
    for flag in ("--dry-run", "--no-notify", "--json", "-q,", "-v,"):
        assert flag in lines, help_text


def test_version_works_without_a_command_and_before_one() -> None:
    for args in (["--version"], ["--version", "run"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"aggregate {__version__}\n"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_install_completion_writes_a_bash_script_that_completes_commands(tmp_path: Path) -> None:
    path = f"{AGGREGATE.parent}:/usr/bin:/bin"  # the script runs `env` and `aggregate`
    env = {"HOME": str(tmp_path), "SHELL": "/bin/bash", "PATH": path}
    installed = subprocess.run(
        [str(AGGREGATE), "--install-completion"], env=env, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "aggregate.sh"
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()
    # What bash does on `aggregate con<TAB>` and `aggregate config <TAB>`.
    probe = (
        f"source {script}\n"
        "COMP_WORDS=(aggregate con); COMP_CWORD=1; _aggregate_completion aggregate\n"
        'echo "first: ${COMPREPLY[*]}"\n'
        "COMP_WORDS=(aggregate config ''); COMP_CWORD=2; _aggregate_completion aggregate\n"
        'echo "second: ${COMPREPLY[*]}"\n'
        # No config file anywhere (a fresh HOME): options still complete.
        "COMP_WORDS=(aggregate run --dry); COMP_CWORD=2; _aggregate_completion aggregate\n"
        'echo "third: ${COMPREPLY[*]}"\n'
    )
    shell = shutil.which("bash")
    assert shell is not None
    completed = subprocess.run(
        [shell, "--norc", "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, completed.stderr
    first, second, third = completed.stdout.splitlines()
    assert first == "first: config"
    assert set(second.removeprefix("second: ").split()) == {"init", "validate"}
    assert third == "third: --dry-run"
