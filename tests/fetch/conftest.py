"""Fixtures for the fetch tests: a local HTTP server and no proxies from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import LocalServer

_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def _no_env_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts env proxies; requests to 127.0.0.1 must not go through one."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running
