"""Merge quality through the real path: identity_of, blocking on keys(), compare, union-find
over `same` verdicts; scored by pairwise precision, recall and F1 against the labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from aggregator.merge import Identity, Verdict, compare, identity_of
from aggregator.models import Posting

__all__ = ["Quality", "cluster", "score"]


@dataclass
class Quality:
    postings: int
    clusters: int
    precision: float
    recall: float
    f1: float
    comparisons: int
    reposts: int
    false_merges: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def cluster(postings: Sequence[Posting]) -> tuple[list[int], int, list[tuple[int, int, Verdict]]]:
    """Each posting's cluster root, the number of comparisons, and every verdict given."""
    parent = list(range(len(postings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    identities: list[Identity] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    verdicts: list[tuple[int, int, Verdict]] = []
    for i, posting in enumerate(postings):
        identity = identity_of(posting)
        # A stored identity goes through JSON, as the store keeps it.
        identity = Identity.from_json(identity.to_json())
        identities.append(identity)
        keys = identity.keys()
        candidates = sorted({j for key in keys for j in by_key[key]})
        for j in candidates:
            verdict = compare(identity, identities[j])
            verdicts.append((i, j, verdict))
            if verdict.same:
                parent[find(i)] = find(j)
        for key in keys:
            by_key[key].append(i)
    return [find(i) for i in range(len(postings))], len(verdicts), verdicts


def score(labelled: Sequence[tuple[str, Posting]]) -> Quality:
    labels = [label for label, _ in labelled]
    postings = [posting for _, posting in labelled]
    roots, comparisons, verdicts = cluster(postings)
    tp = fp = fn = 0
    false_merges: list[str] = []
    missed: list[str] = []
    for i, j in combinations(range(len(postings)), 2):
        same_label, same_cluster = labels[i] == labels[j], roots[i] == roots[j]
        tp += same_label and same_cluster
        fp += same_cluster and not same_label
        fn += same_label and not same_cluster
        if same_cluster and not same_label:
            false_merges.append(
                f"{labels[i]} [{postings[i].source}] ~ {labels[j]} [{postings[j].source}]"
            )
        elif same_label and not same_cluster:
            missed.append(f"{labels[i]}: {postings[i].source} / {postings[j].source}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(
        postings=len(postings),
        clusters=len(set(labels)),
        precision=precision,
        recall=recall,
        f1=f1,
        comparisons=comparisons,
        reposts=sum(v.repost for _, _, v in verdicts),
        false_merges=false_merges,
        missed=missed,
    )
