"""A channel's own alert templates (title, body): a template can fail, never the delivery.

Each part is rendered in the shared sandbox (sandbox.py) under the user budget; when it fails
in any way, that part of the default alert is used and the failure is reported once per
channel and template.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from aggregator.config.model import TemplatesConfig as Templates
from aggregator.notify.escaping import escape_markdown, one_line, sanitize_html, text_to_html
from aggregator.notify.render_budget import BudgetExceededError
from aggregator.notify.sandbox import render
from aggregator.text import html_to_text

if TYPE_CHECKING:
    from aggregator.notify.render import Alert

__all__ = ["Templates", "apply_templates"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class EmptyRenderingError(Exception):
    """A template rendered nothing but whitespace, which no service would take."""


class _Failures:
    """Which (channel, template) failures were reported, and which templates ran out of time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reported: set[tuple[str, str]] = set()
        self._too_slow: set[str] = set()

    def first_report(self, channel: str, source: str) -> bool:
        with self._lock:
            fresh = (channel, source) not in self._reported
            self._reported.add((channel, source))
            return fresh

    def too_slow(self, source: str) -> bool:
        with self._lock:
            return source in self._too_slow

    def mark_too_slow(self, source: str) -> None:
        with self._lock:
            self._too_slow.add(source)


_failures = _Failures()


def apply_templates(
    alert: Alert,
    templates: Templates,
    context: dict[str, Any],
    *,
    html: bool,
    channel: str | None = None,
) -> Alert:
    """The alert with the channel's title and body templates applied where they succeed.

    Titles are plain text on one line. A body is HTML for e-mail channels (values escaped,
    then cleaned to the allowed elements) and Markdown elsewhere (values escaped); its plain
    text comes from the same template.
    """
    label = channel or "(unnamed)"
    changes: dict[str, str] = {}
    if templates.title:
        source = templates.title
        title = _attempt(label, "title", source, lambda: _title(source, context))
        if title is not None:
            changes["title"] = title
    if templates.body:
        body_source = templates.body
        bodies = _attempt(label, "body", body_source, lambda: _bodies(body_source, context, html))
        if bodies is not None:
            changes.update(bodies)
    return dataclasses.replace(alert, **changes) if changes else alert


def _title(source: str, context: dict[str, Any]) -> str:
    return _not_empty(one_line(render(source, "text", context | {"format": "text"})))


def _bodies(source: str, context: dict[str, Any], html: bool) -> dict[str, str]:
    if html:
        markup = sanitize_html(render(source, "html", context | {"format": "html"}))
        text = _not_empty(html_to_text(markup))
        return {"html": markup, "text": text, "body": escape_markdown(text)}
    text = _not_empty(render(source, "text", context | {"format": "text"}))
    return {
        "body": render(source, "markdown", context | {"format": "markdown"}),
        "text": text,
        "html": text_to_html(text),
    }


def _not_empty(rendered: str) -> str:
    if not rendered.strip():
        raise EmptyRenderingError("the template rendered nothing")
    return rendered


def _attempt(channel: str, part: str, source: str, rendering: Callable[[], T]) -> T | None:
    """The rendering's result, or None (after reporting why) when the template failed."""
    if _failures.too_slow(source):
        _report(channel, part, source, BudgetExceededError("it ran out of time before"))
        return None
    try:
        return rendering()
    except Exception as exc:  # any failure of a user template means "use the default"
        if isinstance(exc, BudgetExceededError) and "longer than" in str(exc):
            _failures.mark_too_slow(source)
        _report(channel, part, source, exc)
        return None


def _report(channel: str, part: str, source: str, exc: Exception) -> None:
    # The error's own message can quote listing text (a KeyError, an undefined attribute), so
    # only its type is logged, with our own messages (which never hold data).
    reason = type(exc).__name__
    if isinstance(exc, (BudgetExceededError, EmptyRenderingError)):
        reason = f"{reason}: {exc}"
    where = _template_line(exc)
    if _failures.first_report(channel, source):
        log.warning(
            "channel %s: the %s template failed (%s%s); the default %s is used "
            "(reported once per channel)",
            channel,
            part,
            reason,
            where,
            part,
        )
    else:
        log.debug("channel %s: the %s template failed again (%s%s)", channel, part, reason, where)


def _template_line(exc: BaseException) -> str:
    """` on line N` of the template, from the traceback Jinja2 rewrites to point into it."""
    line = getattr(exc, "lineno", None)
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f" on line {line}" if isinstance(line, int) else ""
