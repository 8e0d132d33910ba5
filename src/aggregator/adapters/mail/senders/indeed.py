"""Indeed job alerts (alert@indeed.com, donotreply@match.indeed.com and other @indeed.com
senders): job links unwrapped to `https://www.indeed.com/viewjob?jk=<jk>`, the card's company,
location and pay beside them.

No real Indeed alert is at hand: this follows the documented and commonly observed structure
(`/rc/clk?jk=`, `/pagead/clk?...&jk=`, `/viewjob?jk=` links; `cts.indeed.com` click trackers
that carry the destination URL-encoded once or twice in a query parameter, or in a path token
`/v3/<base64url of {"u": destination}>/<signature>`, gzipped or not; a card is the title link,
then company, location, pay and a snippet; a single-job match mail has the same lines above
its `View job:` link). A tracker that leads to the employer's own page gives that page (no
guid: Indeed's key is not in it); one whose destination cannot be read locally is never
followed: the link is skipped.
"""

from __future__ import annotations

import base64
import json
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
    strip_tracking,
    text_blocks,
    url_fragment,
    usable_url,
    via,
)
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS, shorten

__all__ = ["VIEWJOB", "IndeedParser", "job_key", "job_target"]

NAME = "indeed"
# indeed.com and its country sites (uk.indeed.com, indeed.co.uk, indeed.de, indeed.com.au).
_INDEED_HOST = re.compile(r"(?:^|\.)indeed\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")
_JK = re.compile(r"^[0-9a-fA-F]{16}$")
_JK_PACKED = re.compile(r"""\bv?jk["']?\s*[=:]\s*["']?([0-9a-fA-F]{16})(?![0-9a-fA-F])""")
_MAX_TOKEN_CHARS = 16_384
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
VIEWJOB = "https://www.indeed.com/viewjob?jk="
# Hosts a tracker may lead to that are no employer's page (the app stores, social media).
_JUNK = (
    "apple.com", "google.com", "facebook.com", "twitter.com", "x.com", "instagram.com",
    "youtube.com", "tiktok.com", "linkedin.com", "onelink.me",
)  # fmt: skip
_JK_IN_TEXT = re.compile(r"[?&;](?:jk|vjk)=([0-9a-fA-F]{16})(?![0-9a-fA-F])")
_RATING = re.compile(r"\s+\d(?:[.,]\d)?\s*(?:★|\*|stars?)?$")
_NOISE = re.compile(
    r"^(?:easily apply|apply now|apply\b|responsive employer|urgently hiring|new$|new job$|"
    r"just posted|today$|\d+\+? days? ago|\d+ hours? ago|active \d+|posted \d+|"
    r"hiring multiple|view (?:this )?job\b|see job\b|view all jobs|see all jobs|"
    r"see more jobs|more jobs\b|unsubscribe|"
    r"edit this alert|manage (?:your )?alerts|update your|privacy|terms|help$|indeed$|"
    r"sponsored$|promoted$|©|you are receiving|this (?:e-?mail|message) was sent|"
    r"you received this|\d+\+? new .{0,80}\bjobs?\b|jobs? for you|recommended jobs?|"
    r"job alert for\b|your job alert\b|jobs? (?:matching|like)\b)",
    re.IGNORECASE,
)


def job_key(url: str) -> str | None:
    """The job key (`jk`) of an Indeed job link or of a click tracker wrapping one, else None."""
    target = job_target(url)
    return target.removeprefix(VIEWJOB) if target and target.startswith(VIEWJOB) else None


def job_target(url: str, depth: int = 3) -> str | None:
    """Where an Indeed link leads, read from the link alone: `viewjob?jk=<jk>` for a job key
    in it or in the destination a tracker wraps (a query parameter URL-encoded up to twice,
    or a base64url token, gzipped or not); the employer's own page when a cts.indeed.com
    tracker wraps one; None for other links (search, settings, opaque tokens)."""
    host = host_of(url)
    if not _INDEED_HOST.search(host):
        return None
    for key, value in _params(url):
        if key.lower() in ("jk", "vjk") and _JK.match(value):
            return VIEWJOB + value.lower()
    tracker = host.startswith("cts.")
    for _, value in _params(url):
        inner = value
        for _ in range(depth):  # a destination encoded once or twice more
            if inner.lower().startswith(("http://", "https://", "/")):
                break
            inner = unquote(inner)
        if inner.lower().startswith(("http://", "https://")):
            if (found := _destination(inner, depth, tracker=tracker)) is not None:
                return found
        elif (match := _JK_IN_TEXT.search(unquote(unquote(inner)))) is not None:
            return VIEWJOB + match.group(1).lower()  # a relative destination: `/rc/clk?jk=...`
    return _token_target(url, depth) if tracker else None


def _destination(url: str, depth: int, *, tracker: bool) -> str | None:
    if _INDEED_HOST.search(host_of(url)):
        return job_target(url, depth - 1) if depth > 1 else None
    usable = usable_url(url)
    host = host_of(url)
    if not tracker or usable is None or any(host == j or host.endswith(f".{j}") for j in _JUNK):
        return None
    return strip_tracking(usable)


def _token_target(url: str, depth: int) -> str | None:
    """The destination inside a cts.indeed.com token (`/v3/<base64url of {"u": ...}>/<sig>`,
    gzipped when it starts `H4sI`), decoded locally and bounded, never fetched."""
    text = _token_text(url)
    if text is None:
        return None
    if (found := _JK_PACKED.search(unquote(text))) is not None:
        return VIEWJOB + found.group(1).lower()
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    inner = next((v for k in ("u", "url", "dest") if isinstance(v := data.get(k), str)), None)
    return _destination(inner, depth, tracker=True) if inner else None


def _token_text(url: str) -> str | None:
    try:
        segments = urlsplit(url).path.split("/")
    except ValueError:
        return None
    for token in segments:
        if len(token) < 16 or len(token) > _MAX_TOKEN_CHARS or not _BASE64URL.match(token):
            continue
        try:
            packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            if token.startswith("H4sI"):  # gzip's magic number in base64
                packed = zlib.decompressobj(wbits=31).decompress(packed, _MAX_TOKEN_CHARS)
        except (ValueError, zlib.error):
            continue
        text = packed.decode("utf-8", "replace")
        if text.lstrip().startswith("{") or "jk=" in text:
            return text
    return None


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
                guid=f"indeed:{url.removeprefix(VIEWJOB)}" if url.startswith(VIEWJOB) else None,
                url=url,
                company=markup(company),
                location=markup(location),
                description_html=markup(snippet),
                pay_text=pay,
                posted_at=message.date,
                extra=via(NAME),
            )
            for url, title, company, location, pay, snippet in cards[:MAX_POSTINGS]
        ]


_Card = tuple[str, str, str | None, str | None, str | None, str | None]


def _is_noise(line: str) -> bool:
    return (
        bool(_NOISE.search(line))
        or "://" in line
        or url_fragment(line)
        or not any(ch.isalnum() for ch in line)
    )


def _card(target: str, title: str, lines: list[str]) -> _Card | None:
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
    return target, title, company or None, location or None, pay, snippet


def _html_cards(markup: str | None) -> list[_Card]:
    tree = html_tree(markup)
    if tree is None:
        return []
    cards = []
    for target, (_, anchor) in key_anchors(tree, job_target, _is_noise).items():
        title, *rest = card_lines(anchor, job_target, target)
        card = _card(target, title, rest)
        if card is not None:
            cards.append(card)
    return cards


def _text_cards(text: str | None) -> list[_Card]:
    """Cards of the text part: the paragraph just above each job link."""
    cards = []
    for target, _, lines in text_blocks(text, job_target):
        paragraph = last_paragraph(lines, _is_noise)
        if paragraph and (card := _card(target, paragraph[0], paragraph[1:])) is not None:
            cards.append(card)
    return cards
