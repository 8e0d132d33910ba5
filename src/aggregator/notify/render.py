"""Alert rendering: a matched listing becomes a title, a Markdown body and a plain-text body."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from aggregator.models import JobDetails, Listing
from aggregator.notify.templates import Templates, apply_templates

__all__ = [
    "Alert",
    "format_pay",
    "one_line",
    "render_alert",
    "render_digest",
    "render_notice",
]

# One template serves both formats: `esc` escapes Markdown or does nothing, `link` makes a
# Markdown link or leaves the bare title (the URL has its own line either way).
_BODY_TEMPLATE = """\
{{ link(title) }}
{% if url %}{{ url }}
{% endif %}{% if facts %}{{ facts | map("esc") | join(" · ") }}
{% endif %}Seen on {{ sources | join(", ") | esc }}, posted {{ age }}.
Why: {{ why | esc }} (rule {{ rule | esc }})
{% if excerpt %}
{{ excerpt | esc }}
{% endif %}"""

_DIGEST_TEMPLATE = """\
{% for item in items %}{{ loop.index }}. {{ item.link }}
{%- if item.facts %} · {{ item.facts }}{% endif %}
   {{ item.why }}{% if item.url %} · {{ item.url }}{% endif %}
{% endfor %}"""


_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_BREAKS_RE = re.compile(r"[\r\n]+")
_EXCERPT_CHARS = 280


def _md_escape(text: object) -> str:
    return _MD_SPECIAL_RE.sub(r"\\\1", str(text))


def _environment(*, markdown: bool) -> SandboxedEnvironment:
    # Sandboxed: templates become user-editable in the config later; a template must not reach
    # Python internals through the objects it is given.
    env = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
    env.filters["esc"] = _md_escape if markdown else str
    return env


_markdown_body = _environment(markdown=True).from_string(_BODY_TEMPLATE)
_text_body = _environment(markdown=False).from_string(_BODY_TEMPLATE)
_markdown_digest = _environment(markdown=True).from_string(_DIGEST_TEMPLATE)
_text_digest = _environment(markdown=False).from_string(_DIGEST_TEMPLATE)


@dataclass(frozen=True, slots=True)
class Alert:
    """A rendered message: a one-line title, a body (Markdown, or HTML when `body_format` says
    so) and a plain-text body for terminals."""

    title: str
    body: str
    text: str
    body_format: str = "markdown"


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


def format_pay(job: JobDetails) -> str | None:
    """`25–30 USD/hour`, `from 40000 EUR/year`, or None when the pay is unknown."""
    low, high = job.pay_min, job.pay_max
    if low is None and high is None:
        return None

    def amount(value: float) -> str:
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"

    if low is not None and high is not None:
        span = amount(low) if low == high else f"{amount(low)}–{amount(high)}"
    elif low is not None:
        span = f"from {amount(low)}"
    else:
        span = f"up to {amount(high or 0)}"
    currency = f" {job.currency}" if job.currency else ""
    period = f"/{job.pay_period}" if job.pay_period else ""
    return f"{span}{currency}{period}"


def _facts(listing: Listing) -> list[str | None]:
    job = listing.job
    remote = {"yes": "remote", "no": "on site"}.get(job.remote)
    return [listing.company, listing.location, remote, job.employment_type, format_pay(job)]


def _context(listing: Listing, *, rule: str, why: str, now: datetime) -> dict[str, Any]:
    job = listing.job
    return {
        "title": one_line(listing.title),
        "url": listing.url,
        "company": listing.company,
        "location": listing.location,
        "remote": job.remote,
        "employment_type": job.employment_type,
        "pay": format_pay(job),
        "facts": [one_line(fact) for fact in _facts(listing) if fact],
        "sources": listing.sources,
        "posted_at": listing.posted_at,
        "age": humanize_age(listing.posted_at, now),
        "why": why,
        "rule": rule,
        "excerpt": _excerpt(listing.description),
        "description": listing.description,
    }


def _markdown_link(text: str, url: str | None) -> str:
    return f"**[{_md_escape(text)}](<{url}>)**" if url else f"**{_md_escape(text)}**"


def _subject(listing: Listing) -> str:
    title = one_line(listing.title)
    return f"{title} at {one_line(listing.company)}" if listing.company else title


def render_alert(
    listing: Listing,
    *,
    rule: str,
    why: str,
    now: datetime,
    templates: Templates | None = None,
    html: bool = False,
) -> Alert:
    """Render one instant alert for a matched listing, with the channel's templates if any.

    `html`: the channel is e-mail, so a user's body template is rendered as HTML.
    """
    context = _context(listing, rule=rule, why=why, now=now)
    url = listing.url
    alert = Alert(
        title=_subject(listing),
        body=_markdown_body.render(link=lambda text: _markdown_link(text, url), **context),
        text=_text_body.render(link=str, **context),
    )
    if templates is not None and (templates.title or templates.body):
        return apply_templates(alert, templates, context, html=html)
    return alert


def render_digest(items: Sequence[tuple[Listing, str]], *, title: str, now: datetime) -> Alert:
    """One message for several matches: (listing, why) pairs, numbered, each linked."""
    markdown_items, text_items = [], []
    for listing, why in items:
        facts = [one_line(fact) for fact in _facts(listing) if fact]
        age = humanize_age(listing.posted_at, now)
        markdown_items.append(
            {
                "link": _markdown_link(_subject(listing), listing.url),
                "facts": _md_escape(" · ".join([*facts, age])),
                "why": _md_escape(why),
                "url": None,
            }
        )
        text_items.append(
            {
                "link": _subject(listing),
                "facts": " · ".join([*facts, age]),
                "why": why,
                "url": listing.url,
            }
        )
    return Alert(
        title=one_line(title),
        body=_markdown_digest.render(items=markdown_items),
        text=_text_digest.render(items=text_items),
    )


def render_notice(title: str, text: str) -> Alert:
    """A message about the service itself (a failing channel), not about a listing."""
    return Alert(title=one_line(title), body=_md_escape(text), text=text)
