"""One e-mail message as the sender parsers see it: headers, the text and the HTML body."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

__all__ = ["MAX_PART_CHARS", "MailMessage", "read_message"]

# A body part longer than this is cut: alert e-mails are tens of KB; a bigger part is not an
# alert, and a parser must not spend the parse deadline on it.
MAX_PART_CHARS = 2_000_000


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
    text: str | None = None  # the first text/plain body part, decoded
    html: str | None = None  # the first text/html body part, decoded

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def read_message(raw: bytes) -> MailMessage:
    """Parse RFC 5322 bytes into a MailMessage; never raises on a malformed message (a
    missing header is empty, an undecodable part is decoded with replacement characters)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    name, address = email.utils.parseaddr(str(message.get("From", "")))
    return MailMessage(
        sender=address.strip().lower(),
        sender_name=name.strip(),
        subject=_header(message, "Subject"),
        date=_date(message),
        message_id=_header(message, "Message-ID") or None,
        headers={key.lower(): _header(message, key) for key in dict.fromkeys(message.keys())},
        text=_body(message, "plain"),
        html=_body(message, "html"),
    )


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):  # a header the policy cannot parse
        value = message.get_all(name, [""])[0] if name in message else ""
    return " ".join(str(value or "").split())


def _date(message: EmailMessage) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype or part.is_attachment():
        return None
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    charset = part.get_content_charset() or "utf-8"
    try:
        decoded = payload.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name
        decoded = payload.decode("utf-8", errors="replace")
    return decoded[:MAX_PART_CHARS]
