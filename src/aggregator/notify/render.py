"""Alert rendering: a listing and the reason it matched become a title and a Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from jinja2.sandbox import SandboxedEnvironment

from aggregator.models import Listing

__all__ = ["Alert", "render_alert"]

_BODY_TEMPLATE = """\
**{{ title_link }}**
{% if url %}{{ url }}
{% endif %}{% if facts %}{{ facts | join(" · ") }}
{% endif %}Seen on {{ sources | join(", ") }}, posted {{ age }}.
Why: {{ why | md }} (rule {{ rule | md }})
{% if excerpt %}
{{ excerpt | md }}
{% endif %}"""

_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_BREAKS_RE = re.compile(r"[\r\n]+")
_EXCERPT_CHARS = 280

# Sandboxed: templates become user-editable in the config later; a template must not reach
# Python internals through the objects it is given.
_env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_env.filters["md"] = lambda text: _MD_SPECIAL_RE.sub(r"\\\1", str(text))
_body = _env.from_string(_BODY_TEMPLATE)


@dataclass(frozen=True, slots=True)
class Alert:
    """A rendered message: a one-line title and a Markdown body."""

    title: str
    body: str


def one_line(text: str) -> str:
    """Strip CR and LF so a title cannot inject headers or break chat layouts."""
    return _LINE_BREAKS_RE.sub(" ", text).strip()


def humanize_age(posted_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - posted_at).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def _excerpt(description: str) -> str:
    text = " ".join(description.split())
    if len(text) <= _EXCERPT_CHARS:
        return text
    return text[:_EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def render_alert(listing: Listing, *, rule: str, why: str, now: datetime) -> Alert:
    """Render one instant alert for a matched listing."""
    title = one_line(listing.title)
    escaped = _MD_SPECIAL_RE.sub(r"\\\1", title)
    title_link = f"[{escaped}](<{listing.url}>)" if listing.url else escaped
    facts = [
        _MD_SPECIAL_RE.sub(r"\\\1", one_line(f)) for f in (listing.company, listing.location) if f
    ]
    body = _body.render(
        title_link=title_link,
        url=listing.url,
        facts=facts,
        sources=listing.sources,
        age=humanize_age(listing.posted_at, now),
        why=why,
        rule=rule,
        excerpt=_excerpt(listing.description),
    )
    subject = f"{title} at {one_line(listing.company)}" if listing.company else title
    return Alert(title=subject, body=body)
