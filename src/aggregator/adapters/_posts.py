"""Helpers shared by the thread and hashtag adapters: stand-in titles, post text, origins."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aggregator.text import html_to_text

__all__ = [
    "MAX_TITLE_CHARS",
    "first_line",
    "first_line_of_html",
    "same_origin",
    "text_to_html",
]

# Posts have no title: the first line stands in, short enough to read in a list of alerts.
MAX_TITLE_CHARS = 120


def first_line(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The first non-blank line of plain text, cut at `limit` characters with an ellipsis."""
    line = next((stripped for raw in text.splitlines() if (stripped := raw.strip())), "")
    line = " ".join(line.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def first_line_of_html(markup: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The first line of an HTML fragment's readable text (a post's stand-in title)."""
    return first_line(html_to_text(markup), limit)


def text_to_html(text: str) -> str:
    """Plain post text as HTML that shows the same (escaped, line breaks kept)."""
    return "<br>\n".join(html.escape(line, quote=False) for line in text.splitlines())


def same_origin(url: str, base: str) -> bool:
    """Whether `url` has the scheme, host and port of `base` (a next link must not leave it)."""
    first, second = urlsplit(url), urlsplit(base)
    return (first.scheme, first.netloc.lower()) == (second.scheme, second.netloc.lower())
