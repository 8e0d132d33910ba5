"""Text folded for comparison: lower-case ASCII words, accents dropped."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

_WORD_RE = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII words: accents dropped (München -> munchen), everything else a space."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").casefold()
    return " ".join(_WORD_RE.findall(ascii_text.replace("&", " and ")))
