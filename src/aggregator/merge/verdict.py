"""Whether two identities are the same job, and the reason in words."""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.merge.identity import Identity

__all__ = ["Verdict", "compare"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """`same`: one job (the new posting joins the listing). `repost`: the same text under a new
    requisition, long after (a new listing that records where it was reposted from)."""

    same: bool
    reason: str
    repost: bool = False


def compare(new: Identity, old: Identity) -> Verdict:
    """The verdict on a new posting against one sighting of a stored listing."""
    shared = set(new.ats_ids) & set(old.ats_ids)
    if shared:
        return Verdict(True, f"same ATS job {sorted(shared)[0]}")
    same_names = new.company == old.company and new.title == old.title
    if same_names and new.company and new.location == old.location:
        return Verdict(True, "title+company+place")
    return Verdict(False, "different jobs")
