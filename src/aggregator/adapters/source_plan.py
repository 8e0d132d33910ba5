"""What `sources add` and `sources import` write: each found source's name (the board token,
suffixed when the config has it), duplicates of configured sources, and the config check of
each new item. Pure: the config's items come in as written, the plan goes out."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from aggregator.adapters.catalogue import check_source
from aggregator.adapters.find_source import Discovery
from aggregator.adapters.recognise import slug, source_key
from aggregator.config.model import SourceConfig
from aggregator.config.safe_yaml import interpolate_env

__all__ = ["MAX_NAME_SUFFIX", "Plan", "PlanError", "plan_sources"]

MAX_NAME_SUFFIX = 1000
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")  # SourceConfig.name's rule


class PlanError(ValueError):
    """What was found must not be written as it is (shown as one line, exit status 2)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """The items to add, and notes on the findings left out or in doubt."""

    items: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


def plan_sources(
    discovery: Discovery, existing: Sequence[Mapping[str, Any]], name: str | None, *, write: bool
) -> Plan:
    """The items to add for what was found, given the config's items as written (PlanError
    for what must not be written). An OPML list skips the feeds already configured; one
    source that is configured, or a guess, is refused when writing and named when printing."""
    importing = discovery.read == "opml"
    if name is not None and importing:
        raise PlanError("--name names one source; an OPML list gives one per feed")
    if name is not None and not _NAME_RE.match(name):
        raise PlanError(f"--name {name!r}: lower-case letters, digits and '-', at most 64")
    taken = {str(item.get("name")) for item in existing}
    have = {key: str(item.get("name")) for item in existing if (key := _key_of(item))}
    items: list[dict[str, Any]] = []
    notes: list[str] = []
    added: set[tuple[str, str]] = set()
    for finding in discovery.findings:
        source = finding.source
        if source.key in have:
            where = "configured" if source.key not in added else "in this list"
            message = f"{source.describe()} is already {where} as source {have[source.key]!r}"
            if write and not importing:
                raise PlanError(message)
            notes.append(message + ("; skipped" if importing else ""))
            if importing:
                continue
        if source.guessed:
            notes.append(_guess_note(source.token, write=write))
        item = source.block(_name_for(name or slug(source.token), taken, explicit=bool(name)))
        _check(item, notes, write=write)
        taken.add(item["name"])
        have[source.key] = item["name"]
        added.add(source.key)
        items.append(item)
    return Plan(tuple(items), tuple(notes))


def _key_of(item: Mapping[str, Any]) -> tuple[str, str] | None:
    """What a configured item reads, its `${VAR}`s replaced as a run would (unset ones left)."""
    as_written = source_key(item)
    data, problems = interpolate_env(_plain(item), os.environ)
    if problems or not isinstance(data, dict):
        return as_written
    return source_key(data) or as_written


def _plain(value: Any) -> Any:
    """ruamel's commented containers as dicts and lists (interpolate_env walks those)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _guess_note(token: str, *, write: bool) -> str:
    check = f"aggregate sources test --adapter greenhouse --option board={token}"
    message = (
        f"the page has gh_jid links (Greenhouse job ids) but names no board; {token!r} is a "
        f"guess from the domain: check it with `{check}`"
    )
    if write:
        raise PlanError(message + ", then add boards.greenhouse.io/<board>")
    return message


def _name_for(wanted: str, taken: set[str], *, explicit: bool) -> str:
    if wanted not in taken:
        return wanted
    if explicit:
        raise PlanError(f"a source named {wanted!r} is already configured; choose another --name")
    for number in range(2, MAX_NAME_SUFFIX):
        if (candidate := f"{wanted[:60]}-{number}") not in taken:
            return candidate
    raise PlanError(f"too many sources named {wanted!r}-N; choose a --name")


def _check(item: Mapping[str, Any], notes: list[str], *, write: bool) -> None:
    """The item as the config check sees it (names, adapter and options)."""
    problems = check_source(item)
    try:
        SourceConfig.model_validate(item)
    except ValidationError as exc:
        problems += [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    if not problems:
        return
    message = f"source {item['name']!r} would not check: {'; '.join(problems)}"
    if write:
        raise PlanError(message + " (not written)")
    notes.append(message)
