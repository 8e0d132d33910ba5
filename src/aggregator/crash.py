"""Named crash points for the crash harness: `AGGREGATOR_CRASH_AT=label:n` kills the process."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

__all__ = ["CRASH_ENV", "LABELS", "crash_point"]

CRASH_ENV = "AGGREGATOR_CRASH_AT"
LABELS = frozenset(
    {
        "after_fetch",
        "mid_store_tx",
        "after_outbox_commit",
        "after_claim",
        "after_send_before_mark",
        "after_mark",
    }
)
_passes: Counter[str] = Counter()
_passes_lock = threading.Lock()  # deliveries pass their points from one thread per channel


def _target() -> tuple[str, int] | None:
    value = os.environ.get(CRASH_ENV, "")
    label, _, count = value.partition(":")
    if label not in LABELS:
        return None
    return label, int(count) if count.isdigit() and int(count) > 0 else 1


def crash_point(label: str) -> None:
    """SIGKILL this process the n-th time it passes `label` when the environment asks for it.

    SIGKILL, not an exception: nothing gets to clean up, exactly as with a power cut or the
    OOM killer. Without the variable this is one dictionary lookup.
    """
    if CRASH_ENV not in os.environ:
        return
    target = _target()
    if target is None or target[0] != label:
        return
    with _passes_lock:
        _passes[label] += 1
        due = _passes[label] == target[1]
    if due:
        os.kill(os.getpid(), signal.SIGKILL)
