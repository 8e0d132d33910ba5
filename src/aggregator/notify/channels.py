"""Channels: one apprise object per URL of a channel, URL checks, and secret redaction."""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import Any, TextIO

import apprise
import apprise.plugins.email.base as apprise_email
from apprise.decorators import notify as apprise_plugin
from apprise.manager_plugins import NotificationManager

from aggregator import redact
from aggregator.config.model import ChannelConfig
from aggregator.notify.render import Alert
from aggregator.notify.send_budget import send_within
from aggregator.notify.smtp_session import KeptConnection, Session, active

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

# Called before each URL's send with the URL's index and the indices done so far; False: stop.
BeforeSend = Callable[[int, frozenset[int]], bool]

_USERINFO_RE = re.compile(r"^([a-z][a-z0-9+.-]*://)[^@/]*@", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
_EXAMPLE_SENDER = "alerts@example.com"
_KEY_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]")
MESSAGE_ID_DOMAIN = "aggregator.invalid"
# The header that carries the outbox key on webhooks (json://, form://, xml://), so that a
# receiver can drop a message it already has (the IETF idempotency-key draft's name).
KEY_HEADER = "Idempotency-Key"
EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
# Messages a channel sends at once when none of its URLs has an apprise throttle (webhooks,
# and services that pace themselves by their answers); each worker has its own apprise objects.
WEBHOOK_WORKERS = 8


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
    stream.write(f"{line}\n{title}\n{_without_title(body, title)}\n")
    stream.flush()
    return True


def _without_title(body: str, title: str) -> str:
    """The body without its first line when the title (printed above it) already says it:
    an alert's body starts with the listing's title, its subject adds the company."""
    first, _newline, rest = body.partition("\n")
    return rest if first.strip() and title.startswith(first.strip()) else body


# apprise makes a random Message-ID for every e-mail; ours comes from the outbox key, so a
# duplicate sent after a crash is recognizable (and dropped by clients that dedup on it).
_message_id: ContextVar[str | None] = ContextVar("aggregator_message_id", default=None)


def _keyed_msgid(idstring: str | None = None, domain: str | None = None) -> str:
    return _message_id.get() or make_msgid(idstring, domain)


@functools.cache
def _patch_apprise_email() -> None:
    """Make apprise's e-mail plugin take our Message-ID and keep its SMTP connection open
    across the messages of a pass (smtp_session.py). apprise has no option for either: it sets
    the Message-ID after any custom headers (`+Message-ID=` would add a second) and quits after
    each message. Done once, when the first channel is built, not on import."""
    apprise_email.make_msgid = _keyed_msgid  # type: ignore[attr-defined]
    apprise_email.AppriseSMTPController = KeptConnection  # type: ignore[attr-defined]


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
    if scheme.lower() in _EMAIL_SCHEMES and (problem := _email_problem(url)):
        return problem
    # A shared singleton, loaded by apprise already.
    if scheme.lower() in NotificationManager():  # type: ignore[no-untyped-call]
        return f"apprise cannot use {redact_url(url)} (bad or missing parameters for {scheme}://)"
    return f"apprise cannot use {redact_url(url)} (unknown scheme {scheme!r})"


def _email_problem(url: str) -> str | None:
    """Why apprise refused an e-mail URL when the sender address is the cause (the same URL with
    a valid from= is accepted): apprise makes one from the user name and host only when that
    reads as an address, so not for `mailto://127.0.0.1:2525?to=me@example.com`."""
    base, _, rest = url.partition("?")
    query, hash_mark, fragment = rest.partition("#")
    pairs = [pair for pair in query.split("&") if pair]
    others = [pair for pair in pairs if pair.partition("=")[0].lower() != "from"]
    fixed = f"{base}?{'&'.join([*others, 'from=' + _EXAMPLE_SENDER])}{hash_mark}{fragment}"
    if apprise.Apprise.instantiate(fixed) is None:
        return None
    example = f"e.g. from={_EXAMPLE_SENDER}"
    if len(others) == len(pairs):
        return (
            f"{redact_url(url)} needs from=ADDRESS, the sender ({example}): apprise cannot "
            "make one from this URL's user name and host"
        )
    return f"{redact_url(url)}: from= is not an e-mail address ({example})"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """Which of a channel's URLs took the message (indices), and the first error, redacted;
    `stopped`: a `before_each` check ended the send before all URLs were tried."""

    done: frozenset[int]
    error: str | None = None
    stopped: bool = False
    timed_out: bool = False  # a URL did not answer within send_timeout (its send abandoned)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Target:
    """One URL of a channel with its own apprise object, so a retry can skip the ones done."""

    url: str
    _apprise: apprise.Apprise
    # An e-mail URL's SMTP connection, kept from one message to the next during a delivery
    # pass (keep() to close()); outside one, apprise's connection per message.
    _smtp: Session | None = None

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
        with _keyed(plugin, key), active(self._smtp):
            return bool(
                self._apprise.notify(
                    title=title, body=alert.body_for(body_format), body_format=body_format
                )
            )

    @property
    def unthrottled(self) -> bool:
        """apprise does not space this URL's sends, and it is no e-mail or terminal."""
        plugin = self._apprise[0]
        rate = float(getattr(plugin, "request_rate_per_sec", 1) or 0)
        return rate <= 0 and self.scheme not in EMAIL_SCHEMES | {"console"}

    def keep(self) -> None:
        """Keep an e-mail URL's SMTP connection open from one message to the next."""
        if self.scheme in EMAIL_SCHEMES and self._smtp is None:
            self._smtp = Session()

    def close(self) -> None:
        """Quit the SMTP connection kept for this URL, if any."""
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None


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
    # Sends given up past their budget whose thread may still run, by URL index.
    _abandoned: dict[int, threading.Thread | None] = field(
        default_factory=dict, init=False, repr=False
    )
    _copies: list[Channel] = field(default_factory=list, init=False, repr=False)

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(target.url for target in self.targets)

    @property
    def is_email(self) -> bool:
        return all(target.scheme in EMAIL_SCHEMES for target in self.targets)

    def send(
        self,
        alert: Alert,
        *,
        key: str | None = None,
        skip: frozenset[int] = frozenset(),
        before_each: BeforeSend | None = None,
    ) -> SendOutcome:
        """Send to every URL not in `skip`, each within the channel's `send_timeout`; never
        raises. The outcome lists the URLs done. `before_each(index, done)` runs right before
        each URL's send: False stops there, nothing more is sent (`outcome.stopped`)."""
        done, errors, timed_out = set(skip), [], False
        for index in range(len(self.targets)):
            if index in skip:
                continue
            if before_each is not None and not before_each(index, frozenset(done)):
                return SendOutcome(frozenset(done), "stopped before sending", stopped=True)
            error = self._send_one(index, alert, key)
            if error is None:
                done.add(index)
            else:
                timed_out = timed_out or index in self._abandoned
                errors.append(error if len(self.targets) == 1 else f"URL {index + 1}: {error}")
        return SendOutcome(frozenset(done), errors[0] if errors else None, timed_out=timed_out)

    @property
    def parallel(self) -> int:
        """How many messages may be in flight at once: one for e-mail (one connection) and
        for services apprise throttles (their rate limit), WEBHOOK_WORKERS for the others."""
        if not self.targets or any(not target.unthrottled for target in self.targets):
            return 1
        return WEBHOOK_WORKERS

    def workers(self, count: int) -> list[Channel]:
        """This channel and `count - 1` copies with their own apprise objects (kept)."""
        while len(self._copies) < count - 1:
            targets = tuple(_target_for(target.url) for target in self.targets)
            self._copies.append(Channel(name=self.name, targets=targets, config=self.config))
        return [self, *self._copies[: count - 1]]

    def keep_connections(self) -> None:
        """Start a pass: e-mail URLs keep their SMTP connection until close()."""
        for target in self.targets:
            target.keep()

    def close(self) -> None:
        """End the pass: quit the SMTP connections kept open, except one an abandoned send
        may still be using (it ends with that send's thread)."""
        for index, target in enumerate(self.targets):
            abandoned = self._abandoned.get(index)
            if abandoned is None or not abandoned.is_alive():
                target.close()
        for copy in self._copies:
            copy.close()

    def _send_one(self, index: int, alert: Alert, key: str | None) -> str | None:
        target = self._target(index)
        budget = self.config.send_timeout
        attempt = send_within(
            lambda: target.send(alert, key), budget=budget, name=f"send {self.name}[{index + 1}]"
        )
        if not attempt.finished:
            self._abandoned[index] = attempt.thread
            return f"no answer within {budget:g} s"
        if attempt.ok:
            return None
        return self._redact(attempt.problem or "apprise reported a failure")

    def _target(self, index: int) -> Target:
        """The URL's apprise object; a fresh one while an abandoned send still uses the old
        one (apprise objects keep per-send state such as our key header)."""
        abandoned = self._abandoned.pop(index, None)
        if abandoned is None or not abandoned.is_alive():
            return self.targets[index]
        fresh = _target_for(self.targets[index].url)
        if self.targets[index]._smtp is not None:
            fresh.keep()  # its own connection: the abandoned send may still use the old one
        self.targets = (*self.targets[:index], fresh, *self.targets[index + 1 :])
        return fresh

    def _redact(self, message: str) -> str:
        """apprise's error, with every secret of this channel's URLs masked (it is logged and
        stored as the outbox row's last error)."""
        for url in self.urls:
            secrets = set(_secrets_of(url)) | redact.channel_secrets(url)
            for secret in sorted(secrets, key=len, reverse=True):
                message = message.replace(secret, "****")
        return redact.scrub(message)


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
        try:
            targets = tuple(_target_for(url) for url in config.urls)
        except ValueError as exc:
            raise ValueError(f"channels.{name}: {exc}") from None
        built[name] = Channel(name=name, targets=targets, config=config)
    return built


def _target_for(url: str) -> Target:
    # Sequential sends in the calling thread (the Message-ID travels in a context variable set
    # there). apprise's own deadline (service_timeout) would run each send in a shared
    # ThreadPoolExecutor, whose threads the interpreter joins at exit: one stuck send would
    # hold the process forever. Off, so the budget is ours (budget.py), in a daemon thread.
    _patch_apprise_email()
    asset = apprise.AppriseAsset(async_mode=False, service_timeout=0)
    instance = apprise.Apprise(asset=asset)
    if not instance.add(url):
        raise ValueError(f"apprise cannot use {redact_url(url)}")
    target = Target(url=url, _apprise=instance)
    if target.scheme in EMAIL_SCHEMES:
        # apprise waits 5.5 s between two e-mails of one plugin object (its default for any
        # service), which was the whole cost of a pass. Our messages to one server go one after
        # another over one connection, each answered before the next: the server paces us.
        instance[0].request_rate_per_sec = 0
    return target
