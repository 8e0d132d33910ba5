"""Alert rendering: a matched listing becomes a title and a body in HTML, Markdown and text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.models import JobDetails, Listing
from aggregator.notify.escaping import (
    FORMATS,
    clean_text,
    escape_for,
    escape_markdown,
    one_line,
    safe_url,
    sanitize_html,
    text_to_html,
)
from aggregator.notify.sandbox import render
from aggregator.notify.templates import Templates, apply_templates

__all__ = [
    "Alert",
    "format_pay",
    "one_line",
    "render_alert",
    "render_digest",
    "render_notice",
]

# One template serves Markdown and plain text: `link` makes a Markdown link or leaves the bare
# title (the URL has its own line either way), and every value is escaped for the format.
_BODY_TEMPLATE = """\
{{ link(title, url, strong=True) }}
{% if url %}{{ url }}
{% endif %}{% if facts %}{{ facts | join(" · ") }}
{% endif %}Seen on {{ sources | join(", ") }}, posted {{ age }}.
Why: {{ why }} (rule {{ rule }})
{% if excerpt %}
{{ excerpt }}
{% endif %}"""

_HTML_BODY_TEMPLATE = """\
<p>{{ link(title, url, strong=True) }}{% if url %}<br>
{{ link(url, url) }}{% endif %}</p>
{% if facts %}<p>{{ facts | join(" · ") }}</p>
{% endif %}<p>Seen on {{ sources | join(", ") }}, posted {{ age }}.<br>
Why: {{ why }} (rule {{ rule }})</p>
{% if excerpt %}<p>{{ excerpt }}</p>
{% endif %}"""

_DIGEST_TEMPLATE = """\
{% for item in items %}{{ loop.index }}. {{ link(item.subject, item.url, strong=True) }}
{%- if item.facts %} · {{ item.facts }}{% endif %}
   {{ item.why }}{% if item.url and format == "text" %} · {{ item.url }}{% endif %}
{% endfor %}"""

# The URL is shown as text too: the plain-text part of an e-mail, made from this HTML, keeps it.
_HTML_DIGEST_TEMPLATE = """\
<ol>
{% for item in items %}<li>{{ link(item.subject, item.url, strong=True) }}
{%- if item.facts %} · {{ item.facts }}{% endif %}<br>
{{ item.why }}{% if item.url %} · {{ link(item.url, item.url) }}{% endif %}</li>
{% endfor %}</ol>"""

_EXCERPT_CHARS = 280
# Built-in templates are small (a digest of 500 matches is under 1 MB); their budget only
# guards against a stalled machine or a bug.
_BUILT_IN_SECONDS = 30.0
_BUILT_IN_CHARS = 16 * 1024 * 1024
# Listing fields are clipped for the built-in templates, which must never run out of budget.
_LINE_CHARS = 500


@dataclass(frozen=True, slots=True)
class Alert:
    """A rendered message: a one-line plain-text title, and the body as Markdown (`body`),
    plain text (`text`) and HTML (`html`; made from the text when empty)."""

    title: str
    body: str
    text: str
    html: str = ""

    def body_for(self, body_format: str) -> str:
        """The body in `body_format` (html, markdown or text), as apprise names them."""
        if body_format == "html":
            return self.html or text_to_html(self.text)
        return self.body if body_format == "markdown" else self.text

    def title_for(self, body_format: str) -> str:
        """The title escaped for `body_format`, for services that put it into the body."""
        if body_format in FORMATS:
            return str(escape_for(body_format, self.title))
        return self.title


def _clip(text: str, limit: int = _LINE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _default_bodies(context: dict[str, Any], source: str, html_source: str) -> dict[str, str]:
    rendered = {
        body_format: render(
            html_source if body_format == "html" else source,
            body_format,
            context | {"format": body_format},
            seconds=_BUILT_IN_SECONDS,
            max_chars=_BUILT_IN_CHARS,
        )
        for body_format in FORMATS
    }
    return {
        "body": rendered["markdown"],
        "text": rendered["text"],
        "html": sanitize_html(rendered["html"]),
    }


def humanize_age(posted_at: datetime, now: datetime) -> str:
    seconds = max(0, int((now - posted_at).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def _excerpt(description: str) -> str:
    text = one_line(description)
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


def _facts(listing: Listing, *, company: bool = True) -> list[str | None]:
    """Company (unless the line names it already), place, remote, type and pay."""
    job = listing.job
    remote = {"yes": "remote", "no": "on site"}.get(job.remote)
    if remote == "remote" and "remote" in (listing.location or "").casefold():
        remote = None  # a location of "Remote" says it already: no "Remote · remote"
    shown = listing.company if company else None
    return [shown, listing.location, remote, job.employment_type, format_pay(job)]


def _context(listing: Listing, *, rule: str, why: str, now: datetime) -> dict[str, Any]:
    job = listing.job
    return {
        "title": _clip(one_line(listing.title)),
        "url": safe_url(listing.url),
        "company": _clip(one_line(listing.company)) if listing.company else None,
        "location": _clip(one_line(listing.location)) if listing.location else None,
        "remote": job.remote,
        "employment_type": job.employment_type,
        "pay": format_pay(job),
        "facts": [
            _clip(one_line(fact))
            for fact in _facts(listing, company=not _title_names_company(listing))
            if fact
        ],
        "sources": [one_line(source) for source in listing.sources],
        "posted_at": listing.posted_at,
        "age": humanize_age(listing.posted_at, now),
        "why": _clip(one_line(why)),
        "rule": one_line(rule),
        "excerpt": _excerpt(clean_text(listing.description)),
        "description": clean_text(listing.description),
    }


def _title_names_company(listing: Listing) -> bool:
    # Some boards put the company into the title ("Data engineer at Acme"): not twice.
    company = one_line(listing.company or "").casefold()
    return bool(company) and company in one_line(listing.title).casefold()


def _subject(listing: Listing) -> str:
    title = _clip(one_line(listing.title))
    if not listing.company or _title_names_company(listing):
        return title
    return f"{title} at {_clip(one_line(listing.company))}"


def render_alert(
    listing: Listing,
    *,
    rule: str,
    why: str,
    now: datetime,
    templates: Templates | None = None,
    html: bool = False,
    channel: str | None = None,
) -> Alert:
    """Render one instant alert for a matched listing, with the channel's templates if any.

    `html`: the channel is e-mail, so a user's body template is rendered as HTML. `channel`
    names the channel in the warning about a failing template.
    """
    context = _context(listing, rule=rule, why=why, now=now)
    alert = Alert(
        title=_subject(listing), **_default_bodies(context, _BODY_TEMPLATE, _HTML_BODY_TEMPLATE)
    )
    if templates is not None and (templates.title or templates.body):
        return apply_templates(alert, templates, context, html=html, channel=channel)
    return alert


def render_digest(items: Sequence[tuple[Listing, str]], *, title: str, now: datetime) -> Alert:
    """One message for several matches: (listing, why) pairs, numbered, each linked."""
    entries = [
        {
            "subject": _subject(listing),
            "url": safe_url(listing.url),
            "facts": " · ".join(
                [
                    # The subject names the company already.
                    *(_clip(one_line(fact)) for fact in _facts(listing, company=False) if fact),
                    humanize_age(listing.posted_at, now),
                ]
            ),
            "why": _clip(one_line(why)),
        }
        for listing, why in items
    ]
    bodies = _default_bodies({"items": entries}, _DIGEST_TEMPLATE, _HTML_DIGEST_TEMPLATE)
    return Alert(title=one_line(title), **bodies)


def render_notice(title: str, text: str) -> Alert:
    """A message about the service itself (a failing channel), not about a listing."""
    return Alert(
        title=one_line(title),
        body=escape_markdown(text),
        text=clean_text(text),
        html=text_to_html(text),
    )
