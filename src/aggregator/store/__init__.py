"""Storage: listings, sightings, matches, the outbox, source state and the run lock."""

from aggregator.store.locks import RunLockBusy
from aggregator.store.repository import Store
from aggregator.store.unit_of_work import SkippedPosting, UnitOfWork

__all__ = ["RunLockBusy", "SkippedPosting", "Store", "UnitOfWork"]
