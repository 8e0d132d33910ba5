"""Command-line options shared by the `aggregate` sub-commands (cheap to import: typer evaluates
the annotations of every command when the CLI starts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["CONFIG_HELP", "ConfigOption", "config_option"]

CONFIG_HELP = "Config file (YAML). Defaults to $AGGREGATOR_CONFIG."


def config_option(help_text: str = CONFIG_HELP) -> Any:  # typer.Option's own return type is Any
    """The `--config`/`-c` option, also read from $AGGREGATOR_CONFIG, with a command's help."""
    return typer.Option(
        "--config", "-c", envvar="AGGREGATOR_CONFIG", help=help_text, show_default=False
    )


# A required --config; an optional one is `Annotated[Path | None, config_option(...)] = None`.
ConfigOption = Annotated[Path, config_option()]
