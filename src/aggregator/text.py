"""Small text helpers shared by normalization, matching and errors: cleaning, hashtags."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["clean_data", "clean_text", "extract_hashtags", "fold_tag"]

# NUL, which PostgreSQL refuses in text, and the surrogate code points, which no UTF-8 encoder
# takes alone (JSON's "\ud800" escape decodes to one).
_UNSTORABLE_RE = re.compile("[\x00\ud800-\udfff]")

# A hashtag starts after a non-word character (or the start) so that "C#" and URL fragments
# ("page#section") are not taken for tags; it needs at least one letter.
_HASHTAG_RE = re.compile(r"(?<![\w&/#])#([^\W\d_][\w-]*|[\w-]*[^\W\d_][\w-]*)", re.UNICODE)
_FOLD_DROP_RE = re.compile(r"[\s_\-]+")


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
