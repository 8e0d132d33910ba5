"""Indeed job alerts (alert@indeed.com and other @indeed.com senders): job links unwrapped to
`https://www.indeed.com/viewjob?jk=<jk>`, the card's company, location and pay beside them.

No real Indeed alert is at hand: this follows the documented and commonly observed structure
(`/rc/clk?jk=`, `/pagead/clk?...&jk=`, `/viewjob?jk=` links and `cts.indeed.com` click
trackers that carry the destination, URL-encoded once or twice, in a query parameter or in a
gzip+base64url token; a card is the title link, then company, location, pay and a snippet).
A tracker whose job key cannot be read locally is never followed: the link is skipped.
"""

from __future__ import annotations

import base64
import re
import zlib
from typing import ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.adapters.mail.senders._common import (
    MAX_POSTINGS,
    card_lines,
    from_domain,
    host_of,
    html_tree,
    key_anchors,
    last_paragraph,
    markup,
    pay_in,
    text_blocks,
    url_fragment,
    via,
)
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS, shorten

__all__ = ["IndeedParser", "job_key"]

NAME = "indeed"
# indeed.com and its country sites (uk.indeed.com, indeed.co.uk, indeed.de, indeed.com.au).
_INDEED_HOST = re.compile(r"(?:^|\.)indeed\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")
_JK = re.compile(r"^[0-9a-fA-F]{16}$")
_JK_PACKED = re.compile(r"""\bv?jk["']?\s*[=:]\s*["']?([0-9a-fA-F]{16})(?![0-9a-fA-F])""")
_MAX_TOKEN_CHARS = 16_384
_JK_IN_TEXT = re.compile(r"[?&;](?:jk|vjk)=([0-9a-fA-F]{16})(?![0-9a-fA-F])")
_RATING = re.compile(r"\s+\d(?:[.,]\d)?\s*(?:★|\*|stars?)?$")
_NOISE = re.compile(
    r"^(?:easily apply|apply now|apply\b|responsive employer|urgently hiring|new$|new job$|"
    r"just posted|today$|\d+\+? days? ago|\d+ hours? ago|active \d+|posted \d+|"
    r"hiring multiple|view all jobs|see all jobs|see more jobs|more jobs\b|unsubscribe|"
    r"edit this alert|manage (?:your )?alerts|update your|privacy|terms|help$|indeed$|"
    r"sponsored$|promoted$|©|you are receiving|this (?:e-?mail|message) was sent|"
    r"you received this|\d+\+? new .{0,80}\bjobs?\b|jobs? for you|recommended jobs?|"
    r"job alert for\b|your job alert\b|jobs? (?:matching|like)\b)",
    re.IGNORECASE,
)


def job_key(url: str, depth: int = 3) -> str | None:
    """The job key (`jk`) of an Indeed job link or of a click tracker wrapping one (the
    destination in a query parameter, URL-encoded up to twice), else None."""
    if not _INDEED_HOST.search(host_of(url)):
        return None
    for key, value in _params(url):
        if key.lower() in ("jk", "vjk") and _JK.match(value):
            return value.lower()
    for _, value in _params(url):
        inner = value
        for _ in range(depth):  # a destination encoded once or twice more
            if inner.lower().startswith(("http://", "https://", "/")):
                break
            inner = unquote(inner)
        if inner.lower().startswith(("http://", "https://")) and depth > 1:
            found = job_key(inner, depth - 1)
            if found:
                return found
        elif (match := _JK_IN_TEXT.search(unquote(unquote(inner)))) is not None:
            return match.group(1).lower()  # a relative destination: `/rc/clk?jk=...`
    return _packed_key(url)


def _packed_key(url: str) -> str | None:
    """The job key inside a tracker token that is gzip in base64url (`/v3/H4sI...`, as
    cts.indeed.com links have been seen to be); decoded locally, bounded, never fetched."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    token = next((part for part in path.split("/") if part.startswith("H4sI")), None)
    if token is None or len(token) > _MAX_TOKEN_CHARS:
        return None
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        text = zlib.decompressobj(wbits=31).decompress(packed, _MAX_TOKEN_CHARS)
    except (ValueError, zlib.error):
        return None
    found = _JK_PACKED.search(unquote(text.decode("latin-1")))
    return found.group(1).lower() if found else None


def _params(url: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(urlsplit(url).query)
    except ValueError:
        return []


class IndeedParser(MailParser):
    """Indeed alerts; cards come from the HTML part, else from the text part."""

    name: ClassVar[str] = NAME

    def recognises(self, message: MailMessage) -> bool:
        return from_domain(message, ["indeed.com"]) or (
            "indeed" in message.sender and "jobalert" in message.sender
        )

    def parse(self, message: MailMessage) -> list[RawPosting]:
        cards = _html_cards(message.html) or _text_cards(message.text)
        return [
            RawPosting(
                title=markup(title) or "",
                guid=f"indeed:{jk}",
                url=f"https://www.indeed.com/viewjob?jk={jk}",
                company=markup(company),
                location=markup(location),
                description_html=markup(snippet),
                pay_text=pay,
                posted_at=message.date,
                extra=via(NAME),
            )
            for jk, title, company, location, pay, snippet in cards[:MAX_POSTINGS]
        ]


_Card = tuple[str, str, str | None, str | None, str | None, str | None]


def _is_noise(line: str) -> bool:
    return (
        bool(_NOISE.search(line))
        or "://" in line
        or url_fragment(line)
        or not any(ch.isalnum() for ch in line)
    )


def _card(jk: str, title: str, lines: list[str]) -> _Card | None:
    """A card from the lines beneath its title: "Company - Location" or company then location,
    a pay line anywhere, then the snippet (the first long line)."""
    title = shorten(" ".join(title.split()), MAX_TITLE_CHARS)
    if not title or _is_noise(title):
        return None
    pay = None
    kept: list[str] = []
    for line in lines:
        stated = pay_in(line)
        if stated is not None and pay is None and len(stated) >= len(line) - 20:
            pay = line.strip()
        elif line != title and not _is_noise(line):
            kept.append(line)
    snippet = next((line for line in kept[1:] if len(line) > 60), None)
    places = [line for line in kept if line is not snippet and len(line) <= 60]
    company = location = None
    if places and " - " in places[0]:
        company, _, location = (part.strip() for part in places[0].partition(" - "))
    elif places:
        company = places[0]
        location = places[1] if len(places) > 1 else None
    if company:
        company = _RATING.sub("", company) or company
    return jk, title, company or None, location or None, pay, snippet


def _html_cards(markup: str | None) -> list[_Card]:
    tree = html_tree(markup)
    if tree is None:
        return []
    cards = []
    for jk, (_, anchor) in key_anchors(tree, job_key, _is_noise).items():
        title, *rest = card_lines(anchor, job_key, jk)
        card = _card(jk, title, rest)
        if card is not None:
            cards.append(card)
    return cards


def _text_cards(text: str | None) -> list[_Card]:
    """Cards of the text part: the paragraph just above each job link."""
    cards = []
    for jk, _, lines in text_blocks(text, job_key):
        paragraph = last_paragraph(lines, _is_noise)
        if paragraph and (card := _card(jk, paragraph[0], paragraph[1:])) is not None:
            cards.append(card)
    return cards
