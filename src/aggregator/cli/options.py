"""Command-line options shared by the `aggregate` sub-commands (cheap to import: typer evaluates
the annotations of every command when the CLI starts)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "CONFIG_HELP",
    "ConfigOption",
    "config_option",
    "default_config_path",
    "default_config_paths",
    "user_config_path",
]

CONFIG_HELP = (
    "Config file (YAML). Defaults to $AGGREGATOR_CONFIG, then ./aggregator.yaml, "
    "then $XDG_CONFIG_HOME/aggregator/config.yaml (~/.config when unset)."
)
LOCAL_CONFIG = Path("aggregator.yaml")


def config_option(help_text: str = CONFIG_HELP, **settings: Any) -> Any:
    """The `--config`/`-c` option, also read from $AGGREGATOR_CONFIG, with a command's help."""
    # typer.Option's own return type is Any.
    return typer.Option(
        "--config",
        "-c",
        envvar="AGGREGATOR_CONFIG",
        help=help_text,
        show_default=False,
        **settings,
    )


def user_config_path() -> Path:
    """`$XDG_CONFIG_HOME/aggregator/config.yaml`, ~/.config standing in for an unset (or, as
    the XDG spec says, empty or relative) $XDG_CONFIG_HOME."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "aggregator" / "config.yaml"


def default_config_paths() -> list[Path]:
    """Where a command looks for its config when neither --config nor $AGGREGATOR_CONFIG is
    given, in order."""
    return [LOCAL_CONFIG, user_config_path()]


def default_config_path() -> Path:
    """The first default config file that exists; else a usage error naming every place."""
    for path in default_config_paths():
        if path.is_file():
            return path
    if _completing():
        return LOCAL_CONFIG  # a shell asking for completions needs no config: never fail it
    places = " or ".join(
        f"./{path}" if path == LOCAL_CONFIG else str(path) for path in default_config_paths()
    )
    raise typer.BadParameter(
        f"no config file: pass --config PATH, set $AGGREGATOR_CONFIG, or create {places} "
        "(`aggregate config init` writes a starter one)",
        param_hint="'--config'",
    )


def _completing() -> bool:
    # Click's completion protocol: the shell runs the command with `_PROG_COMPLETE` set.
    return any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ)


# --config with the default lookup; an optional one (no config at all is fine) is
# `Annotated[Path | None, config_option(...)] = None`.
ConfigOption = Annotated[Path, config_option(default_factory=default_config_path)]
