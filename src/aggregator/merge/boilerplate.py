"""A description's own words: EEO statements, "Please mention the word" lines, apply and
contact lines, links and hashtags removed, so that two jobs do not look alike for what every
posting says."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from aggregator.merge.folding import fold

__all__ = ["MAX_DIGEST_CHARS", "digest", "text_similarity"]

# The digest is stored with each sighting: long enough to tell texts apart, bounded in size.
MAX_DIGEST_CHARS = 1500
# Shorter digests say too little to compare (a social post, a LinkedIn alert card).
MIN_COMPARABLE_CHARS = 80
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_HASHTAG_RE = re.compile(r"(?<!\w)#\w+")
# Sentences every employer writes; a sentence that matches one of these is not the job's.
_BOILERPLATE_RE = re.compile(
    r"equal (?:employment )?opportunit|affirmative action|without regard to|regardless of"
    r"|race,? (?:colou?r|religion)|sexual orientation|gender identity|national origin"
    r"|veteran status|protected (?:veteran|characteristic|class)|disabilit(?:y|ies)"
    r"|reasonable accommodation|e-?verify|background check|pay transparency"
    r"|please mention the word|to show you read the job post|avoid spam applicants"
    r"|companies can search these words|beta feature"
    r"|\bapply (?:now|today|here|online|via|at|through|on)\b|click (?:here|the link|below)"
    r"|how to apply|to apply,|send (?:us )?your (?:cv|resume|résumé)"
    r"|\bapplications? (?:close|deadline)"
    r"|we look forward to|we can't wait|privacy (?:policy|notice)|gdpr|recruitment agenc"
    r"|unsolicited (?:resumes|cvs)|diverse and inclusive|diversity,? equity|underrepresented"
    r"|encourage (?:candidates|applicants|people|you) (?:from|of|to apply)|all qualified applicants"
    r"|we are an? (?:equal|proud)|we value diversity|inclusive (?:workplace|environment)"
    r"|(?:dm|message) me|reach out to|email (?:me|us)|feel free to|boost|#?hiring\b|share this",
    re.IGNORECASE,
)


def digest(description: str) -> str:
    """The description without boilerplate, folded to lower-case ASCII words and cut to
    MAX_DIGEST_CHARS."""
    kept: list[str] = []
    size = 0
    for sentence in _SENTENCE_RE.split(description):
        if not sentence.strip() or _BOILERPLATE_RE.search(sentence):
            continue
        words = fold(_HASHTAG_RE.sub(" ", _URL_RE.sub(" ", sentence)))
        if words:
            kept.append(words)
            size += len(words) + 1
            if size >= MAX_DIGEST_CHARS:
                break
    return (
        " ".join(kept)[:MAX_DIGEST_CHARS].rsplit(" ", 1)[0]
        if size > MAX_DIGEST_CHARS
        else " ".join(kept)
    )


def text_similarity(a: str, b: str) -> float | None:
    """How alike two digests are, 0 to 1; None when either is too short to say. A short text
    inside a long one (an aggregator's excerpt) counts as alike."""
    if len(a) < MIN_COMPARABLE_CHARS or len(b) < MIN_COMPARABLE_CHARS:
        return None
    short, long = sorted((a, b), key=len)
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    if len(short) >= 200 and len(short) < 0.7 * len(long):
        score = max(score, fuzz.partial_ratio(short, long) * 0.95)
    return round(score / 100, 2)
