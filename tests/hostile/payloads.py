"""The hostile server's routes: each case's reply, and what the run must say about it."""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from tests.support.http_server import LocalServer, Reply

MIB = 1024 * 1024


class Repeated(Sequence[bytes]):
    """`count` copies of one chunk, made on demand: a 200 MiB body without 200 MiB in memory."""

    def __init__(self, chunk: bytes, count: int, *, framed: bool = False) -> None:
        # framed: HTTP/1.1 chunked transfer coding, each chunk with its hex length
        self.chunk = b"%x\r\n%s\r\n" % (len(chunk), chunk) if framed else chunk
        self.count = count

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(index, slice) or not 0 <= index < self.count:
            raise IndexError(index)
        return self.chunk

    def __iter__(self) -> Iterator[bytes]:
        return (self.chunk for _ in range(self.count))


def feed(items: str, *, prolog: str = "", declaration: str = "") -> bytes:
    head = declaration or '<?xml version="1.0" encoding="utf-8"?>'
    return (
        f'{head}\n{prolog}<rss version="2.0"><channel><title>feed</title>{items}</channel></rss>'
    ).encode()


def item(title: str, guid: str, *, extra: str = "") -> str:
    link = f"https://jobs.example/{guid}"
    return f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>{extra}</item>"


def _laughs() -> str:
    """lol1 is ten lol, lol2 ten lol1, ... lol9 a billion: the classic entity bomb."""
    lines = [' <!ENTITY lol "lol">']
    for level in range(1, 10):
        inner = "lol" + (str(level - 1) if level > 1 else "")
        lines.append(f' <!ENTITY lol{level} "{f"&{inner};" * 10}">')
    return "\n".join(lines)


LAUGHS = _laughs()
BILLION_LAUGHS = feed(item("&lol9;", "laugh"), prolog=f"<!DOCTYPE rss [\n{LAUGHS}\n]>\n")


def xxe(target: str) -> bytes:
    prolog = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>\n'
    return feed(item("a &xxe; b", "xxe"), prolog=prolog)


def dtd_from(target: str) -> bytes:
    """A parameter entity that would load a DTD (the out-of-band XXE variant)."""
    prolog = f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{target}"> %remote;]>\n'
    return feed(item("dtd", "dtd"), prolog=prolog)


def external_doctype(target: str) -> bytes:
    """An external DTD in the DOCTYPE itself: allowed, and never fetched."""
    return feed(item("Safe doctype job", "doctype-1"), prolog=f'<!DOCTYPE rss SYSTEM "{target}">\n')


def chain(server: LocalServer, hops: int) -> None:
    """`/chain/N` redirects to `/chain/N+1` up to `/chain/{hops}`, which serves a feed."""
    for hop in range(1, hops):
        server.route(f"/chain/{hop}", Reply(status=302, headers={"Location": f"/chain/{hop + 1}"}))
    server.route(f"/chain/{hops}", Reply(body=feed(item("End of the chain", "chain"))))


@dataclass(frozen=True)
class Case:
    """One hostile source: its reply, and the error (a substring) or None when it must parse."""

    name: str
    reply: Reply
    error: str | None
    allow_private: bool | None = None


def cases(canary: str) -> list[Case]:
    """Every hostile case; `canary` is a URL that no entity or DTD may ever fetch."""
    return [
        Case(
            "billion-laughs",
            Reply(body=BILLION_LAUGHS),
            "refused: the document declares the XML entity 'lol1' in terms of other entities",
        ),
        Case(
            "xxe-file",
            Reply(body=xxe("file:///etc/passwd")),
            "refused: the document declares the external XML entity 'xxe'",
        ),
        Case(
            "xxe-canary",
            Reply(body=xxe(canary)),
            "refused: the document declares the external XML entity 'xxe'",
        ),
        Case("dtd-canary", Reply(body=dtd_from(canary)), "declares a parameter entity"),
        Case("doctype-canary", Reply(body=external_doctype(canary)), None),
        Case(
            "huge-body",
            Reply(chunks=Repeated(b"<" * (64 * 1024), 200 * 16)),  # 200 MiB, no length
            "body exceeds 10485760 bytes",
        ),
        Case(
            "chunked-endless",
            Reply(
                headers={"Transfer-Encoding": "chunked"},
                chunks=Repeated(b"x" * (64 * 1024), 20 * 16, framed=True),
            ),
            "body exceeds 10485760 bytes",
        ),
        Case(
            "lying-length",
            Reply(headers={"Content-Length": "100000"}, body=feed(item("short", "short"))),
            "protocol error from 127.0.0.1",
        ),
        Case(
            "gzip-bomb",
            Reply(
                headers={"Content-Encoding": "gzip"},
                body=gzip.compress(b"\0" * (50 * MIB), compresslevel=9),
            ),
            "body exceeds 10485760 bytes",
        ),
        Case("slowloris", Reply(chunks=[b"<"] * 100, delay=4.0), "timed out after 6 s (127.0.0.1)"),
        Case(
            "redirect-loop",
            Reply(status=302, headers={"Location": "/redirect-loop"}),
            "too many redirects (more than 5)",
        ),
        # /six-hops -> /chain/1 -> ... -> /chain/6: six redirects, one more than allowed.
        Case(
            "six-hops",
            Reply(status=302, headers={"Location": "/chain/1"}),
            "too many redirects (more than 5)",
        ),
        Case(
            "to-private",
            Reply(status=302, headers={"Location": "http://10.0.0.1/feed"}),
            "refusing http://10.0.0.1/feed: 10.0.0.1 is the private address 10.0.0.1 "
            "(the source has allow_private: false)",
            allow_private=False,
        ),
        # The default policy: a redirect away from the board passes the connect-time guard.
        Case(
            "to-metadata",
            Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
            "to the private address 169.254.169.254 (http://169.254.169.254/latest/meta-data/)",
        ),
        Case(
            "to-cgnat",
            Reply(status=302, headers={"Location": "http://100.64.0.1/feed"}),
            "to the private address 100.64.0.1",
        ),
        Case(
            "to-nat64-metadata",
            Reply(status=302, headers={"Location": "http://[64:ff9b::a9fe:a9fe]/"}),
            "to the private address 64:ff9b::a9fe:a9fe",
        ),
        Case(
            "bad-encoding",
            Reply(body=feed(item("cafXX ok", "enc")).replace(b"XX", b"\xc3\x28\xff")),
            None,
        ),
        Case("bom", Reply(body=b"\xef\xbb\xbf" + feed(item("BOM job", "bom"))), None),
        Case("nul-bytes", Reply(body=feed(item("NUL\0job", "nul"))), None),
        Case("empty-body", Reply(body=b""), "not an RSS or Atom feed: the body is empty"),
        Case(
            "html-page",
            Reply(body=b"<!doctype html><html><body><h1>Jobs</h1></body></html>"),
            "not an RSS or Atom feed: got an HTML page",
        ),
        Case(
            "long-author",
            Reply(body=feed(item("Author job", "author", extra=f"<author>{'A' * 65536}</author>"))),
            None,
        ),
    ]
