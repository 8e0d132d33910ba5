"""`aggregate sources add URL` and `aggregate sources import FEEDS.opml`: the commands' arguments,
and the plan (names, duplicates, checks) between what was found and what is written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from aggregator.cli.options import config_option

# The stages are imported where they are used: `--help` starts without them.
if TYPE_CHECKING:
    from aggregator.adapters.careers_page import Finding
    from aggregator.adapters.find_source import Discovery
    from aggregator.config.model import HttpConfig

__all__ = ["ADD_HELP", "IMPORT_HELP", "add_source", "import_sources"]

EXIT_FAILED, EXIT_USAGE = 1, 2

# Rich help keeps line breaks: the paragraphs are single lines, the table is laid out by hand.
_FORMS = """Board URLs known without a request (https:// optional; job paths, queries and trailing
slashes are fine):
  boards.greenhouse.io/BOARD, job-boards.greenhouse.io/BOARD,
    .../embed/job_board?for=BOARD                     greenhouse
  jobs.lever.co/SITE, jobs.eu.lever.co/SITE           lever (eu: region eu)
  jobs.ashbyhq.com/BOARD                              ashby
  apply.workable.com/ACCOUNT                          workable
  BOARD.recruitee.com                                 recruitee
  COMPANY.teamtailor.com                              teamtailor
  TENANT.wdN.myworkdayjobs.com/[LOCALE/]SITE          workday
  COMPANY.jobs.personio.de (or .com)                  personio
  jobs.smartrecruiters.com/COMPANY                    smartrecruiters"""
ADD_HELP = "\n\n".join(
    (
        "Find the source for URL and print its `sources:` block; with --write, add it to the "
        "config file (comments and layout kept).",
        _FORMS.replace("trailing\nslashes", "trailing slashes"),
        "Any other URL is fetched once. An RSS or Atom feed becomes an rss source, a JSON Feed "
        "a json_api source, an OPML file one rss source per feed (a local OPML file works "
        "too). A careers page is searched for the boards it embeds or links to: the Greenhouse "
        "embed script, Lever, Ashby and Workable iframes and links, any board URL above, "
        "gh_jid links (the board is then only guessed, and not written) and "
        '<link rel="alternate"> feeds. Boards come before feeds; when several are found, all '
        "are listed and the first is used. Nothing found: read the page with the html adapter.",
        "The name is the board token unless --name gives one. A default name the config "
        "already has gets a suffix (acme-2); a --name it has is refused, and so is (with "
        "--write) a board it already reads.",
    )
)
IMPORT_HELP = (
    "Add one rss source per feed of an OPML file (nested outlines included; outlines without "
    "an xmlUrl are skipped). Prints the blocks; with --write, adds them to the config file "
    "(comments and layout kept). Feeds the config already reads are skipped, and named."
)


class _UsageError(Exception):
    """Bad input: one line on stderr, exit status 2."""


def add_source(
    url: Annotated[
        str, typer.Argument(help="A board, feed, careers-page or OPML URL, or an OPML file.")
    ],
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="The source's name.", show_default=False)
    ] = None,
    config_path: Annotated[
        Path | None, config_option("Config file to check names against and to --write to.")
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Add it to the config file.")] = False,
) -> None:
    with _one_line_errors():
        discovery = _discover(url, config_path)
        if discovery.read != "opml" and len(discovery.findings) > 1:
            _list_findings(discovery.findings)
        if discovery.read != "opml":
            discovery = _first_only(discovery)
        _emit(discovery, name, config_path, write=write)


def import_sources(
    opml: Annotated[str, typer.Argument(help="An OPML file (or its http(s) URL).")],
    config_path: Annotated[
        Path | None, config_option("Config file to check names against and to --write to.")
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Add them to the config file.")] = False,
) -> None:
    with _one_line_errors():
        discovery = _discover(opml, config_path)
        if discovery.read != "opml":
            raise _UsageError(f"{opml} is not an OPML file")
        _emit(discovery, None, config_path, write=write)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Bad input (exit 2) and a failed fetch (exit 1) as one line on stderr."""
    from aggregator.adapters.find_source import NothingFoundError
    from aggregator.adapters.recognise import BadBoardUrlError
    from aggregator.adapters.source_plan import PlanError
    from aggregator.config.edit import ConfigEditError
    from aggregator.errors import SourceError

    try:
        yield
    except (_UsageError, BadBoardUrlError, NothingFoundError, PlanError, ConfigEditError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except SourceError as exc:
        _fail(str(exc), EXIT_FAILED)


def _fail(message: str, code: int) -> NoReturn:
    from aggregator import redact

    typer.echo(f"error: {redact.scrub(message)}", err=True)
    raise typer.Exit(code)


def _discover(target: str, config_path: Path | None) -> Discovery:
    import asyncio

    from aggregator.adapters.find_source import from_opml, known_board

    if (path := _local_file(target)) is not None:
        return from_opml(_read_bytes(path), where=str(path))
    if (found := known_board(target)) is not None:
        return found  # no request, so no http settings either
    return asyncio.run(_fetching(target, _http_settings(config_path)))


async def _fetching(target: str, http: HttpConfig | None) -> Discovery:
    from aggregator.adapters.find_source import discover
    from aggregator.fetch.client import HttpClient

    # The config's proxy, user agent and limits apply, as to `sources test`.
    async with HttpClient(http) as client:
        return await discover(target, client)


def _local_file(target: str) -> Path | None:
    """The file `target` names, if it is no URL; _UsageError for a path to nothing."""
    if "://" in target:
        return None
    path = Path(target).expanduser()
    if path.is_file():
        return path
    if target.startswith((".", "/", "~")) or target.lower().endswith((".opml", ".xml")):
        raise _UsageError(f"no such file: {target}")
    return None


def _read_bytes(path: Path) -> bytes:
    from aggregator.adapters.opml import MAX_OPML_BYTES

    try:
        with path.open("rb") as stream:
            return stream.read(MAX_OPML_BYTES + 1)
    except OSError as exc:
        raise _UsageError(f"cannot read {path}: {exc.strerror}") from None


def _http_settings(config_path: Path | None) -> HttpConfig | None:
    """The config's `http:` settings (proxy, user agent, limits); the rest of the config may
    use `${VAR}`s this shell has not set: only the new source is checked."""
    import os

    import yaml
    from pydantic import ValidationError

    from aggregator.config.model import HttpConfig, load_config
    from aggregator.config.safe_yaml import interpolate_env, load_yaml

    if config_path is None or not config_path.exists():
        return None
    try:
        data = load_yaml(_read_text(config_path))
    except yaml.YAMLError:
        return load_config(config_path).http  # raises the config's own YAML problem
    raw = data.get("http") if isinstance(data, dict) else None
    if raw is None:
        return None
    wrapped, problems = interpolate_env({"http": raw}, os.environ)
    if not problems and isinstance(wrapped, dict):
        try:
            return HttpConfig.model_validate(wrapped["http"])
        except ValidationError:
            pass
    return load_config(config_path).http  # raises the config's own problems, one per line


def _first_only(discovery: Discovery) -> Discovery:
    from dataclasses import replace

    return replace(discovery, findings=discovery.findings[:1])


def _list_findings(findings: Sequence[Finding]) -> None:
    typer.echo(f"found {len(findings)} sources:", err=True)
    for number, finding in enumerate(findings, start=1):
        typer.echo(f"  {number}. {finding.source.describe()} ({finding.how})", err=True)
    typer.echo(
        f"note: using the first; to add another, run `aggregate sources add` on its URL "
        f"(e.g. {findings[1].source.board_url})",
        err=True,
    )


def _emit(discovery: Discovery, name: str | None, config_path: Path | None, *, write: bool) -> None:
    from aggregator.adapters.source_plan import plan_sources
    from aggregator.config.edit import add_sources, configured_sources, write_atomically

    if write and config_path is None:
        raise _UsageError("--write needs --config (or AGGREGATOR_CONFIG)")
    text = _read_text(config_path) if config_path is not None else None
    existing = configured_sources(text, str(config_path)) if text is not None else []
    plan = plan_sources(discovery, existing, name, write=write)
    for note in (*discovery.notes, *plan.notes):
        typer.echo(f"note: {note}", err=True)
    if not plan.items:
        typer.echo("nothing to add", err=True)
        return
    typer.echo(_render(plan.items), nl=False)
    if not write:
        return
    assert config_path is not None  # checked above
    assert text is not None
    write_atomically(config_path, add_sources(text, plan.items, str(config_path)), expected=text)
    names = ", ".join(item["name"] for item in plan.items)
    typer.echo(f"added {len(plan.items)} source(s) to {config_path}: {names}", err=True)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise _UsageError(f"{path} is not UTF-8 text") from None


def _render(items: Sequence[Mapping[str, Any]]) -> str:
    import yaml

    return yaml.safe_dump(
        [dict(item) for item in items], sort_keys=False, allow_unicode=True, width=4096
    )
