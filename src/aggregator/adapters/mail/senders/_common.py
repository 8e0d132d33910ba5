"""What the sender parsers share: the message's readable text, its links with their anchor
text, tracker unwrapping and sender matching."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.adapters.mail.message import MailMessage
from aggregator.text import html_to_text

__all__ = [
    "MAX_POSTINGS",
    "MAX_URL_CHARS",
    "TRACKING_PARAMS",
    "Anchor",
    "TextLink",
    "anchors",
    "body_text",
    "card_lines",
    "card_paragraph",
    "first_paragraph",
    "from_domain",
    "host_of",
    "html_tree",
    "in_domains",
    "key_anchors",
    "last_paragraph",
    "lines_beneath",
    "markup",
    "node_lines",
    "node_text",
    "pay_in",
    "query_param",
    "strip_tracking",
    "text_blocks",
    "text_links",
    "unwrap_redirect",
    "url_fragment",
    "usable_url",
    "via",
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
    return in_domains(host, domains)


def in_domains(host: str, domains: Iterable[str]) -> bool:
    """Whether `host` (lower-case) is one of `domains` or a subdomain of one."""
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


# --- Added for the linkedin, indeed, google_alerts and generic parsers -----------------------

# At most this many postings come out of one message: an alert holds tens; a message with
# thousands of links is no alert, and the cap keeps one message from flooding a run.
MAX_POSTINGS = 100
# A longer URL is no job link (and would not fit a dedup key).
MAX_URL_CHARS = 2000
# Query parameters that only track who clicked (dropped so that every copy of a link is equal).
TRACKING_PARAMS = frozenset(
    {
        "trk", "trkemail", "trackingid", "refid", "lipi", "midtoken", "midsig", "eid", "otptoken",
        "gclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref",
        "referrer", "source", "src", "from", "utm", "sid", "ssid", "tk", "alid", "cd", "ct",
        "gh_src", "lever-source", "lever-origin",
    }
)  # fmt: skip
_TEXT_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}>*\u201d\u2019"
_AMOUNT = r"\s?\d[\d,.]*\s?[KkMm]?"
_CURRENCY = r"(?:[$£€]|USD|EUR|GBP)"
_PERIOD = r"(?:\s?(?:/|per|an|a)\s?(?:hr|hour|yr|year|annum|mo|month|wk|week|day)\b)?"
_PAY = re.compile(
    rf"{_CURRENCY}{_AMOUNT}{_PERIOD}(?:\s?(?:-|–|—|to)\s?{_CURRENCY}?{_AMOUNT}{_PERIOD})?",
    re.IGNORECASE,
)
_DROP_MARKUP = ["script", "style", "noscript", "template", "head", "title", "svg", "object"]


@dataclass(frozen=True, slots=True)
class TextLink:
    """A URL of a plain-text body, with the text before it on its line, its line number and
    the last line it runs on (a URL wrapped onto continuation lines is joined)."""

    url: str
    before: str
    line: int
    end: int = -1


def url_fragment(line: str) -> bool:
    """Whether a line is the wrapped rest of a URL (`5pB2bX&trk=eml-...`), not text: no
    space in it, and query syntax or percent escapes."""
    line = line.strip()
    return (
        len(line) >= 8
        and not any(ch.isspace() for ch in line)
        and ("=" in line or line.count("%") >= 2)
    )


def text_links(text: str | None) -> list[TextLink]:
    """Every http(s) URL of a plain-text body, in order, trailing punctuation dropped; a URL
    that ends its line and goes on in fragment lines (a hard-wrapped text part) is joined."""
    found: list[TextLink] = []
    lines = (text or "").splitlines()
    for number, line in enumerate(lines):
        for match in _TEXT_URL.finditer(line):
            url, end = match.group(), number
            if match.end() == len(line.rstrip()):
                while (
                    end + 1 < len(lines)
                    and len(url) < MAX_URL_CHARS
                    and url_fragment(lines[end + 1])
                ):
                    end += 1
                    url += lines[end].strip()
            before = line[: match.start()].strip(" \t:-–<")
            found.append(TextLink(url.rstrip(_URL_TAIL), before, number, end))
    return found


def html_tree(markup: str | None) -> LexborHTMLParser | None:
    """The HTML body parsed, without the parts that are never text (scripts, styles, head)."""
    if not markup:
        return None
    tree = LexborHTMLParser(markup)
    tree.strip_tags(_DROP_MARKUP)
    return tree


def node_lines(node: LexborNode) -> list[str]:
    """The visible text lines of an HTML element (blocks and `<br>` break lines)."""
    return [line for line in html_to_text(node.html or "").splitlines() if line.strip()]


def node_text(node: LexborNode) -> str:
    """The visible text of an element as one line (script and style text already gone)."""
    return " ".join(node.text(separator=" ").split())


def strip_tracking(url: str, extra: Collection[str] = ()) -> str:
    """`url` without its fragment and tracking parameters (utm_*, trk, trackingId ... and the
    lower-case names in `extra`); the other parameters, which may name the job, are kept."""
    parts = urlsplit(url)
    drop = TRACKING_PARAMS | frozenset(extra)
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in drop and not key.lower().startswith(("utm_", "trk", "mc_", "_hs"))
    ]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(kept), ""))


def usable_url(url: str) -> str | None:
    """`url` when it can be a posting's link (http or https, a host, a sane length), else None."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS or any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # an invalid IPv6 host or port
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def pay_in(text: str) -> str | None:
    """The first stated pay in a line ("$25/hr", "$40K-$50K", "£30,000 a year"), or None."""
    found = _PAY.search(text)
    return found.group().strip().rstrip(",.") if found else None


def markup(text: str | None) -> str | None:
    """Plain text read from a mail as RawPosting text (HTML allowed there): escaped, so that
    normalization, which reads it as HTML, keeps `<script>` or `a < b` as the text it was."""
    return html.escape(text, quote=False) if text else None


def via(parser: str) -> dict[str, str]:
    """The `extra` every mail posting carries: which alert e-mail it came from."""
    return {"via": f"{parser} alert e-mail"}


def host_of(url: str) -> str:
    """The lower-case host of `url` ("" when it has none or is invalid)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def text_blocks(
    text: str | None, key_of: Callable[[str], str | None]
) -> list[tuple[str, str, list[str]]]:
    """Cards of a plain-text alert: for each link that `key_of` gives a key (a job id), the
    first time, (key, url, the lines since the previous such link) — the card's text."""
    if not text:
        return []
    lines = text.splitlines()
    blocks: dict[str, tuple[str, str, list[str]]] = {}
    start = 0
    for link in text_links(text):
        key = key_of(link.url)
        if key is None:
            continue
        if key not in blocks:
            blocks[key] = (key, link.url, [*lines[start : link.line], link.before])
        start = max(link.line, link.end) + 1
        if len(blocks) >= MAX_POSTINGS:
            break
    return list(blocks.values())


def first_paragraph(lines: Iterable[str], noise: Callable[[str], bool]) -> list[str]:
    """The first run of non-blank lines that holds a line other than noise (leading noise
    lines dropped): a card's own lines, before its insights or buttons."""
    paragraph: list[str] = []
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if paragraph:
                return paragraph
        elif paragraph or not noise(line):
            paragraph.append(line)
    return paragraph


def card_paragraph(lines: Iterable[str], noise: Callable[[str], bool]) -> list[str]:
    """A card's own lines in a block of text: the first paragraph (blank-line separated, noise
    lines left out) of two lines or more, else the first of one line. A lone line before
    the card is a heading (the alert's name), not a title."""
    paragraphs: list[list[str]] = [[]]
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
        elif not noise(line):
            paragraphs[-1].append(line)
    return next((p for p in paragraphs if len(p) >= 2), next((p for p in paragraphs if p), []))


def last_paragraph(lines: Iterable[str], noise: Callable[[str], bool]) -> list[str]:
    """The last run of non-blank lines that holds a line other than noise, leading noise
    lines dropped: the card just above its link, after the mail's headings."""
    paragraphs: list[list[str]] = [[]]
    for raw in lines:
        line = " ".join(raw.split())
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    for paragraph in reversed(paragraphs):
        if any(not noise(line) for line in paragraph):
            return first_paragraph(paragraph, noise)
    return []


def key_anchors(
    tree: LexborHTMLParser, key_of: Callable[[str], str | None], noise: Callable[[str], bool]
) -> dict[str, tuple[str, LexborNode]]:
    """For each key (job id) the HTML links give, the link's URL and its first anchor with
    visible text whose first line is not noise (the title link, or a link around the whole
    card; the logo link has no text)."""
    found: dict[str, tuple[str, LexborNode]] = {}
    for node in tree.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        key = key_of(href) if href.lower().startswith(("http://", "https://")) else None
        if key and key not in found and node_text(node) and not noise(_first_line(node)):
            found[key] = (href, node)
            if len(found) >= MAX_POSTINGS:
                break
    return found


def card_lines(anchor: LexborNode, key_of: Callable[[str], str | None], key: str) -> list[str]:
    """A card's text lines, title first: the anchor's own lines when it wraps the whole card
    (title, company, location in one link), else its text and the lines beneath it."""
    own = node_lines(anchor)
    if len(own) > 1:
        return own
    title = node_text(anchor)
    return [title, *lines_beneath(anchor, key_of, key, title)]


def _first_line(node: LexborNode) -> str:
    lines = node_lines(node)
    return lines[0] if lines else ""


def lines_beneath(
    anchor: LexborNode, key_of: Callable[[str], str | None], key: str, title: str
) -> list[str]:
    """The text lines after the title in the smallest element around `anchor` that holds at
    least two of them and no link to another key (its card: company, location, pay ...);
    in a flat layout (every card in one element), the lines up to the next key's link."""
    best: list[str] = []
    node = anchor.parent
    for _ in range(8):  # a card is a few table levels deep, no more
        if node is None or _other_key(node, key_of, key):
            break
        lines = node_lines(node)
        at = next((i for i, line in enumerate(lines) if title in line), None)
        if at is not None:
            best = lines[at + 1 :]
            if len(best) >= 2:
                break
        node = node.parent
    return best or _lines_after(anchor, key_of, key)


def _lines_after(anchor: LexborNode, key_of: Callable[[str], str | None], key: str) -> list[str]:
    """The anchor's following siblings up to the next key's link, each element its own
    line (inline `<span>`s for company and location are separate fields)."""
    lines: list[str] = []
    node = anchor.next
    for _ in range(40):  # a card's few lines, not the rest of the mail
        if node is None or (node.tag != "-text" and _other_key(node, key_of, key)):
            break
        if node.tag == "a" and key_of((node.attributes.get("href") or "").strip()) not in (
            None,
            key,
        ):
            break
        if node.tag == "-text":
            lines.append(" ".join((node.text() or "").split()))
        else:
            lines.extend(node_lines(node))
        node = node.next
    return [line for line in lines if line]


def _other_key(node: LexborNode, key_of: Callable[[str], str | None], key: str) -> bool:
    for link in node.css("a[href]"):
        found = key_of((link.attributes.get("href") or "").strip())
        if found is not None and found != key:
            return True
    return False
