"""Normalize: raw postings into clean, capped listing fields (text, pay, job fields)."""
