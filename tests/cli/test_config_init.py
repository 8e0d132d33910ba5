"""`aggregate config init` writes a starter config that validates, and the commands find their
config at $AGGREGATOR_CONFIG, then ./aggregator.yaml, then $XDG_CONFIG_HOME/aggregator/."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from aggregator.config.model import (
    ChannelConfig,
    Config,
    HealthConfig,
    HttpConfig,
    ParseConfig,
    RuleConfig,
    SourceConfig,
    TemplatesConfig,
    parse_config,
)
from aggregator.config.starter import render_starter
from tests.conftest import run_cli

MODELS: list[type[BaseModel]] = [
    Config,
    HttpConfig,
    ParseConfig,
    HealthConfig,
    SourceConfig,
    ChannelConfig,
    TemplatesConfig,
    RuleConfig,
]


def test_config_init_writes_a_starter_that_config_validate_accepts(tmp_path: Path) -> None:
    target = tmp_path / "conf" / "mine.yaml"
    written = run_cli("config", "init", str(target), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert str(target) in written.stdout
    assert target.read_text() == render_starter()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # where a password may go later
    checked = run_cli("config", "validate", str(target), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "ok (0 sources, 0 channels, 0 rules)" in checked.stdout


def test_config_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "aggregator.yaml"
    target.write_text("database: sqlite:///mine.db\n")
    refused = run_cli("config", "init", str(target), cwd=tmp_path)
    assert refused.returncode == 1
    assert f"{target} exists; pass --force to replace it" in refused.stderr
    assert target.read_text() == "database: sqlite:///mine.db\n"
    forced = run_cli("config", "init", "--force", str(target), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_text() == render_starter()


def test_config_init_writes_to_the_user_config_dir_by_default(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    result = run_cli("config", "init", cwd=tmp_path, env={"XDG_CONFIG_HOME": str(xdg)})
    assert result.returncode == 0, result.stderr
    assert (xdg / "aggregator" / "config.yaml").read_text() == render_starter()
    named = tmp_path / "named.yaml"
    result = run_cli("config", "init", cwd=tmp_path, env={"AGGREGATOR_CONFIG": str(named)})
    assert result.returncode == 0, result.stderr
    assert named.is_file()


def test_every_setting_of_every_model_is_in_the_starter() -> None:
    text = render_starter()
    for model in MODELS:
        for name in model.model_fields:
            assert f"{name}:" in text, f"{model.__name__}.{name} is missing"


def test_the_starter_uncommented_is_a_working_config_at_the_defaults() -> None:
    from aggregator.cli.startup import CONFIG_CHECKS

    text = render_starter(commented=False)
    # Every setting line of the commented file is the uncommented one behind a `#`.
    commented = render_starter().splitlines()
    for line, active in zip(commented, text.splitlines(), strict=True):
        assert line in (active, "#" + active)
    config = parse_config(text, checks=CONFIG_CHECKS)
    assert (config.http, config.parse, config.health) == (
        HttpConfig(),
        ParseConfig(),
        HealthConfig(),
    )
    assert (config.database, config.timezone) == (Config().database, Config().timezone)
    (source,) = config.sources
    (rule,) = config.rules
    assert rule.notify == list(config.channels)  # the examples work together
    _assert_defaults_but(source, {"name", "adapter", "url"})
    _assert_defaults_but(config.channels["me"], {"urls"})
    _assert_defaults_but(rule, {"name", "query", "notify"})


def _assert_defaults_but(model: BaseModel, examples: set[str]) -> None:
    for name, field in type(model).model_fields.items():
        if name not in examples:
            default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
            assert getattr(model, name) == default, f"{type(model).__name__}.{name}"


def test_the_starter_writes_durations_as_the_config_reads_them() -> None:
    data: Any = yaml.safe_load(render_starter(commented=False))
    assert data["health"]["disable_after"] == "3d"
    assert HealthConfig().disable_after == timedelta(days=3)


def _configs(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Three configs told apart by their database file: named, local and the user's."""
    named, local = tmp_path / "named.yaml", tmp_path / "work" / "aggregator.yaml"
    user = tmp_path / "xdg" / "aggregator" / "config.yaml"
    for path, database in ((named, "named"), (local, "local"), (user, "user")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"database: sqlite:///{database}.db\n")
    return named, local, user


def _used(tmp_path: Path, env: dict[str, str]) -> str:
    result = run_cli("db", "upgrade", cwd=tmp_path / "work", env=env)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.split()[1]).stem  # "database sqlite:////.../local.db is ..."


def test_the_config_is_looked_up_in_order(tmp_path: Path) -> None:
    named, local, user = _configs(tmp_path)
    xdg = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert _used(tmp_path, {**xdg, "AGGREGATOR_CONFIG": str(named)}) == "named"
    assert _used(tmp_path, xdg) == "local"
    local.unlink()
    assert _used(tmp_path, xdg) == "user"
    # XDG_CONFIG_HOME unset: ~/.config
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    user.parent.rename(home / ".config" / "aggregator")
    assert _used(tmp_path, {"HOME": str(home)}) == "user"


@pytest.mark.parametrize("command", [("run",), ("db", "upgrade"), ("sources", "status")])
def test_no_config_anywhere_is_one_clear_line_and_exit_2(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    xdg = tmp_path / "xdg"
    result = run_cli(*command, cwd=tmp_path, env={"XDG_CONFIG_HOME": str(xdg)})
    assert result.returncode == 2
    assert "no config file: pass --config PATH, set $AGGREGATOR_CONFIG" in result.stderr
    assert f"./aggregator.yaml or {xdg}/aggregator/config.yaml" in result.stderr
    assert "Traceback" not in result.stderr
