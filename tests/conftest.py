"""Shared fixtures: real loopback servers and a helper to run the real `aggregate` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, SmtpSink
from tests.support.shared import SHARED
from tests.support.skip_summary import pytest_terminal_summary  # noqa: F401 (a hook)

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
def shared() -> Path:
    """`../shared` beside the checkout (real payloads and corpora), or a skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not here (the reference material is optional)")
    return SHARED


@pytest.fixture
def fresh_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that has seen no secret yet: the registry is process-wide by design, so an
    earlier test's `?key=secret` would otherwise mask the word `secret` in an exact-text test."""
    from aggregator import redact

    monkeypatch.setattr(redact, "_SECRETS", redact._Secrets())


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    """Run `aggregate ARGS` as a real process, the way a user or cron would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "aggregator", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
