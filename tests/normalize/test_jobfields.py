"""Job fields from text and API values: pay, employment type, remote, duration and deadline."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime, timedelta, timezone
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aggregator.normalize.jobfields import (
    Duration,
    EmploymentType,
    Remote,
    infer_employment_type,
    parse_deadline,
    parse_duration_text,
    parse_remote,
)
from aggregator.normalize.pay import Pay, PayPeriod, parse_pay, pay_from_fields, to_hourly

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def usd(low: float | None, high: float | None, period: PayPeriod | None) -> Pay:
    return Pay(low, high, "USD", period)


# --- parse_pay ------------------------------------------------------------------------------

PAY_EXAMPLES = [
    ("$25/hr", usd(25, 25, "hour")),
    ("€40k-50k", Pay(40_000, 50_000, "EUR", "year")),
    ("20-30 USD per hour", usd(20, 30, "hour")),
    ("£300 per project", Pay(300, 300, "GBP", "project")),
    ("$1,500/month", usd(1500, 1500, "month")),
    ("USD 60,000 - 80,000 a year", usd(60_000, 80_000, "year")),
    ("$15–$20 an hour", usd(15, 20, "hour")),
    ("$15—$20 an hour", usd(15, 20, "hour")),
    ("$15 to $20 an hour", usd(15, 20, "hour")),
    ("CA$70k", Pay(70_000, 70_000, "CAD", "year")),
    ("C$30/h", Pay(30, 30, "CAD", "hour")),
    ("A$90,000 p.a.", Pay(90_000, 90_000, "AUD", "year")),
    ("AU$45 per hour", Pay(45, 45, "AUD", "hour")),
    ("NZ$28/hr", Pay(28, 28, "NZD", "hour")),
    ("US$500 fixed", usd(500, 500, "project")),
    ("₹25,000/month", Pay(25_000, 25_000, "INR", "month")),
    ("Rs. 15,000 per month", Pay(15_000, 15_000, "INR", "month")),
    ("¥300,000/month", Pay(300_000, 300_000, "JPY", "month")),
    ("$120k", usd(120_000, 120_000, "year")),
    ("$120K", usd(120_000, 120_000, "year")),
    ("up to $30/h", usd(None, 30, "hour")),
    ("Up to €2,000 per month", Pay(None, 2000, "EUR", "month")),
    ("from 25 EUR/hour", Pay(25, None, "EUR", "hour")),
    ("starting at $18/hr", usd(18, None, "hour")),
    ("$50k+", usd(50_000, None, "year")),
    ("25€/h", Pay(25, 25, "EUR", "hour")),
    ("25 € per hour", Pay(25, 25, "EUR", "hour")),
    ("USD25/hr", usd(25, 25, "hour")),
    ("$25 USD/hr", usd(25, 25, "hour")),
    ("20 usd per hour", usd(20, 20, "hour")),
    ("50 dollars a day", usd(50, 50, "day")),
    ("$200/day", usd(200, 200, "day")),
    ("$200 daily", usd(200, 200, "day")),
    ("$800 per week", usd(800, 800, "week")),
    ("$800/wk", usd(800, 800, "week")),
    ("Earn $500 - $1,000 weekly", usd(500, 1000, "week")),
    ("$2.5k/mo", usd(2500, 2500, "month")),
    ("$3,000 monthly", usd(3000, 3000, "month")),
    ("£2,000 pm", Pay(2000, 2000, "GBP", "month")),
    ("£30,000 pa", Pay(30_000, 30_000, "GBP", "year")),
    ("£30k per annum", Pay(30_000, 30_000, "GBP", "year")),
    ("$60k/yr", usd(60_000, 60_000, "year")),
    ("$60,000 annually", usd(60_000, 60_000, "year")),
    ("$25.50 ph", usd(25.5, 25.5, "hour")),
    ("$25 hourly", usd(25, 25, "hour")),
    ("$300 flat fee", usd(300, 300, "project")),
    ("€20/h – €30/h", Pay(20, 30, "EUR", "hour")),
    ("$40-50k", usd(40_000, 50_000, "year")),
    ("between $50,000 and $60,000", usd(50_000, 60_000, "year")),
    ("Hourly rate: $25", usd(25, 25, "hour")),
    ("Annual salary: $65,000", usd(65_000, 65_000, "year")),
    ("Budget: $500 fixed price", usd(500, 500, "project")),
    ("$60,000", usd(60_000, 60_000, "year")),
    ("$0 - $50 per hour", usd(None, 50, "hour")),
    ("$15/hr + tips", usd(15, 15, "hour")),
    ("salary 50000-60000", Pay(50_000, 60_000, None, "year")),
    ("Salary: 2000 per month", Pay(2000, 2000, None, "month")),
    ("Pay rate: 20-30 per hour", Pay(20, 30, None, "hour")),
    ("stipend of 8000 INR/month", Pay(8000, 8000, "INR", "month")),
]


@pytest.mark.parametrize(("text", "expected"), PAY_EXAMPLES)
def test_parse_pay_reads_amounts_currency_and_period(text: str, expected: Pay) -> None:
    assert parse_pay(text) == expected


# Decision: a separator followed by exactly three digits groups thousands ("1.500" is 1500);
# one followed by one or two digits at the end is the decimal point ("1.500,00" is 1500.0).
@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$1,500", 1500),
        ("$1,500.50", 1500.5),
        ("1.500,00 EUR", 1500),
        ("1.500 €", 1500),
        ("€1.234.567", 1_234_567),
        ("CHF 100'000", 100_000),
        ("$12.50", 12.5),
        ("12,5 EUR", 12.5),
        ("$1,000,000", 1_000_000),
    ],
)
def test_parse_pay_reads_thousands_separators_and_decimal_commas(text: str, amount: float) -> None:
    pay = parse_pay(text)
    assert pay is not None
    assert pay.min == pay.max == amount


@pytest.mark.parametrize(
    "text",
    [
        "Competitive",
        "Competitive salary, great benefits",
        "10 hours",
        "10-15 hours a week",
        "$0",
        "0",
        "salary: $0",
        "Python 3.11",
        "10 years of experience",
        "C#",
        "24/7 support",
        "401k plan",
        "Salary and 401(k) match",
        "50000",
        "Salary negotiable, 2 positions",
        "Salary: 3-5 years of experience",
        "Pay: 20 hours a week",
        "salary review in 2025",
        "Must be able to lift 50 pounds",
        "CAD 3 years experience",
        "2D CAD drafting",
        "increase pay by 10%",
        "We serve 2 million users in 30 countries",
        "Call 555-0100",
        "",
    ],
)
def test_parse_pay_finds_nothing_in_text_without_pay(text: str) -> None:
    assert parse_pay(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Python 3.11, 5 years of experience, $40/hr", usd(40, 40, "hour")),
        ("$0 upfront, then $25/hr", usd(25, 25, "hour")),
        ("Pay $20/hr, or $30/hr with a degree", usd(20, 20, "hour")),
        ("10-20 hours a week at $25/hr", usd(25, 25, "hour")),
        ("$30 - 10 hours a week", usd(30, 30, None)),
    ],
)
def test_parse_pay_takes_the_first_pay_expression_and_skips_other_numbers(
    text: str, expected: Pay
) -> None:
    assert parse_pay(text) == expected


def test_parse_pay_finds_pay_deep_in_a_long_description() -> None:
    text = "Lorem ipsum 3.11 dolor. " * 2000 + "Pay: $22/hr."
    assert parse_pay(text) == usd(22, 22, "hour")


@pytest.mark.parametrize(
    "text",
    [
        "1" * 65_536,
        "1 " * 32_768,
        "1-" * 32_768,
        "$" + "1," * 32_000,
        "salary " + "9 " * 32_000,
        "salary 1 years " * 4_300,
        "$1 hours " * 7_000,
        "up to from " * 6_000 + "1",
        "salary: 24/7 " * 5_000,
        "between 1 and " * 4_600,
        "- " * 32_000 + "$5",
    ],
)
def test_parse_pay_takes_linear_time_on_64_kib_of_adversarial_text(text: str) -> None:
    started = time.perf_counter()
    parse_pay(text)
    assert time.perf_counter() - started < 5


_FRAGMENTS = st.sampled_from(
    ["$", "€", "£", "₹", "CA$", "USD", "k", "K", "+", "0", "1", "25", "1,500", "1.500,00", "3.11",
     "-", "–", " to ", " and ", "/", "/hr", " per ", "hour", " a year", "pa", "up to ", "from ",
     "salary ", "pay: ", "401k", "24/7", " ", "\n", "%", "years", "hours"]
)  # fmt: skip


@given(st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=30).map("".join)))
def test_parse_pay_never_raises_and_never_returns_min_above_max(text: str) -> None:
    pay = parse_pay(text)
    if pay is None:
        return
    assert pay.min is not None or pay.max is not None
    for amount in (pay.min, pay.max):
        assert amount is None or (amount > 0 and math.isfinite(amount))
    if pay.min is not None and pay.max is not None:
        assert pay.min <= pay.max
    assert pay.currency is None or (len(pay.currency) == 3 and pay.currency.isupper())
    assert pay.period is None or pay.period in get_args(PayPeriod)


# --- pay_from_fields and to_hourly ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ((50_000, 60_000, "USD", "YEAR"), usd(50_000, 60_000, "year")),
        (("50,000", "60000.00", "usd", "yearly"), usd(50_000, 60_000, "year")),
        ((60_000, 50_000, "USD", "annual"), usd(50_000, 60_000, "year")),
        ((20, 30, "$", "HOUR"), usd(20, 30, "hour")),
        ((20.5, None, "€", "hourly"), Pay(20.5, None, "EUR", "hour")),
        ((None, "3000", "gbp", "per_month"), Pay(None, 3000, "GBP", "month")),
        (("$25", "", "CA$", "Per Hour"), Pay(25, None, "CAD", "hour")),
        (("50k", "70k", "EUR", "MONTHLY_SALARY"), Pay(50_000, 70_000, "EUR", "month")),
        ((0, 25, "USD", "per-day"), usd(None, 25, "day")),
        ((500, 500, "USD", "fixed"), usd(500, 500, "project")),
        ((800, None, None, "WEEK"), Pay(800, None, None, "week")),
        ((25, 25, "dollars", "fortnight"), usd(25, 25, None)),
        ((25, 25, 840, 12), Pay(25, 25, None, None)),
        ((25, 25, "not money", None), Pay(25, 25, None, None)),
    ],
)
def test_pay_from_fields_normalizes_api_values(
    fields: tuple[object, object, object, object], expected: Pay
) -> None:
    assert pay_from_fields(*fields) == expected


@pytest.mark.parametrize(
    ("low", "high"),
    [(None, None), (0, 0), ("", ""), ("0", None), (True, False), (float("nan"), -5), ("n/a", [])],
)
def test_pay_from_fields_gives_none_when_both_amounts_are_unknown(
    low: object, high: object
) -> None:
    assert pay_from_fields(low, high, "USD", "year") is None


@given(
    st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=12)),
    st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=12)),
)
def test_pay_from_fields_never_returns_min_above_max(low: object, high: object) -> None:
    pay = pay_from_fields(low, high, "USD", "hour")
    if pay is not None and pay.min is not None and pay.max is not None:
        assert pay.min <= pay.max


@pytest.mark.parametrize(
    ("pay", "hourly"),
    [
        (usd(25, 30, "hour"), (25, 30)),
        (usd(200, 240, "day"), (25, 30)),
        (usd(1000, None, "week"), (25, None)),
        (usd(None, 52_000 / 12, "month"), (None, 25)),
        (usd(52_000, 62_400, "year"), (25, 30)),
        (usd(500, 500, "project"), (None, None)),
        (usd(500, 500, None), (None, None)),
    ],
)
def test_to_hourly_converts_at_2080_hours_a_year(
    pay: Pay, hourly: tuple[float | None, float | None]
) -> None:
    low, high = to_hourly(pay)
    assert low == pytest.approx(hourly[0])
    assert high == pytest.approx(hourly[1])


# --- infer_employment_type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "hint", "expected"),
    [
        ((), "full_time", "full-time"),
        ((), "Full-time", "full-time"),
        ((), "FULL_TIME", "full-time"),
        ((), "FULLTIME", "full-time"),
        ((), "part_time", "part-time"),
        ((), "contract", "contract"),
        ((), "CONTRACTOR", "contract"),
        ((), "temporary", "contract"),
        ((), "freelance", "gig"),
        ((), "gig", "gig"),
        ((), "internship", "internship"),
        ((), "INTERN", "internship"),
        ((), "micro_internship", "micro-internship"),
        (("Part-time barista",), "FULL_TIME", "full-time"),
        (("Part-time barista",), "OTHER", "part-time"),
        (("Micro-internship: market research",), None, "micro-internship"),
        (("Micro internship in design",), None, "micro-internship"),
        (("Microinternship",), None, "micro-internship"),
        (("Data task #microinternship",), None, "micro-internship"),
        (("Summer Intern, Marketing",), None, "internship"),
        (("Part-time internship",), None, "internship"),
        (("Freelancer needed for logo",), None, "gig"),
        (("Weekend gig: event staff",), None, "gig"),
        (("Contractor - DevOps",), None, "contract"),
        (("Contract-to-hire QA",), None, "contract"),
        (("Barista, part time",), None, "part-time"),
        (("Engineer (Full Time)",), None, "full-time"),
        (("Engineer", "This is a full-time role."), None, "full-time"),
        (("Full-time analyst", "Previous internship experience helps."), None, "full-time"),
        ((None, "Freelance project"), None, "gig"),
    ],
)
def test_infer_employment_type_prefers_the_hint_then_the_title(
    texts: tuple[str | None, ...], hint: str | None, expected: EmploymentType
) -> None:
    assert infer_employment_type(*texts, hint=hint) == expected


@pytest.mark.parametrize(
    "text",
    [
        "International sales lead",
        "Internal tools engineer",
        "Gigabit network engineer",
        "You will review vendor contracts",
        "Fulltimer",
        "",
    ],
)
def test_infer_employment_type_matches_whole_words_only(text: str) -> None:
    assert infer_employment_type(text) is None


def test_infer_employment_type_gives_none_without_hint_or_text() -> None:
    assert infer_employment_type() is None
    assert infer_employment_type(None, None, hint="") is None


# --- parse_remote ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "texts", "expected"),
    [
        (True, (), "yes"),
        (False, ("Remote developer",), "no"),
        ("true", (), "yes"),
        ("yes", (), "yes"),
        ("remote", (), "yes"),
        ("Remote", (), "yes"),
        ("fully remote", (), "yes"),
        ("REMOTE_ONLY", (), "yes"),
        ("Remote (US only)", (), "yes"),
        ("hybrid", ("Remote developer",), "no"),
        ("onsite", (), "no"),
        ("on-site", (), "no"),
        ("In Office", (), "no"),
        ("false", (), "no"),
        ("Not remote", (), "no"),
        (None, ("Remote Python developer", "Berlin"), "yes"),
        (None, ("Python developer", "Remote - Europe"), "yes"),
        (None, ("Python developer", "Berlin (hybrid)"), "no"),
        (None, ("Python developer", "Hybrid - remote 2 days a week"), "no"),
        (None, ("Work from home assistant",), "yes"),
        ("", ("Remote",), "yes"),
        ("unspecified", ("Remote",), "yes"),
        (None, ("Python developer", "Berlin"), "unknown"),
        (None, ("Remote sensing analyst",), "unknown"),
        (None, ("Remoteness research",), "unknown"),
        (None, (), "unknown"),
        (1, (None,), "unknown"),
    ],
)
def test_parse_remote_reads_the_field_then_the_texts(
    value: object, texts: tuple[str | None, ...], expected: Remote
) -> None:
    assert parse_remote(value, *texts) == expected


# --- parse_duration_text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 hours", Duration("10 hours", 10, 10)),
        ("About 10 hours of work", Duration("10 hours", 10, 10)),
        ("2-4 weeks", Duration("2-4 weeks", 80, 160)),
        ("2–4 weeks", Duration("2–4 weeks", 80, 160)),
        ("2 to 4 weeks", Duration("2 to 4 weeks", 80, 160)),
        ("15 hours in all", Duration("15 hours in all", 15, 15)),
        ("5-10 hours total", Duration("5-10 hours total", 5, 10)),
        ("3 months", Duration("3 months", 520, 520)),
        ("a 12-month contract", Duration("12-month", 2080, 2080)),
        ("2 days", Duration("2 days", 16, 16)),
        ("10-20 hrs", Duration("10-20 hrs", 10, 20)),
        ("8h", Duration("8h", 8, 8)),
        ("1.5 hours", Duration("1.5 hours", 1.5, 1.5)),
        ("10 hours a week for 4 weeks", Duration("10 hours a week for 4 weeks", 40, 40)),
        ("8 hours a day for 2 weeks", Duration("8 hours a day for 2 weeks", 80, 80)),
        ("5-10 hrs/week over 2 months", Duration("5-10 hrs/week over 2 months", 43.33, 86.67)),
        ("20 hours a week, starts in June. Lasts 6 weeks", Duration("6 weeks", 240, 240)),
        ("Reply within 2 days. The task takes 3 hours", Duration("3 hours", 3, 3)),
        ("6 months of experience; a 10 hour project", Duration("10 hour", 10, 10)),
        # A stated number of hours beats the full-time estimate of a calendar span.
        ("2 week gig ... about 30 hours", Duration("30 hours", 30, 30)),
        ("A 2-week gig\nAbout 20-30 hours in total", Duration("20-30 hours in total", 20, 30)),
        ("3 months, 10 hours a week", Duration("3 months", 520, 520)),
        ("2 weeks; 10 hours a week for 2 weeks", Duration("10 hours a week for 2 weeks", 20, 20)),
        # More hours than the span holds at full time is not the job's length.
        ("A 2 week gig. Up to 200 hours of footage to review", Duration("2 week", 80, 80)),
    ],
)
def test_parse_duration_text_reads_the_first_length_in_hours(text: str, expected: Duration) -> None:
    found = parse_duration_text(text)
    assert found is not None
    assert found.text == expected.text
    assert found.min_hours == pytest.approx(expected.min_hours, abs=0.01)
    assert found.max_hours == pytest.approx(expected.max_hours, abs=0.01)


@pytest.mark.parametrize(
    "text",
    [
        "10 hours a week",
        "10 hours per week",
        "20 hrs/week",
        "8 hours daily",
        "10 years of experience",
        "Python 3.11",
        "24/7 support",
        "$10 h",
        "0 hours",
        "2 weeks notice",
        "paid every 2 weeks",
        "Competitive",
        "",
    ],
)
def test_parse_duration_text_ignores_rates_and_non_durations(text: str) -> None:
    assert parse_duration_text(text) is None


@given(st.text(max_size=200))
def test_parse_duration_text_never_raises_and_keeps_min_at_most_max(text: str) -> None:
    found = parse_duration_text(text)
    if found is not None and found.min_hours is not None and found.max_hours is not None:
        assert 0 < found.min_hours <= found.max_hours


# --- parse_deadline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-05-10T10:00:00Z", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        ("2025-05-10T10:00:00.000Z", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        ("2025-05-10T12:00:00+02:00", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        ("2025-05-10 10:00", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        ("2025-05-10", datetime(2025, 5, 10, 23, 59, 59, tzinfo=UTC)),
        ("  2025-05-10  ", datetime(2025, 5, 10, 23, 59, 59, tzinfo=UTC)),
        ("May 10, 2025", datetime(2025, 5, 10, 23, 59, 59, tzinfo=UTC)),
        ("10 May 2025", datetime(2025, 5, 10, 23, 59, 59, tzinfo=UTC)),
        ("Sat, 10 May 2025 10:00:00 GMT", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        (1_746_871_200, datetime(2025, 5, 10, 10, tzinfo=UTC)),
        (1_746_871_200_000, datetime(2025, 5, 10, 10, tzinfo=UTC)),
        (1_746_871_200.5, datetime(2025, 5, 10, 10, 0, 0, 500_000, tzinfo=UTC)),
        ("1746871200", datetime(2025, 5, 10, 10, tzinfo=UTC)),
        (datetime(2025, 5, 10, 10), datetime(2025, 5, 10, 10, tzinfo=UTC)),
        (
            datetime(2025, 5, 10, 12, tzinfo=timezone(timedelta(hours=2))),
            datetime(2025, 5, 10, 10, tzinfo=UTC),
        ),
        (date(2025, 5, 10), datetime(2025, 5, 10, 23, 59, 59, tzinfo=UTC)),
        ("2020-01-01", datetime(2020, 1, 1, 23, 59, 59, tzinfo=UTC)),
        ("today", datetime(2025, 5, 1, 23, 59, 59, tzinfo=UTC)),
        ("Tomorrow", datetime(2025, 5, 2, 23, 59, 59, tzinfo=UTC)),
        ("in 3 days", datetime(2025, 5, 4, 23, 59, 59, tzinfo=UTC)),
        ("in 2 weeks", datetime(2025, 5, 15, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_parse_deadline_returns_aware_utc_datetimes(value: object, expected: datetime) -> None:
    found = parse_deadline(value, now=NOW)
    assert found == expected
    assert found is not None
    assert found.utcoffset() == timedelta(0)


NOT_DATES: list[object] = [
    None, "", "   ", "soon", "ASAP", "rolling", 0, -5, True, float("nan"), 1e30, "x" * 100, [],
    "2025-13-40", "0001-01-01T00:00:00+05:00", datetime.min.replace(tzinfo=timezone.max),
]  # fmt: skip


@pytest.mark.parametrize("value", NOT_DATES)
def test_parse_deadline_gives_none_for_values_that_are_not_dates(value: object) -> None:
    assert parse_deadline(value, now=NOW) is None


def test_parse_deadline_treats_a_naive_now_as_utc() -> None:
    assert parse_deadline("tomorrow", now=datetime(2025, 5, 1, 23, 30)) == datetime(
        2025, 5, 2, 23, 59, 59, tzinfo=UTC
    )
