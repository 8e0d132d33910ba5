"""Small text helpers shared by normalization and matching: hashtag folding and extraction."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["extract_hashtags", "fold_tag"]

# A hashtag starts after a non-word character (or the start) so that "C#" and URL fragments
# ("page#section") are not taken for tags; it needs at least one letter.
_HASHTAG_RE = re.compile(r"(?<![\w&/#])#([^\W\d_][\w-]*|[\w-]*[^\W\d_][\w-]*)", re.UNICODE)
_FOLD_DROP_RE = re.compile(r"[\s_\-]+")


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
