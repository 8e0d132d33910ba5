"""Text normalization and the literal patterns that word and phrase terms look for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aggregator.text import clean_text

__all__ = ["TextFinder", "is_word_char", "normalize", "text_finder"]

# Scripts written without spaces between words. A term in them may match inside a longer run,
# and their characters end a word of another script, so "Java开发工程师" has the word "java".
_UNSPACED_RE = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029"
    "\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003134f]"
)
# Hyphens and dashes: `part-time` finds "part time", "part-time" and "parttime".
_DASHES = "\\-\u2010-\u2015\u2212"
_DASH_RUN_RE = re.compile(f"[{_DASHES}]+")
_JOIN_WITHIN_WORD = f"[\\s{_DASHES}]*"
_JOIN_BETWEEN_WORDS = f"[\\s{_DASHES}]+"
# After a term ending in a letter these continue the word: `c` is not found in "C++" or "C#".
_SUFFIX_JOINERS = frozenset("+#")
_SOFT_HYPHEN = "\u00ad"


def normalize(text: str) -> str:
    """Casefold under NFKC (full-width letters, ligatures, composed accents all compare equal),
    with text no matcher can take (a lone surrogate, NUL) cleaned first."""
    text = clean_text(text)
    folded = unicodedata.normalize("NFKC", text).casefold().replace(_SOFT_HYPHEN, "")
    return unicodedata.normalize("NFKC", folded)


def is_word_char(char: str) -> bool:
    """Whether `char` continues a word: a letter, digit, underscore or combining mark.

    Characters of scripts written without spaces never do (see `_UNSPACED_RE`).
    """
    if _UNSPACED_RE.match(char):
        return False
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


@dataclass(frozen=True, slots=True)
class TextFinder:
    """Finds a normalized term in normalized text, as whole words where the term has edges."""

    regex: re.Pattern[str]
    lead: bool  # the term starts with a word character: it must not follow one
    trail: bool  # the term ends with a word character: it must not be followed by one
    letter_end: bool  # the term ends with a letter: a following "+" or "#" also continues it
    anchor: str = ""  # a literal piece every match contains (its longest part), for indexing

    def found_in(self, text: str) -> bool:
        """Whether the term occurs in `text` (already `normalize`d) as whole words."""
        pos = 0
        while (found := self.regex.search(text, pos)) is not None:
            if self._bounded(text, found.start(), found.end()):
                return True
            pos = found.start() + 1
        return False

    def _bounded(self, text: str, start: int, end: int) -> bool:
        if self.lead and start > 0 and is_word_char(text[start - 1]):
            return False
        if self.trail and end < len(text):
            after = text[end]
            if is_word_char(after) or (self.letter_end and after in _SUFFIX_JOINERS):
                return False
        return True


def _word_parts(word: str) -> list[str]:
    return [part for part in _DASH_RUN_RE.split(word) if part]


def text_finder(text: str, *, prefix: bool = False) -> TextFinder | None:
    """Build the finder for a bare word or a phrase's inside; None when there is nothing to find.

    Words are taken in sequence, separated by spaces or dashes; within a word a dash may be a
    space, a dash or nothing. Other punctuation is literal (`C++`, `.NET`, `Node.js`). A
    `prefix` finder lets the last word go on (`intern*` finds "internship").
    """
    words = [parts for word in normalize(text).split() if (parts := _word_parts(word))]
    if not words:
        return None
    body = _JOIN_BETWEEN_WORDS.join(
        _JOIN_WITHIN_WORD.join(re.escape(part) for part in parts) for parts in words
    )
    first, last = words[0][0][0], words[-1][-1][-1]
    return TextFinder(
        regex=re.compile(body),
        lead=is_word_char(first),
        trail=is_word_char(last) and not prefix,
        letter_end=last.isalpha() and not prefix,
        anchor=max((part for parts in words for part in parts), key=len),
    )
