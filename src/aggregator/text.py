"""Text helpers every stage shares: cleaning, HTML to plain text, one-line text, hashtags."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "MAX_HTML_CHARS",
    "MAX_TITLE_CHARS",
    "STAND_IN_TITLE_CHARS",
    "clean_data",
    "clean_line",
    "clean_text",
    "extract_hashtags",
    "first_line",
    "fold_tag",
    "html_to_text",
    "shorten",
]

# NUL, which PostgreSQL refuses in text, and the surrogate code points, which no UTF-8 encoder
# takes alone (JSON's "\ud800" escape decodes to one).
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")

# A hashtag starts after a non-word character (or the start) so that "C#" and URL fragments
# ("page#section") are not taken for tags; it needs at least one letter.
_HASHTAG_RE = re.compile(r"(?<![\w&/#])#([^\W\d_][\w-]*|[\w-]*[^\W\d_][\w-]*)", re.UNICODE)
_FOLD_DROP_RE = re.compile(r"[\s_\-]+")
# Longer markup is cut before parsing: a description is not a book.
MAX_HTML_CHARS = 64 * 1024
# A title (and an id) is cut here, by the adapters that read one and again by normalization.
MAX_TITLE_CHARS = 1024
# Posts and untitled listings have no title: their first line stands in, short enough to read
# in a list of alerts.
STAND_IN_TITLE_CHARS = 120
# Private-use characters mark block and line breaks while whitespace inside the text collapses.
_PARA, _LINE = "\ue000", "\ue001"
_BREAKS_RE = re.compile(rf"\s*[{_PARA}{_LINE}][\s{_PARA}{_LINE}]*")
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "svg", "head"]
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "aside", "nav", "main", "address",
        "blockquote", "pre", "ul", "ol", "dl", "table", "figure", "figcaption", "hr", "details",
        "summary", "form", "fieldset", "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_LINE_TAGS = frozenset({"li", "tr", "dt", "dd", "caption"})
_CONTROLS = {c: " " for c in (*range(0x20), 0x7F) if chr(c) not in "\n"}


def clean_text(text: str) -> str:
    """The text with NUL dropped and each lone surrogate replaced by U+FFFD (a surrogate pair
    split in two escapes is joined back into its character): text every database, encoder and
    native parser accepts."""
    if not _UNSTORABLE_RE.search(text):
        return text
    text = text.replace("\x00", "")
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_data(value: Any) -> Any:
    """`value` with clean_text applied to every string in it, inside lists, tuples and dicts."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple | list):
        return type(value)(clean_data(item) for item in value)
    if isinstance(value, Mapping):
        return {clean_data(key): clean_data(item) for key, item in value.items()}
    return value


def fold_tag(tag: str) -> str:
    """Fold a tag so `#MicroInternship`, `#micro_internship` and `micro-internship` are equal."""
    text = unicodedata.normalize("NFKC", tag).strip().lstrip("#")
    return _FOLD_DROP_RE.sub("", text.casefold())


def extract_hashtags(text: str) -> list[str]:
    """Return the folded hashtags of a text, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    for raw in _HASHTAG_RE.findall(text):
        folded = fold_tag(raw.rstrip("-"))
        if folded:
            seen.setdefault(folded, None)
    return list(seen)


def clean_line(text: str) -> str:
    """One line of plain text: markup stripped, entities decoded, whitespace collapsed."""
    text = clean_text(text.translate(_CONTROLS))
    if "<" in text or "&" in text:
        text = html_to_text(text)
    return " ".join(text.translate(_CONTROLS).split())


def shorten(line: str, limit: int) -> str:
    """`line`, cut at `limit` characters with an ellipsis when it is longer."""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def first_line(text: str, limit: int = STAND_IN_TITLE_CHARS) -> str:
    """The first non-blank line of plain text, whitespace collapsed, cut at `limit` characters
    with an ellipsis (a stand-in title)."""
    line = next((stripped for raw in text.splitlines() if (stripped := raw.strip())), "")
    return shorten(" ".join(line.split()), limit)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML fragment: blocks become paragraphs, `<br>` and items lines."""
    markup = clean_text(markup[:MAX_HTML_CHARS]).replace(_PARA, "").replace(_LINE, "")
    if "<" not in markup:  # plain text: keep its line breaks
        return _tidy(html.unescape(markup).replace("\n", _LINE))
    tree = LexborHTMLParser(markup)
    tree.strip_tags(_DROP_TAGS)
    body = tree.body
    if body is None:
        return ""
    _mark_breaks(body)
    return _tidy(body.text())


def _mark_breaks(body: LexborNode) -> None:
    for node in list(body.traverse()):
        if node.tag == "pre":
            for child in list(node.traverse(include_text=True)):
                if child.is_text_node:
                    child.replace_with((child.text_content or "").replace("\n", _LINE))
        if node.tag in _BLOCK_TAGS:
            node.insert_before(_PARA)
            node.insert_after(_PARA)
        elif node.tag in _LINE_TAGS:
            node.insert_before(_LINE)
        elif node.tag == "br":
            node.insert_after(_LINE)


def _tidy(text: str) -> str:
    """Collapse whitespace; a run of break marks becomes a line or a paragraph break."""

    def one_break(found: re.Match[str]) -> str:
        marks = found.group()
        return "\n\n" if _PARA in marks or marks.count(_LINE) > 1 else "\n"

    text = _BREAKS_RE.sub(one_break, text.translate(_CONTROLS).replace("\n", " "))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(lines).strip()
