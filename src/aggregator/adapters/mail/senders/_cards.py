"""Job cards of alert e-mails: each job link with the text lines of the block around it, for
the sender parsers (glassdoor ... wellfound) to read their fields from."""

from __future__ import annotations

import abc
import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import SplitResult, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.adapters.mail.senders._common import (
    from_domain,
    in_domains,
    markup,
    unwrap_redirect,
)
from aggregator.models import RawPosting
from aggregator.text import clean_text, html_to_text

__all__ = [
    "AGE_RE",
    "LOCATION_RE",
    "MAX_CARDS",
    "MONEY_RE",
    "Card",
    "CardParser",
    "KeyOf",
    "base_posting",
    "cards",
    "company_and_location",
    "first",
    "html_cards",
    "labelled",
    "link_on",
    "parts",
    "text_cards",
]

# An alert lists tens of jobs; more links than this are not an alert's cards.
MAX_CARDS = 200
# How far above its link a card's block is looked for: mail layouts nest tables, but not this
# deep (and a hostile message's thousand nested <div>s cost no more).
MAX_DEPTH = 64

# The job identity of a link (its id, or the link itself), None for a link that is no job.
KeyOf = Callable[[str], str | None]

# Button texts: they name an action, not the job, so they never become a title.
_ACTION_RE = re.compile(
    r"^(?:apply(?:\s+now)?|easy\s+apply|1-click\s+apply|quick\s+apply|view(?:\s+(?:job|details|"
    r"project|posting|more|role))?|see\s+(?:job|details|more|project)|learn\s+more|details|"
    r"save(?:\s+job)?|more|open|not\s+interested)\W*$",
    re.IGNORECASE,
)
# The links of a mail's header and footer (logo, unsubscribe, settings): the block around a
# job link stops short of them, so a lone job's card does not swallow the whole message.
_CHROME_RE = re.compile(
    r"unsubscribe|opt[-_ ]?out|preferences|settings|privacy|terms|help|support|manage|"
    r"notification|feedback|download|app\s?store|google\s?play|contact",
    re.IGNORECASE,
)
# The texts of footer links that go through the same opaque tracker as the jobs (ZipRecruiter's
# click links): whole-text matches only, so "Help Desk Technician" stays a job.
_CHROME_TEXT_RE = re.compile(
    r"^(?:unsubscribe\b.*|manage\s+(?:your\s+)?(?:job\s+)?(?:alerts?|preferences|settings|"
    r"subscriptions?)|(?:e-?mail\s+|notification\s+|alert\s+)?(?:preferences|settings)|"
    r"privacy(?:\s+policy)?|terms(?:\s+of\s+(?:use|service))?|help(?:\s+center)?|contact\s+us|"
    r"view\s+(?:this\s+e-?mail\s+)?(?:online|in\s+(?:your\s+)?browser)|"
    r"(?:see|view|browse|search)\s+(?:(?:all|more)(?:\s+\w+){0,3}\s+)?jobs)$",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s<>()\[\]\"']+", re.IGNORECASE)
_LINK_RE = re.compile(r"<?https?://[^\s<>()\[\]\"']+>?", re.IGNORECASE)  # with its <...> if any
_SEPARATOR_RE = re.compile(r"\s+[·•|—]\s+|\s*[·•]\s*")

MONEY_RE = re.compile(r"(?:[$€£₹]|\b(?:USD|EUR|GBP|CAD|AUD|INR)\b)\s?\d", re.IGNORECASE)
# "24h", "3d", "30d+", "2 days ago", "Just posted", "Posted today", "New".
AGE_RE = re.compile(
    r"^(?:\d{1,3}\s?[hdwm]\+?|\d{1,3}\+?\s?(?:minutes?|hours?|days?|weeks?|months?)\s+ago|"
    r"just\s+posted|new|today|yesterday|posted\b.*|active\b.*)$",
    re.IGNORECASE,
)
# "Remote", "Hybrid", "On-site", "Austin, TX", "Berlin, Germany", "Remote (US)"; not "Acme, Inc".
LOCATION_RE = re.compile(
    r"(?i:\b(?:remote|hybrid|on[- ]?site|in[- ]person|anywhere)\b)|"
    r"^[A-Z][\w.' -]{1,40},\s?(?!(?:Inc|LLC|Ltd|Corp|Co|GmbH|LLP|PLC|SA|AG)\b)"
    r"(?:[A-Z]{2}\b|[A-Z][a-z]+)"
)
_RATING_RE = re.compile(r"\s*\d\.\d\s*(?:★|☆|\*|stars?)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Card:
    """One job of an alert: its link (redirect unwrapped), its key (what KeyOf said), its
    title and the other text lines of its block, those above the title and those below."""

    url: str
    key: str
    title: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[str, ...]:
        return (*self.before, *self.after)


class CardParser(MailParser):
    """A sender whose alert is a list of cards, one around each job link, sent from `domains`:
    recognised by its From address, each card one posting."""

    domains: ClassVar[tuple[str, ...]]
    title_at: ClassVar[int] = 0  # see text_cards

    def recognises(self, message: MailMessage) -> bool:
        return from_domain(message, self.domains)

    def parse(self, message: MailMessage) -> list[RawPosting]:
        found = cards(message, self.card_key, title_at=self.title_at)
        return [self.card_posting(message, card) for card in found]

    @abc.abstractmethod
    def card_key(self, url: str) -> str | None:
        """What identifies the job a link leads to (its id), None for a link to no job."""

    @abc.abstractmethod
    def card_posting(self, message: MailMessage, card: Card) -> RawPosting:
        """The posting of one card."""


def link_on(url: str, domains: Iterable[str]) -> SplitResult | None:
    """`url` split, when its host is one of `domains` or a subdomain of one; else None."""
    try:
        split = urlsplit(url)
        host = (split.hostname or "").lower()
    except ValueError:
        return None
    return split if in_domains(host, domains) else None


def cards(message: MailMessage, key_of: KeyOf, *, title_at: int = 0) -> list[Card]:
    """The cards of the HTML part, else of the text part (a text-only alert, or an HTML part
    whose links are all opaque while the text part's are not); `title_at`: see text_cards."""
    found = html_cards(message.html, key_of) if message.html else []
    return found or (text_cards(message.text, key_of, title_at=title_at) if message.text else [])


def html_cards(markup: str, key_of: KeyOf) -> list[Card]:
    """One card per job key, in document order: the lead link is the key's first link with a
    title-like text; its card is the biggest block around it holding no other key's lead and
    no header or footer link."""
    root = LexborHTMLParser(markup).body
    if root is None:
        return []
    leads: dict[str, tuple[LexborNode, str, str]] = {}
    chrome: list[LexborNode] = []
    for node in root.css("a[href]"):
        href = (node.attributes.get("href") or "").strip()
        if not href.lower().startswith(("http://", "https://")):
            continue
        text = " ".join(node.text(separator=" ").split())
        target = unwrap_redirect(href)
        key = key_of(target)
        if key is None or _CHROME_TEXT_RE.match(text):
            if (key is not None or _is_chrome(target, text)) and len(chrome) < MAX_CARDS:
                chrome.append(node)
        elif key not in leads and text and not _ACTION_RE.match(text):
            leads[key] = (node, target, text)
            if len(leads) >= MAX_CARDS:
                break
    keys_under: dict[int, set[str]] = defaultdict(set)
    for key, (node, _, _) in leads.items():
        for ancestor in _ancestors(node):
            keys_under[ancestor.mem_id].add(key)
    fenced = {ancestor.mem_id for node in chrome for ancestor in _ancestors(node)}
    return [
        _card(_container(node, key, keys_under, fenced), key, url, title)
        for key, (node, url, title) in leads.items()
    ]


def text_cards(text: str, key_of: KeyOf, *, title_at: int = 0) -> list[Card]:
    """Cards of a text body: each paragraph (blank-line separated) holding a job link is one;
    its lines without links, the title line the one at `title_at` (1 where the company comes
    first) when the paragraph has that many."""
    found: dict[str, Card] = {}
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        link = next(
            (
                (url, key)
                for raw in _URL_RE.findall(block)
                if (key := key_of(url := unwrap_redirect(raw.rstrip(".,;:!?>")))) is not None
            ),
            None,
        )
        if link is None or link[1] in found:
            continue
        lines = [
            line
            for raw in block.splitlines()
            if (line := " ".join(_LINK_RE.sub(" ", clean_text(raw)).split()).strip(" :-"))
            and not _ACTION_RE.match(line)
        ]
        at = title_at if len(lines) > title_at else 0
        if lines and not _CHROME_TEXT_RE.match(lines[at]):
            found[link[1]] = Card(
                link[0], link[1], lines[at], tuple(lines[:at]), tuple(lines[at + 1 :])
            )
        if len(found) >= MAX_CARDS:
            break
    return list(found.values())


def base_posting(message: MailMessage, via: str, card: Card) -> RawPosting:
    """A posting of `card` with what every sender parser sets: title and the card's text as the
    description, both escaped (normalization reads them as HTML; listing text is data), the
    message date and where it came from."""
    # Ages ("24h", "2 days ago") are left out: normalization would read them as durations.
    lines = (" · ".join(p for p in parts([line]) if not AGE_RE.match(p)) for line in card.lines)
    description = "<br>".join(html.escape(line) for line in lines if line)
    return RawPosting(
        title=markup(card.title) or card.title,
        url=card.url,
        description_html=f"<p>{description}</p>" if description else None,
        posted_at=message.date,
        extra={"via": f"{via} alert e-mail"},
    )


def parts(lines: Iterable[str]) -> list[str]:
    """The lines split at the separators cards put between fields ("Acme · Austin, TX")."""
    return [part for line in lines for raw in _SEPARATOR_RE.split(line) if (part := raw.strip())]


def first(items: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    """The first item `pattern` finds something in."""
    return next((item for item in items if pattern.search(item)), None)


def labelled(lines: Iterable[str], *labels: str) -> str | None:
    """The value of the first "Label: value" line with one of `labels` (any case)."""
    wanted = tuple(label.casefold() for label in labels)
    for line in lines:
        label, colon, value = line.partition(":")
        if colon and label.strip().casefold() in wanted and value.strip():
            return value.strip()
    return None


def company_and_location(
    card: Card, skip: Sequence[re.Pattern[str]] = (), *, name_first: bool = False
) -> tuple[str | None, str | None]:
    """The company (the last plain line above the title, the first with `name_first` (a name
    above its tagline), else the first below the title; a trailing "4.2 ★" rating cut) and the
    location (the first place-like part, else the part after the company). Pay, age, labelled
    lines and parts matching `skip` are neither."""

    def plain(lines: Iterable[str]) -> list[str]:
        return [
            part
            for part in parts(lines)
            if not (MONEY_RE.search(part) or AGE_RE.match(part) or _is_labelled(part))
            and not any(pattern.search(part) for pattern in skip)
        ]

    above, below = plain(card.before), plain(card.after)
    if above:
        company: str | None = above[0] if name_first else above[-1]
    else:
        company = next((p for p in below if not LOCATION_RE.search(p)), None)
    rest = [p for p in (*above, *below) if p != company]
    location = first(rest, LOCATION_RE)
    if location is None:
        after = below[below.index(company) + 1 :] if company in below else below
        location = after[0] if after else None
    if company is not None:
        company = _RATING_RE.sub("", company).strip() or None
    return company, location


def _is_labelled(part: str) -> bool:
    label, colon, _ = part.partition(":")
    return bool(colon) and 0 < len(label) <= 24 and not label.strip().lower().startswith("http")


def _is_chrome(url: str, text: str) -> bool:
    path = urlsplit(url).path
    return path in ("", "/") or bool(_CHROME_RE.search(f"{text} {path}"))


def _ancestors(node: LexborNode) -> Iterable[LexborNode]:
    parent = node.parent
    for _ in range(MAX_DEPTH):
        if parent is None or parent.tag in ("body", "html", "-undef"):
            return
        yield parent
        parent = parent.parent


def _container(
    node: LexborNode, key: str, keys_under: dict[int, set[str]], fenced: set[int]
) -> LexborNode:
    container = node
    for ancestor in _ancestors(node):
        if keys_under[ancestor.mem_id] != {key} or ancestor.mem_id in fenced:
            break
        container = ancestor
    return container


def _card(container: LexborNode, key: str, url: str, title: str) -> Card:
    lines = [
        line
        for raw in html_to_text(container.html or "").splitlines()
        if (line := " ".join(raw.split())) and not _ACTION_RE.match(line)
    ]
    if title in lines:
        at = lines.index(title)
        return Card(url, key, title, tuple(lines[:at]), tuple(lines[at + 1 :]))
    return Card(url, key, title, (), tuple(lines))
