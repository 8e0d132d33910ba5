"""Content-Encoding decoded in bounded steps, so a decompression bomb never inflates past a cap.

httpx decodes each network chunk whole: one 64 KiB gzip chunk of zeros inflates to ~64 MiB
before any cap can look at it. Here zlib is asked for at most what the cap still allows.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

__all__ = ["ACCEPT_ENCODING", "BodyTooLargeError", "UnsupportedEncodingError", "read_decoded"]

ACCEPT_ENCODING = "gzip, deflate"
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class BodyTooLargeError(Exception):
    """The decoded body passed the cap."""


class UnsupportedEncodingError(Exception):
    """A Content-Encoding we did not ask for and cannot decode within bounds."""


async def read_decoded(chunks: AsyncIterator[bytes], encoding: str, cap: int) -> bytes:
    """The body from raw (still encoded) chunks, decoded; BodyTooLargeError once it passes `cap`."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return await _read_plain(chunks, cap)
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnsupportedEncodingError(encoding)
    return await _Inflater(codings[0] != "deflate", cap).read(chunks)


async def _read_plain(chunks: AsyncIterator[bytes], cap: int) -> bytes:
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > cap:
            raise BodyTooLargeError
    return bytes(body)


class _Inflater:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, gzip: bool, cap: int) -> None:
        self.gzip = gzip
        self.cap = cap
        self.body = bytearray()
        self.started = False
        self.decoder = zlib.decompressobj(_GZIP_WBITS if gzip else zlib.MAX_WBITS)

    async def read(self, chunks: AsyncIterator[bytes]) -> bytes:
        try:
            async for chunk in chunks:
                self._feed(chunk)
            self._append(self.decoder.flush())
        except zlib.error as exc:
            raise ValueError(f"cannot decode the body: {exc}") from None
        return bytes(self.body)

    def _feed(self, data: bytes) -> None:
        while data:
            try:
                piece = self.decoder.decompress(data, self.cap + 1 - len(self.body))
            except zlib.error:
                if self.gzip or self.started:
                    raise
                self.decoder = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate
                piece = self.decoder.decompress(data, self.cap + 1 - len(self.body))
            self.started = True
            self._append(piece)
            data = self.decoder.unconsumed_tail
            if self.decoder.eof and self.decoder.unused_data:
                data = self.decoder.unused_data  # the next gzip member
                self.decoder = zlib.decompressobj(_GZIP_WBITS)

    def _append(self, piece: bytes) -> None:
        self.body += piece
        if len(self.body) > self.cap:
            raise BodyTooLargeError
