"""Fetch: the one shared HTTP client, its network guard, credentials scope and failures."""
