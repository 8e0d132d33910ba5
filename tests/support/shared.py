"""Where the optional reference material lives: `../shared` beside the repository checkout, or
`$AGGREGATOR_SHARED_DIR` (a checkout elsewhere, such as a git worktree, still finds it)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("AGGREGATOR_SHARED_DIR") or REPO.parent / "shared")
PAYLOADS = SHARED / "payloads"
CORPORA = SHARED / "corpora"
