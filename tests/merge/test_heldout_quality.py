"""Merge quality on the held-out set (written apart from labelled.py), through identity_of,
keys() blocking and compare."""

from __future__ import annotations

from tests.merge.heldout import heldout_postings
from tests.merge.scoring import score


def test_heldout_set_is_large_enough_and_has_clusters() -> None:
    heldout = heldout_postings()
    assert len(heldout) >= 120
    assert len({label for label, _ in heldout}) >= 40


def test_pairwise_precision_and_f1_on_the_heldout_set() -> None:
    quality = score(heldout_postings())
    assert quality.precision >= 0.98, quality.false_merges[:10]
    assert quality.f1 >= 0.97, quality.missed[:10]


def test_heldout_blocking_keeps_candidate_sets_small() -> None:
    quality = score(heldout_postings())
    assert quality.comparisons < 4 * quality.postings


def test_heldout_reposts_are_recognised() -> None:
    assert score(heldout_postings()).reposts >= 1
