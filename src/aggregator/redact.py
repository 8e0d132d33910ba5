"""Secret-free output: every http(s) URL cut to its safe form, every known secret masked."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, quote_plus, unquote, urlsplit, urlunsplit

if TYPE_CHECKING:
    import httpx

    from aggregator.config.model import Config

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "SecretFilter",
    "channel_secrets",
    "excepthook",
    "install",
    "is_secret_name",
    "remember",
    "remember_config",
    "remember_env_references",
    "safe_url",
    "scrub",
    "thread_excepthook",
    "without_userinfo",
]

MASK: Final = "***"
# Shorter values are not treated as secrets: masking "1" or "yes" in every log line would hide
# everything and protect nothing.
MIN_SECRET_LENGTH: Final = 4
# Option and parameter names whose values are secrets (api_key, bearer_token, app_password...).
_SECRET_NAME_RE: Final = re.compile(
    r"key|token|secret|pass|pwd|auth|credential|session|cookie|jwt|signature|app_?id|client_?id",
    re.IGNORECASE,
)
_HTTP_URL_RE: Final = re.compile(r"https?://[^\s'\"<>`]+", re.IGNORECASE)
_TRAILING: Final = ".,;:!?)]}"
# scheme://user:password@ in any URL (apprise's mailto://, json://, ntfy:// ...).
# A password apprise already masked (`****`) is left as it is.
_PASSWORD_RE: Final = re.compile(
    r"([a-z][a-z0-9+.-]*://[^:/@\s]*:)(?!\*+@)([^@/\s]+)@", re.IGNORECASE
)
# A query parameter in any URL or log line (urllib3 logs `"POST /hook?apikey=abc HTTP/1.1"`),
# with apprise's prefixes, each maybe percent-encoded: `+X-Token=` a webhook header, `-name=` a
# GET argument the webhook receives, `:name=` a field of its payload.
_PARAM_RE: Final = re.compile(
    r"(?P<lead>[?&](?P<prefix>\+|%2B|-|:|%3A)?(?P<name>[^=&\s#?\"'<>]+)=)(?P<value>[^&\s#\"'<>]*)",
    re.IGNORECASE,
)
# Headers and GET arguments of a webhook are its credentials, whatever their names.
_CREDENTIAL_PREFIXES: Final = frozenset({"+", "%2b", "-"})
_ENV_REFERENCE_RE: Final = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
_URL_TOKEN_SPLIT_RE: Final = re.compile(r"[/?&=@:#]+")


def is_secret_name(name: str) -> bool:
    """Whether an option, parameter or header name looks like it holds a secret."""
    return bool(_SECRET_NAME_RE.search(name))


def safe_url(url: httpx.URL | str) -> str:
    """`scheme://host[:port]/path` only: no userinfo, query or fragment, which may hold secrets."""
    import httpx  # here: every command installs the log filter, few need httpx (slow to import)

    try:
        parsed = httpx.URL(url) if isinstance(url, str) else url
    except httpx.InvalidURL:
        return "<invalid URL>"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


def without_userinfo(url: str) -> str:
    """`url` without `user:password@`; everything else (the query too) is kept as written."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


class _Secrets:
    """Every secret value seen so far (config, options, credential headers), as one regex."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, values: Iterable[str]) -> None:
        forms = {form for value in values for form in _forms(value)}
        with self._lock:
            if forms <= self._values:
                return
            self._values |= forms
            # Longest first, so a secret that contains another is masked whole.
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(map(re.escape, ordered)))

    def mask(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None else text


def _forms(value: str) -> set[str]:
    """A secret as it may appear: as is, percent-encoded, and each word of `Bearer <token>`."""
    words = [value, *value.split()]
    forms = {form for word in words for form in (word, quote(word, safe=""), quote_plus(word))}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


_SECRETS = _Secrets()


def remember(*groups: Iterable[str]) -> None:
    """Mask these values in every later scrubbed text."""
    for group in groups:
        _SECRETS.add(value for value in group if isinstance(value, str))


def scrub(text: str) -> str:
    """`text` with known secrets masked, http(s) URLs cut to scheme, host, port and path, and
    in URLs of any scheme (and any `?name=value` of a log line) passwords, webhook header values
    and the values of secret-looking parameters masked."""
    text = _SECRETS.mask(text)
    text = _HTTP_URL_RE.sub(_safe_http_url, text)
    text = _PASSWORD_RE.sub(rf"\1{MASK}@", text)
    return _PARAM_RE.sub(_masked_param, text)


def _is_secret_param(found: re.Match[str]) -> bool:
    prefix = (found.group("prefix") or "").lower()
    return prefix in _CREDENTIAL_PREFIXES or is_secret_name(unquote(found.group("name")))


def _masked_param(found: re.Match[str]) -> str:
    if _is_secret_param(found) and found.group("value") not in ("", MASK):
        return found.group("lead") + MASK
    return found.group(0)


def _safe_http_url(found: re.Match[str]) -> str:
    url = found.group(0)
    stripped = url.rstrip(_TRAILING)
    if not any(mark in stripped for mark in "@?#"):
        return url  # nothing to hide: kept as written
    return safe_url(stripped) + url[len(stripped) :]


def channel_secrets(url: str) -> set[str]:
    """The secret parts of an apprise URL: what apprise's privacy form hides, and what it
    shows or drops but is secret all the same (`url_secrets`)."""
    secrets = url_secrets(url)
    import apprise  # here: most commands never need it, and it is slow to import

    plugin = apprise.Apprise.instantiate(url)
    if plugin is not None:
        full = _url_tokens(str(plugin.url(privacy=False)))  # type: ignore[no-untyped-call]
        shown = _url_tokens(str(plugin.url(privacy=True)))  # type: ignore[no-untyped-call]
        secrets |= full - shown
    return {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}


def _url_tokens(url: str) -> set[str]:
    decoded = _URL_TOKEN_SPLIT_RE.split(unquote(url))
    return {token for token in decoded if token}


def remember_env_references(path: Path) -> None:
    """Remember the values of the environment variables a config file references (`${NAME}`),
    found in the raw text, so that even errors about the file cannot show them."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    names = set(_ENV_REFERENCE_RE.findall(text))
    remember(os.environ[name] for name in names if name in os.environ)


def remember_config(config: Config) -> None:
    """Remember every secret a loaded config holds: each source's option secrets, channel URL
    secrets, and the passwords in the database and proxy URLs."""
    from aggregator.credentials import option_secrets  # here: it imports httpx and pydantic

    for source in config.sources:
        remember(option_secrets(source.options, source.url).values)
    for channel in config.channels.values():
        for url in channel.urls:
            remember(channel_secrets(url))
    remember(url_secrets(config.database), url_secrets(config.http.proxy or ""))


def url_secrets(url: str) -> set[str]:
    """The secrets written in a URL of any scheme: its password, its webhook headers (`+X=`)
    and GET arguments (`-x=`), and the values of its secret-looking parameters (`?token=`,
    `:password=`)."""
    secrets = {unquote(found.group(2)) for found in _PASSWORD_RE.finditer(url)}
    secrets |= {
        unquote(found.group("value"))
        for found in _PARAM_RE.finditer(url)
        if _is_secret_param(found)
    }
    return {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}


class SecretFilter(logging.Filter):
    """Scrubs each record's message, arguments, traceback and stack before any handler
    formats it (httpx logs whole request URLs at INFO, with API keys in their query)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string in someone's log call: keep what we have
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install(handler: logging.Handler) -> None:
    """Put the filter on a handler (a handler's filters see the records of every logger that
    propagates to it; a logger's filters would not)."""
    if not any(isinstance(f, SecretFilter) for f in handler.filters):
        handler.addFilter(SecretFilter())


def excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook that prints the traceback scrubbed (`--debug` re-raises errors)."""
    sys.stderr.write(scrub("".join(traceback.format_exception(kind, value, tb))))


def thread_excepthook(args: threading.ExceptHookArgs) -> None:
    """threading.excepthook that prints a thread's uncaught error scrubbed."""
    if args.exc_value is not None:
        kind = args.exc_type
        sys.stderr.write(
            scrub("".join(traceback.format_exception(kind, args.exc_value, args.exc_traceback)))
        )
