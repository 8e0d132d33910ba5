"""Merge quality on the labelled set, through identity_of, keys() blocking and compare."""

from __future__ import annotations

from tests.merge.labelled import labelled_postings
from tests.merge.scoring import score


def test_labelled_set_is_large_enough_and_has_clusters() -> None:
    labelled = labelled_postings()
    assert len(labelled) >= 150
    assert len({label for label, _ in labelled}) >= 40


def test_pairwise_precision_and_f1_on_the_labelled_set() -> None:
    quality = score(labelled_postings())
    assert quality.precision >= 0.98, quality.false_merges[:10]
    assert quality.f1 >= 0.97, quality.missed[:10]


def test_blocking_keeps_candidate_sets_small() -> None:
    quality = score(labelled_postings())
    assert quality.comparisons < 4 * quality.postings


def test_the_repost_90_days_later_is_recognised() -> None:
    assert score(labelled_postings()).reposts >= 1
