"""Tests for the fetch, parse and normalize stages."""
