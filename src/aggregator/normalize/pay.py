"""Pay from job text or from an API's structured fields: amounts, currency, period, hourly rate."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Final, Literal

__all__ = [
    "HOURS_PER_PERIOD",
    "Pay",
    "PayPeriod",
    "normalize_currency",
    "normalize_period",
    "parse_pay",
    "pay_from_fields",
    "to_hourly",
]

PayPeriod = Literal["hour", "day", "week", "month", "year", "project"]


@dataclass(frozen=True, slots=True)
class Pay:
    """A pay range; None means unknown (an open range when only one end is known)."""

    min: float | None
    max: float | None
    currency: str | None
    period: PayPeriod | None


# Full-time equivalents: 40 h x 52 weeks a year, 8 h a day; a month is a twelfth of a year.
HOURS_PER_PERIOD: Final[dict[PayPeriod, float]] = {
    "hour": 1.0,
    "day": 8.0,
    "week": 40.0,
    "month": 2080 / 12,
    "year": 2080.0,
}

# The whole description is at most 64 KiB after normalization; never scan more than that.
_MAX_SCAN = 64 * 1024
_PAY_WINDOW = 40  # how far back a period adjective ("Hourly rate:") may sit before an amount
_MODIFIER_WINDOW = 24

_SYMBOLS = {
    "US$": "USD", "CA$": "CAD", "C$": "CAD", "AU$": "AUD", "A$": "AUD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "₹": "INR",
    "Rs.": "INR", "Rs": "INR", "¥": "JPY", "₩": "KRW", "₱": "PHP", "₦": "NGN",
}  # fmt: skip
# Codes that are also common words or tech names ("PHP", "TRY", "ALL") are left out.
_CODES = frozenset(
    {
        "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "INR", "JPY", "CHF", "SEK", "NOK", "DKK",
        "PLN", "SGD", "HKD", "BRL", "MXN", "ZAR", "CNY", "NGN", "KES", "CZK", "HUF", "AED",
    }
)  # fmt: skip
# "pounds" is left out: "lift 50 pounds" is in many US job descriptions.
_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "rupees": "INR"}
_CURRENCIES = {k.casefold(): v for k, v in (*_SYMBOLS.items(), *_WORDS.items())}
_CURRENCIES.update({code.casefold(): code for code in _CODES})
# Five-digit monthly pay is normal in these, so magnitude alone does not mean "a year".
_SMALL_UNIT_CURRENCIES = frozenset({"INR", "JPY", "KRW", "NGN", "PHP", "HUF", "KES", "CZK"})

_PERIODS: dict[str, PayPeriod] = {
    **dict.fromkeys(["hour", "hours", "hr", "hrs", "h", "hourly", "ph", "p/h", "p.h."], "hour"),
    **dict.fromkeys(["day", "days", "d", "daily", "diem"], "day"),
    **dict.fromkeys(["week", "weeks", "wk", "wks", "w", "weekly", "pw", "p/w"], "week"),
    **dict.fromkeys(["month", "months", "mo", "mos", "mth", "monthly", "pm", "p/m"], "month"),
    **dict.fromkeys(
        ["year", "years", "yr", "yrs", "yearly", "annual", "annually", "annum", "pa", "p.a."],
        "year",
    ),
    **dict.fromkeys(
        ["project", "task", "fixed", "fixed price", "fixed-price", "flat fee", "flat rate"],
        "project",
    ),
}
# Nouns need a connector ("/hr", "per day", "an hour"); these stand alone after an amount.
_STANDALONE = ["hourly", "ph", "p/h", "p.h.", "daily", "weekly", "pw", "p/w", "monthly", "pm",
               "p/m", "yearly", "annually", "annual", "pa", "p.a.", "fixed price", "fixed-price",
               "fixed", "flat fee", "flat rate"]  # fmt: skip
_NOUNS = [word for word in _PERIODS if word not in _STANDALONE]


def _alternation(words: list[str] | frozenset[str] | dict[str, str]) -> str:
    # Longest first, so that "US$" wins over "$" and "hours" over "h".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SP = r"[ \t\u00a0\u202f]"
# Grouped thousands ("1,500", "1.500,00", "100'000") or a plain number with up to 2 decimals.
# Every quantifier is bounded, so a long run of digits costs linear time.
_NUMBER = r"\d{1,3}(?:[,.'\u00a0\u202f]\d{3}){1,4}(?:[.,]\d{1,2})?|\d{1,9}(?:[.,]\d{1,2})?"
_PREFIX = f"{_alternation(_SYMBOLS)}|{_alternation(_CODES)}"
_SUFFIX = f"{_alternation(_CODES)}|{_alternation(_WORDS)}|[€£₹¥$]"
_AMOUNT_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<pre>{_PREFIX}){_SP}{{0,2}})?(?P<num>{_NUMBER})(?P<k>k)?"
    rf"(?:{_SP}{{0,2}}(?P<suf>{_SUFFIX}))?(?P<plus>\+)?(?!\w)",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(rf"{_SP}{{0,3}}(?:[-–—‒−~]|to\b|and\b){_SP}{{0,3}}", re.IGNORECASE)
_PERIOD_RE = re.compile(
    rf"{_SP}{{0,2}}(?:(?:/|\bper\b|\ban?\b|\beach\b|\bevery\b){_SP}{{0,2}}"
    rf"(?P<noun>{_alternation(_NOUNS)})|(?P<word>{_alternation(_STANDALONE)}))(?![\w])",
    re.IGNORECASE,
)
_PERIOD_BEFORE_RE = re.compile(
    r"\b(hourly|daily|weekly|monthly|yearly|annual|annually|fixed[ -]price|flat fee)\b",
    re.IGNORECASE,
)
# A unit right after an amount makes it a quantity ("10 hours", "5 years", "20%"), not pay.
_UNIT_AFTER_RE = re.compile(
    rf"{_SP}{{0,2}}(?:%|percent\b|(?:hours?|hrs|days?|weeks?|wks?|months?|mos|years?|yrs?"
    r"|minutes?|mins?)(?!\w))",
    re.IGNORECASE,
)
_SLASH_DIGIT_RE = re.compile(rf"{_SP}?/{_SP}?\d")  # "24/7", "5/10": a ratio or a date
_RETIREMENT_RE = re.compile(r"40[13]\(?[kb]\)?", re.IGNORECASE)  # "401k" is a pension plan
_PAY_WORDS = (
    r"salary|salaries|pay|paid|paying|pays|compensation|wages?|stipend|rates?|budget"
    r"|earn|earnings|remuneration|honorarium"
)
_FILLER = (
    rf"{_PAY_WORDS}|range|is|of|from|between|up\s?to|approx|approximately|around|about|at"
    r"|starting|gross|base|hourly|daily|weekly|monthly|yearly|annual|per|hour|year|month"
)
# A bare number (no currency) counts only where a pay phrase ends: "salary 50000", "Pay rate:
# 20-30", "salary range is 50000"; never "Salary negotiable, 2 positions".
_PAY_PHRASE_RE = re.compile(
    rf"\b(?:{_PAY_WORDS})\b(?:\W{{0,3}}(?:{_FILLER})\b){{0,3}}\W{{0,3}}", re.IGNORECASE
)
_UP_TO_RE = re.compile(
    r"\b(?:up\s?to|max|maximum|as\s+much\s+as|no\s+more\s+than|under)\W{0,3}$", re.IGNORECASE
)
_FROM_RE = re.compile(
    r"\b(?:from|starting(?:\s+(?:at|from))?|starts\s+at|min|minimum|at\s+least|over)\W{0,3}$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Amount:
    value: float
    currency: str | None
    thousands: bool  # written with "k"
    plus: bool  # "$25+": an open upper end
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Expression:
    first: _Amount
    second: _Amount | None
    period: PayPeriod | None
    end: int

    @property
    def last(self) -> _Amount:
        return self.second or self.first

    @property
    def currency(self) -> str | None:
        return self.first.currency or self.last.currency


class _PayPhrases:
    """Where the pay phrases of a text end: found in one pass, only once a bare number needs it."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._ends: frozenset[int] | None = None

    def end_at(self, pos: int) -> bool:
        if self._ends is None:
            self._ends = frozenset(m.end() for m in _PAY_PHRASE_RE.finditer(self._text))
        return pos in self._ends


def parse_pay(text: str) -> Pay | None:
    """The first pay expression in `text`, or None; amounts of 0 count as unknown."""
    text = text[:_MAX_SCAN]
    phrases = _PayPhrases(text)
    pos = 0
    while found := _AMOUNT_RE.search(text, pos):
        expression = _expression(text, found)
        pay = _pay(text, expression, phrases)
        if pay is not None:
            return pay
        pos = max(expression.end, found.start() + 1)
    return None


def pay_from_fields(
    min_value: object, max_value: object, currency: object, period: object
) -> Pay | None:
    """Pay from structured API fields; numbers or numeric strings, with 0, None and "" unknown.

    A lone minimum stays open-ended (unlike text, where "$25/hr" means exactly 25), and no period
    is inferred: an API that leaves the period out is not guessed at.
    """
    low, high = _field_amount(min_value), _field_amount(max_value)
    if low is None and high is None:
        return None
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Pay(low, high, normalize_currency(currency), normalize_period(period))


def to_hourly(pay: Pay) -> tuple[float | None, float | None]:
    """(min, max) per hour at full-time hours; (None, None) for per-project or unknown periods."""
    hours = HOURS_PER_PERIOD.get(pay.period) if pay.period else None
    if hours is None:
        return None, None
    return (
        None if pay.min is None else pay.min / hours,
        None if pay.max is None else pay.max / hours,
    )


def normalize_currency(value: object) -> str | None:
    """An ISO 4217 code from a code in any case, a symbol ("$", "CA$", "€") or a currency word."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    code = _CURRENCIES.get(text.casefold())
    if code is None and len(text) == 3 and text.isascii() and text.isalpha():
        code = text.upper()
    return code


def normalize_period(value: object) -> PayPeriod | None:
    """A period from API spellings: "YEAR", "yearly", "per_month", "HOURLY", "Per Hour"."""
    if not isinstance(value, str):
        return None
    words = value.casefold().replace("_", " ").replace("-", " ").split()
    if words[:1] in (["per"], ["a"], ["an"], ["every"]):
        words = words[1:]
    if words[-1:] in (["rate"], ["salary"], ["pay"], ["wage"]):
        words = words[:-1]
    return _PERIODS.get(" ".join(words))


def _expression(text: str, found: re.Match[str]) -> _Expression:
    """An amount, maybe a range partner, and a period after either ("$20/h - $30/h")."""
    first = _amount(found)
    period, end = _period_after(text, first.end)
    pair = _range_partner(text, first, end)
    if pair is None:
        return _Expression(first, None, period, end)
    first, second = pair
    second_period, end = _period_after(text, second.end)
    return _Expression(first, second, second_period or period, end)


def _amount(found: re.Match[str]) -> _Amount:
    thousands = found["k"] is not None
    value = _number(found["num"]) * (1000 if thousands else 1)
    currency = _CURRENCIES.get((found["pre"] or found["suf"] or "").casefold())
    plus = found["plus"] is not None
    return _Amount(value, currency, thousands, plus, found.start(), found.end())


def _number(raw: str) -> float:
    """A separator followed by 1-2 digits at the end is the decimal point; others group."""
    cut = max(raw.rfind("."), raw.rfind(","))
    whole, fraction = raw, "0"
    if cut >= 0 and len(raw) - cut - 1 <= 2:
        whole, fraction = raw[:cut], raw[cut + 1 :]
    return float(f"{''.join(c for c in whole if c.isdigit())}.{fraction}")


def _period_after(text: str, pos: int) -> tuple[PayPeriod | None, int]:
    found = _PERIOD_RE.match(text, pos)
    if found is None:
        return None, pos
    word = " ".join((found["noun"] or found["word"]).casefold().split())
    return _PERIODS.get(word), found.end()


def _range_partner(text: str, first: _Amount, pos: int) -> tuple[_Amount, _Amount] | None:
    sep = _RANGE_RE.match(text, pos)
    found = _AMOUNT_RE.match(text, sep.end()) if sep else None
    if sep is None or found is None:
        return None
    second = _amount(found)
    if sep.group().strip().casefold() == "and" and second.currency is None:
        return None  # "$15 and 20 years": only "between $15 and $20" is a range
    if None not in (first.currency, second.currency) and first.currency != second.currency:
        return None
    first, second = _share_thousands(first, second)
    return (first, second) if first.value <= second.value else None


def _share_thousands(first: _Amount, second: _Amount) -> tuple[_Amount, _Amount]:
    """ "$40-50k" means 40k-50k and "€40k-45" means 40k-45k, when that keeps the order."""
    if second.thousands and not first.thousands and first.value * 1000 <= second.value:
        first = replace(first, value=first.value * 1000, thousands=True)
    elif first.thousands and not second.thousands and second.value * 1000 >= first.value:
        second = replace(second, value=second.value * 1000, thousands=True)
    return first, second


def _pay(text: str, expression: _Expression, phrases: _PayPhrases) -> Pay | None:
    if expression.period is None and _UNIT_AFTER_RE.match(text, expression.last.end):
        return None
    if expression.currency is None and not _bare_is_pay(text, expression, phrases):
        return None
    low, high = _bounds(text, expression)
    if low is None and high is None:
        return None
    period = expression.period or _period_before(text, expression.first.start)
    return Pay(low, high, expression.currency, period or _inferred_period(expression))


def _bare_is_pay(text: str, expression: _Expression, phrases: _PayPhrases) -> bool:
    """Numbers without a currency count only after a pay phrase, and never look like a date."""
    first, start = expression.first, expression.first.start
    if _RETIREMENT_RE.match(text, start) or _SLASH_DIGIT_RE.match(text, first.end):
        return False
    amounts = (first, expression.last)
    looks_like_year = all(not a.thousands and 1900 <= a.value <= 2100 for a in amounts)
    if looks_like_year and expression.period is None:
        return False  # "salary review in 2025"
    return phrases.end_at(start)


def _bounds(text: str, expression: _Expression) -> tuple[float | None, float | None]:
    first, second = expression.first, expression.second
    if second is not None:
        return _known(first.value), _known(second.value)
    value = _known(first.value)
    window = max(0, first.start - _MODIFIER_WINDOW)
    if _UP_TO_RE.search(text, window, first.start):
        return None, value
    if first.plus or _FROM_RE.search(text, window, first.start):
        return value, None
    return value, value


def _known(value: float) -> float | None:
    # Boards write 0 (or nothing) when pay is not disclosed.
    return value if value > 0 and math.isfinite(value) else None


def _period_before(text: str, start: int) -> PayPeriod | None:
    """ "Hourly rate: $25", "Annual salary 60,000": the nearest period adjective before."""
    words = _PERIOD_BEFORE_RE.findall(text, max(0, start - _PAY_WINDOW), start)
    return _PERIODS.get(words[-1].casefold().replace("-", " ")) if words else None


def _inferred_period(expression: _Expression) -> PayPeriod | None:
    """Amounts written in k, or of five digits and more, are annual salaries."""
    amounts = (expression.first, expression.last)
    if any(a.thousands for a in amounts):
        return "year"
    if expression.currency in _SMALL_UNIT_CURRENCIES:
        return None
    return "year" if max(a.value for a in amounts) >= 10_000 else None


def _field_amount(value: object) -> float | None:
    if isinstance(value, bool):
        return None  # bool is an int, but True is not a salary
    if isinstance(value, int | float):
        return _known(float(value))
    if not isinstance(value, str) or len(value) > 64:
        return None
    found = _AMOUNT_RE.fullmatch(value.strip())
    if found is not None:
        return _known(_amount(found).value)
    try:
        return _known(float(value))
    except ValueError:
        return None
