"""aggregator: reads job boards and feeds, merges listings, and alerts on rule matches."""

__version__ = "0.1.0"
