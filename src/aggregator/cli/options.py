"""Command-line options shared by the `aggregate` sub-commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["ConfigOption"]

ConfigOption = Annotated[
    Path,
    typer.Option(
        "--config",
        "-c",
        envvar="AGGREGATOR_CONFIG",
        help="Config file (YAML). Defaults to $AGGREGATOR_CONFIG.",
        show_default=False,
    ),
]
