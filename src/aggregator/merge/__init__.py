"""Merge: which stored listing a new posting is another sighting of, and why (pure)."""

from aggregator.merge.identity import Identity, identity_of
from aggregator.merge.verdict import Verdict, compare

__all__ = ["Identity", "Verdict", "compare", "identity_of"]
