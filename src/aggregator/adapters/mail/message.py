"""One e-mail message as the sender parsers see it: headers, the text and the HTML body."""

from __future__ import annotations

import email.utils
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesParser

from aggregator.adapters.mail.decoding import decode_bytes, decode_header, decode_qp
from aggregator.text import clean_text

__all__ = ["MAX_PART_CHARS", "MailMessage", "read_message"]

# A body part longer than this is cut: alert e-mails are tens of KB; a bigger part is not an
# alert, and a parser must not spend the parse deadline on it.
MAX_PART_CHARS = 2_000_000
# Bounds on the structure read, so that a hostile message costs little: parts visited, nesting
# depth, headers kept and the length of one header value.
MAX_PARTS = 200
MAX_DEPTH = 20
MAX_HEADERS = 300
MAX_HEADER_CHARS = 8_000
_ADDRESS = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")
# A part labelled 7bit/8bit that is plainly quoted-printable (forwarding tools drop the label).
_SOFT_BREAK = re.compile(rb"=\r?\n")
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I
)


@dataclass(frozen=True, slots=True)
class MailMessage:
    """What a sender parser may read of a message. Attachments are never part of it, and
    nothing in it is fetched (remote images, tracking pixels)."""

    sender: str  # the From address, lower-cased ("" when missing)
    sender_name: str
    subject: str
    date: datetime | None
    message_id: str | None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names, first value
    # The first non-blank inline text/plain and text/html parts, decoded (None when absent).
    text: str | None = None
    html: str | None = None

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def read_message(raw: bytes) -> MailMessage:
    """Parse RFC 5322 bytes into a MailMessage; never raises on a malformed message (a
    missing header is empty, an undecodable part is decoded as well as it can be, a message
    with no readable body has text and html None)."""
    # compat32 keeps every header as the raw string it was and never raises while parsing;
    # decoding (encoded words, charsets) is done here, leniently, instead of by the policy.
    try:
        message = message_from_bytes(raw, policy=policy.compat32)
    except (RecursionError, MemoryError):  # nesting too deep for the stdlib parser
        message = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
    # The stdlib's email package has raised unexpected errors on malformed input before (a
    # TypeError from get_payload on 8-bit parameters, found here by hypothesis): a message is
    # data, so a part it cannot read is absent rather than the end of the mailbox run.
    try:
        headers = _headers(message)
    except Exception:
        headers = {}
    name, address = _from(headers.get("from", ""))
    try:
        text, html = _bodies(message)
    except Exception:
        text = html = None
    return MailMessage(
        sender=address,
        sender_name=name,
        subject=headers.get("subject", ""),
        date=_date(headers.get("date", "")),
        message_id=headers.get("message-id") or None,
        headers=headers,
        text=text,
        html=html,
    )


def _headers(message: Message) -> dict[str, str]:
    """The first value of each header, decoded, whitespace collapsed, by lower-case name."""
    headers: dict[str, str] = {}
    for name, value in itertools.islice(message.raw_items(), MAX_HEADERS):
        key = clean_text(str(name)).strip().lower()
        if key and key not in headers:
            decoded = decode_header(str(value)[:MAX_HEADER_CHARS])
            headers[key] = " ".join(decoded.split())
    return headers


def _from(value: str) -> tuple[str, str]:
    try:
        name, address = email.utils.parseaddr(value)
    except (ValueError, IndexError, TypeError):  # older parseaddr versions trip on garbage
        name, address = "", ""
    address = address.strip()
    if not _ADDRESS.fullmatch(address):  # the parser gave up: any address in the value will do
        found = _ADDRESS.search(value)
        address = found.group() if found else ""
    return " ".join(name.split()), address.lower()


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _bodies(message: Message) -> tuple[str | None, str | None]:
    """The first inline text/plain and text/html parts, in document order."""
    text = html = None
    for part in _inline_parts(message):
        subtype = _subtype(part)
        # A blank part is no body: a later one (or the other kind) may be.
        if subtype == "plain" and text is None:
            text = _decoded(part, subtype)
        elif subtype == "html" and html is None:
            html = _decoded(part, subtype)
        if text is not None and html is not None:
            break
    return text, html


def _inline_parts(message: Message) -> Iterator[Message]:
    """The leaf parts that may be a body, depth first, bounded: attachments (by disposition)
    and attached messages are never entered."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    visited = 0
    while stack and visited < MAX_PARTS:
        part, depth = stack.pop()
        visited += 1
        if _is_attachment(part):
            continue
        if part.is_multipart():
            # (get_payload() only here: on a leaf with 8-bit bytes it may raise.)
            children = part.get_payload()
            if depth < MAX_DEPTH and isinstance(children, list):
                stack.extend(
                    (child, depth + 1) for child in reversed(children) if isinstance(child, Message)
                )
        elif part.get_content_maintype() == "text":
            yield part


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("content-disposition", "")).split(";", 1)[0]
    return disposition.strip().lower() == "attachment"


def _subtype(part: Message) -> str:
    try:
        return part.get_content_subtype()
    except (ValueError, IndexError, TypeError, AttributeError):
        return ""


def _decoded(part: Message, subtype: str) -> str | None:
    payload = _payload_bytes(part)
    if payload is None:
        return None
    charset = _charset(part)
    if charset is None and subtype == "html":
        found = _META_CHARSET.search(payload[:4096])
        charset = found.group(1).decode("ascii") if found else None
    # Line ends as one kind (quoted-printable decoding already gives LF only).
    text = decode_bytes(payload[: MAX_PART_CHARS * 4], charset).replace("\r\n", "\n")
    text = text[:MAX_PART_CHARS]
    if subtype == "plain" and _param(part, "format").lower() == "flowed":
        text = _unflow(text, delsp=_param(part, "delsp").lower() == "yes")
    return clean_text(text) if text.strip() else None


def _payload_bytes(part: Message) -> bytes | None:
    """The part's body, its transfer encoding undone; quoted-printable by our own lenient
    decoder (decode_qp), the others by the stdlib's (base64 and uuencode are lenient there)."""
    try:
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("quoted-printable", "", "7bit", "8bit", "binary"):
            # Without the header the stdlib hands back the raw bytes, for decode_qp to read.
            del part["content-transfer-encoding"]
            raw = part.get_payload(decode=True)
            if not isinstance(raw, bytes):
                return None
            return decode_qp(raw) if cte == "quoted-printable" or _looks_qp(raw) else raw
        decoded = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, UnicodeError):
        return None
    return decoded if isinstance(decoded, bytes) else None


def _looks_qp(raw: bytes) -> bool:
    return b"=3D" in raw and _SOFT_BREAK.search(raw) is not None


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_content_charset()
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError):
        return None
    return str(charset) if charset else None


def _param(part: Message, name: str) -> str:
    try:
        value = part.get_param(name)
    except (ValueError, TypeError, IndexError):
        return ""
    return value if isinstance(value, str) else ""


def _unflow(text: str, *, delsp: bool) -> str:
    """Undo format=flowed (RFC 3676): a line ending in a space continues on the next one."""
    lines: list[str] = []
    carry = ""
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if line.endswith(" ") and line != "-- ":
            carry += line[:-1] if delsp else line
        else:
            lines.append(carry + line)
            carry = ""
    if carry:
        lines.append(carry)
    return "\n".join(lines)
