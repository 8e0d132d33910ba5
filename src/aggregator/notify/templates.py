"""User templates for alerts: Jinja2 in a sandbox, escaping every value for its output format."""

from __future__ import annotations

import dataclasses
import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from aggregator.config import TemplatesConfig as Templates

if TYPE_CHECKING:
    from aggregator.notify.render import Alert

__all__ = ["Templates", "apply_templates"]

log = logging.getLogger(__name__)

_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_BREAKS_RE = re.compile(r"[\r\n]+")


def _markdown_escape(value: Any) -> Any:
    """Every printed value is escaped for Markdown, unless a template marked it safe."""
    if isinstance(value, Markup) or value is None:
        return "" if value is None else value
    return _MD_SPECIAL_RE.sub(r"\\\1", str(value))


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


@lru_cache(maxsize=128)
def _compile(source: str, mode: str) -> Template:
    # Sandboxed: a config author must not reach Python internals through the objects passed in.
    if mode == "html":
        env = SandboxedEnvironment(autoescape=True, finalize=_none_to_empty)
    elif mode == "markdown":
        env = SandboxedEnvironment(autoescape=False, finalize=_markdown_escape)
    else:
        env = SandboxedEnvironment(autoescape=False, finalize=_none_to_empty)
    return env.from_string(source)


def apply_templates(
    alert: Alert, templates: Templates, context: dict[str, Any], *, html: bool
) -> Alert:
    """The alert with the channel's title and body templates applied.

    Titles are plain text with CR and LF stripped; a body is HTML for e-mail (autoescaped) and
    Markdown elsewhere (every value escaped; `url` is left as it is, so `[..]({{ url }})` works).
    """
    try:
        changes = _render(templates, context, html=html)
    except TemplateError as exc:  # e.g. the sandbox refused an attribute: the default is used
        log.warning(
            "alert template failed (%s: %s); the default template was used", type(exc).__name__, exc
        )
        return alert
    return dataclasses.replace(alert, **changes)


def _render(templates: Templates, context: dict[str, Any], *, html: bool) -> dict[str, str]:
    changes: dict[str, str] = {}
    if templates.title:
        title = _compile(templates.title, "text").render(**context)
        changes["title"] = _LINE_BREAKS_RE.sub(" ", title).strip()
    if templates.body:
        mode = "html" if html else "markdown"
        values = dict(context, url=Markup(context["url"] or ""))
        if html:
            values["url"] = context["url"] or ""
        changes["body"] = _compile(templates.body, mode).render(**values)
        changes["text"] = _compile(templates.body, "text").render(**context)
        changes["body_format"] = "html" if html else "markdown"
    return changes
