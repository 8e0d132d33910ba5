"""Alert rendering: a matched listing becomes a title, a Markdown body and a plain-text body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from jinja2.sandbox import SandboxedEnvironment

from aggregator.models import JobDetails, Listing

__all__ = ["Alert", "format_pay", "one_line", "render_alert"]

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


@dataclass(frozen=True, slots=True)
class Alert:
    """A rendered message: a one-line title, a Markdown body and a plain-text body."""

    title: str
    body: str
    text: str


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


def render_alert(listing: Listing, *, rule: str, why: str, now: datetime) -> Alert:
    """Render one instant alert for a matched listing."""
    title = one_line(listing.title)
    url = listing.url

    def markdown_link(text: str) -> str:
        return f"**[{_md_escape(text)}](<{url}>)**" if url else f"**{_md_escape(text)}**"

    context = {
        "title": title,
        "url": url,
        "facts": [one_line(fact) for fact in _facts(listing) if fact],
        "sources": listing.sources,
        "age": humanize_age(listing.posted_at, now),
        "why": why,
        "rule": rule,
        "excerpt": _excerpt(listing.description),
    }
    subject = f"{title} at {one_line(listing.company)}" if listing.company else title
    return Alert(
        title=subject,
        body=_markdown_body.render(link=markdown_link, **context),
        text=_text_body.render(link=str, **context),
    )
