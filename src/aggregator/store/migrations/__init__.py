"""Alembic migrations of the store; run them with `Store.upgrade()`."""
