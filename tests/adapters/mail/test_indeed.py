"""The Indeed job-alert parser, on an invented alert in the documented card shape (no real
Indeed alert is at hand): job links and click trackers unwrapped to `viewjob?jk=`."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import quote

from aggregator.adapters.mail.message import read_message
from aggregator.adapters.mail.senders import parse_message
from aggregator.adapters.mail.senders.indeed import VIEWJOB, IndeedParser, job_key, job_target
from tests.adapters.mail.conftest import eml

JK = "0a1b2c3d4e5f6071"


def test_every_card_with_its_job_key_and_card_lines() -> None:
    name, postings = parse_message(eml("indeed.eml"))
    assert name == "indeed"
    assert [(p.guid, p.url, p.title, p.company, p.location, p.pay_text) for p in postings] == [
        (
            "indeed:0a1b2c3d4e5f6071",
            "https://www.indeed.com/viewjob?jk=0a1b2c3d4e5f6071",
            "Research Intern",
            "Contoso Analytics",  # the rating after the name dropped
            "Capital City, ST",
            "$22 - $28 an hour",
        ),
        (
            "indeed:1b2c3d4e5f607182",
            "https://www.indeed.com/viewjob?jk=1b2c3d4e5f607182",
            "Social Media Assistant",
            "Fabrikam Media",
            "Remote",
            None,
        ),
        (
            "indeed:2c3d4e5f60718293",
            "https://www.indeed.com/viewjob?jk=2c3d4e5f60718293",
            "Warehouse Associate",
            "Tailspin Logistics",
            "Capital City, ST 12345",
            None,
        ),
        (
            "indeed:3d4e5f6071829304",
            "https://www.indeed.com/viewjob?jk=3d4e5f6071829304",
            "Summer Camp Counselor",
            "Camp Wildwood",
            "Lakeside, ST",
            "From $500 a week",
        ),
    ]
    assert postings[0].description_html == (
        "Assist the research team with data collection and cleaning for ongoing studies of "
        "regional markets."
    )
    assert postings[0].posted_at == datetime(2026, 7, 22, 11, 30, tzinfo=UTC)
    assert postings[0].extra == {"via": "indeed alert e-mail"}


def test_job_keys_from_each_link_form() -> None:
    assert job_key(f"https://www.indeed.com/rc/clk?jk={JK}&from=ja&tk=1") == JK
    assert job_key(f"https://www.indeed.com/rc/clk/dl?jk={JK.upper()}&from=ja") == JK
    assert job_key(f"https://www.indeed.com/pagead/clk?mo=r&ad=xyz&jk={JK}") == JK
    assert job_key(f"https://uk.indeed.com/viewjob?jk={JK}") == JK
    assert job_key(f"https://www.indeed.com/viewjob?vjk={JK}") == JK
    once = quote(f"https://www.indeed.com/rc/clk?jk={JK}&from=ja", safe="")
    assert job_key(f"https://cts.indeed.com/v1/click?url={once}") == JK
    assert job_key(f"https://cts.indeed.com/v3/click?d={quote(once, safe='')}") == JK
    relative = quote(quote(f"/rc/clk?jk={JK}&from=ja", safe=""), safe="")
    assert job_key(f"https://cts.indeed.com/v3/click?target={relative}") == JK


def test_links_without_a_job_key_or_off_indeed_give_none() -> None:
    assert job_key("https://cts.indeed.com/v3/H4sIAAAAAAAA_opaque") is None
    assert job_key("https://www.indeed.com/jobs?q=intern&l=Capital+City") is None
    assert job_key(f"https://www.indeed.com/rc/clk?jk={JK}zz") is None  # not a job key
    assert job_key(f"https://indeed.com.evil.example/viewjob?jk={JK}") is None
    assert job_key(f"https://evil.example/viewjob?jk={JK}") is None


def test_the_text_part_is_read_when_there_is_no_html() -> None:
    message = dataclasses.replace(
        read_message(eml("indeed.eml")),
        html=None,
        text=(
            "5 new intern jobs in Capital City\n\n"
            "Library Assistant\nExample Public Library - Capital City, ST\n$18 an hour\n"
            f"https://www.indeed.com/rc/clk?jk={JK}&from=ja\n\n"
            "Unsubscribe: https://www.indeed.com/alert/unsubscribe?id=1\n"
        ),
    )
    (posting,) = IndeedParser().parse(message)
    assert (posting.guid, posting.title, posting.company, posting.location, posting.pay_text) == (
        f"indeed:{JK}",
        "Library Assistant",
        "Example Public Library",
        "Capital City, ST",
        "$18 an hour",
    )


def test_indeed_senders_are_recognised() -> None:
    message = read_message(eml("indeed.eml"))
    parser = IndeedParser()
    assert parser.recognises(message)
    assert parser.recognises(dataclasses.replace(message, sender="jobalerts-noreply@indeed.com"))
    assert not parser.recognises(dataclasses.replace(message, sender="alert@notindeed.example"))


def test_a_link_that_wraps_the_whole_card() -> None:
    card = (
        f'<a href="https://www.indeed.com/rc/clk?jk={JK}&from=ja"><table>'
        "<tr><td><h2>Night Auditor</h2></td></tr><tr><td>Grand Hotel</td></tr>"
        "<tr><td>Capital City, ST</td></tr><tr><td>$19 an hour</td></tr></table></a>"
    )
    message = dataclasses.replace(read_message(eml("indeed.eml")), html=card)
    (posting,) = IndeedParser().parse(message)
    assert (posting.title, posting.company, posting.location, posting.pay_text) == (
        "Night Auditor",
        "Grand Hotel",
        "Capital City, ST",
        "$19 an hour",
    )


def test_a_packed_tracker_token_is_read_locally() -> None:
    packed = gzip.compress(f'{{"u":"https://www.indeed.com/rc/clk?jk={JK}&from=ja"}}'.encode())
    token = base64.urlsafe_b64encode(packed).decode().rstrip("=")
    assert token.startswith("H4sI")
    assert job_key(f"https://cts.indeed.com/v3/{token}") == JK
    assert job_key("https://cts.indeed.com/v3/H4sIAAAAnotgzip") is None
    bomb = base64.urlsafe_b64encode(gzip.compress(b"0" * 10_000_000)).decode()
    assert job_key(f"https://cts.indeed.com/v3/{bomb}") is None  # bounded, and no key in it


def token(payload: dict[str, str], *, packed: bool) -> str:
    data = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(gzip.compress(data) if packed else data).decode().rstrip("=")


def test_tracker_tokens_plain_or_gzipped_with_a_signature_segment() -> None:
    viewjob = f"https://www.indeed.com/viewjob?jk={JK}&from=serp"
    for packed in (True, False):
        link = f"https://cts.indeed.com/v3/{token({'u': viewjob}, packed=packed)}/sig123"
        assert job_key(link) == JK
        assert job_target(link) == f"{VIEWJOB}{JK}"


def test_a_tracker_to_the_employers_page_gives_that_page_without_tracking() -> None:
    employer = "https://careers.contoso.example/jobs/42?utm_source=indeed&src=indeed"
    link = f"https://cts.indeed.com/v3/{token({'u': employer}, packed=True)}/sig"
    assert job_target(link) == "https://careers.contoso.example/jobs/42"
    assert job_key(link) is None
    assert job_target(f"https://cts.indeed.com/v1/click?url={quote(employer, safe='')}") == (
        "https://careers.contoso.example/jobs/42"
    )
    app_store = "https://apps.apple.com/app/indeed-job-search/id309735670"
    assert job_target(f"https://cts.indeed.com/v3/{token({'u': app_store}, packed=False)}") is None
    # Only the click tracker leads off Indeed: another page's redirect parameter does not.
    assert job_target(f"https://www.indeed.com/legal?next={quote(employer, safe='')}") is None


def test_a_single_job_match_mail() -> None:
    view_token = token({"u": f"https://www.indeed.com/rc/clk?jk={JK}"}, packed=True)
    apply_token = token({"u": f"https://www.indeed.com/viewjob?jk={JK}"}, packed=True)
    view = f"https://cts.indeed.com/v3/{view_token}/s1"
    apply = f"https://cts.indeed.com/v3/{apply_token}/s2"
    message = EmailMessage()
    message["From"] = "Indeed <donotreply@match.indeed.com>"
    message["Subject"] = "Pastry Assistant @ Example Bakery"
    message["Date"] = "Mon, 10 Aug 2026 07:00:00 +0000"
    message.set_content(
        "Hi Pat,\n\nYour baking experience could fit this role at Example Bakery.\n\n"
        "Pastry Assistant\nExample Bakery\nShelbyville ST1\n"
        "Salary: £21,000 - £24,000 a year\nJob type: Part-time\n\n"
        f"View job: {view}\nApply now: {apply}\n",
        cte="quoted-printable",
    )
    name, postings = parse_message(bytes(message))
    assert name == "indeed"
    assert [(p.guid, p.url, p.title, p.company, p.location, p.pay_text) for p in postings] == [
        (
            f"indeed:{JK}",
            f"{VIEWJOB}{JK}",
            "Pastry Assistant",
            "Example Bakery",
            "Shelbyville ST1",
            "Salary: £21,000 - £24,000 a year",
        )
    ]
