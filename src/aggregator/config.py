"""Configuration: pydantic models, `${VAR}` interpolation, and loading with every error at once."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import yaml
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from aggregator.schedules import Digest, QuietHours, parse_digest, parse_quiet_hours, parse_zone

__all__ = [
    "DEFAULT_DATABASE",
    "ChannelConfig",
    "Config",
    "ConfigError",
    "HealthConfig",
    "HttpConfig",
    "ParseConfig",
    "RuleConfig",
    "SourceConfig",
    "TemplatesConfig",
    "format_duration",
    "load_config",
    "parse_duration",
]

DEFAULT_DATABASE = "sqlite:///data/aggregator.db"
DEFAULT_EVERY = timedelta(hours=1)
DEFAULT_USER_AGENT = "aggregator/0.1 (+https://github.com/aggregator-dev/aggregator)"

_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_NAME_RE = r"^[a-z0-9][a-z0-9-]*$"


class ConfigError(Exception):
    """The configuration is invalid; `problems` holds one `path: message` line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def parse_duration(value: object) -> timedelta:
    """Parse `30s`, `30m`, `1h`, `2d`, `1w` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and (found := _DURATION_RE.match(value)):
        seconds = int(found.group(1)) * _DURATION_UNITS[found.group(2)]
        if seconds > 0:
            return timedelta(seconds=seconds)
    raise ValueError(f"expected a duration such as 30m, 1h or 2d, got {value!r}")


def format_duration(value: timedelta) -> str:
    """The shortest `30m` / `1h` / `2d` form of a duration (the inverse of parse_duration)."""
    seconds = int(value.total_seconds())
    for unit, size in sorted(_DURATION_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpConfig(_Strict):
    """The shared HTTP client's limits (`http:` in the config)."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = Field(10.0, gt=0)
    read_timeout: float = Field(20.0, gt=0)
    total_timeout: float = Field(30.0, gt=0, description="deadline for one whole fetch, seconds")
    max_body_bytes: int = Field(10 * 1024 * 1024, gt=0)
    max_redirects: int = Field(5, ge=0)
    concurrency: int = Field(16, ge=1)
    per_host_gap: float = Field(1.0, ge=0, description="minimum seconds between two requests")
    proxy: str | None = None
    retries: int = Field(
        2, ge=0, description="extra tries on connect errors, timeouts, 408, 429, 5xx"
    )
    retry_backoff: float = Field(1.0, ge=0, description="first retry's wait, seconds; doubles")
    max_retry_wait: float = Field(
        10.0, ge=0, description="longest Retry-After waited within a fetch"
    )


class ParseConfig(_Strict):
    """Limits on parsing one source's pages (`parse:` in the config)."""

    timeout: float = Field(20.0, gt=0, description="seconds one source's parse may take")
    isolate: bool = Field(True, description="parse in worker processes (crash isolation)")
    workers: int = Field(2, ge=1, description="worker processes shared by all sources")
    max_memory_mb: int = Field(1024, ge=128, description="how far a worker may grow, MiB")


class HealthConfig(_Strict):
    """When a source counts as dead or silent (`health:` in the config)."""

    disable_after_failures: int = Field(10, ge=1)
    disable_after: Duration = timedelta(hours=72)
    silent_after: float = Field(10.0, gt=0, description="times the source's usual gap")


class SourceConfig(_Strict):
    """One place to read (`sources[]`). A catalogue entry (`sources/`) may supply the url,
    the interval and default options; `options` are checked by the adapter."""

    name: str = Field(pattern=_NAME_RE, max_length=64)
    adapter: str
    url: str | None = None
    every: Duration | None = None
    enabled: bool = True
    max_body_bytes: int | None = Field(None, gt=0)
    # None: the URL written here may be private, but a redirect into a private range is not.
    allow_private: bool | None = None
    silent_after: float | None = Field(None, gt=0, description="times the usual gap")
    options: dict[str, Any] = Field(default_factory=dict)

    @property
    def interval(self) -> timedelta:
        return self.every or DEFAULT_EVERY

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
        return url


def _one_or_many(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _digest(value: object) -> Digest | None:
    return None if value is None or value == "instant" else parse_digest(value)


def _quiet_hours(value: object) -> QuietHours | None:
    return None if value is None else parse_quiet_hours(value)


def _template(text: str | None) -> str | None:
    if text is not None:
        try:
            SandboxedEnvironment().parse(text)
        except TemplateSyntaxError as exc:
            raise ValueError(f"template error on line {exc.lineno}: {exc.message}") from None
    return text


class TemplatesConfig(_Strict):
    """Jinja2 templates overriding a channel's alert title and body (`channels.NAME.templates`)."""

    title: Annotated[str | None, AfterValidator(_template)] = None
    body: Annotated[str | None, AfterValidator(_template)] = None


class ChannelConfig(_Strict):
    """One alert destination: one or more apprise URLs, with optional delivery limits."""

    urls: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(min_length=1)
    quiet_hours: Annotated[QuietHours | None, BeforeValidator(_quiet_hours)] = None
    max_per_hour: int | None = Field(None, ge=1)
    templates: TemplatesConfig = TemplatesConfig()
    send_timeout: float = Field(
        30.0, gt=0, le=3600, description="seconds one URL's send may take in all"
    )


class RuleConfig(_Strict):
    """One alert rule (`rules[]`); `digest` batches its alerts (None: instant)."""

    name: str = Field(pattern=_NAME_RE, max_length=64)
    query: str = Field(min_length=1)
    notify: list[str] = Field(default_factory=list)
    sources: list[str] | None = None
    digest: Annotated[Digest | None, BeforeValidator(_digest)] = None


def _channels(value: object) -> object:
    # `channels: {me: URL}` or `{me: [URL, URL]}` are the public shapes; the model wants `urls`.
    if isinstance(value, Mapping):
        return {k: {"urls": v} if not isinstance(v, Mapping) else v for k, v in value.items()}
    return value


class Config(_Strict):
    """The whole configuration file."""

    database: str = DEFAULT_DATABASE
    timezone: str = "UTC"
    http: HttpConfig = HttpConfig()
    parse: ParseConfig = ParseConfig()
    health: HealthConfig = HealthConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    channels: Annotated[dict[str, ChannelConfig], BeforeValidator(_channels)] = Field(
        default_factory=dict
    )
    rules: list[RuleConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        parse_zone(name)
        return name

    @property
    def zone(self) -> ZoneInfo:
        return parse_zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Checks:
    """Checks that need code outside this module (adapters, rules, apprise), injected by callers
    so that config stays free of stage imports. Each returns an error message or None."""

    source: Callable[[Mapping[str, Any]], list[str]] | None = None
    database: Callable[[str], str | None] | None = None
    query: Callable[[str], str | None] | None = None
    channel_url: Callable[[str], str | None] | None = None


def interpolate_env(
    data: object, env: Mapping[str, str], path: str = ""
) -> tuple[object, list[str]]:
    """Replace `${VAR}` and `${VAR:-default}` in every string; return the data and the problems."""
    problems: list[str] = []
    if isinstance(data, str):

        def replace(found: re.Match[str]) -> str:
            name, default = found.group(1), found.group(2)
            if name in env and (env[name] != "" or default is None):
                return env[name]
            if default is not None:
                return default
            problems.append(f"{path or '<root>'}: environment variable {name} is not set")
            return ""

        return _ENV_RE.sub(replace, data), problems
    if isinstance(data, dict):
        result = {}
        for key, value in data.items():
            result[key], sub = interpolate_env(value, env, _join(path, key))
            problems += sub
        return result, problems
    if isinstance(data, list):
        items = []
        for index, value in enumerate(data):
            item, sub = interpolate_env(value, env, f"{path}[{index}]")
            items.append(item)
            problems += sub
        return items, problems
    return data, problems


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _format_loc(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path or "<root>"


def _pydantic_problems(error: ValidationError) -> list[str]:
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


def _semantic_problems(data: Mapping[str, Any], checks: Checks) -> list[str]:
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
        for j, target in enumerate(_list_at(rule, "notify")):
            if isinstance(target, str) and target not in channels:
                problems.append(f"rules[{i}].notify[{j}]: unknown channel {target!r}")
        for j, target in enumerate(_list_at(rule, "sources")):
            if isinstance(target, str) and target not in names:
                problems.append(f"rules[{i}].sources[{j}]: unknown source {target!r}")
    return problems


def parse_config(
    text: str,
    *,
    origin: str = "<config>",
    env: Mapping[str, str] | None = None,
    checks: Checks = Checks(),
) -> Config:
    """Validate YAML text into a Config, or raise ConfigError listing every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(origin, [f"{where}invalid YAML: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(origin, ["<root>: expected a mapping of keys such as sources and rules"])
    data, problems = interpolate_env(data, os.environ if env is None else env)
    assert isinstance(data, dict)
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += _pydantic_problems(exc)
    problems += _semantic_problems(data, checks)
    if problems or config is None:
        raise ConfigError(origin, list(dict.fromkeys(problems)))
    return config


def load_config(path: str | Path, *, checks: Checks = Checks()) -> Config:
    """Read and validate a config file; a relative SQLite path is taken from the file's folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), ["the file is not UTF-8 text"]) from None
    config = parse_config(text, origin=str(path), checks=checks)
    return config.model_copy(update={"database": resolve_sqlite_path(config.database, path.parent)})


def resolve_sqlite_path(url: str, base: Path) -> str:
    """Make `sqlite:///relative.db` relative to `base` so cron and daemon find the same file."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    rest = url[len(prefix) :]
    if rest.startswith(":memory:") or rest == "":
        return url
    return prefix + str((base / rest).resolve())
