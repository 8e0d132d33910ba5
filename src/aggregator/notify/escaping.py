"""The escaping layer of every alert template: safe links, and text escaped per output format."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Literal, get_args
from urllib.parse import quote, unquote, urlsplit

import nh3
from markupsafe import Markup, escape

__all__ = [
    "FORMATS",
    "Format",
    "MarkdownSafe",
    "SafeUrl",
    "clean_text",
    "escape_for",
    "escape_markdown",
    "link",
    "one_line",
    "safe_url",
    "sanitize_html",
    "text_to_html",
]

Format = Literal["html", "markdown", "text"]
FORMATS: tuple[Format, ...] = get_args(Format)

# Line breaks of every kind become "\n"; other control characters, bidi overrides (which make
# text read differently from what it is) and lone surrogates (which no encoder takes) go.
_BREAKS_RE = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
_UNWANTED_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# Every character that starts or ends a Markdown construct (CommonMark and the chat dialects:
# `~` strike, `|` tables, `@` mentions, `$` maths), backslash-escaped, which CommonMark allows
# for any ASCII punctuation.
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]<>()#+!|~@&^$=])")
# At the start of a line, `-` and `1.` / `1)` make lists and rules, and indentation code.
_MARKDOWN_LINE_START_RE = re.compile(r"^[ \t]*(?:(-)|(\d+)([.)]))?", re.MULTILINE)

_URL_SCHEMES = frozenset({"http", "https"})
_URL_FORBIDDEN = frozenset("<>\"'`\\")
_URL_MAX_CHARS = 4096
_HOST_RE = re.compile(r"^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_-]{1,63}\.?$")
_STRAY_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ENTITY_END_RE = re.compile(r"(&#?[A-Za-z0-9]+);")
# Kept as they are when a URL is re-encoded: RFC 3986's unreserved and most reserved characters.
# `(`, `)`, `[`, `]`, `*` and `!` are percent-encoded, so no Markdown construct can end in a URL.
_PATH_SAFE = "/:@$&+,;=%-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
# The elements and attributes an alert e-mail may hold once rendered (ammonia's defaults, less
# images, which can only track the reader).
_HTML_TAGS = nh3.ALLOWED_TAGS - {"img"}
_HTML_URL_SCHEMES = {"http", "https"}
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "srcset", "poster"})


class SafeUrl(str):
    """A URL that `safe_url` accepted: printable as it is in Markdown and plain text."""

    __slots__ = ()


class MarkdownSafe(str):
    """Markdown that this module wrote (a link): printed without escaping it again."""

    __slots__ = ()


def clean_text(text: object) -> str:
    """Text with one kind of line break and without control or bidi-override characters."""
    return _UNWANTED_RE.sub("", _BREAKS_RE.sub("\n", str(text)))


def one_line(text: object) -> str:
    """Clean text on one line, whitespace collapsed: for titles, subjects and link texts."""
    return " ".join(clean_text(text).split())


def safe_url(url: object) -> SafeUrl | None:
    """The URL percent-encoded for every output context, or None when it must not be linked.

    Accepted: http or https with a host, no user name or password, no whitespace, no
    characters that can end an attribute or a Markdown construct (`<>"'`, backtick and
    backslash, also once percent-decoded) and no control characters. International host names
    become ASCII, and the `;` of anything that reads as an HTML entity (`&amp;`) is encoded,
    so that no renderer decodes one.
    """
    if not isinstance(url, str) or not url or len(url) > _URL_MAX_CHARS:
        return None
    if _has_unsafe_characters(url, spaces=True) or _has_unsafe_characters(
        _decoded(url), spaces=False
    ):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = _ascii_host(parts.hostname)
    if parts.scheme.lower() not in _URL_SCHEMES or host is None or "@" in parts.netloc:
        return None
    try:
        path = _encode(parts.path or "/", _PATH_SAFE)
        query = _encode(parts.query, _QUERY_SAFE)
        fragment = _encode(parts.fragment, _QUERY_SAFE)
    except UnicodeError:
        return None
    netloc = host if port is None else f"{host}:{port}"
    return SafeUrl(
        f"{parts.scheme.lower()}://{netloc}{path}"
        + (f"?{query}" if query else "")
        + (f"#{fragment}" if fragment else "")
    )


def _decoded(url: str) -> str:
    # Decoded until it stops changing (a few rounds at most), so `%253C` is seen as `<` too.
    for _ in range(4):
        decoded = unquote(url, errors="replace")
        if decoded == url:
            break
        url = decoded
    return url


def _has_unsafe_characters(text: str, *, spaces: bool) -> bool:
    for char in text:
        if char in _URL_FORBIDDEN or (spaces and char.isspace()):
            return True
        if unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"}:
            return True
    return False


def _ascii_host(hostname: str | None) -> str | None:
    if not hostname:
        return None
    if ":" in hostname:  # an IPv6 literal; urlsplit took off its brackets
        return f"[{hostname}]" if re.fullmatch(r"[0-9a-f:.]+", hostname) else None
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return ascii_host if _HOST_RE.match(ascii_host) else None


def _encode(part: str, safe: str) -> str:
    encoded = quote(_STRAY_PERCENT_RE.sub("%25", part), safe=safe, errors="strict")
    return _ENTITY_END_RE.sub(r"\1%3B", encoded)


def escape_markdown(text: object) -> str:
    """Clean text with every Markdown special character backslash-escaped."""
    escaped = _MARKDOWN_SPECIAL_RE.sub(r"\\\1", clean_text(text))
    return _MARKDOWN_LINE_START_RE.sub(_escape_line_start, escaped)


def _escape_line_start(found: re.Match[str]) -> str:
    dash, number, mark = found.groups()
    if dash:
        return "\\-"
    return f"{number}\\{mark}" if number else ""


def escape_for(body_format: Format, value: object) -> str:
    """A template value as it is printed in `body_format`: None is empty, the rest escaped.

    Markdown and plain text print a `SafeUrl` as it is; Markdown also a `MarkdownSafe`; HTML
    only `Markup` (what autoescaping or `link` made).
    """
    if value is None:
        return Markup("") if body_format == "html" else ""
    if body_format == "html":
        return value if isinstance(value, Markup) else escape(clean_text(value))
    if body_format == "markdown":
        if isinstance(value, (MarkdownSafe, SafeUrl)):
            return value
        return escape_markdown(value)
    return clean_text(value)


def link(body_format: Format, text: object, url: object, *, strong: bool = False) -> str:
    """`text` linked to `url` in `body_format` if the URL is safe, else `text` alone; `strong`
    sets it in bold (Markdown and HTML)."""
    checked = url if isinstance(url, SafeUrl) else safe_url(url)
    label = one_line(text)
    if body_format == "html":
        shown = escape(label) if checked is None else _html_link(checked, label)
        return Markup("<strong>{}</strong>").format(shown) if strong else shown
    if body_format == "markdown":
        # `<...>` holds any destination CommonMark allows; a safe URL has no `<`, `>` or space.
        text_md = escape_markdown(label)
        linked = text_md if checked is None else f"[{text_md}](<{checked}>)"
        return MarkdownSafe(f"**{linked}**" if strong else linked)
    return label


def _html_link(url: SafeUrl, label: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, label)


def sanitize_html(markup: str) -> str:
    """HTML reduced to the elements and attributes an alert may hold, every URL in it checked
    by `safe_url` (so a template cannot link what `link` would not)."""
    return nh3.clean(
        markup,
        tags=_HTML_TAGS,
        url_schemes=_HTML_URL_SCHEMES,
        attribute_filter=_checked_url_attribute,
        link_rel=None,
    )


def _checked_url_attribute(_tag: str, attribute: str, value: str) -> str | None:
    return safe_url(value) if attribute in _URL_ATTRIBUTES else value


def text_to_html(text: str) -> str:
    """Plain text as HTML: escaped, one `<br>` per line break."""
    return "<br>\n".join(html.escape(line) for line in clean_text(text).split("\n"))
