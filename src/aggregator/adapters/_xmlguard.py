"""A bounded scan of an XML prolog that refuses entity tricks before any XML parser runs.

feedparser already strips a DOCTYPE's entity declarations and never fetches external ones
(tests/hostile prove it); this guard is the second wall, and turns such documents into a
clear error instead of a quietly odd parse. It refuses external entities (SYSTEM or PUBLIC,
the XXE family), parameter entities (`%name;`, which can pull in external DTDs) and entities
whose value refers to other entities (the "billion laughs" amplification). Plain entities such
as `<!ENTITY nbsp "&#160;">` are left alone; an external DTD in the DOCTYPE itself (RSS 0.91's
Netscape DTD) and W3C's named entity sets (`PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN"`)
are allowed, because they are never fetched.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["MAX_ENTITIES", "MAX_PROLOG_BYTES", "UnsafeXmlError", "check_prolog"]

MAX_PROLOG_BYTES = 1024 * 1024  # nothing past the first element, and never more than this
MAX_ENTITIES = 64
_DECLARATION_LIMIT = 4096  # one <!ENTITY ...> longer than this is refused unread
_FIRST_ELEMENT_RE = re.compile(rb"<[A-Za-z_]")
_ENTITY_RE = re.compile(rb"<!ENTITY\b", re.IGNORECASE)
_W3C_ENTITY_SET_RE = re.compile(rb'%\s+[\w.:-]+\s+PUBLIC\s+"-//W3C//ENTITIES [^"]*"')
_EXTERNAL_RE = re.compile(rb"\b(SYSTEM|PUBLIC)\b")
# A reference to another entity; the five predefined ones (and character references) are fine.
_REFERENCE_RE = re.compile(rb"%[A-Za-z_:]|&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z_:]")


class UnsafeXmlError(ValueError):
    """The document declares entities that could expand without bound or fetch a resource."""


def check_prolog(body: bytes) -> None:
    """Raise UnsafeXmlError if the part before the first element declares unsafe entities."""
    head = _utf8_head(body)
    if (first := _FIRST_ELEMENT_RE.search(head)) is not None:
        head = head[: first.start()]
    for count, found in enumerate(_ENTITY_RE.finditer(head), start=1):
        if count > MAX_ENTITIES:
            raise UnsafeXmlError(f"the document declares more than {MAX_ENTITIES} XML entities")
        _check_declaration(head[found.end() : found.end() + _DECLARATION_LIMIT])


def _check_declaration(rest: bytes) -> None:
    end = rest.find(b">")
    if end < 0:
        raise UnsafeXmlError("the document has an unterminated or oversized <!ENTITY> declaration")
    declaration = rest[:end].strip()
    name = declaration.split(None, 1)[0].decode("utf-8", "replace") if declaration else "?"
    if declaration.startswith(b"%"):
        if _W3C_ENTITY_SET_RE.match(declaration):
            return  # XHTML's Latin-1 or symbol set, named by its public id: harmless, not fetched
        raise UnsafeXmlError(
            "the document declares a parameter entity (refused: it can load a DTD)"
        )
    if _EXTERNAL_RE.search(declaration):
        raise UnsafeXmlError(
            f"the document declares the external XML entity {name!r} "
            "(refused: external entities are never fetched)"
        )
    if _REFERENCE_RE.search(declaration.split(None, 1)[-1]):
        raise UnsafeXmlError(
            f"the document declares the XML entity {name!r} in terms of other entities "
            "(refused: entity expansion is never done)"
        )


def _utf8_head(body: bytes) -> bytes:
    """The prolog as UTF-8 bytes, so a UTF-16 document cannot hide its declarations."""
    head = body[:MAX_PROLOG_BYTES]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "replace").encode("utf-8")
    if head.startswith(b"<\0"):
        return head.decode("utf-16-le", "replace").encode("utf-8")
    if head.startswith(b"\0<"):
        return head.decode("utf-16-be", "replace").encode("utf-8")
    return head
