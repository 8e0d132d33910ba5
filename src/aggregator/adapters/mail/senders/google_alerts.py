"""Google Alerts (googlealerts-noreply@google.com): each result's `google.com/url?...&url=<dest>`
link unwrapped to its destination, the anchor text as title and the snippet as description.

Written from the observed structure of Google Alerts mail (the HTML part marks a result with
schema.org microdata: `itemprop="name"`, `"publisher"`, `"description"`; the text part lists
title, publisher and snippet above the `<https://www.google.com/url?...>` line).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborNode

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.adapters.mail.senders._common import (
    MAX_POSTINGS,
    first_paragraph,
    from_domain,
    host_of,
    html_tree,
    key_anchors,
    lines_beneath,
    markup,
    node_text,
    query_param,
    strip_tracking,
    text_blocks,
    url_fragment,
    usable_url,
    via,
)
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS, shorten

__all__ = ["GoogleAlertsParser", "result_url"]

NAME = "google_alerts"
_NOISE_LINES = (
    "flag as irrelevant",
    "see more results",
    "edit this alert",
    "unsubscribe",
    "view all your alerts",
    "receive this alert as rss",
    "send feedback",
    "google alerts",
    "google llc",
)


def result_url(url: str) -> str | None:
    """The destination of a result link (`https://www.google.com/url?...&url=<dest>`), tracking
    parameters dropped; None for Google's own links (settings, feedback, more results)."""
    host = host_of(url)
    if not (host == "google.com" or host.startswith("www.google.")) or urlsplit(url).path != "/url":
        return None
    destination = usable_url(query_param(url, "url") or query_param(url, "q") or "")
    if destination is None:
        return None
    dest_host = host_of(destination)
    if dest_host.endswith(("google.com", "google.co.uk")) or ".google." in f".{dest_host}":
        return None
    return strip_tracking(destination)


def _is_noise(line: str) -> bool:
    lowered = line.lower()
    return (
        "://" in line
        or url_fragment(line)
        or line.startswith(("===", "- - -"))  # the text part's section heading and rule
        or any(lowered.startswith(noise) for noise in _NOISE_LINES)
    )


class GoogleAlertsParser(MailParser):
    """Google Alerts results (news, web, jobs): any result may be a posting; the rules decide."""

    name: ClassVar[str] = NAME

    def recognises(self, message: MailMessage) -> bool:
        return message.sender == "googlealerts-noreply@google.com" or (
            from_domain(message, ["google.com"]) and "alert" in message.sender
        )

    def parse(self, message: MailMessage) -> list[RawPosting]:
        results = _html_results(message.html) or _text_results(message.text)
        return [
            RawPosting(
                title=markup(title) or "",
                guid=None,
                url=url,
                description_html=markup(snippet),
                posted_at=message.date,
                extra={**via(NAME), **({"publisher": publisher} if publisher else {})},
            )
            for url, title, publisher, snippet in results[:MAX_POSTINGS]
        ]


_Result = tuple[str, str, str | None, str | None]


def _html_results(markup: str | None) -> list[_Result]:
    tree = html_tree(markup)
    if tree is None:
        return []
    results = []
    for url, (_, anchor) in key_anchors(tree, result_url, _is_noise).items():
        title = shorten(node_text(anchor), MAX_TITLE_CHARS)
        publisher, snippet = _microdata(anchor, url)
        if publisher is None and snippet is None:
            beneath = lines_beneath(anchor, result_url, url, title)
            rest = [line for line in beneath if not _is_noise(line)]
            publisher = rest[0] if len(rest) > 1 else None
            snippet = rest[-1] if rest else None
        results.append((url, title, publisher, snippet))
    return results


def _microdata(anchor: LexborNode, url: str) -> tuple[str | None, str | None]:
    """The publisher and description of the result's itemscope element, when marked up."""
    node = anchor.parent
    for _ in range(6):
        if node is None:
            break
        if "itemscope" in node.attributes:
            publisher = node.css_first('[itemprop="publisher"]')
            description = node.css_first('[itemprop="description"]')
            return (
                node_text(publisher) or None if publisher else None,
                node_text(description) or None if description else None,
            )
        node = node.parent
    return None, None


def _text_results(text: str | None) -> list[_Result]:
    results = []
    for url, _, lines in text_blocks(text, result_url):
        paragraph = [line for line in first_paragraph(lines, _is_noise) if not _is_noise(line)]
        if not paragraph:
            continue
        title = shorten(paragraph[0], MAX_TITLE_CHARS)
        publisher = paragraph[1] if len(paragraph) > 2 else None
        snippet = " ".join(paragraph[2:] if len(paragraph) > 2 else paragraph[1:]) or None
        results.append((url, title, publisher, snippet))
    return results
