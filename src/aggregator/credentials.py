"""Which parts of a request are credentials, and which option values are secrets."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx
from pydantic import BaseModel, SecretStr

# Defined in redact, which must stay cheap to import; exported here too, beside the rest.
from aggregator.redact import MIN_SECRET_LENGTH, is_secret_name

__all__ = [
    "HARMLESS_HEADERS",
    "MIN_SECRET_LENGTH",
    "OptionSecrets",
    "credential_values",
    "harmless_headers",
    "is_secret_name",
    "option_secrets",
    "strip_secrets",
    "without_credentials",
]

# Headers that say how to answer, not who asks: they may go to any origin. Every other header
# an adapter passes (API keys, Authorization, Cookie, a User-Agent holding an e-mail address)
# is treated as a credential of the source's own origins.
HARMLESS_HEADERS: Final = frozenset(
    {"accept", "accept-language", "accept-encoding", "if-none-match", "if-modified-since"}
)


def harmless_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers that may go to any origin."""
    return {name: value for name, value in headers.items() if name.lower() in HARMLESS_HEADERS}


def credential_values(headers: Mapping[str, str]) -> list[str]:
    """The values of the headers that may only go to the source's own origins."""
    return [value for name, value in headers.items() if name.lower() not in HARMLESS_HEADERS]


def without_credentials(
    url: httpx.URL, secret_params: frozenset[str], secrets: frozenset[str]
) -> httpx.URL:
    """`url` without userinfo and without the query parameters named in `secret_params` or
    holding one of `secrets`."""
    items = url.params.multi_items()
    kept: list[tuple[str, str | int | float | bool | None]] = [
        (k, v) for k, v in items if k not in secret_params and v not in secrets
    ]
    if url.userinfo:
        url = url.copy_with(username="", password="")
    if len(kept) != len(items):
        url = url.copy_with(params=httpx.QueryParams(kept))
    return url


@dataclass(frozen=True, slots=True)
class OptionSecrets:
    """What a source's config says only its own origins may receive."""

    params: frozenset[str]  # query parameter names (`options.params`, secret-looking ones)
    values: frozenset[str]  # secret values (keys, tokens, passwords, credential headers)


def option_secrets(options: BaseModel | Mapping[str, object], url: str | None) -> OptionSecrets:
    """The secrets in a source's options and URL: header values (but harmless ones), every
    `params` name with the values of secret-looking ones, SecretStr fields, fields with
    secret-looking names, and the URL's password and secret-looking query values."""
    params: set[str] = set()
    values: set[str] = set()
    _collect("", options, params, values)
    if url:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            parsed = None
        if parsed is not None:
            values.add(parsed.password)
            for name, value in parsed.params.multi_items():
                if is_secret_name(name):
                    params.add(name)
                    values.add(value)
    return OptionSecrets(
        frozenset(params), frozenset(v for v in values if len(v) >= MIN_SECRET_LENGTH)
    )


def _collect(name: str, value: object, params: set[str], values: set[str]) -> None:
    if isinstance(value, SecretStr):
        values.add(value.get_secret_value())
    elif isinstance(value, BaseModel):
        for field, item in value:
            _collect(field, item, params, values)
    elif isinstance(value, Mapping):
        _collect_mapping(name, value, params, values)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(name, item, params, values)
    elif isinstance(value, str) and is_secret_name(name):
        values.add(value)


def _collect_mapping(
    name: str, mapping: Mapping[object, object], params: set[str], values: set[str]
) -> None:
    for key, item in mapping.items():
        key = str(key)
        if name == "headers":
            if key.lower() not in HARMLESS_HEADERS and isinstance(item, str):
                values.add(item)
                values.update(item.split()[1:])  # the token of `Bearer <token>`
        elif name == "params":
            params.add(key)
            if is_secret_name(key) and not isinstance(item, bool):
                values.add(str(item))
        else:
            _collect(key, item, params, values)


def strip_secrets(value: Any, secrets: frozenset[str]) -> Any:
    """`value` (a string, or strings inside lists, tuples and dicts) without the source's
    secrets: a board that echoes our API key into its records (a link carrying `?api_key=`)
    must not put it into the store and every alert. In an http(s) URL the query parameters
    holding a secret are dropped; anywhere else the secret is masked."""
    if not secrets:
        return value
    if isinstance(value, str):
        return _without_secrets(value, secrets) if any(s in value for s in secrets) else value
    if isinstance(value, tuple | list):
        return type(value)(strip_secrets(item, secrets) for item in value)
    if isinstance(value, Mapping):
        return {key: strip_secrets(item, secrets) for key, item in value.items()}
    return value


def _without_secrets(text: str, secrets: frozenset[str]) -> str:
    if text.startswith(("http://", "https://")):
        with contextlib.suppress(httpx.InvalidURL):
            text = str(without_credentials(httpx.URL(text), frozenset(), secrets))
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
