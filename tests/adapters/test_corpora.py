"""The RSS adapter and normalization over every file of the shared feed corpora: no crashes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from aggregator.adapters.rss import parse_feed
from aggregator.errors import SourceError
from aggregator.normalize.postings import normalize_all
from tests.support.shared import CORPORA


@pytest.mark.skipif(not CORPORA.is_dir(), reason=f"{CORPORA} is not there")
def test_every_corpus_file_gives_postings_or_an_adapter_error() -> None:
    files = sorted(path for path in CORPORA.rglob("*") if path.is_file())
    crashes: list[str] = []
    postings = refused = 0
    started = time.monotonic()
    for path in files:
        try:
            raws = parse_feed(path.read_bytes(), url="https://feeds.example/feed.xml")
            postings += len(normalize_all(raws, source="corpus", now=datetime.now(UTC)))
        except SourceError:
            refused += 1
        except Exception as exc:
            crashes.append(f"{path.relative_to(CORPORA)}: {type(exc).__name__}: {exc}")
    assert crashes == []
    assert postings > 0
    assert refused < len(files)
    assert time.monotonic() - started < 60
