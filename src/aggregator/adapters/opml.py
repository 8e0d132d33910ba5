"""Reading an OPML subscription list: the feed URL (`xmlUrl`) of every outline, nested or not.

The document passes the project's entity guard (`_xmlguard`) before expat sees it, and is read
as a stream of events with its depth and outline count capped, so a hostile file is refused
with one line instead of expanding, fetching or recursing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import cast

from aggregator.adapters._xmlguard import UnsafeXmlError, check_prolog

__all__ = ["MAX_OPML_BYTES", "MAX_OUTLINES", "Opml", "OpmlError", "Outline", "read_opml"]

MAX_OPML_BYTES = 8 * 1024 * 1024  # a reader's export of thousands of feeds is well under this
MAX_OUTLINES = 10_000
MAX_DEPTH = 64  # folders in folders: real files nest two or three levels
_CHUNK = 64 * 1024


class OpmlError(ValueError):
    """The document is not an OPML file that can be read safely."""


@dataclass(frozen=True, slots=True)
class Outline:
    """One feed: its URL and the title the list gives it (`title`, else `text`)."""

    url: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Opml:
    """The feeds in document order, and why other outlines gave no feed."""

    feeds: tuple[Outline, ...]
    without_url: int  # outlines with neither xmlUrl nor child outlines
    not_http: tuple[str, ...]  # xmlUrl values that are not http(s) URLs


def read_opml(body: bytes) -> Opml:
    """The feeds of an OPML document (OpmlError: too big, unsafe, not XML or not OPML)."""
    if len(body) > MAX_OPML_BYTES:
        raise OpmlError(f"the OPML file is over {MAX_OPML_BYTES // (1024 * 1024)} MiB; refused")
    try:
        check_prolog(body)
    except UnsafeXmlError as exc:
        raise OpmlError(f"refused: {exc}") from None
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    walk = _Walk()
    try:
        # In chunks, so that a refusal (depth, count) comes before the rest is parsed.
        for start in range(0, len(body), _CHUNK):
            parser.feed(body[start : start + _CHUNK])
            walk.take(parser)
        parser.close()
        walk.take(parser)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if walk.root != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{walk.root or '?'}>")
    return Opml(tuple(walk.feeds), walk.without_url, tuple(walk.not_http))


class _Walk:
    """The state of one pass over the parser's events."""

    def __init__(self) -> None:
        self.root: str | None = None
        self.feeds: list[Outline] = []
        self.without_url = 0
        self.not_http: list[str] = []
        self.depth = 0
        self.outlines = 0
        # Per open outline: whether it had an xmlUrl or a child outline.
        self._open: list[bool] = []

    def take(self, parser: ET.XMLPullParser[ET.Element]) -> None:
        for found in parser.read_events():
            event, element = cast(tuple[str, object], found)
            if not isinstance(element, ET.Element):
                continue  # only start and end events are asked for: they carry elements
            if event == "start":
                self._start(element)
            else:
                self._end(element)

    def _start(self, element: ET.Element) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise OpmlError(f"the OPML file nests more than {MAX_DEPTH} levels deep; refused")
        name = _local(element.tag)
        if self.root is None:
            self.root = name
            if name != "opml":
                raise OpmlError(f"not an OPML file: the root element is <{name}>")
        if name != "outline":
            return
        self.outlines += 1
        if self.outlines > MAX_OUTLINES:
            raise OpmlError(f"the OPML file has more than {MAX_OUTLINES} outlines; refused")
        if self._open:
            self._open[-1] = True  # the parent is a folder
        self._open.append(self._feed(element))

    def _end(self, element: ET.Element) -> None:
        self.depth -= 1
        if _local(element.tag) == "outline" and self._open and not self._open.pop():
            self.without_url += 1
        element.clear()  # nothing read is kept: the file's size is all the memory it costs

    def _feed(self, element: ET.Element) -> bool:
        attrs = {key.lower(): value for key, value in element.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if not url:
            return False
        if url.lower().startswith(("http://", "https://")):
            title = (attrs.get("title") or attrs.get("text") or "").strip()
            self.feeds.append(Outline(url, title or None))
        else:
            self.not_http.append(url[:100])
        return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()
