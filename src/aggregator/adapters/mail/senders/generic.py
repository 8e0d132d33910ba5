"""The fallback sender parser: any message, its job-like links with their anchor text (a
link whose path, host or text looks like a job), deduplicated by URL without tracking."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlsplit

from aggregator.adapters.mail.message import MailMessage
from aggregator.adapters.mail.senders import MailParser
from aggregator.adapters.mail.senders._common import (
    MAX_POSTINGS,
    host_of,
    html_tree,
    markup,
    node_text,
    strip_tracking,
    text_links,
    unwrap_redirect,
    usable_url,
    via,
)
from aggregator.models import RawPosting
from aggregator.text import MAX_TITLE_CHARS, shorten

__all__ = ["GenericParser", "looks_like_job"]

NAME = "generic"
# Links read at most per message before the cap on postings: a message of 10,000 links costs
# a bounded amount of work.
MAX_LINKS = 2_000
_JOB_PATH = re.compile(
    r"/(?:jobs?|careers?|positions?|openings?|vacanc(?:y|ies)|opportunit(?:y|ies)|"
    r"internships?|gigs?|apply|viewjob|job-details|jobdetails|postings?|requisitions?)"
    r"(?:[/_.-]|$)",
    re.IGNORECASE,
)
_JOB_PARAMS = ("gh_jid", "jk", "jobid", "job_id", "jid", "jobreqid", "req_id", "posting_id")
_ATS_HOSTS = (
    "lever.co", "greenhouse.io", "ashbyhq.com", "workable.com", "smartrecruiters.com",
    "myworkdayjobs.com", "recruitee.com", "teamtailor.com", "personio.de", "personio.com",
    "bamboohr.com", "jobvite.com", "icims.com", "breezy.hr", "jazzhr.com", "applytojob.com",
    "wellfound.com", "joinhandshake.com", "parkerdewey.com", "rippling-ats.com",
)  # fmt: skip
_JOB_WORDS = re.compile(
    r"\b(?:intern(?:ship)?s?|job|jobs|position|vacancy|opening|hiring|role|engineer|developer|"
    r"analyst|designer|scientist|assistant|coordinator|specialist|associate|consultant|"
    r"technician|gig|freelance|micro-internship)\b",
    re.IGNORECASE,
)
# Links that are no posting, by a whole path segment or the file they name.
_NOT_JOB_PATH = re.compile(
    r"(?:^|/)(?:unsubscribe|opt-?out|preferences|privacy|terms|settings|notifications?|login|"
    r"log-?in|sign-?in|account|password|help|support|feedback|share|pixel|beacon|open|track)"
    r"(?:/|$|\.[a-z]{2,5}$)|unsubscribe|\.(?:png|jpe?g|gif|svg|webp|ico|css|js)$",
    re.IGNORECASE,
)
_NOT_JOB_TEXT = re.compile(
    r"^(?:unsubscribe|opt out|manage (?:your )?(?:preferences|alerts?|subscriptions?|settings)|"
    r"(?:e-?mail |update (?:your )?|notification )?(?:preferences|settings)|privacy|terms|help|"
    r"contact us|view (?:this e-?mail |it )?in (?:your |a )?browser|forward to a friend)",
    re.IGNORECASE,
)
# Anchor texts that are buttons, not titles.
_BUTTONS = re.compile(
    r"^(?:view|see|apply|read|learn|click|open|more|details|here|go|continue)\b.{0,20}$",
    re.IGNORECASE,
)


def looks_like_job(url: str, text: str) -> bool:
    """Whether a link is job-like by its path, query, host or anchor text, and no
    unsubscribe, settings, image or tracking-pixel link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if _NOT_JOB_PATH.search(parts.path) or _NOT_JOB_TEXT.search(text):
        return False
    host = host_of(url)
    return bool(
        _JOB_PATH.search(parts.path)
        or any(f"{name}=" in parts.query.lower() for name in _JOB_PARAMS)
        or any(host == ats or host.endswith(f".{ats}") for ats in _ATS_HOSTS)
        or _JOB_WORDS.search(text)
    )


class GenericParser(MailParser):
    """Every message (lowest priority): what no sender's own parser claimed."""

    name: ClassVar[str] = NAME
    priority: ClassVar[int] = 0

    def recognises(self, message: MailMessage) -> bool:
        return True

    def parse(self, message: MailMessage) -> list[RawPosting]:
        found: dict[str, str] = {}  # url without tracking -> title
        for href, text in _links(message)[:MAX_LINKS]:
            url = _destination(href)
            title = shorten(" ".join(text.split()), MAX_TITLE_CHARS)
            if url is None or not title or _BUTTONS.match(title) or not looks_like_job(url, title):
                continue
            key = strip_tracking(url)
            if key not in found:
                if len(found) >= MAX_POSTINGS:
                    break
                found[key] = title
        return [
            RawPosting(title=markup(title) or "", url=url, posted_at=message.date, extra=via(NAME))
            for url, title in found.items()
        ]


def _destination(href: str) -> str | None:
    """The link's target, redirectors (`?url=https://...`) unwrapped without any request."""
    url = usable_url(href)
    try:
        return usable_url(unwrap_redirect(url)) if url else None
    except ValueError:  # a wrapped URL that urlsplit refuses (a broken IPv6 host)
        return url


def _links(message: MailMessage) -> list[tuple[str, str]]:
    """The links of the HTML part with their anchor text, else those of the text part with
    the text before them on their line (or the line above)."""
    tree = html_tree(message.html)
    if tree is not None:
        links = []
        for node in tree.css("a[href]"):
            links.append(((node.attributes.get("href") or "").strip(), node_text(node)))
            if len(links) >= MAX_LINKS:
                break
        if links:
            return links
    lines = (message.text or "").splitlines()
    links = []
    for link in text_links(message.text)[:MAX_LINKS]:
        before = link.before
        if len(before) < 3 and link.line > 0:
            before = lines[link.line - 1].strip()
        links.append((link.url, "" if "://" in before else before))
    return links
