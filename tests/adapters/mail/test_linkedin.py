"""The LinkedIn job-alert parser: invented alerts in LinkedIn's text and HTML shapes, and the
real anonymized alert of ../shared rebuilt as the quoted-printable mail LinkedIn sends."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from aggregator.adapters.mail.message import read_message
from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.linkedin import LinkedInParser, job_id
from aggregator.normalize.postings import normalize_all
from tests.adapters.mail.conftest import eml

NOW = datetime(2026, 8, 1, tzinfo=UTC)
REAL_ALERT = "payloads/alert-emails/linkedin_jobalert_gmail-mcp-message_2026-07-25_redacted.json"


def fields(posting: object) -> tuple[object, ...]:
    return tuple(getattr(posting, name) for name in ("guid", "url", "title", "company", "location"))


def test_a_text_alert_gives_every_card_with_its_canonical_url() -> None:
    name, postings = parse_message(eml("linkedin_text.eml"))
    assert name == "linkedin"
    assert [fields(p) for p in postings] == [
        (
            "linkedin:3900000101",
            "https://www.linkedin.com/jobs/view/3900000101/",
            "Data Analyst Intern",
            "Northwind Labs",
            "Springfield, IL (Hybrid)",
        ),
        (
            "linkedin:3900000102",
            "https://www.linkedin.com/jobs/view/3900000102/",
            "Junior Software Developer – Platform Team",
            "Globex Café Systems",
            "Remote",
        ),
        (
            "linkedin:3900000103",
            "https://www.linkedin.com/jobs/view/3900000103/",
            "Marketing Coordinator (Part-time)",
            "Initech",
            "Shelbyville",
        ),
    ]
    assert all(p.posted_at == datetime(2026, 7, 20, 14, 5, 9, tzinfo=UTC) for p in postings)
    assert all(p.extra == {"via": "linkedin alert e-mail"} for p in postings)
    assert all(p.description_html is None for p in postings)


def test_the_salary_in_the_subject_belongs_to_the_first_card_only() -> None:
    _, postings = parse_message(eml("linkedin_text.eml"))
    assert [p.pay_text for p in postings] == ["$25/hr", None, None]


def test_a_range_salary_in_the_subject() -> None:
    message = dataclasses.replace(
        read_message(eml("linkedin_text.eml")),
        subject="Data Analyst Intern at Northwind Labs: $40K-$50K",
    )
    assert [p.pay_text for p in LinkedInParser().parse(message)] == ["$40K-$50K", None, None]


def test_a_multipart_alert_merges_the_text_and_html_cards() -> None:
    name, postings = parse_message(eml("linkedin_multipart.eml"))
    assert name == "linkedin"
    assert [fields(p)[0] for p in postings] == [
        "linkedin:3900000201",
        "linkedin:3900000202",
        "linkedin:3900000203",
    ]
    assert postings[0].posted_at == datetime(2026, 7, 21, 12, 0, tzinfo=UTC)
    assert [p.pay_text for p in postings] == [None, None, None]  # no salary in this subject


def test_the_html_part_alone_gives_title_company_and_location() -> None:
    message = dataclasses.replace(read_message(eml("linkedin_multipart.eml")), text=None)
    postings = LinkedInParser().parse(message)
    assert [(p.guid, p.title, p.company, p.location) for p in postings] == [
        ("linkedin:3900000201", "UX Design Intern", "Acme Rockets", "Ogdenville, OR (On-site)"),
        ("linkedin:3900000202", "Product Designer &amp; Researcher", "Umbrella Health", "Remote"),
        (
            "linkedin:3900000203",
            "&lt;script&gt;alert(1)&lt;/script&gt; Visual Designer",  # as the sender escaped it
            "Soylent Studio",
            "North Haverbrook",
        ),
    ]


def test_anchor_text_that_looks_like_markup_stays_text_through_normalization() -> None:
    message = dataclasses.replace(read_message(eml("linkedin_multipart.eml")), text=None)
    postings = normalize_all(LinkedInParser().parse(message), source="mail", now=NOW)
    assert [p.title for p in postings] == [
        "UX Design Intern",
        "Product Designer & Researcher",
        "<script>alert(1)</script> Visual Designer",
    ]
    assert [p.dedup_key for p in postings] == [
        "guid:linkedin:3900000201",
        "guid:linkedin:3900000202",
        "guid:linkedin:3900000203",
    ]


def test_footer_premium_and_insight_lines_are_no_postings() -> None:
    _, postings = parse_message(eml("linkedin_text.eml"))
    text = " ".join(f"{p.title} {p.company} {p.location}" for p in postings)
    for noise in (
        "actively hiring",
        "Apply with",
        "Premium",
        "Manage your job alerts",
        "Unsubscribe",
        "Help",
    ):
        assert noise not in text


def test_a_company_and_location_on_one_line_are_split() -> None:
    message = dataclasses.replace(
        read_message(eml("linkedin_text.eml")),
        text="Barista Trainee\nBean There · Springfield (On-site)\n"
        "View job: https://www.linkedin.com/comm/jobs/view/3900000999/?trk=x\n",
    )
    (posting,) = LinkedInParser().parse(message)
    assert (posting.title, posting.company, posting.location) == (
        "Barista Trainee",
        "Bean There",
        "Springfield (On-site)",
    )


def test_job_ids_come_from_linkedin_job_links_only() -> None:
    assert (
        job_id("https://www.linkedin.com/comm/jobs/view/4441092711/?trackingId=x") == "4441092711"
    )
    assert (
        job_id("https://uk.linkedin.com/jobs/view/data-intern-at-acme-3812345678?refId=1")
        == "3812345678"
    )
    assert job_id("https://www.linkedin.com/jobs/view/4441092711") == "4441092711"
    assert (
        job_id("https://www.linkedin.com/comm/jobs/search?originToLandingJobPostings=444109271")
        is None
    )
    assert job_id("https://evil.example/www.linkedin.com/jobs/view/4441092711/") is None
    assert job_id("https://linkedin.com.evil.example/jobs/view/4441092711/") is None
    assert job_id("https://[broken/jobs/view/4441092711/") is None


def test_other_linkedin_mail_without_job_cards_gives_nothing_to_the_linkedin_parser() -> None:
    message = dataclasses.replace(
        read_message(eml("linkedin_text.eml")),
        text="Pat, you have 3 new invitations\nhttps://www.linkedin.com/mynetwork/?trk=x\n",
        html=None,
    )
    assert LinkedInParser().recognises(message)
    assert LinkedInParser().parse(message) == []


def _real_alert_eml(alert: dict[str, str]) -> bytes:
    """The JSON wrapper's text body as LinkedIn sends it: quoted-printable UTF-8 text/plain."""
    message = EmailMessage()
    message["From"] = f"LinkedIn Job Alerts <{alert['sender']}>"
    message["Subject"] = alert["subject"]
    message["Date"] = format_datetime(datetime.fromisoformat(alert["date"].replace("Z", "+00:00")))
    message.set_content(alert["plaintextBody"], cte="quoted-printable")
    return bytes(message)


def _expected_cards(body: str) -> list[tuple[str, str, str, str]]:
    """Each job link's id and the three lines ending the paragraph that opens its block, read
    by a different route than the parser's (blocks split at the dashed rules)."""
    expected = []
    for block in re.split(r"\n-{20,}\n", body):
        found = re.search(r"linkedin\.com/comm/jobs/view/(\d+)/", block)
        if found:
            title, company, location = block.strip().split("\n\n")[0].splitlines()[-3:]
            expected.append((found.group(1), title, company, location))
    return expected


def test_the_real_alert_as_linkedin_sends_it(shared: Path) -> None:
    alert = json.loads((shared / REAL_ALERT).read_text(encoding="utf-8"))
    raw = _real_alert_eml(alert)
    assert b"=3D" in raw
    assert b"=\n" in raw
    message = read_message(raw)
    assert message.text is not None
    assert "\ufffd" in message.text
    name, postings = parse_message(raw)
    expected = _expected_cards(alert["plaintextBody"])
    assert name == "linkedin"
    assert len(expected) >= 3
    assert [(p.guid, p.url, p.title, p.company, p.location) for p in postings] == [
        (
            f"linkedin:{job}",
            f"https://www.linkedin.com/jobs/view/{job}/",
            html.escape(title, quote=False),
            html.escape(company, quote=False),
            html.escape(place, quote=False),
        )
        for job, title, company, place in expected
    ]
    assert postings[0].posted_at == datetime.fromisoformat(alert["date"].replace("Z", "+00:00"))


def _html_only(markup: str) -> list[tuple[object, ...]]:
    message = dataclasses.replace(
        read_message(eml("linkedin_multipart.eml")), text=None, html=markup
    )
    return [(p.guid, p.title, p.company, p.location) for p in LinkedInParser().parse(message)]


def test_a_link_that_wraps_the_whole_card() -> None:
    card = (
        '<a href="https://www.linkedin.com/comm/jobs/view/3900000301/?trk=jobcard_body">'
        '<table><tr><td><img src="https://media.licdn.com/l.png" alt="Acme"></td>'
        "<td><p>Field Technician</p><p>Acme Rockets · Ogdenville</p>"
        "<p>Actively recruiting</p></td></tr></table></a>"
    )
    assert _html_only(f"<table><tr><td>{card}</td></tr></table>") == [
        ("linkedin:3900000301", "Field Technician", "Acme Rockets", "Ogdenville")
    ]


def test_cards_in_one_flat_element() -> None:
    flat = (
        "<td>"
        '<a href="https://www.linkedin.com/comm/jobs/view/3900000401/">Line Cook</a><br>'
        "Krusty Burger<br>Springfield<br>"
        '<a href="https://www.linkedin.com/comm/jobs/view/3900000401/">View job</a><br>'
        '<a href="https://www.linkedin.com/comm/jobs/view/3900000402/">Host</a><br>'
        "Moe's<br>Springfield<br>"
        "</td>"
    )
    assert _html_only(flat) == [
        ("linkedin:3900000401", "Line Cook", "Krusty Burger", "Springfield"),
        ("linkedin:3900000402", "Host", "Moe's", "Springfield"),
    ]


# A later shape of the text part: URLs hard-wrapped onto fragment lines, a second saved
# search under its own heading (sometimes leaked as markup), badges after the location.
WRAPPED = """Your job alert for barista in Springfield
30+ new jobs match your preferences.
Manage alerts: https://www.linkedin.com/comm/jobs/alerts?lipi=urn%3Ali%3Apage%3Aemail_job_alert%3B
Zm9vYmFy1&trk=eml-email_job_alert_digest_01-primary_job_list-0-manage_alerts_text&trkEmail=eml-null

Head Barista
Lard Lad Donuts
Springfield, OR
$18/hr - $22/hr
1,204 company alumni
View job: https://www.linkedin.com/comm/jobs/view/3900000501/?trackingId=QUJD%3D%3D&refId=Zm9v
YmFy1&trk=eml-email_job_alert_digest_01-primary_job_list-0-jobcard_body_text_0&trkEmail=x

---------------------------------------------------------

See all jobs on LinkedIn: https://www.linkedin.com/comm/jobs/search-results/?keywords=barista
Zm9vYmFy1&trk=eml-email_job_alert_digest_01-primary_job_list-0-see_all_jobs_text&trkEmail=eml-null

<strong class="font-bold" style="font-weight: 600;">cafe manager</strong>

Cafe Shift Lead
Java the Hutt
Shelbyville
Sparkly new badge
View job: https://www.linkedin.com/comm/jobs/view/39000
00502/?trackingId=REVG%3D%3D&trk=eml-email_job_alert_digest_01-secondary_job_list_0-0

---------------------------------------------------------

tea shop

Tea Sommelier
Leaf & Co
Capital City
View job: https://www.linkedin.com/comm/jobs/view/3900000503/?trk=x

Tea Sommelier
Leaf & Co
Capital City
View job: https://www.linkedin.com/comm/jobs/view/3900000503/?trk=y
"""


def test_a_hard_wrapped_text_part_with_headings_and_badges() -> None:
    message = EmailMessage()
    message["From"] = "LinkedIn Job Alerts <jobalerts-noreply@linkedin.com>"
    message["Subject"] = "Head Barista at Lard Lad Donuts and more"
    message.set_content(WRAPPED, cte="quoted-printable")
    name, postings = parse_message(bytes(message))
    assert name == "linkedin"
    assert [(p.guid, p.title, p.company, p.location, p.pay_text) for p in postings] == [
        (
            "linkedin:3900000501",
            "Head Barista",
            "Lard Lad Donuts",
            "Springfield, OR",
            "$18/hr - $22/hr",
        ),
        ("linkedin:3900000502", "Cafe Shift Lead", "Java the Hutt", "Shelbyville", None),
        ("linkedin:3900000503", "Tea Sommelier", "Leaf &amp; Co", "Capital City", None),
    ]


def test_company_and_location_in_inline_elements_after_the_title() -> None:
    cards = "".join(
        f'<div><a href="https://www.linkedin.com/comm/jobs/view/{job}/">{title}</a>'
        f"<span>{company}</span> <span>{place}</span></div>"
        for job, title, company, place in [
            (3900000601, "Tour Guide", "Duff Gardens", "Ogdenville"),
            (3900000602, "Ride Operator", "Itchy &amp; Scratchy Land", "Remote"),
        ]
    )
    assert _html_only(f"<div>{cards}</div>") == [
        ("linkedin:3900000601", "Tour Guide", "Duff Gardens", "Ogdenville"),
        ("linkedin:3900000602", "Ride Operator", "Itchy &amp; Scratchy Land", "Remote"),
    ]
