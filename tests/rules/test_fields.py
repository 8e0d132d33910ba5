"""Fields, prefixes, comparisons and regexes, table-driven: which documents match, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aggregator.models import JobDetails
from aggregator.rules import MatchDocument, compile
from tests.rules.test_language import CASES

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _doc(
    title: str = "Role",
    description: str = "",
    *,
    company: str | None = None,
    location: str | None = None,
    tags: tuple[str, ...] = (),
    sources: tuple[str, ...] = ("board",),
    posted_days_ago: float | None = None,
    **job: object,
) -> MatchDocument:
    posted = None if posted_days_ago is None else NOW - timedelta(days=posted_days_ago)
    return MatchDocument(
        title,
        company,
        location,
        description,
        tags,
        sources,
        JobDetails(**job),
        posted,  # type: ignore[arg-type]
    )


def _pay(low: float | None, high: float | None, period: str | None) -> dict[str, object]:
    return {"pay_min": low, "pay_max": high, "pay_period": period, "currency": "USD"}


def _hours(low: float | None, high: float | None) -> dict[str, object]:
    return {"duration_min_hours": low, "duration_max_hours": high}


IN_10_DAYS = NOW + timedelta(days=10)
IN_2_DAYS = NOW + timedelta(days=2)
PAST = NOW - timedelta(days=1)

DATA_INTERN = _doc("Data intern", "#MicroInternship", **_pay(30, 30, "hour"))
REMOTE_GIG = "(type:gig OR type:contract) remote:yes -senior"

FIELD_CASES = [
    # title:, company:, location:, description: search one field.
    ("title:data", _doc("Data analyst"), True),
    ("title:data", _doc("Analyst", "data team"), False),
    ("TITLE:data", _doc("Data analyst"), True),
    ('title:"data analyst"', _doc("Senior Data Analyst"), True),
    ('title:"data analyst"', _doc("Analyst for data"), False),
    ("title:intern*", _doc("Internship: design"), True),
    ("title:intern*", _doc("Design", "internship"), False),
    ('title:"intern*"', _doc("Intern* wanted"), True),
    ("company:acme", _doc(company="ACME Corp"), True),
    ("company:acme", _doc("Acme is hiring"), False),
    ('company:"acme corp"', _doc(company="Acme  Corp."), True),
    ("location:zürich", _doc(location="Zürich, CH"), True),
    ("location:zurich", _doc(location="Zürich, CH"), False),
    ("location:berlin", _doc("Berlin office"), False),
    ("description:python", _doc("Dev", "Python and SQL"), True),
    ("description:python", _doc("Python dev", "SQL"), False),
    ("-title:senior data", _doc("Data intern", "senior mentors"), True),
    ("-title:senior data", _doc("Senior data lead"), False),
    ("title:c++", _doc("C++ engineer"), True),
    ("title:.net", _doc("ASP.NET developer"), True),
    ("title:node.js", _doc("Node.js dev"), True),
    ("title:part-time", _doc("Part time barista"), True),
    # Prefixes.
    ("intern*", _doc("Internship"), True),
    ("intern*", _doc("Intern"), True),
    ("intern*", _doc("International"), True),
    ("intern*", _doc("Winter intern"), True),
    ("intern*", _doc("Paid winternship"), False),
    ("intern*", _doc("Inter nship"), False),
    ("Intern*", _doc("INTERNSHIPS"), True),
    ("data intern*", _doc("Data internship"), True),
    ("data intern*", _doc("Data team"), False),
    ("café*", _doc("Cafés nearby"), True),
    ("#intern*", _doc(tags=("internship",)), True),
    ("#intern*", _doc(tags=("microinternship",)), False),
    ("-intern*", _doc("Internship"), False),
    # tag: and hashtag variants.
    ("tag:remote", _doc(tags=("Remote",)), True),
    ("tag:micro_internship", _doc("#MicroInternship"), True),
    ('tag:"micro internship"', _doc(tags=("micro-internship",)), True),
    ("tag:remote", _doc("Remote role"), False),
    ("#MICROINTERNSHIP", _doc("Tagged #micro-internship"), True),
    ("#microinternship", _doc("see page#microinternship"), False),
    ("#c", _doc("C# developer"), False),
    ("#python", _doc("#Python3 role"), False),
    # source:
    ("source:remoteok", _doc(sources=("remoteok",)), True),
    ("source:RemoteOK", _doc(sources=("remoteok",)), True),
    ("source:remoteok", _doc(sources=("hn", "remoteok")), True),
    ("source:remoteok", _doc(sources=("hn",)), False),
    ("source:remoteok", _doc("remoteok listing", sources=("hn",)), False),
    ('source:"remote-ok"', _doc(sources=("remote-ok",)), True),
    # type:
    ("type:gig", _doc(employment_type="gig"), True),
    ("type:gig", _doc(employment_type="contract"), False),
    ("type:gig", _doc("Quick gig"), False),
    ("type:micro-internship", _doc(employment_type="micro-internship"), True),
    ("type:microinternship", _doc(employment_type="micro-internship"), True),
    ('type:"part time"', _doc(employment_type="part-time"), True),
    ("type:internship", _doc(employment_type="micro-internship"), False),
    ("type:full-time", _doc(employment_type="Full-Time"), True),
    ("-type:full-time", _doc(employment_type="gig"), True),
    ("-type:full-time", _doc(), True),
    ("type:gig OR type:contract", _doc(employment_type="contract"), True),
    # remote:
    ("remote:yes", _doc(remote="yes"), True),
    ("remote:yes", _doc(remote="unknown"), False),
    ("remote:yes", _doc("Remote role", remote="no"), False),
    ("remote:no", _doc(remote="no"), True),
    ("remote:unknown", _doc(), True),
    ("REMOTE:YES", _doc(remote="yes"), True),
    ("-remote:no", _doc(remote="unknown"), True),
    # pay, converted between periods at 2,080 hours a year.
    ("pay>=25/h", _doc(**_pay(30, 30, "hour")), True),
    ("pay>=25/h", _doc(**_pay(20, 20, "hour")), False),
    ("pay>=25/h", _doc(**_pay(25, 25, "hour")), True),
    ("pay>25/h", _doc(**_pay(25, 25, "hour")), False),
    ("pay>=25/h", _doc(**_pay(20, 30, "hour")), True),
    ("pay<=25/h", _doc(**_pay(20, 30, "hour")), True),
    ("pay<20/h", _doc(**_pay(20, 30, "hour")), False),
    ("pay=25/h", _doc(**_pay(20, 30, "hour")), True),
    ("pay=35/h", _doc(**_pay(20, 30, "hour")), False),
    ("pay>=25/h", _doc(**_pay(60000, 60000, "year")), True),
    ("pay>=30/h", _doc(**_pay(60000, 60000, "year")), False),
    ("pay>=40000/y", _doc(**_pay(20, 20, "hour")), True),
    ("pay>=40k/y", _doc(**_pay(19, 19, "hour")), False),
    ("pay>=40000/year", _doc(**_pay(3500, 3500, "month")), True),
    ("pay>=5000/mo", _doc(**_pay(60000, 60000, "year")), True),
    ("pay>=200/d", _doc(**_pay(25, 25, "hour")), True),
    ("pay>=1000/w", _doc(**_pay(25, 25, "hour")), True),
    ("pay>=1001/w", _doc(**_pay(25, 25, "hour")), False),
    ("pay>=25/h", _doc(**_pay(30, None, "hour")), True),
    ("pay>=25/h", _doc(**_pay(None, 30, "hour")), True),
    ("pay>=25/h", _doc("Pays $30/h"), False),
    ("pay>=25/h", _doc(**_pay(30, 30, None)), False),
    ("pay>=25/h", _doc(**_pay(500, 500, "project")), False),
    ("pay>=400/project", _doc(**_pay(500, 500, "project")), True),
    ("pay>=400/project", _doc(**_pay(500, 500, "hour")), False),
    ("pay:unknown", _doc(), True),
    ("pay:unknown", _doc(**_pay(30, 30, "hour")), False),
    ("pay>=25/h OR pay:unknown", _doc(), True),
    ("pay>=25/h OR pay:unknown", _doc(**_pay(10, 10, "hour")), False),
    ("-pay<25/h", _doc(**_pay(30, 30, "hour")), True),
    # hours (duration).
    ("hours<=40", _doc(**_hours(10, 20)), True),
    ("hours<=40", _doc(**_hours(60, 80)), False),
    ("hours<=40h", _doc(**_hours(40, 40)), True),
    ("hours>=100", _doc(**_hours(10, 20)), False),
    ("hours<=40", _doc(), False),
    ("hours:unknown", _doc(), True),
    # age: posted within.
    ("age<=3d", _doc(posted_days_ago=2), True),
    ("age<=3d", _doc(posted_days_ago=4), False),
    ("age<=72h", _doc(posted_days_ago=3), True),
    ("age<=1w", _doc(posted_days_ago=6), True),
    ("age>=1w", _doc(posted_days_ago=6), False),
    ("age<=3d", _doc(), False),
    ("age<=3d", _doc(posted_days_ago=-1), True),
    # deadline: time left.
    ("deadline>=7d", _doc(deadline=IN_10_DAYS), True),
    ("deadline>=7d", _doc(deadline=IN_2_DAYS), False),
    ("deadline<=3d", _doc(deadline=IN_2_DAYS), True),
    ("deadline<=3d", _doc(deadline=PAST), False),
    ("deadline>=7d", _doc(), False),
    ("deadline:unknown", _doc(), True),
    ("deadline:unknown", _doc(deadline=IN_2_DAYS), False),
    # regex (RE2): case-insensitive, over the normalized text.
    ("regex:/intern(ship)?s?/", _doc("Internships"), True),
    ("regex:/^data/", _doc("Data analyst"), True),
    ("regex:/\\bpython\\d\\b/", _doc("Python3 dev"), True),
    ("regex:/\\bpython\\d\\b/", _doc("Python dev"), False),
    ("regex:/a{3}/", _doc("aa a"), False),
    ("regex:/micro[- ]?intern/ remote", _doc("Remote micro-internship"), True),
    ("regex:/c\\+\\+/", _doc("C++ engineer"), True),
    ("regex:/(a|b) c/", _doc("B C"), True),
    ("-regex:/senior|lead/", _doc("Staff engineer"), True),
    # Combinations.
    ("title:data #microinternship pay>=25/h", DATA_INTERN, True),
    (REMOTE_GIG, _doc("Gig", remote="yes", employment_type="gig"), True),
    (REMOTE_GIG, _doc("Senior gig", remote="yes", employment_type="gig"), False),
    ("design (pay>=25/h OR pay:unknown) age<=7d", _doc("Design help", posted_days_ago=1), True),
]  # fmt: skip


@pytest.mark.parametrize(("query", "doc", "expected"), FIELD_CASES)
def test_field_and_number_queries_match_exactly_the_documents_users_would_expect(
    query: str, doc: MatchDocument, expected: bool
) -> None:
    assert (compile(query).explain(doc, now=NOW) is not None) is expected


def test_the_whole_table_has_at_least_150_cases() -> None:
    assert len(CASES) + len(FIELD_CASES) >= 150


@pytest.mark.parametrize(
    ("query", "doc", "why"),
    [
        (
            "title:data #microinternship pay>=25/h",
            _doc("Data intern", "#MicroInternship", **_pay(30, 30, "hour")),
            'title has "data"; tag #microinternship; pay 30/h >= 25/h',
        ),
        ("pay>=40000/y", _doc(**_pay(30, 30, "hour")), "pay 62400/y >= 40000/y"),
        ("pay>=25/h", _doc(**_pay(20, 30, "hour")), "pay 20-30/h >= 25/h"),
        ("hours<=40", _doc(**_hours(10, 20)), "hours 10-20 <= 40"),
        ("age<=3d", _doc(posted_days_ago=2), "age 2d <= 3d"),
        ("deadline>=7d", _doc(deadline=IN_10_DAYS), "deadline in 10d >= 7d"),
        ("pay:unknown", _doc(), "pay unknown"),
        ("type:part-time", _doc(employment_type="part-time"), "type part-time"),
        ("remote:yes source:hn", _doc(remote="yes", sources=("hn",)), "remote yes; source hn"),
        ("intern*", _doc("Internship"), 'has "intern*"'),
        ("company:acme", _doc(company="Acme"), 'company has "acme"'),
        ("regex:/intern(ship)?/", _doc("Internship"), "matches /intern(ship)?/"),
        ("#micro*", _doc(tags=("microtask",)), "tag #micro*"),
        ("data -type:gig", _doc("Data"), 'has "data"; not type:"gig"'),
    ],
)
def test_explanation_names_each_deciding_condition(
    query: str, doc: MatchDocument, why: str
) -> None:
    assert compile(query).explain(doc, now=NOW) == why


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("title:Data", 'title:"Data"'),
        ('title:"data analyst"', 'title:"data analyst"'),
        ("intern*", "intern*"),
        ("title:intern*", "title:intern*"),
        ("pay>=40k/year", "pay>=40000/y"),
        ("PAY>=25/hr", "pay>=25/h"),
        ("hours<=40h", "hours<=40"),
        ("age<=3d", "age<=3d"),
        ("type:parttime", 'type:"part-time"'),
        ("remote:YES", 'remote:"yes"'),
        ("tag:Micro_Internship", "#microinternship"),
        ("regex:/a b/", "regex:/a b/"),
        ("pay:UNKNOWN", "pay:unknown"),
    ],
)
def test_canonical_form_of_fields_and_numbers(query: str, canonical: str) -> None:
    assert compile(query).canonical == canonical
    assert compile(canonical).canonical == canonical


def test_age_counts_from_the_current_time_when_none_is_given() -> None:
    recent = MatchDocument("Role", None, None, "", posted_at=datetime.now(UTC))
    assert compile("age<=1h").explain(recent) is not None


def test_a_naive_posted_time_counts_as_utc() -> None:
    posted = (NOW - timedelta(hours=2)).replace(tzinfo=None)
    doc = MatchDocument("Role", None, None, "", posted_at=posted)
    assert compile("age<=3h").explain(doc, now=NOW) == "age 2h <= 3h"
