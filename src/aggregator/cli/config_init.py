"""`aggregate config init`: write the commented starter config where the commands look for one."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from aggregator.cli.options import user_config_path

__all__ = ["config_init"]

EXIT_REFUSED = 1


def config_init(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it. Defaults to $AGGREGATOR_CONFIG, else "
            "$XDG_CONFIG_HOME/aggregator/config.yaml (~/.config when unset).",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write a commented starter config: every setting at its default, with working examples
    of a source, a channel and a rule to uncomment."""
    from aggregator.config.starter import render_starter

    target = path or _default_target()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, render_starter(), replace=force)
    except FileExistsError:
        typer.echo(f"{target} exists; pass --force to replace it", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    except OSError as exc:
        typer.echo(f"cannot write {target}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    typer.echo(f"wrote {target}; check it with: aggregate config validate {target}")


def _default_target() -> Path:
    from_env = os.environ.get("AGGREGATOR_CONFIG")
    return Path(from_env) if from_env else user_config_path()


def _write(target: Path, text: str, *, replace: bool) -> None:
    # Exclusive creation, so a file that appears meanwhile is not replaced either; owner-only,
    # as the config is where a user may later put a password.
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    with os.fdopen(os.open(target, flags, 0o600), "w", encoding="utf-8") as file:
        file.write(text)
