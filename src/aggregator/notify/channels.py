"""Channels: one apprise object per configured channel, URL checks, and secret redaction."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import apprise
from apprise.decorators import notify as apprise_plugin

from aggregator.config import ChannelConfig
from aggregator.notify.render import Alert

__all__ = [
    "Channel",
    "build_channels",
    "check_channel_url",
    "redact_url",
    "set_console_stream",
]

log = logging.getLogger(__name__)

_USERINFO_RE = re.compile(r"^([a-z][a-z0-9+.-]*://)[^@/]*@", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


class _Console:
    """Where `console://` writes: standard output, unless the CLI needs it for JSON."""

    stream: TextIO | None = None


def set_console_stream(stream: TextIO | None) -> None:
    """Send `console://` alerts to `stream` (None: standard output at the time of writing)."""
    _Console.stream = stream


@apprise_plugin(on="console", name="Terminal output", body_format="text")  # type: ignore[untyped-decorator,no-untyped-call]
def _print_to_terminal(body: str, title: str, *_args: Any, **_kwargs: Any) -> bool:
    """`console://`: print the alert on standard output, the default channel of the example."""
    line = "-" * 72
    stream = _Console.stream or sys.stdout
    stream.write(f"{line}\n{title}\n{body}\n")
    stream.flush()
    return True


def redact_url(url: str) -> str:
    """Show only the scheme of an apprise URL: any other part may be a secret (slack:// and
    tgram:// put their tokens where a host would be, a password may hold an unescaped `/`)."""
    found = _SCHEME_RE.match(url)
    return f"{found.group(1)}://***" if found else "***"


def check_channel_url(url: str) -> str | None:
    """Return why apprise cannot use this URL (secrets redacted), or None when it can."""
    if apprise.Apprise.instantiate(url) is not None:
        return None
    found = _SCHEME_RE.match(url)
    if not found:
        return f"not an apprise URL: {redact_url(url)} (expected scheme://...)"
    scheme = found.group(1)
    return f"apprise cannot use {redact_url(url)} (unknown scheme {scheme!r} or bad parameters)"


@dataclass(slots=True)
class Channel:
    """A named destination; its own apprise object, so a retry never re-sends to other channels."""

    name: str
    urls: tuple[str, ...]
    _apprise: apprise.Apprise

    @property
    def plain_text_only(self) -> bool:
        """A terminal gets plain text; every other service gets Markdown (apprise converts it
        to HTML for e-mail)."""
        return all(url.split("://", 1)[0].lower() == "console" for url in self.urls)

    def send(self, alert: Alert) -> str | None:
        """Send one alert; return None on success or a redacted error message."""
        body, body_format = (
            (alert.text, "text") if self.plain_text_only else (alert.body, "markdown")
        )
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            try:
                ok = bool(
                    self._apprise.notify(title=alert.title, body=body, body_format=body_format)
                )
            except (
                Exception
            ) as exc:  # apprise plugins should not raise, but one must not kill a run
                log.debug("apprise raised", exc_info=True)
                ok, captured_text = False, f"{type(exc).__name__}"
            else:
                captured_text = captured.getvalue() if hasattr(captured, "getvalue") else ""
        if ok:
            return None
        return self._redact(_last_line(captured_text) or "apprise reported a failure")

    def _redact(self, message: str) -> str:
        for url in self.urls:
            for secret in _secrets_of(url):
                message = message.replace(secret, "****")
        return message


def _last_line(text: str) -> str:
    lines = [line.split(" - ", 2)[-1].strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _secrets_of(url: str) -> list[str]:
    """The password and token-like parts of a URL, to scrub from apprise's messages."""
    found = _USERINFO_RE.match(url)
    secrets: list[str] = []
    if found:
        userinfo = found.group(0)[len(found.group(1)) : -1]
        secrets += [part for part in userinfo.split(":")[1:] if part]
    path = url.split("://", 1)[-1]
    secrets += [part for part in re.split(r"[/?&=@:]", path) if len(part) >= 16]
    return secrets


def build_channels(channels: Mapping[str, ChannelConfig]) -> dict[str, Channel]:
    """One Channel per configured name; URLs were checked when the config was loaded."""
    built: dict[str, Channel] = {}
    for name, config in channels.items():
        instance = apprise.Apprise()
        for url in config.urls:
            if not instance.add(url):
                raise ValueError(f"channels.{name}: apprise cannot use {redact_url(url)}")
        built[name] = Channel(name=name, urls=tuple(config.urls), _apprise=instance)
    return built
