"""Where the optional reference material lives: `../shared` beside the repository checkout."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
PAYLOADS = SHARED / "payloads"
CORPORA = SHARED / "corpora"
