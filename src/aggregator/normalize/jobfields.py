"""Job fields read from listing text or API values: employment type, remote, duration, deadline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Literal

from aggregator.dates import as_utc, from_epoch, from_iso, from_rfc2822, utc_or_none
from aggregator.normalize.pay import HOURS_PER_PERIOD

__all__ = [
    "Duration",
    "EmploymentType",
    "Remote",
    "infer_employment_type",
    "parse_deadline",
    "parse_duration_text",
    "parse_remote",
    "stated_remote",
]

EmploymentType = Literal[
    "micro-internship", "internship", "gig", "contract", "part-time", "full-time"
]
Remote = Literal["yes", "no", "unknown"]

_MAX_SCAN = 64 * 1024

# Most specific first: a "part-time internship" is an internship, a "micro-internship" is not
# a plain internship.
_EMPLOYMENT_RULES: Final[tuple[tuple[EmploymentType, re.Pattern[str]], ...]] = (
    ("micro-internship", re.compile(r"\bmicro[\s-]?internships?\b", re.I)),
    ("internship", re.compile(r"\b(?:internships?|interns?)\b", re.I)),
    ("gig", re.compile(r"\b(?:freelance|freelancers?|freelancing|gigs?)\b", re.I)),
    # Not "contracts": "review contracts" describes the work, not the employment.
    ("contract", re.compile(r"\b(?:contract|contractors?)\b", re.I)),
    ("part-time", re.compile(r"\bpart[\s-]?time\b", re.I)),
    ("full-time", re.compile(r"\bfull[\s-]?time\b", re.I)),
)
# API-only spellings; in prose "temporary" or "permanent" say too little to go on.
_HINT_ONLY: Final[dict[str, EmploymentType]] = {
    "temporary": "contract", "temp": "contract", "seasonal": "contract",
    "fixed term": "contract", "contractor": "contract", "permanent": "full-time",
}  # fmt: skip

_REMOTE_VALUES: Final[dict[str, Remote]] = {
    **dict.fromkeys(["true", "yes", "y", "1", "remote", "fully remote", "full remote",
                     "100% remote", "remote only", "wfh", "work from home", "telecommute",
                     "anywhere"], "yes"),
    # Hybrid means being in an office some days: not remote for someone who cannot travel.
    **dict.fromkeys(["false", "no", "n", "0", "onsite", "on site", "in office", "office",
                     "in person", "hybrid", "not remote"], "no"),
}  # fmt: skip
# Checked in order; negations first so that "not fully remote" is not taken for "remote".
_REMOTE_RULES: Final[tuple[tuple[Remote, re.Pattern[str]], ...]] = (
    ("no", re.compile(r"\b(?:not|no|non)[\s-]?(?:fully\s)?remote\b", re.I)),
    (
        "yes",
        re.compile(r"\b(?:fully|100%|full)[\s-]?remote\b|\bremote[\s-]?(?:only|first)\b", re.I),
    ),
    (
        "no",
        re.compile(r"\b(?:hybrid|on[\s-]?site|in[\s-](?:office|person)|office[\s-]based)\b", re.I),
    ),
    ("yes", re.compile(r"\bremote(?:ly)?\b(?![\s-](?:sensing|control))", re.I)),
    ("yes", re.compile(r"\b(?:work(?:ing)? from home|wfh|telecommut\w*)\b", re.I)),
)
# "Fully remote." as a statement of its own (a sentence, a line, after a label's colon): in a
# description, only this says the job is remote; "our fully remote team" describes the company.
_STATED_REMOTE_RE = re.compile(
    r"(?:^|[.!:;\n•|]|\s-\s)[^\S\n]*(?:(?:this|the)\s(?:role|position|job|gig|internship)\sis\s)?"
    r"(?:fully|100\s?%|completely|entirely|full)[\s-]remote(?:\s(?:role|position|job|work))?"
    r"[^\S\n]*(?:[.!;\n•|]|$)",
    re.IGNORECASE | re.MULTILINE,
)

_UNIT_HOURS: Final[dict[str, float]] = {
    **dict.fromkeys(["hour", "hours", "hr", "hrs", "h"], 1.0),
    **dict.fromkeys(["day", "days"], HOURS_PER_PERIOD["day"]),
    **dict.fromkeys(["week", "weeks", "wk", "wks"], HOURS_PER_PERIOD["week"]),
    **dict.fromkeys(["month", "months", "mo", "mos", "mth", "mths"], HOURS_PER_PERIOD["month"]),
}
# Years are left out: "N years" in a listing is nearly always required experience.
_UNIT = r"hours?|hrs?|h|days?|weeks?|wks?|months?|mos?|mths?"
_NUM = r"\d{1,4}(?:\.\d{1,2})?"
_DURATION_RE = re.compile(
    rf"(?<![\w.,/$€£₹])(?P<a>{_NUM})(?:\s{{0,3}}(?:-|–|—|to)\s{{0,3}}(?P<b>{_NUM}))?"
    rf"(?:\s{{1,2}}|-)?(?P<unit>{_UNIT})(?!\w)(?:\s{{0,2}}(?:in\s(?:all|total)|total)\b)?",
    re.IGNORECASE,
)
# "10 hours a week" is a rate; "for 4 weeks" after it gives the span to multiply by.
_RATE_RE = re.compile(
    r"\s{0,3}(?:(?:per|an?|each|every|/)\s{0,2}(?P<per>day|week|wk|month|mo)|(?P<adv>daily|weekly"
    r"|monthly))(?!\w)",
    re.IGNORECASE,
)
_SPAN_RE = re.compile(r",?\s{0,3}(?:for|over)\s{1,3}(?:the\s(?:next\s)?|a\s)?", re.IGNORECASE)
_RATE_UNITS: Final[dict[str, str]] = {"daily": "day", "weekly": "week", "monthly": "month"}
_NOT_A_SPAN_BEFORE_RE = re.compile(r"\b(?:within|every|after|before|last)\s{1,3}$", re.I)
_NOT_A_SPAN_AFTER_RE = re.compile(
    r"\s{0,3}(?:(?:of\s)?(?:[\w-]{1,20}\s){0,2}experience|ago|notice|old)\b", re.IGNORECASE
)

_HUMAN_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
_IN_N_RE = re.compile(r"in\s{1,3}(\d{1,3})\s{1,3}(day|week)s?", re.IGNORECASE)


def infer_employment_type(*texts: str | None, hint: str | None = None) -> EmploymentType | None:
    """The employment type from an API hint, else from the texts in order (title first)."""
    if hint:
        found = _employment_from_hint(hint)
        if found is not None:
            return found
    for text in texts:
        found = _employment_in(text[:_MAX_SCAN]) if text else None
        if found is not None:
            return found
    return None


def _employment_from_hint(hint: str) -> EmploymentType | None:
    words = " ".join(hint.casefold().replace("_", " ").replace("-", " ").split())
    return _HINT_ONLY.get(words) or _employment_in(words)


def _employment_in(text: str) -> EmploymentType | None:
    return next((kind for kind, rule in _EMPLOYMENT_RULES if rule.search(text)), None)


def parse_remote(value: object, *texts: str | None) -> Remote:
    """Whether a job is remote: from a bool or a string field, else from texts (title, location).

    Hybrid counts as "no": it needs presence in an office. The first source with an answer wins.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.strip():
        answer = _remote_from_value(value)
        if answer != "unknown":
            return answer
    for text in texts:
        answer = _remote_in(text[:_MAX_SCAN]) if text else "unknown"
        if answer != "unknown":
            return answer
    return "unknown"


def stated_remote(description: str | None) -> Remote:
    """ "yes" when a description says "Fully remote." as a statement of its own, else unknown
    (a description's other mentions of remote, or hybrid, are too loose to go on)."""
    if description and _STATED_REMOTE_RE.search(description[:_MAX_SCAN]):
        return "yes"
    return "unknown"


def _remote_from_value(value: str) -> Remote:
    words = " ".join(value.casefold().replace("_", " ").replace("-", " ").split())
    return _REMOTE_VALUES.get(words) or _remote_in(value[:_MAX_SCAN])


def _remote_in(text: str) -> Remote:
    return next((answer for answer, rule in _REMOTE_RULES if rule.search(text)), "unknown")


@dataclass(frozen=True, slots=True)
class Duration:
    """How long a job lasts, in hours of work: `text` is the phrase it was read from."""

    text: str
    min_hours: float | None
    max_hours: float | None


def parse_duration_text(text: str) -> Duration | None:
    """The first stated length of a job ("10 hours", "2-4 weeks", "3 months") in hours.

    Days are 8 hours, weeks 40, months 2080/12. "10 hours a week" is a rate, not a length: it is
    skipped, unless a span follows ("10 hours a week for 4 weeks" is 40 hours). A calendar span
    is a full-time estimate, so a number of hours stated later wins when the span could hold it
    ("2 week gig, about 30 hours" is 30 hours, not 80).
    """
    lengths = _lengths(text[:_MAX_SCAN])
    first = next(lengths, None)
    if first is None or first[1]:
        return first[0] if first else None
    span = first[0]
    for length, in_hours in lengths:
        if in_hours and length.max_hours is not None and length.max_hours <= (span.max_hours or 0):
            return length
    return span


def _lengths(text: str) -> Iterator[tuple[Duration, bool]]:
    """Each stated length in order, and whether it was stated in hours (not a calendar span)."""
    pos = 0
    while found := _DURATION_RE.search(text, pos):
        pos = found.end()
        if _is_not_a_span(text, found):
            continue
        rate = _RATE_RE.match(text, found.end())
        if rate is None:
            length = _duration(found.group(), _hours(found))
            if length is not None:
                yield length, _UNIT_HOURS[found["unit"].casefold()] == 1.0
            continue
        spanned = _rate_times_span(text, found, rate)
        if spanned is None:
            pos = rate.end()
        else:
            yield spanned, True  # hours a week for N weeks: counted hours, not an estimate


def _is_not_a_span(text: str, found: re.Match[str]) -> bool:
    start = found.start()
    if _NOT_A_SPAN_BEFORE_RE.search(text, max(0, start - 12), start):
        return True  # "within 2 days", "every 2 weeks"
    return _NOT_A_SPAN_AFTER_RE.match(text, found.end()) is not None


def _hours(found: re.Match[str]) -> tuple[float, float]:
    per_unit = _UNIT_HOURS[found["unit"].casefold()]
    low = float(found["a"]) * per_unit
    high = float(found["b"]) * per_unit if found["b"] else low
    return min(low, high), max(low, high)


def _duration(phrase: str, hours: tuple[float, float]) -> Duration | None:
    low, high = hours
    if high <= 0:
        return None
    return Duration(" ".join(phrase.split()), low if low > 0 else None, high)


def _rate_times_span(text: str, found: re.Match[str], rate: re.Match[str]) -> Duration | None:
    """ "10 hours a week for 4 weeks": the hours per rate unit times the units in the span."""
    joint = _SPAN_RE.match(text, rate.end())
    span = _DURATION_RE.match(text, joint.end()) if joint else None
    if span is None:
        return None
    unit = rate["per"] or _RATE_UNITS[rate["adv"].casefold()]
    unit_hours = _UNIT_HOURS[unit.casefold()]
    (rate_low, rate_high), (span_low, span_high) = _hours(found), _hours(span)
    hours = (rate_low * span_low / unit_hours, rate_high * span_high / unit_hours)
    return _duration(text[found.start() : span.end()], hours)


def parse_deadline(value: object, *, now: datetime) -> datetime | None:
    """A deadline as an aware UTC datetime; past dates are returned as they are.

    Accepts datetimes and dates, epoch seconds or milliseconds, ISO 8601, RFC 2822, "May 5, 2025"
    and "today", "tomorrow", "in 3 days". Naive means UTC. A date without a time means the end of
    that day: "apply by May 5" includes May 5.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return utc_or_none(value)
    if isinstance(value, date):
        return _end_of_day(value)
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, str) and 0 < len(value.strip()) <= 64:
        return _deadline_from_text(value.strip(), as_utc(now))
    return None


def _deadline_from_text(text: str, now: datetime) -> datetime | None:
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    return _from_iso(text) or _from_rfc2822(text) or _from_words(text, now)


def _from_epoch(seconds: float) -> datetime | None:
    return from_epoch(seconds)  # 0 and negatives stand for "no deadline", not 1970


def _from_iso(text: str) -> datetime | None:
    try:
        return _end_of_day(date.fromisoformat(text))
    except ValueError:
        pass
    parsed = from_iso(text)
    return utc_or_none(parsed) if parsed is not None else None


def _from_rfc2822(text: str) -> datetime | None:
    if "," not in text and ":" not in text:
        return None  # parsedate accepts odd fragments; RSS dates always carry one of these
    parsed = from_rfc2822(text)
    return utc_or_none(parsed) if parsed is not None else None


def _from_words(text: str, now: datetime) -> datetime | None:
    lowered = " ".join(text.casefold().split())
    if lowered in ("today", "tomorrow"):
        return _end_of_day(now.date() + timedelta(days=1 if lowered == "tomorrow" else 0))
    relative = _IN_N_RE.fullmatch(lowered)
    if relative:
        days = int(relative[1]) * (7 if relative[2] == "week" else 1)
        return _end_of_day(now.date() + timedelta(days=days))
    for layout in _HUMAN_DATE_FORMATS:
        try:
            return _end_of_day(datetime.strptime(text, layout).date())
        except ValueError:
            continue
    return None


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
