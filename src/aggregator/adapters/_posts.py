"""Helpers shared by the thread and hashtag adapters: stand-in titles, post text, origins."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from aggregator.text import STAND_IN_TITLE_CHARS, first_line, html_to_text

__all__ = [
    "first_line",
    "first_line_of_html",
    "same_origin",
    "text_to_html",
]


def first_line_of_html(markup: str, limit: int = STAND_IN_TITLE_CHARS) -> str:
    """The first line of an HTML fragment's readable text (a post's stand-in title)."""
    return first_line(html_to_text(markup), limit)


def text_to_html(text: str) -> str:
    """Plain post text as HTML that shows the same (escaped, line breaks kept)."""
    return "<br>\n".join(html.escape(line, quote=False) for line in text.splitlines())


def same_origin(url: str, base: str) -> bool:
    """Whether `url` has the scheme, host and port of `base` (a next link must not leave it)."""
    first, second = urlsplit(url), urlsplit(base)
    return (first.scheme, first.netloc.lower()) == (second.scheme, second.netloc.lower())
