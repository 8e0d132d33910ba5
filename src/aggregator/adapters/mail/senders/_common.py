"""What the sender parsers share: the message's readable text, its links with their anchor
text, tracker unwrapping and sender matching."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from aggregator.adapters.mail.message import MailMessage
from aggregator.text import html_to_text

__all__ = [
    "Anchor",
    "anchors",
    "body_text",
    "from_domain",
    "query_param",
    "unwrap_redirect",
    "without_query",
]

# Query parameters that redirectors put the real destination in.
REDIRECT_PARAMS = ("url", "u", "dest", "destination", "target", "redirect", "redirect_url", "q")


@dataclass(frozen=True, slots=True)
class Anchor:
    """A link of the HTML body, with its visible text (whitespace collapsed)."""

    href: str
    text: str


def body_text(message: MailMessage) -> str:
    """The readable text of a message: its text part, else its HTML part as text."""
    if message.text and message.text.strip():
        return message.text
    return html_to_text(message.html) if message.html else ""


def anchors(markup: str | None) -> list[Anchor]:
    """Every `<a href>` of an HTML body with an http(s) target, in document order."""
    if not markup:
        return []
    found: list[Anchor] = []
    for node in LexborHTMLParser(markup).css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href.lower().startswith(("http://", "https://")):
            found.append(Anchor(href, " ".join(node.text(separator=" ").split())))
    return found


def from_domain(message: MailMessage, domains: Iterable[str]) -> bool:
    """Whether the From address is at one of `domains` or a subdomain of one."""
    _, _, host = message.sender.rpartition("@")
    return any(host == d or host.endswith(f".{d}") for d in domains)


def query_param(url: str, name: str) -> str | None:
    """The first value of query parameter `name` in `url`, or None."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=False):
        if key == name:
            return value
    return None


def unwrap_redirect(url: str, params: Collection[str] = REDIRECT_PARAMS, depth: int = 3) -> str:
    """The destination of a redirector link (`...?url=https://...`), followed `depth` levels
    deep without any request; `url` itself when it wraps no http(s) URL."""
    for _ in range(depth):
        inner = next(
            (
                value
                for key, value in parse_qsl(urlsplit(url).query)
                if key in params and value.lower().startswith(("http://", "https://"))
            ),
            None,
        )
        if inner is None:
            return url
        url = inner
    return url


def without_query(url: str, keep: Collection[str] = ()) -> str:
    """`url` without its fragment and its query parameters but those in `keep` (tracking
    parameters make every copy of one link different)."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in keep]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))
