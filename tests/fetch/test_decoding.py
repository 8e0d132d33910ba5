"""Bounded Content-Encoding decoding: bombs stop at the cap without inflating a whole chunk."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator

import pytest

from aggregator.fetch.decoding import (
    BodyTooLargeError,
    UnsupportedEncodingError,
    read_decoded,
)


async def _chunks(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def decode(data: bytes, encoding: str, cap: int = 1 << 20) -> bytes:
    return asyncio.run(read_decoded(_chunks(data), encoding, cap))


def test_gzip_deflate_raw_deflate_and_identity_decode() -> None:
    text = b"<rss>" + b"job " * 1000 + b"</rss>"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decode(gzip.compress(text), "gzip") == text
    assert decode(zlib.compress(text), "deflate") == text
    assert decode(raw.compress(text) + raw.flush(), "deflate") == text
    assert decode(text, "identity") == decode(text, "") == text


def test_two_gzip_members_decode_to_both_parts() -> None:
    assert decode(gzip.compress(b"one ") + gzip.compress(b"two"), "gzip") == b"one two"


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_a_whole_chunk() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    tracemalloc.start()
    with pytest.raises(BodyTooLargeError):
        decode(bomb, "gzip", cap=1 << 20)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20  # the 64 MiB never exist at once


def test_an_encoding_we_did_not_ask_for_is_refused() -> None:
    with pytest.raises(UnsupportedEncodingError):
        decode(b"...", "br")


def test_a_corrupt_gzip_body_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="cannot decode the body"):
        decode(b"not gzip at all", "gzip")
