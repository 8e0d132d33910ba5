"""Tests of aggregator.store, on SQLite and (when configured) PostgreSQL."""
