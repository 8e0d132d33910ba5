"""Config checks beyond the schema: pydantic's errors as `path: message` lines, cross-references
between sections, and the plug-in checks (adapters, rules, apprise) that callers inject."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from aggregator.config.safe_yaml import join_path

__all__ = ["Checks", "pydantic_problems", "semantic_problems"]


@dataclass(frozen=True, slots=True)
class Checks:
    """Checks that need code outside this module (adapters, rules, apprise), injected by callers
    so that config stays free of stage imports. Each returns an error message or None."""

    source: Callable[[Mapping[str, Any]], list[str]] | None = None
    database: Callable[[str], str | None] | None = None
    query: Callable[[str], str | None] | None = None
    channel_url: Callable[[str], str | None] | None = None


def _format_loc(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else join_path(path, part)
    return path or "<root>"


def pydantic_problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = [p for p in item["loc"] if p != "urls"]  # `urls` is our internal wrapper
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "string_pattern_mismatch":
            message = (
                "must be lowercase letters, digits and dashes, starting with a letter or digit"
            )
        problems.append(f"{_format_loc(loc)}: {message}")
    return problems


def _list_at(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


def _names_at(data: Mapping[str, Any], key: str, prefix: str) -> list[tuple[str, str]]:
    """(path, name) of each name in a list of names, or of one name given alone."""
    value = data.get(key)
    if isinstance(value, str):
        return [(f"{prefix}.{key}", value)]
    named = enumerate(_list_at(data, key))
    return [(f"{prefix}.{key}[{j}]", name) for j, name in named if isinstance(name, str)]


def semantic_problems(data: Mapping[str, Any], checks: Checks) -> list[str]:
    """Cross-references and plug-in checks, run on the raw data so they add to schema errors."""
    problems: list[str] = []
    sources = _list_at(data, "sources")
    channels = data["channels"] if isinstance(data.get("channels"), Mapping) else {}
    rules = _list_at(data, "rules")
    database = data.get("database")
    if isinstance(database, str) and checks.database and (msg := checks.database(database)):
        problems.append(f"database: {msg}")
    names: set[str] = set()
    for i, source in enumerate(sources):
        if not isinstance(source, Mapping):
            continue
        name = source.get("name")
        if isinstance(name, str):
            if name in names:
                problems.append(f"sources[{i}].name: duplicate source name {name!r}")
            names.add(name)
        if isinstance(source.get("adapter"), str) and checks.source:
            problems += [f"sources[{i}].{problem}" for problem in checks.source(source)]
    for channel, value in channels.items():
        prefix = f"channels.{channel}"
        if isinstance(value, Mapping):
            value, prefix = value.get("urls"), f"{prefix}.urls"
        urls = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for j, url in enumerate(urls):
            if isinstance(url, str) and checks.channel_url and (msg := checks.channel_url(url)):
                where = prefix + (f"[{j}]" if isinstance(value, list) else "")
                problems.append(f"{where}: {msg}")
    rule_names: set[str] = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            continue
        if isinstance(rule.get("name"), str):
            if rule["name"] in rule_names:
                problems.append(f"rules[{i}].name: duplicate rule name {rule['name']!r}")
            rule_names.add(rule["name"])
        query = rule.get("query")
        if isinstance(query, str) and query and checks.query and (msg := checks.query(query)):
            problems.append(f"rules[{i}].query: {msg}")
        for where, target in _names_at(rule, "notify", f"rules[{i}]"):
            if target not in channels:
                problems.append(f"{where}: unknown channel {target!r}")
        for where, target in _names_at(rule, "sources", f"rules[{i}]"):
            if target not in names:
                problems.append(f"{where}: unknown source {target!r}")
    return problems
