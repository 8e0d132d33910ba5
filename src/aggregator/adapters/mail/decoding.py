"""Lenient decoding of mail text: charsets that lie, encoded-word headers, damaged
quoted-printable. Nothing here raises on any input."""

from __future__ import annotations

import binascii
import codecs
import re

from aggregator.text import clean_text

__all__ = ["decode_bytes", "decode_header", "decode_qp"]

_REPLACEMENT = "\ufffd"
# Codecs a charset label may not select: they are no text encodings of mail, and some are slow
# or raise on every input.
_REFUSED_CODECS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "mbcs", "oem"}
)
# A lead byte followed by a continuation byte: evidence that damaged text is UTF-8 after all.
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([qQbB])\?([^?\s]*)\?=")
_QP_ESCAPE = re.compile(rb"=[ \t]*\r?\n|=([0-9A-Fa-f]{2})")
# `=` followed by neither a hex pair nor a line break: the encoder did not escape `=`.
_RAW_EQUALS = re.compile(rb"=(?![ \t]*\r?\n|[0-9A-Fa-f]{2})(?!\s*\Z)")
# Bytes no quoted-printable encoder writes as an escape: letters, digits and control characters
# other than tab, CR and LF. In a damaged body such an escape is a raw `=` before hex digits.
_NEVER_ESCAPED = frozenset(
    [*range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B)]
    + [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)]
)


def _codec(label: str | None) -> str | None:
    """The Python codec a charset label names, or None when unknown or refused."""
    if not label:
        return None
    label = label.strip().strip("\"'").split("*", 1)[0].lower()  # RFC 2231 `utf-8*en`
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    return None if name in _REFUSED_CODECS else name


def _strict(payload: bytes, codec: str) -> str | None:
    try:
        return payload.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def _single_byte(codec: str) -> bool:
    return codec in ("ascii", "latin-1", "cp1252") or codec.startswith(("iso8859", "cp125"))


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Text from bytes in a declared charset that may be wrong or unknown: the declared one,
    then UTF-8, the first that decodes without error; then, for damaged bytes, the declared
    multi-byte charset or UTF-8 with replacement characters where the bytes are mostly that
    (one broken sequence in good text), else cp1252, else Latin-1 (which decodes anything)."""
    codec = _codec(charset)
    if payload.isascii() and (codec is None or _single_byte(codec)):
        return payload.decode("ascii")
    # A single-byte label on valid UTF-8 is a mislabel: such byte runs are no Latin text.
    if codec is not None and _single_byte(codec) and (utf8 := _strict(payload, "utf-8")):
        return utf8
    for candidate in dict.fromkeys([codec, "utf-8"]):
        if candidate is not None and (decoded := _strict(payload, candidate)) is not None:
            return decoded
    if codec is not None and not _single_byte(codec) and codec != "utf-8":
        declared = _replaced(payload, codec)
        if declared is not None and declared.count(_REPLACEMENT) * 10 <= len(declared):
            return declared
    utf8 = payload.decode("utf-8", errors="replace")
    bad = utf8.count(_REPLACEMENT) - payload.count(b"\xef\xbf\xbd")
    if bad <= len(_UTF8_PAIR.findall(payload)):
        return utf8
    return _strict(payload, "cp1252") or payload.decode("latin-1")


def _replaced(payload: bytes, codec: str) -> str | None:
    try:
        return payload.decode(codec, errors="replace")
    except (UnicodeError, LookupError, ValueError):
        return None


def decode_qp(raw: bytes) -> bytes:
    """Quoted-printable decoded, soft line breaks joined. When the body shows that its encoder
    left `=` unescaped (`href="..."`), an escape that no encoder writes (`=44` for "D", `=10`)
    is a raw `=` before hex digits (`?id=4441`) and is kept as it is."""
    damaged = _RAW_EQUALS.search(raw) is not None

    def one(found: re.Match[bytes]) -> bytes:
        if found.group(1) is None:
            return b""
        value = int(found.group(1), 16)
        if damaged and value in _NEVER_ESCAPED:
            return found.group(0)
        return bytes((value,))

    lines = (line.rstrip(b" \t\r") for line in raw.split(b"\n"))
    return _QP_ESCAPE.sub(one, b"\n".join(lines))


def decode_header(value: str) -> str:
    """A raw header value decoded: 8-bit bytes (RFC 6532) by decode_bytes, encoded words
    (RFC 2047) leniently (unknown charsets, bad base64, missing padding), joined where the
    RFC says so (no space between adjacent encoded words)."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # the parser's surrogate-escaped bytes
        value = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    if "=?" in value:
        value = _decode_words(value)
    return clean_text(value)


def _decode_words(value: str) -> str:
    pieces: list[str] = []
    run: list[tuple[str, bytes]] = []  # adjacent encoded words: one byte string per charset
    position = 0
    for found in _ENCODED_WORD.finditer(value):
        between = value[position : found.start()]
        if between and not (run and between.isspace()):
            pieces.append(_flush(run))
            pieces.append(between)
        charset, kind, text = found.groups()
        data = _word_bytes(kind.lower(), text)
        if run and run[-1][0] == charset.lower():
            run[-1] = (run[-1][0], run[-1][1] + data)  # a character may span two words
        else:
            run.append((charset.lower(), data))
        position = found.end()
    pieces.append(_flush(run))
    pieces.append(value[position:])
    return "".join(pieces)


def _flush(run: list[tuple[str, bytes]]) -> str:
    text = "".join(decode_bytes(data, charset) for charset, data in run)
    run.clear()
    return text


def _word_bytes(kind: str, text: str) -> bytes:
    data = text.encode("ascii", "replace")
    if kind == "q":
        return re.sub(
            rb"=([0-9A-Fa-f]{2})", lambda m: bytes((int(m.group(1), 16),)), data.replace(b"_", b" ")
        )
    data = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    data = (
        data[: len(data) - len(data) % 4] if len(data) % 4 == 1 else data + b"=" * (-len(data) % 4)
    )
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""
