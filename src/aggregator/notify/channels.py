"""Channels: one apprise object per URL of a channel, URL checks, and secret redaction."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any, TextIO

import apprise
import apprise.plugins.email.base as apprise_email
from apprise.decorators import notify as apprise_plugin

from aggregator.config import ChannelConfig
from aggregator.notify.render import Alert

__all__ = [
    "Channel",
    "SendOutcome",
    "Target",
    "build_channels",
    "check_channel_url",
    "message_id_for",
    "redact_url",
    "set_console_stream",
]

log = logging.getLogger(__name__)

_USERINFO_RE = re.compile(r"^([a-z][a-z0-9+.-]*://)[^@/]*@", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_KEY_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]")
MESSAGE_ID_DOMAIN = "aggregator.invalid"
# The header that carries the outbox key on webhooks (json://, form://, xml://), so that a
# receiver can drop a message it already has (the IETF idempotency-key draft's name).
KEY_HEADER = "Idempotency-Key"


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


# apprise makes a random Message-ID for every e-mail; ours comes from the outbox key, so a
# duplicate sent after a crash is recognizable (and dropped by clients that dedup on it).
_message_id: ContextVar[str | None] = ContextVar("aggregator_message_id", default=None)


def _keyed_msgid(idstring: str | None = None, domain: str | None = None) -> str:
    return _message_id.get() or make_msgid(idstring, domain)


apprise_email.make_msgid = _keyed_msgid  # type: ignore[attr-defined]


def message_id_for(key: str) -> str:
    """The e-mail Message-ID of the message that carries outbox key `key`."""
    return f"<{_KEY_UNSAFE_RE.sub('-', key)}@{MESSAGE_ID_DOMAIN}>"


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


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """Which of a channel's URLs took the message (indices), and the first error, redacted."""

    done: frozenset[int]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Target:
    """One URL of a channel with its own apprise object, so a retry can skip the ones done."""

    url: str
    _apprise: apprise.Apprise

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower()

    @property
    def display(self) -> str:
        """apprise's privacy form of the URL (passwords and tokens masked), for people."""
        plugin = self._apprise[0]
        return str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]

    def send(self, alert: Alert, key: str | None) -> bool:
        plugin = self._apprise[0]
        body_format = _format_of(plugin)
        # A service without a title field puts the title into the body, in the body's format.
        title = alert.title if plugin.title_maxlen > 0 else alert.title_for(body_format)
        with _keyed(plugin, key):
            return bool(
                self._apprise.notify(
                    title=title, body=alert.body_for(body_format), body_format=body_format
                )
            )


def _format_of(plugin: Any) -> str:
    """The format the service takes: Markdown where it has a choice, else its own (HTML for
    e-mail, text for the terminal). The body is given in that format, so apprise converts
    nothing (its Markdown-to-HTML conversion passes raw HTML through)."""
    resolve = getattr(plugin, "resolve_format", None)
    chosen = resolve("markdown") if resolve is not None else plugin.notify_format
    return str(getattr(chosen, "value", chosen))


@contextmanager
def _keyed(plugin: Any, key: str | None) -> Iterator[None]:
    """Stamp one send with the outbox key: the e-mail Message-ID and a webhook header."""
    headers = getattr(plugin, "headers", None)
    stamp = key is not None and isinstance(headers, dict)
    token = _message_id.set(message_id_for(key) if key else None)
    if stamp and isinstance(headers, dict):
        headers[KEY_HEADER] = key
    try:
        yield
    finally:
        _message_id.reset(token)
        if stamp and isinstance(headers, dict):
            headers.pop(KEY_HEADER, None)


@dataclass(slots=True)
class Channel:
    """A named destination: its URLs (each its own apprise object) and its delivery options."""

    name: str
    targets: tuple[Target, ...]
    config: ChannelConfig = field(default_factory=lambda: ChannelConfig(urls=["console://"]))

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(target.url for target in self.targets)

    @property
    def is_email(self) -> bool:
        return all(target.scheme in {"mailto", "mailtos"} for target in self.targets)

    def send(
        self, alert: Alert, *, key: str | None = None, skip: frozenset[int] = frozenset()
    ) -> SendOutcome:
        """Send to every URL not in `skip`; never raises. The outcome lists the URLs done."""
        done, errors = set(skip), []
        for index, target in enumerate(self.targets):
            if index in skip:
                continue
            error = self._send_one(target, alert, key)
            if error is None:
                done.add(index)
            else:
                errors.append(error if len(self.targets) == 1 else f"URL {index + 1}: {error}")
        return SendOutcome(frozenset(done), errors[0] if errors else None)

    def _send_one(self, target: Target, alert: Alert, key: str | None) -> str | None:
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            try:
                ok = target.send(alert, key)
            except Exception as exc:  # apprise plugins should not raise; one must not end a run
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
    # Sequential sends in the calling thread: the Message-ID travels in a context variable.
    asset = apprise.AppriseAsset(async_mode=False)
    built: dict[str, Channel] = {}
    for name, config in channels.items():
        targets = []
        for url in config.urls:
            instance = apprise.Apprise(asset=asset)
            if not instance.add(url):
                raise ValueError(f"channels.{name}: apprise cannot use {redact_url(url)}")
            targets.append(Target(url=url, _apprise=instance))
        built[name] = Channel(name=name, targets=tuple(targets), config=config)
    return built
