"""ATS ids from every URL shape the boards use; tracking never matters."""

from __future__ import annotations

import pytest

from aggregator.merge.ats_ids import ats_id_of_url, ats_ids_of_urls, job_key, urls_in_text

UUID = "6d5cbe7f-e551-4ae1-b052-08a48f651993"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://boards.greenhouse.io/acme/jobs/4012345", "greenhouse:acme:4012345"),
        ("https://job-boards.greenhouse.io/acme/jobs/4012345?gh_src=x1", "greenhouse:acme:4012345"),
        (
            "https://boards.eu.greenhouse.io/acme/jobs/4012345?utm_source=a",
            "greenhouse:acme:4012345",
        ),
        ("https://acme.example/careers/job?gh_jid=4012345&utm_medium=x", "greenhouse::4012345"),
        (
            "https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345",
            "greenhouse:acme:4012345",
        ),
        ("https://boards.greenhouse.io/embed/job_app?token=4012345&ref=S", "greenhouse::4012345"),
        ("https://boards-api.greenhouse.io/v1/boards/acme/jobs/4012345", "greenhouse:acme:4012345"),
        (f"https://jobs.lever.co/acme/{UUID}", f"lever:acme:{UUID}"),
        (f"https://jobs.lever.co/acme/{UUID.upper()}/apply?lever-source=HN", f"lever:acme:{UUID}"),
        (f"https://jobs.ashbyhq.com/acme/{UUID}/application", f"ashby:acme:{UUID}"),
        (
            "https://apply.workable.com/acme-ltd/j/CADD57CDA5/?utm_source=S",
            "workable:acme-ltd:CADD57CDA5",
        ),
        (
            "https://jobs.smartrecruiters.com/AcmeCo/743999912345-data-analyst",
            "smartrecruiters:acmeco:743999912345",
        ),
        (
            "https://acme.recruitee.com/o/backend-engineer-2/c/new",
            "recruitee:acme:backend-engineer-2",
        ),
        ("https://www.linkedin.com/jobs/view/4441092711/", "linkedin::4441092711"),
        (
            "https://www.linkedin.com/comm/jobs/view/4441092711/?trackingId=R&refId=R",
            "linkedin::4441092711",
        ),
        (
            "https://www.linkedin.com/jobs/view/backend-engineer-at-acme-4441092711",
            "linkedin::4441092711",
        ),
        ("https://de.indeed.com/viewjob?jk=0123456789abcdef&from=serp", "indeed::0123456789abcdef"),
    ],
)
def test_ats_id_of_url(url: str, expected: str) -> None:
    assert ats_id_of_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://boards.greenhouse.io/acme",
        "https://jobs.lever.co/acme",
        "https://remoteok.com/remote-jobs/remote-backend-engineer-1059249",
        "https://news.ycombinator.com/item?id=123",
        "https://www.linkedin.com/comm/jobs/search?keywords=x",
        "not a url",
        "https://[broken",
    ],
)
def test_no_ats_id(url: str) -> None:
    assert ats_id_of_url(url) is None


def test_careers_page_and_board_share_a_job_key() -> None:
    board = ats_id_of_url("https://boards.greenhouse.io/acme/jobs/4012345")
    careers = ats_id_of_url("https://acme.example/jobs?gh_jid=4012345")
    assert board is not None
    assert careers is not None
    assert job_key(board) == job_key(careers) == "greenhouse:4012345"


def test_recruitee_slugs_are_per_company() -> None:
    a = ats_id_of_url("https://acme.recruitee.com/o/designer")
    b = ats_id_of_url("https://zeta.recruitee.com/o/designer")
    assert a is not None
    assert b is not None
    assert job_key(a) != job_key(b)


def test_urls_in_html_and_text_and_deduplicated_ids() -> None:
    html = f'<a href="https://jobs.lever.co/acme/{UUID}?lever-source=x">apply</a>, or https://jobs.lever.co/acme/{UUID}.'
    urls = urls_in_text(html)
    assert len(urls) == 2
    assert ats_ids_of_urls(urls) == (f"lever:acme:{UUID}",)
