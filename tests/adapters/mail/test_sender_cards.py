"""How the card reader (senders/_cards.py) finds the block of each job link in an alert."""

from __future__ import annotations

import re

from aggregator.adapters.mail.message import read_message
from aggregator.adapters.mail.senders import parse_message, sender_parsers
from aggregator.adapters.mail.senders._cards import (
    MAX_CARDS,
    Card,
    cards,
    company_and_location,
    html_cards,
    text_cards,
)
from tests.adapters.mail.alert_support import with_html

_JOB = re.compile(r"^https://jobs\.example\.com/(?:view/)?(\d+)")


def key_of(url: str) -> str | None:
    found = _JOB.match(url)
    return found.group(1) if found else None


def test_a_lone_jobs_card_stops_at_the_header_and_footer() -> None:
    markup = """<html><body><table>
    <tr><td><a href="https://example.com/"><img src="https://example.com/logo.png" alt="Logo"></a>
    Your daily alert</td></tr>
    <tr><td><div>Acme</div><div><a href="https://jobs.example.com/view/7?t=1">Data Intern</a></div>
    <div>Austin, TX</div></td></tr>
    <tr><td>You get this because you asked. <a href="https://example.com/u?x=1">Unsubscribe</a>
    Example Inc., 1 Main St, Springfield, IL</td></tr>
    </table></body></html>"""
    (card,) = html_cards(markup, key_of)
    assert (card.url, card.key, card.title) == (
        "https://jobs.example.com/view/7?t=1",
        "7",
        "Data Intern",
    )
    assert (card.before, card.after) == (("Acme",), ("Austin, TX",))


def test_buttons_never_title_a_card_nor_split_it() -> None:
    markup = """<table>
    <tr><td><a href="https://jobs.example.com/1"><img src="x.png"></a>
      <a href="https://jobs.example.com/1">Line Cook</a><p>Diner Co</p>
      <a href="https://jobs.example.com/1">Apply now</a></td></tr>
    <tr><td><a href="https://jobs.example.com/2">View job</a>
      <p>Second card without title</p></td></tr>
    </table>"""
    found = html_cards(markup, key_of)
    # A card whose only link is a button has no title: no posting. (Its text may join its
    # neighbour's lines: buttons do not fence cards, since a tracker may give a card's title
    # and its "Apply" button different links.)
    assert [(c.key, c.title) for c in found] == [("1", "Line Cook")]
    assert found[0].lines[0] == "Diner Co"


def test_tracker_links_named_like_footer_links_are_no_jobs() -> None:
    markup = """<div><p><a href="https://jobs.example.com/1">Help Desk Technician</a></p>
    <p><a href="https://jobs.example.com/2">Unsubscribe</a>
    <a href="https://jobs.example.com/3">Email preferences</a>
    <a href="https://jobs.example.com/4">See more jobs</a></p></div>"""
    assert [c.title for c in html_cards(markup, key_of)] == ["Help Desk Technician"]


def test_cards_are_capped() -> None:
    markup = "".join(
        f'<p><a href="https://jobs.example.com/{n}">Job {n}</a></p>' for n in range(MAX_CARDS + 50)
    )
    assert len(html_cards(markup, key_of)) == MAX_CARDS
    text = "\n\n".join(f"Job {n}\nhttps://jobs.example.com/{n}" for n in range(MAX_CARDS + 50))
    assert len(text_cards(text, key_of)) == MAX_CARDS


def test_opaque_html_links_fall_back_to_the_text_part() -> None:
    raw = with_html('<p><a href="https://track.example.net/c/xyz">Barista</a></p>', "a@example.com")
    message = read_message(raw)
    assert cards(message, key_of) == []
    text_message = type(message)(
        **{
            **{f: getattr(message, f) for f in message.__slots__},
            "text": "Barista\r\nBean Co\r\nhttps://jobs.example.com/9\r\n",
        }
    )
    (card,) = cards(text_message, key_of)
    assert (card.title, card.after, card.key) == ("Barista", ("Bean Co",), "9")


def test_text_lines_keep_angle_brackets_as_text() -> None:
    text = "<b>Chef</b> & <script>x</script>\nBistro\n<https://jobs.example.com/5>\n"
    (card,) = text_cards(text, key_of)
    assert (card.title, card.after) == ("<b>Chef</b> & <script>x</script>", ("Bistro",))


def test_messages_without_body_or_cards_give_nothing() -> None:
    senders = [
        "noreply@glassdoor.com",
        "alerts@ziprecruiter.com",
        "notifications@mail.joinhandshake.com",
        "notifications@parkerdewey.com",
        "donotreply@upwork.com",
        "team@hi.wellfound.com",
    ]
    for sender in senders:
        raw = with_html(
            "<html><body><p>No jobs today. <a href='https://example.com/'>Home</a></p></body></html>",
            sender,
        )
        message = read_message(raw)
        recognising = [p for p in sender_parsers() if p.recognises(message)]
        assert recognising, sender
        assert all(p.parse(message) == [] for p in recognising)
        assert parse_message(raw, only=[p.name for p in recognising]) == (None, [])
        empty = read_message(f"From: {sender}\r\nSubject: x\r\n\r\n".encode())
        assert all(p.parse(empty) == [] for p in recognising)


def test_deeply_nested_markup_is_read_within_bounds() -> None:
    job = '<p>Acme</p><p><a href="https://jobs.example.com/3">Welder</a></p><p>Remote</p>'
    footer = '<p><a href="https://example.com/unsubscribe">Unsubscribe</a> Example Inc.</p>'
    markup = "<div>" * 5000 + job + "</div>" * 5000 + footer
    (card,) = html_cards(markup, key_of)
    assert (card.title, card.before, card.after) == ("Welder", ("Acme",), ("Remote",))


def test_company_and_location_of_card_lines() -> None:
    def read(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[str | None, str | None]:
        return company_and_location(Card("https://jobs.example.com/1", "1", "Cook", before, after))

    assert read(("Acme Robotics 4.2 ★",), ("Austin, TX", "$20/hr", "3d")) == (
        "Acme Robotics",
        "Austin, TX",
    )
    assert read((), ("Acme, Inc · Springfield, IL",)) == ("Acme, Inc", "Springfield, IL")
    assert read((), ("Acme Diner", "Hybrid", "Posted today")) == ("Acme Diner", "Hybrid")
    assert read((), ("Acme Diner", "Downtown")) == ("Acme Diner", "Downtown")
    assert read((), ("Pay: $20/hr",)) == (None, None)
