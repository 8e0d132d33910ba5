"""What `aggregate listings` writes: a listing as JSON, as a CSV row, as an Atom entry, as a
line or a page for the terminal. Listing text is data: escaped for each format, never markup."""

from __future__ import annotations

import csv
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from aggregator import __version__
from aggregator.notify.escaping import clean_text, one_line, safe_url
from aggregator.notify.render import format_pay, humanize_age
from aggregator.store.listing_queries import ListingDetail, SightingRecord, StoredListing
from aggregator.store.rows import JOB_FIELDS

__all__ = [
    "CSV_COLUMNS",
    "json_line",
    "listing_json",
    "show_lines",
    "summary_line",
    "write_atom",
    "write_csv",
    "write_jsonl",
]

ATOM_NS = "http://www.w3.org/2005/Atom"
CSV_COLUMNS = (
    "id", "title", "company", "location", "url", "status", "posted_at", "first_seen_at",
    "last_seen_at", "closed_at", *JOB_FIELDS, "tags", "sources", "urls", "reposted_from",
    "description",
)  # fmt: skip
# A cell a spreadsheet would run as a formula (OWASP's list): written with a leading '.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# JSON keeps every character, but these (C1 controls, bidi overrides, line separators) are
# written as \u escapes, so that a terminal showing the file never acts on them.
_JSON_UNSAFE_RE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")
# Besides what clean_text drops, the two non-characters XML 1.0 does not allow.
_XML_NONCHARACTERS_RE = re.compile("[\ufffe\uffff]")


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _sighting_json(sighting: SightingRecord) -> dict[str, Any]:
    return {
        "source": sighting.source,
        "external_id": sighting.external_id,
        "url": sighting.url,
        "first_seen_at": _moment(sighting.first_seen_at),
        "last_seen_at": _moment(sighting.last_seen_at),
        "closed_at": _moment(sighting.closed_at),
    }


def listing_json(item: StoredListing) -> dict[str, Any]:
    """A listing as a JSON object: every field, its sources and its sightings."""
    listing, job = item.listing, item.listing.job
    return {
        "id": listing.id,
        "title": listing.title,
        "url": listing.url,
        "company": listing.company,
        "location": listing.location,
        "description": listing.description,
        "tags": list(listing.tags),
        "posted_at": _moment(listing.posted_at),
        "first_seen_at": _moment(listing.first_seen_at),
        "last_seen_at": _moment(item.last_seen_at),
        "status": item.status,
        "closed_at": _moment(item.closed_at),
        "reposted_from": item.reposted_from,
        **{field: getattr(job, field) for field in JOB_FIELDS},
        "deadline": _moment(job.deadline),
        "sources": list(listing.sources),
        "sightings": [_sighting_json(sighting) for sighting in item.sightings],
    }


def json_line(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False)
    return _JSON_UNSAFE_RE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def write_jsonl(items: Iterable[StoredListing], out: TextIO) -> int:
    """One JSON object per line; returns how many listings were written."""
    count = 0
    for count, item in enumerate(items, start=1):  # noqa: B007 (the count is the result)
        out.write(json_line(listing_json(item)) + "\n")
    return count


def _cell(value: object) -> object:
    if not isinstance(value, str):
        return "" if value is None else value
    value = clean_text(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_row(item: StoredListing) -> list[object]:
    data = listing_json(item)
    data["tags"] = ", ".join(item.listing.tags)
    data["sources"] = ", ".join(item.listing.sources)
    data["urls"] = " ".join(dict.fromkeys(s.url for s in item.sightings if s.url))
    return [_cell(data[column]) for column in CSV_COLUMNS]


def write_csv(items: Iterable[StoredListing], out: TextIO) -> int:
    """A header row, then one row per listing; returns how many listings were written."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for count, item in enumerate(items, start=1):  # noqa: B007 (the count is the result)
        writer.writerow(_csv_row(item))
    return count


def _xml_text(value: str) -> str:
    return _XML_NONCHARACTERS_RE.sub("", clean_text(value))


def _child(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> None:
    element = ET.SubElement(parent, tag, {k: _xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _xml_text(text)


def _entry(item: StoredListing, feed_key: str) -> ET.Element:
    listing = item.listing
    entry = ET.Element("entry")
    _child(entry, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{feed_key}#{listing.id}')}")
    _child(entry, "title", one_line(listing.title) or f"listing {listing.id}", type="text")
    _child(entry, "updated", item.last_seen_at.isoformat())
    _child(entry, "published", listing.posted_at.isoformat())
    urls = [listing.url, *(sighting.url for sighting in item.sightings)]
    safe = list(dict.fromkeys(url for url in map(safe_url, urls) if url is not None))
    for index, url in enumerate(safe):  # the listing's own URL first, then every board's
        _child(entry, "link", rel="alternate" if index == 0 else "related", href=url)
    if listing.company:
        author = ET.SubElement(entry, "author")
        _child(author, "name", one_line(listing.company))
    for tag in listing.tags:
        if one_line(tag):
            _child(entry, "category", term=one_line(tag))
    _child(entry, "summary", summary_facts(item), type="text")
    _child(entry, "content", listing.description, type="text")
    return entry


def write_atom(items: Iterable[StoredListing], out: TextIO, *, feed_key: str, now: datetime) -> int:
    """An Atom feed, one entry per listing, written entry by entry (a large store streams);
    `feed_key` names the store, so ids stay the same from one export to the next."""
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(f'<feed xmlns="{ATOM_NS}">\n')
    head = ET.Element("head")
    _child(head, "id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, feed_key)}")
    _child(head, "title", "aggregator listings", type="text")
    _child(head, "updated", now.isoformat())
    author = ET.SubElement(head, "author")
    _child(author, "name", "aggregator")
    _child(head, "generator", "aggregator", version=__version__)
    for element in head:
        out.write(ET.tostring(element, encoding="unicode") + "\n")
    count = 0
    for count, item in enumerate(items, start=1):  # noqa: B007 (the count is the result)
        out.write(ET.tostring(_entry(item, feed_key), encoding="unicode") + "\n")
    out.write("</feed>\n")
    return count


def summary_facts(item: StoredListing) -> str:
    """Company, place, pay and boards, on one line: `Acme · Berlin · 50 EUR/hour · on a, b`."""
    listing = item.listing
    facts = [listing.company, listing.location, format_pay(listing.job)]
    facts.append(f"on {', '.join(listing.sources)}" if listing.sources else None)
    return " · ".join(one_line(fact) for fact in facts if fact and one_line(fact))


def summary_line(item: StoredListing, now: datetime) -> str:
    """`[12] Title · Acme · Berlin · pay · on a, b · 3 d ago` for `listings list`."""
    listing = item.listing
    status = "" if item.status == "open" else f" ({item.status})"
    facts = summary_facts(item)
    age = humanize_age(listing.posted_at, now)
    return (
        f"[{listing.id}] {one_line(listing.title)}{status} · {facts + ' · ' if facts else ''}{age}"
    )


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    return f"{value:%Y-%m-%d %H:%M} UTC ({humanize_age(value, now)})"


def _fields(item: StoredListing, now: datetime) -> list[tuple[str, object]]:
    listing, job = item.listing, item.listing.job
    closed = f" since {_when(item.closed_at, now)}" if item.closed_at else ""
    hours = (job.duration_min_hours, job.duration_max_hours)
    return [
        ("status", f"{item.status}{closed}"),
        ("company", listing.company),
        ("location", listing.location),
        ("url", listing.url),
        ("posted", _when(listing.posted_at, now)),
        ("first seen", _when(listing.first_seen_at, now)),
        ("last seen", _when(item.last_seen_at, now)),
        ("remote", job.remote),
        ("type", job.employment_type),
        ("pay", format_pay(job)),
        ("duration", job.duration and f"{job.duration} (hours {hours[0]}-{hours[1]})"),
        ("deadline", job.deadline and _when(job.deadline, now)),
        ("tags", ", ".join(listing.tags)),
        ("boards", ", ".join(listing.sources)),
        ("reposted from", item.reposted_from and f"listing {item.reposted_from}"),
    ]


def _sighting_lines(sighting: SightingRecord, now: datetime) -> list[str]:
    external = f" id {one_line(sighting.external_id)}" if sighting.external_id else ""
    url = f" <{one_line(sighting.url)}>" if sighting.url else ""
    state = f"closed {_when(sighting.closed_at, now)}" if sighting.closed_at else "open"
    why = sighting.merge_reason
    return [
        f"  [{sighting.id}] {one_line(sighting.source)}{external}{url}",
        f"      first seen {_when(sighting.first_seen_at, now)}, "
        f"last seen {_when(sighting.last_seen_at, now)}, {state}",
        f"      {'merged: ' + one_line(why) if why else 'made this listing'}",
    ]


def show_lines(detail: ListingDetail, now: datetime) -> Iterator[str]:
    """`listings show`: the fields, the sightings with why each joined, the rules matched, and
    the description; every text on its own terms (control characters dropped)."""
    item = detail.stored
    yield f"listing {item.listing.id}: {one_line(item.listing.title)}"
    for name, value in _fields(item, now):
        if value not in (None, ""):
            yield f"  {name}: {one_line(value)}"
    yield f"sightings ({len(item.sightings)}):"
    for sighting in item.sightings:
        yield from _sighting_lines(sighting, now)
    yield f"matched rules ({len(detail.matches)}):"
    for match in detail.matches:
        yield f"  {one_line(match.rule)}: {one_line(match.why)} ({_when(match.created_at, now)})"
    yield "description:"
    for line in clean_text(item.listing.description).splitlines() or [""]:
        yield f"  {line}"
