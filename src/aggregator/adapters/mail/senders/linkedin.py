"""LinkedIn job alerts (jobalerts-noreply@linkedin.com): cards of title, company and location,
each with a `/comm/jobs/view/<id>` link, in the text part and in the HTML part."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import ClassVar
from urllib.parse import urlsplit

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.adapters.mail.senders._common import (
    MAX_POSTINGS,
    card_lines,
    card_paragraph,
    from_domain,
    host_of,
    html_tree,
    key_anchors,
    markup,
    pay_in,
    text_blocks,
    url_fragment,
    via,
)
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS, shorten

__all__ = ["LinkedInParser", "job_id"]

NAME = "linkedin"
_JOB_PATH = re.compile(r"^/(?:comm/)?jobs/view/(?:[^/]*-)?(\d{6,20})(?:/|$)")
_SEPARATOR = re.compile(r"^[\s\-_=*·—–]+$")
# Lines of a card or of the mail around it that are no title, company or location.
_NOISE = re.compile(
    r"^(?:your job alert for\b|view job\b|see all jobs\b|see more jobs\b|"
    r"apply\b|easy apply$|promoted$|new$|viewed$|premium$|try premium|job search smarter|"
    r"manage (?:your )?(?:job )?alerts|unsubscribe|help:|help$|learn why we included this|"
    r"you are receiving|this email was intended for|©|linkedin and the linkedin logo|"
    r"top applicant|your profile matches|be an early applicant|be among the first|"
    r"fast growing$|stand out and let hirers know|"
    r"responses managed off linkedin|\d+\+? new jobs?\b|[\d,]+ (?:school |company )?alum|"
    r"[\d,]+ connections?\b|[\d,]+ applicants?\b)"
    r"|actively (?:hiring|recruiting)|new jobs? match|with resume & profile"
    r"|recommended for you|jobs? you may be interested in"
    r"|^<[a-z][^>]*>.*>$",  # a line of markup leaked into the text part (a section heading)
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Card:
    job_id: str
    title: str
    company: str | None = None
    location: str | None = None
    pay_text: str | None = None

    @property
    def filled(self) -> int:
        return sum(value is not None for value in (self.company, self.location))


def job_id(url: str) -> str | None:
    """The job id of a LinkedIn job link (`/comm/jobs/view/<id>`, `/jobs/view/<slug>-<id>`)."""
    host = host_of(url)
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return None
    try:
        found = _JOB_PATH.match(urlsplit(url).path)
    except ValueError:
        return None
    return found.group(1) if found else None


class LinkedInParser(MailParser):
    """LinkedIn alerts; the text and the HTML part are both read and their cards merged by job
    id (each fills what the other lacks), so either part alone suffices."""

    name: ClassVar[str] = NAME

    def recognises(self, message: MailMessage) -> bool:
        return from_domain(message, ["linkedin.com"])

    def parse(self, message: MailMessage) -> list[RawPosting]:
        cards = _merge(_text_cards(message.text), _html_cards(message.html))
        subject_pay = pay_in(message.subject)
        postings = []
        for index, card in enumerate(cards[:MAX_POSTINGS]):
            # The subject names the first card ("... at Acme: $25/hr"): its pay is that card's.
            pay = card.pay_text or (subject_pay if index == 0 else None)
            postings.append(
                RawPosting(
                    title=markup(card.title) or "",
                    guid=f"linkedin:{card.job_id}",
                    url=f"https://www.linkedin.com/jobs/view/{card.job_id}/",
                    company=markup(card.company),
                    location=markup(card.location),
                    pay_text=pay,
                    posted_at=message.date,
                    extra=via(NAME),
                )
            )
        return postings


def _merge(text: list[_Card], html: list[_Card]) -> list[_Card]:
    primary, other = (text, html) if len(text) >= len(html) else (html, text)
    others = {card.job_id: card for card in other}
    merged = []
    for card in primary:
        twin = others.pop(card.job_id, None)
        if twin is not None:
            card = _fill(card, twin)
        merged.append(card)
    return merged + list(others.values())


def _fill(card: _Card, twin: _Card) -> _Card:
    if twin.filled > card.filled:
        card, twin = twin, card
    return replace(
        card,
        company=card.company or twin.company,
        location=card.location or twin.location,
        pay_text=card.pay_text or twin.pay_text,
    )


def _is_noise(line: str) -> bool:
    return (
        bool(_NOISE.search(line))
        or bool(_SEPARATOR.match(line))
        or "://" in line
        or url_fragment(line)
    )


def _fields(lines: list[str], job: str) -> _Card | None:
    """A card from its lines (title first): a pay line is set aside; "Company · Location" on
    one line is split."""
    pay = None
    kept: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        stated = pay_in(line)
        if stated is not None and len(stated) >= len(line) - 12:  # a line that is the pay
            pay = pay or stated
        elif line and not _is_noise(line):
            kept.append(line)
    if not kept:
        return None
    title, rest = shorten(kept[0], MAX_TITLE_CHARS), kept[1:3]
    if rest and " · " in rest[0]:
        name, _, place = rest[0].partition(" · ")
        return _Card(job, title, name.strip() or None, place.strip() or None, pay)
    company = rest[0] if rest else None
    location = rest[1] if len(rest) > 1 else None
    return _Card(job, title, company, location, pay)


def _text_cards(text: str | None) -> list[_Card]:
    """Cards of the text part: the card's paragraph in the lines before each job link
    (insight lines and "View job:" follow it; headings and wrapped URL tails precede it)."""
    cards = []
    for found, _, lines in text_blocks(text, job_id):
        card = _fields(card_paragraph(lines, _is_noise), found)
        if card is not None:
            cards.append(card)
    return cards


def _html_cards(markup: str | None) -> list[_Card]:
    """Cards of the HTML part: the first job link with text is the title; the lines beneath it
    in its card (the element around it with no other job) are the rest."""
    tree = html_tree(markup)
    if tree is None:
        return []
    cards = []
    for found, (_, anchor) in key_anchors(tree, job_id, _is_noise).items():
        card = _fields(card_lines(anchor, job_id, found), found)
        if card is not None:
            cards.append(card)
    return cards
