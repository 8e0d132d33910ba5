"""Remote OK's public JSON feed (`https://remoteok.com/api`): every job is remote."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field

from aggregator.adapters._json import (
    expect_list,
    expect_object,
    fetch_json,
    load_json,
    text,
    texts,
    with_query,
)
from aggregator.adapters.base import Adapter, AdapterOptions, FetchResult, FetchState
from aggregator.dates import from_epoch, from_iso
from aggregator.fetch.client import HttpClient
from aggregator.models import RawPosting

__all__ = ["ANTI_SPAM_RE", "RemoteOkAdapter", "RemoteOkOptions", "strip_anti_spam"]

NAME = "remoteok"
# Remote OK appends to every description, after `<br/><br/>`:
#   Please mention the word **WORD** and tag RMxx== when applying to show you read the job post
#   completely (#RMxx==). This is a beta feature to avoid spam applicants. Companies can search
#   these words to find applicants that read this and see they're human.
# The line holds no markup, so if its wording changes the match still stops at the next tag
# (or the end) instead of eating the description.
ANTI_SPAM_RE = re.compile(
    r"(?:\s*<br\s*/?>)*\s*Please mention the word\b[^<]{0,800}?"
    r"(?:they(?:'|’|&#0*39;|&#x0*27;|&apos;)re human\.?|(?=<)|$)",
    re.IGNORECASE,
)
# Some descriptions hold a literal backslash-n between tags (`</p>\\n<p>`), escaped twice.
_LITERAL_NEWLINE_RE = re.compile(r"(?<=>)\\n(?=<)")
# UTF-8 read as Latin-1 (`SÃ£o Paulo`, `Weâ\x80\x99d`): a lead byte's letter, then a
# continuation byte's.
_MOJIBAKE_RE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")


class RemoteOkOptions(AdapterOptions):
    tag: str | None = Field(None, min_length=1, description="only jobs with this tag (`?tag=`)")


class RemoteOkAdapter(Adapter[RemoteOkOptions]):
    """The Remote OK API: a list whose first element is the legal notice, then the jobs."""

    name: ClassVar[str] = NAME
    Options: ClassVar[type[AdapterOptions]] = RemoteOkOptions
    lists_whole_board: ClassVar[bool] = True

    async def fetch(self, client: HttpClient, state: FetchState) -> FetchResult:
        url = with_query(self.url, {"tag": self.options.tag})
        missing = "no API at this URL (the Remote OK API is https://remoteok.com/api)"
        return await fetch_json(self, client, state, url, missing=missing)

    def parse(self, body: bytes, *, url: str) -> list[RawPosting]:
        items = expect_list(load_json(body, adapter=NAME), adapter=NAME, path="$")
        records = [
            expect_object(item, adapter=NAME, path=f"$[{i}]") for i, item in enumerate(items)
        ]
        # The legal notice (element 0) has no position; neither have blank placeholder ads.
        return [_posting(record) for record in records if text(record.get("position"))]


def _posting(job: Mapping[str, Any]) -> RawPosting:
    pay_min, pay_max = _salary(job.get("salary_min")), _salary(job.get("salary_max"))
    has_pay = pay_min is not None or pay_max is not None
    return RawPosting(
        title=_text(job.get("position")) or "",
        guid=text(job.get("id")),
        url=text(job.get("url")) or text(job.get("apply_url")),
        company=_text(job.get("company")),
        location=_text(job.get("location")),
        description_html=_description(job.get("description")),
        tags=tuple(dict.fromkeys(texts(job.get("tags")))),
        posted_at=from_epoch(job.get("epoch"), unit="s") or from_iso(job.get("date")),
        remote=True,
        pay_min=pay_min,
        pay_max=pay_max,
        # Remote OK's salary filter and job pages are in US dollars a year.
        currency="USD" if has_pay else None,
        pay_period="year" if has_pay else None,
        extra={"slug": text(job.get("slug")), "apply_url": text(job.get("apply_url"))},
    )


def _description(value: object) -> str | None:
    description = _LITERAL_NEWLINE_RE.sub("\n", _text(value) or "")
    return strip_anti_spam(description) or None


def _text(value: object) -> str | None:
    """A text field, with doubly encoded UTF-8 repaired when the whole field is that."""
    found = text(value)
    if found is None or not _MOJIBAKE_RE.search(found):
        return found
    try:
        return found.encode("latin-1").decode("utf-8")
    except UnicodeError:  # not one consistent double encoding: leave it as the board sent it
        return found


def strip_anti_spam(description: str) -> str:
    """The description without Remote OK's "Please mention the word ..." line."""
    return ANTI_SPAM_RE.sub("", description).strip()


def _salary(value: object) -> float | None:
    """Salary bounds are numbers, where 0 means "not given"."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return float(value)
