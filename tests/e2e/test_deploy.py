"""deploy/ without a Docker engine or systemd running: the compose file and the unit files parse,
every command they run is a real `aggregate` command, and their paths agree with the Dockerfile."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli
from tests.support.shared import REPO

DEPLOY = REPO / "deploy"
UNITS = ("aggregator.service", "aggregator.timer", "aggregator-daemon.service")


def dockerfile() -> dict[str, list[str]]:
    """The final stage's instructions, by keyword, with `\\` continuations joined."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    found: dict[str, list[str]] = {}
    for line in lines[stages[-1] :]:
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.setdefault(keyword, []).append(rest.strip())
    return found


def exec_form(text: str) -> list[str]:
    words: list[str] = yaml.safe_load(text)  # `["aggregate", "daemon"]` is a JSON (YAML) list
    return words


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return data


def assert_real_command(args: list[str], tmp_path: Path) -> None:
    """`aggregate ARGS --help` exits 0: ARGS name a command that exists (options dropped)."""
    command = [arg for arg in args if not arg.startswith("-")]
    result = run_cli(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, (args, result.stderr)


# --- Dockerfile ----------------------------------------------------------------------------


def test_the_image_runs_as_a_non_root_user_with_a_healthcheck_that_is_a_real_command(
    tmp_path: Path,
) -> None:
    final = dockerfile()
    assert final["USER"] == ["aggregator"]
    assert "--uid 10001 aggregator" in final["RUN"][0]
    (healthcheck,) = final["HEALTHCHECK"]
    options, _, command = healthcheck.partition("CMD ")
    assert "--interval=" in options
    args = exec_form(command)
    assert args[0] == "aggregate"
    assert_real_command(args[1:], tmp_path)
    assert exec_form(final["ENTRYPOINT"][0]) == ["aggregate"]
    assert_real_command(exec_form(final["CMD"][0]), tmp_path)


# --- docker-compose.yml --------------------------------------------------------------------


def test_compose_builds_this_image_and_runs_real_commands(tmp_path: Path) -> None:
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "aggregator"}
    for name in ("migrate", "aggregator"):
        service = services[name]
        build = service["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == REPO / "Dockerfile"
        assert_real_command(service["command"], tmp_path)
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["aggregator"]["command"] == ["daemon"]
    assert services["aggregator"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    assert services["db"]["image"].startswith("postgres:")


def test_compose_mounts_the_config_and_data_where_the_image_expects_them() -> None:
    final = dockerfile()
    (volume,) = exec_form(final["VOLUME"][0])
    config_env = next(v for v in final["ENV"][0].split() if v.startswith("AGGREGATOR_CONFIG="))
    image_config = config_env.split("=", 1)[1]
    named = set(compose()["volumes"])
    for name in ("migrate", "aggregator"):
        service = compose()["services"][name]
        mounts = dict(reversed(m.split(":")[:2]) for m in service["volumes"])
        assert mounts[volume] in named  # the data volume is a named volume
        assert mounts[image_config] == "./config.yaml"
        assert service["environment"]["AGGREGATOR_CONFIG"] == image_config
    assert "pgdata" in named


def test_compose_takes_secrets_from_the_environment_never_literally() -> None:
    services = compose()["services"]
    password = services["db"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${PGPASSWORD")
    for service in services.values():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key or "KEY" in key or "TOKEN" in key:
                assert str(value).startswith("${"), (key, value)


# --- systemd units -------------------------------------------------------------------------


def venv_dir() -> str:
    """The Dockerfile's venv (`python -m venv /opt/aggregator`): the units run the same path."""
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    return text.split("python -m venv ", 1)[1].split()[0]


@pytest.mark.parametrize("name", ["aggregator.service", "aggregator-daemon.service"])
def test_each_service_runs_a_real_command_as_the_dedicated_user(name: str, tmp_path: Path) -> None:
    service = unit(name)["Service"]
    assert (service["User"], service["Group"]) == ("aggregator", "aggregator")
    assert service["Environment"].startswith("AGGREGATOR_CONFIG=/etc/aggregator/")
    assert service["StateDirectory"] == "aggregator"
    assert service["WorkingDirectory"] == "/var/lib/aggregator"
    assert service["ProtectSystem"] == "strict"
    for key in ("ExecStartPre", "ExecStart"):
        if key in service:
            program, *args = shlex.split(service[key])
            assert program == f"{venv_dir()}/bin/aggregate"
            assert_real_command(args, tmp_path)


def test_the_timer_runs_the_cycle_every_15_minutes_and_the_daemon_excludes_it() -> None:
    timer = unit("aggregator.timer")
    assert timer["Timer"]["OnCalendar"] == "*:0/15"
    assert timer["Timer"]["Unit"] == "aggregator.service"
    assert timer["Timer"]["Persistent"] == "true"
    assert shlex.split(unit("aggregator.service")["Service"]["ExecStart"])[1:] == ["run"]
    daemon = unit("aggregator-daemon.service")
    assert shlex.split(daemon["Service"]["ExecStart"])[1:] == ["daemon"]
    assert "aggregator.timer" in daemon["Unit"]["Conflicts"].split()
    assert daemon["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # The units name the installed command; here it is this venv's.
    installed = f"{venv_dir()}/bin/aggregate"
    here = str(Path(sys.executable).parent / "aggregate")
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(installed, here), encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
