"""Company and title normalization."""

from __future__ import annotations

import pytest

from aggregator.merge.folding import fold
from aggregator.merge.names import normalize_company, split_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme Robotics, Inc.", "acme robotics"),
        ("ACME GmbH & Co. KG", "acme"),
        ("The Acme Corp.", "acme"),
        ("Acme.io", "acme"),
        ("Acme Ltd", "acme"),
        ("Acme LLC", "acme"),
        ("Pallas & Finch GmbH", "pallas and finch"),
        ("Müller Bäckerei AG", "muller backerei"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_company(raw: str | None, expected: str | None) -> None:
    assert normalize_company(raw) == expected


def test_fold() -> None:
    assert fold("München & Köln!") == "munchen and koln"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize(
    ("raw", "title", "seniority", "team"),
    [
        ("Sr. Software Eng.", "software engineer", "senior", None),
        ("Senior Software Engineer", "software engineer", "senior", None),
        ("Jr. Backend Developer", "backend developer", "junior", None),
        ("Software Engineer II", "software engineer", "2", None),
        ("Software Engineer 2", "software engineer", "2", None),
        ("Data Analyst, Marketing", "data analyst", None, "marketing"),
        ("Data Analyst - Finance", "data analyst", None, "finance"),
        ("Product Manager (m/w/d)", "product manager", None, None),
        ("Front-end Developer", "frontend developer", None, None),
        ("Front End Developer", "frontend developer", None, None),
        ("Head of Marketing", "marketing", "head", None),
        ("Backend Engineer (Go)", "backend engineer", None, "go"),
    ],
)
def test_split_title_levels_and_teams(
    raw: str, title: str, seniority: str | None, team: str | None
) -> None:
    parts = split_title(raw, None)
    assert (parts.title, parts.seniority, parts.team) == (title, seniority, team)


@pytest.mark.parametrize(
    ("raw", "company", "places"),
    [
        ("[Hiring] 🚀 Senior Backend Engineer - Remote, US", None, ("Remote, US",)),
        ("Backend Engineer (Remote)", None, ("Remote",)),
        ("Acme: Backend Engineer", "acme", ()),
        ("Acme | Backend Engineer | Berlin | €80k | Full-time", "acme", ("Berlin",)),
        ("Backend Engineer at Acme (Berlin)", "acme", ("Berlin",)),
        ("Acme is hiring a Backend Engineer! Munich", "acme", ("Munich",)),
        ("Backend Engineer in Munich", None, ("Munich",)),
    ],
)
def test_split_title_company_and_place(
    raw: str, company: str | None, places: tuple[str, ...]
) -> None:
    parts = split_title(raw, None)
    assert parts.title == "backend engineer"
    assert parts.company == company
    assert tuple(p.strip() for p in parts.places) == places


def test_senior_and_plain_titles_keep_their_difference() -> None:
    assert (
        split_title("Senior X Engineer", None).seniority
        != split_title("X Engineer", None).seniority
    )
