"""Configuration: pydantic models, `${VAR}` interpolation, and loading with every error at once."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
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

from aggregator import redact
from aggregator.config.backfill import DEFAULT_BACKFILL, Backfill, parse_backfill
from aggregator.config.bounds import MAX_DURATION, Bounds, format_duration, parse_duration
from aggregator.config.checks import Checks, pydantic_problems, semantic_problems
from aggregator.config.safe_yaml import (
    MAX_CONFIG_DEPTH,
    MAX_CONFIG_VALUES,
    ConfigLimitError,
    YamlLimitError,
    interpolate_env,
    load_yaml,
)
from aggregator.config.schedules import (
    Digest,
    QuietHours,
    parse_digest,
    parse_quiet_hours,
    parse_zone,
)
from aggregator.errors import ConfigError

__all__ = [
    "DEFAULT_DATABASE",
    "MAX_CONFIG_DEPTH",
    "MAX_CONFIG_VALUES",
    "MAX_EVERY",
    "Backfill",
    "Bounds",
    "ChannelConfig",
    "Checks",
    "Config",
    "HealthConfig",
    "HttpConfig",
    "ParseConfig",
    "RuleConfig",
    "SourceConfig",
    "TemplatesConfig",
    "format_duration",
    "interpolate_env",
    "load_config",
    "parse_duration",
]

DEFAULT_DATABASE = "sqlite:///data/aggregator.db"
DEFAULT_EVERY = timedelta(hours=1)
DEFAULT_USER_AGENT = "aggregator/0.1 (+https://github.com/aggregator-dev/aggregator)"

_NAME_RE = r"^[a-z0-9][a-z0-9-]*$"
NO_CHECKS = Checks()  # the schema alone


MAX_EVERY = timedelta(days=30)  # the longest fetch interval
MAX_SECONDS = 3600.0  # the longest timeout, gap or wait, in seconds
GIB = 1024**3

# Every number and duration below carries its Bounds (a test checks that none is missing).
Duration = Annotated[timedelta, Bounds(1, MAX_DURATION.total_seconds(), duration=True)]
Seconds = Bounds(0, MAX_SECONDS, above=True)  # a timeout or deadline: never 0
Pause = Bounds(0, MAX_SECONDS)  # a wait that may be 0
Factor = Bounds(0, 1000, above=True)  # times a source's usual gap
BodyBytes = Bounds(1, GIB)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HttpConfig(_Strict):
    """The shared HTTP client's limits (`http:` in the config)."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: Annotated[float, Bounds(0, 600, above=True)] = 10.0
    read_timeout: Annotated[float, Seconds] = 20.0
    total_timeout: Annotated[float, Seconds] = Field(
        30.0, description="deadline for one whole fetch, seconds"
    )
    max_body_bytes: Annotated[int, BodyBytes] = 10 * 1024 * 1024
    max_redirects: Annotated[int, Bounds(0, 30)] = 5
    concurrency: Annotated[int, Bounds(1, 1024)] = 16
    per_host_gap: Annotated[float, Pause] = Field(
        1.0, description="minimum seconds between two requests"
    )
    proxy: str | None = None
    retries: Annotated[int, Bounds(0, 20)] = Field(
        2, description="extra tries on connect errors, timeouts, 408, 429, 5xx"
    )
    retry_backoff: Annotated[float, Pause] = Field(
        1.0, description="first retry's wait, seconds; doubles"
    )
    max_retry_wait: Annotated[float, Pause] = Field(
        10.0, description="longest Retry-After waited within a fetch"
    )


class ParseConfig(_Strict):
    """Limits on parsing one source's pages (`parse:` in the config)."""

    timeout: Annotated[float, Seconds] = Field(
        20.0, description="seconds one source's parse may take"
    )
    isolate: bool = Field(True, description="parse in worker processes (crash isolation)")
    workers: Annotated[int, Bounds(1, 64)] = Field(
        2, description="worker processes shared by all sources"
    )
    max_memory_mb: Annotated[int, Bounds(128, 1024 * 1024)] = Field(
        1024, description="how far a worker may grow, MiB"
    )


class HealthConfig(_Strict):
    """When a source counts as dead or silent (`health:` in the config)."""

    disable_after_failures: Annotated[int, Bounds(1, 1_000_000)] = 10
    disable_after: Annotated[timedelta, Bounds(1, 365 * 86400, duration=True)] = timedelta(hours=72)
    silent_after: Annotated[float, Factor] = Field(10.0, description="times the source's usual gap")


def _backfill(value: object) -> Backfill | None:
    return None if value is None else parse_backfill(value)


class SourceConfig(_Strict):
    """One place to read (`sources[]`). A catalogue entry (`sources/`) may supply the url,
    the interval and default options; `options` are checked by the adapter."""

    name: str = Field(pattern=_NAME_RE, max_length=64)
    adapter: str
    url: str | None = None
    every: Annotated[timedelta | None, Bounds(1, MAX_EVERY.total_seconds(), duration=True)] = None
    enabled: bool = True
    max_body_bytes: Annotated[int | None, BodyBytes] = None
    # None: the source's own URLs may be private; its other requests (redirects elsewhere,
    # offsite pages) may not. True: no check. False: nothing private, its own URLs included.
    allow_private: bool | None = None
    # Pages and links from the source's answers may be on other origins (fetched guarded,
    # without the source's credentials); by default they stop the fetch with an error.
    allow_offsite: bool = False
    silent_after: Annotated[float | None, Factor] = Field(None, description="times the usual gap")
    backfill: Annotated[Backfill | None, BeforeValidator(_backfill)] = Field(
        None, description="overrides the top-level backfill for this source"
    )
    options: dict[str, Any] = Field(default_factory=dict)

    @property
    def interval(self) -> timedelta:
        return self.every or DEFAULT_EVERY

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
            raise ValueError(f"expected an http:// or https:// URL, got {redact.scrub(repr(url))}")
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
        except RecursionError:  # Jinja2's parser recurses once per nesting level
            raise ValueError("the template is nested too deeply to read") from None
    return text


class TemplatesConfig(_Strict):
    """Jinja2 templates overriding a channel's alert title and body (`channels.NAME.templates`)."""

    title: Annotated[str | None, AfterValidator(_template)] = None
    body: Annotated[str | None, AfterValidator(_template)] = None


class ChannelConfig(_Strict):
    """One alert destination: one or more apprise URLs, with optional delivery limits."""

    urls: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(min_length=1)
    quiet_hours: Annotated[QuietHours | None, BeforeValidator(_quiet_hours)] = None
    max_per_hour: Annotated[int | None, Bounds(1, 100_000)] = None
    templates: TemplatesConfig = TemplatesConfig()
    send_timeout: Annotated[float, Seconds] = Field(
        30.0, description="seconds one URL's send may take in all"
    )


class RuleConfig(_Strict):
    """One alert rule (`rules[]`); `digest` batches its alerts (None: instant)."""

    name: str = Field(pattern=_NAME_RE, max_length=64)
    query: str = Field(min_length=1)
    # `notify: me` is read as `[me]`, as `urls:` of a channel is
    notify: Annotated[list[str], BeforeValidator(_one_or_many)] = Field(default_factory=list)
    sources: Annotated[list[str] | None, BeforeValidator(_one_or_many)] = None
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
    backfill: Annotated[Backfill, BeforeValidator(parse_backfill)] = Field(
        DEFAULT_BACKFILL,
        description="a source's first fetch (or one after a longer pause) alerts only what "
        "was posted this recently: a duration, all or none",
    )
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


def parse_config(
    text: str,
    *,
    origin: str = "<config>",
    env: Mapping[str, str] | None = None,
    checks: Checks = NO_CHECKS,
) -> Config:
    """Validate YAML text into a Config, or raise ConfigError listing every problem."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ConfigError(origin, [_yaml_problem(exc)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(origin, ["<root>: expected a mapping of keys such as sources and rules"])
    try:
        data, problems = interpolate_env(data, os.environ if env is None else env)
    except ConfigLimitError as exc:
        raise ConfigError(origin, [f"<root>: {exc}"]) from None
    assert isinstance(data, dict)
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc)
    problems += semantic_problems(data, checks)
    if problems or config is None:
        raise ConfigError(origin, list(dict.fromkeys(problems)))
    return config


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return (
        f"{where}{problem}"
        if isinstance(exc, YamlLimitError)
        else f"{where}invalid YAML: {problem}"
    )


def load_config(path: str | Path, *, checks: Checks = NO_CHECKS) -> Config:
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
