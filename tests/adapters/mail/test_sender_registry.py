"""The sender parsers declared in pyproject load, and the six card parsers (glassdoor ...
wellfound) recognise their own senders only."""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points

import pytest

from aggregator.adapters.mail.message import read_message
from aggregator.adapters.mail.senders import (
    ENTRY_POINT_GROUP,
    MailParser,
    parse_message,
    sender_parsers,
)
from tests.adapters.mail.alert_support import FIXTURES, fixture, with_html
from tests.support.shared import REPO

CARD_PARSERS = ("glassdoor", "ziprecruiter", "handshake", "parkerdewey", "upwork", "wellfound")
# One job link of each of the six senders' forms.
LINKS = [
    "https://www.glassdoor.com/partner/jobListing.htm?jobListingId=1009876543210",
    "https://www.ziprecruiter.com/ekm/AAAC9zLTQyMWFkOGVlZWRmYzBhZjRi",
    "https://app.joinhandshake.com/jobs/9876543",
    "https://www.parkerdewey.com/micro-internships/projects/48213",
    "https://www.upwork.com/jobs/~01a2b3c4d5e6f7a8b9",
    "https://wellfound.com/jobs/2948123-founding-frontend-engineer",
]


def _declared() -> dict[str, str]:
    with (REPO / "pyproject.toml").open("rb") as file:
        table: dict[str, str] = tomllib.load(file)["project"]["entry-points"][ENTRY_POINT_GROUP]
    return table


def test_every_declared_parser_is_installed_and_loads() -> None:
    installed = {point.name: point for point in entry_points(group=ENTRY_POINT_GROUP)}
    declared = _declared()
    assert set(CARD_PARSERS) <= set(declared)
    missing = set(declared) - set(installed)
    assert not missing, f"declared but not installed (re-run pip install -e .): {missing}"
    for name, target in declared.items():
        assert installed[name].value == target
        loaded = installed[name].load()
        assert isinstance(loaded, type), name
        assert issubclass(loaded, MailParser), name
        assert loaded.name == name
    assert set(declared) <= {parser.name for parser in sender_parsers()}


@pytest.mark.parametrize("name", CARD_PARSERS)
def test_each_fixture_is_recognised_by_its_own_parser_only(name: str) -> None:
    (path,) = FIXTURES.glob(f"{name}_*.eml")
    message = read_message(fixture(path.name))
    recognising = {
        p.name for p in sender_parsers() if p.name in CARD_PARSERS and p.recognises(message)
    }
    assert recognising == {name}


@pytest.mark.parametrize(
    "sender",
    [
        "Jobs <jobs@example.com>",
        "noreply@glassdoor.com.example.net",
        "alerts@notziprecruiter.com",
        "upwork.com@example.org",
        "",
    ],
)
def test_an_unknown_sender_is_not_recognised(sender: str) -> None:
    markup = "".join(
        f'<p><a href="{link}">Data Analyst Intern {n}</a></p>' for n, link in enumerate(LINKS)
    )
    raw = with_html(f"<html><body>{markup}</body></html>", sender)
    message = read_message(raw)
    assert not [
        p.name for p in sender_parsers() if p.name in CARD_PARSERS and p.recognises(message)
    ]
    assert parse_message(raw, only=CARD_PARSERS) == (None, [])
