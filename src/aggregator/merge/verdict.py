"""Whether two identities are the same job, and the reason in words (precision first: a wrong
merge hides a job, a missed one shows it twice)."""

from __future__ import annotations

from dataclasses import dataclass

from aggregator.merge.ats_ids import ATS_NAMES, job_key
from aggregator.merge.boilerplate import text_similarity
from aggregator.merge.identity import Identity
from aggregator.merge.places import compatible_places

__all__ = ["REPOST_DAYS", "Verdict", "compare"]

# The same text this long after is a new requisition (a repost), never the same sighting.
REPOST_DAYS = 60
REPOST_TEXT = 0.9
# Two full descriptions (ATS or job board) this unlike are two jobs, whatever the names say.
DIFFERENT_TEXT = 0.35
_FULL_TEXT_ORIGINS = frozenset({"ats", "board"})
# The text similarity needed to merge, by how sure the company and the place are; None: names
# and place are enough (a text, where both have one, must still not be DIFFERENT_TEXT).
_NEEDED_TEXT: dict[tuple[str, str], float | None] = {
    ("strong", "strong"): None,
    ("strong", "weak"): 0.5,
    ("strong", "unknown"): 0.8,
    ("medium", "strong"): None,
    ("medium", "weak"): 0.8,
    ("medium", "unknown"): 0.9,
    ("none", "strong"): 0.85,
    ("none", "weak"): 0.95,
    ("none", "unknown"): 0.95,
}
# Where names and place are enough when there is no text to compare (an alert card, a toot).
_WITHOUT_TEXT = frozenset({("strong", "strong"), ("strong", "weak"), ("medium", "strong")})
_TEAM_GAP_TEXT = 0.85  # one names a team, the other does not


@dataclass(frozen=True, slots=True)
class Verdict:
    """`same`: one job (the new posting joins the listing). `repost`: the same text under a new
    requisition, long after (a new listing that records where it was reposted from). `score`
    ranks several `same` candidates: the store joins the highest (1.0: a shared ATS job)."""

    same: bool
    reason: str
    repost: bool = False
    score: float = 0.0


def compare(new: Identity, old: Identity) -> Verdict:
    """The verdict on a new posting against one sighting of a stored listing."""
    new_ids, old_ids = _effective_ids(new), _effective_ids(old)
    shared = {job_key(i) for i in new_ids} & {job_key(i) for i in old_ids}
    if shared:
        return Verdict(True, _same_ats_reason(shared, (*new_ids, *old_ids)), score=1.0)
    conflict = {_ats(i) for i in new_ids} & {_ats(i) for i in old_ids}
    return _by_content(new, old, requisitions_differ=bool(conflict))


def _by_content(new: Identity, old: Identity, *, requisitions_differ: bool) -> Verdict:
    refusal = _names_differ(new, old)
    if refusal:
        return Verdict(False, refusal)
    company = _company_match(new, old)
    if company is None:
        return Verdict(False, f"different companies ({new.company} / {old.company})")
    place = _place_match(new, old)
    if place is None:
        return Verdict(False, f"different places ({new.location} / {old.location})")
    similarity = text_similarity(new.digest, old.digest)
    days = abs((new.posted_at - old.posted_at).total_seconds()) / 86400
    text_words = f", text {similarity:.2f}" if similarity is not None else ""
    if days >= REPOST_DAYS or requisitions_differ:
        if days >= REPOST_DAYS and similarity is not None and similarity >= REPOST_TEXT:
            return Verdict(False, f"same text {similarity:.2f}, {days:.0f} days later", repost=True)
        why = "another requisition" if requisitions_differ else f"{days:.0f} days apart"
        return Verdict(False, f"{why}{text_words}")
    needed = _NEEDED_TEXT[(company, place)]
    if similarity is None and (company, place) in _WITHOUT_TEXT:
        needed = None  # no text to hold against the names
    if (new.team is None) != (old.team is None) and not _reordered(new, old):
        needed = max(needed or 0.0, _TEAM_GAP_TEXT)
    full_texts = new.origin in _FULL_TEXT_ORIGINS and old.origin in _FULL_TEXT_ORIGINS
    if similarity is not None and full_texts and similarity < DIFFERENT_TEXT:
        return Verdict(False, f"different descriptions{text_words}")
    if needed is not None and (similarity is None or similarity < needed):
        return Verdict(False, f"{_words(company, place)} but text not alike enough{text_words}")
    score = (
        0.5 + 0.1 * (company == "strong") + 0.1 * (place == "strong") + 0.3 * (similarity or 0.5)
    )
    return Verdict(True, f"{_words(company, place)}{text_words}", score=round(score, 3))


def _names_differ(new: Identity, old: Identity) -> str | None:
    """Why the titles say two jobs, or None."""
    if not new.title or (new.title != old.title and not _reordered(new, old)):
        return f"different titles ({new.title} / {old.title})"
    if new.seniority != old.seniority:
        return f"different seniority ({new.seniority or 'none'} / {old.seniority or 'none'})"
    if new.team and old.team and new.team != old.team:
        return f"different teams ({new.team} / {old.team})"
    return None


def _reordered(new: Identity, old: Identity) -> bool:
    """One title names its team apart, the other in front or behind: "Software Engineer,
    Backend" and "Backend Software Engineer" (the same words, one team between them)."""
    one_team = (new.team is None) != (old.team is None)
    return one_team and bool(new.title) and new.title_words == old.title_words


def _company_match(new: Identity, old: Identity) -> str | None:
    """How sure the company is: "strong", the same company; "medium", one is named in the
    other's text, or extends the other's name, or both are one author's posts; "none", neither
    says; None, they differ."""
    a = None if new.company_weak else new.company
    b = None if old.company_weak else old.company
    if a and b:
        if a == b or a.replace(" ", "") == b.replace(" ", ""):
            return "strong"  # "acme robotics" / "acmerobotics.io"
        if a.startswith(f"{b} ") or b.startswith(f"{a} "):
            return "medium"  # "acme" / "acme robotics"
        return None
    known, other = (a, old) if a else (b, new)
    if known:
        if f" {known} " in f" {other.digest} " or (other.company_weak and other.company == known):
            return "medium"
        return None if other.company and not other.company_weak else "none"
    if new.company_weak and old.company_weak:
        return "medium" if new.company == old.company else None
    return "none"


def _place_match(new: Identity, old: Identity) -> str | None:
    if not new.places or not old.places:
        return "unknown"
    return compatible_places(new.places, old.places)


def _words(company: str, place: str) -> str:
    named = ["title"]
    named.append({"strong": "company", "medium": "company~", "none": ""}[company])
    named.append({"strong": "place", "weak": "place~", "unknown": ""}[place])
    return "+".join(word for word in named if word)


def _effective_ids(identity: Identity) -> tuple[str, ...]:
    """The ATS ids that say which job a posting is: its own, else the one job its text links
    (a post linking three jobs is none of them in particular)."""
    if identity.ats_ids:
        return identity.ats_ids
    return identity.ats_linked if len(identity.ats_linked) == 1 else ()


def _ats(ats_id: str) -> str:
    return ats_id.split(":", 1)[0]


def _same_ats_reason(shared: set[str], ids: tuple[str, ...]) -> str:
    key = sorted(shared)[0]
    matching = [i for i in ids if job_key(i) == key]
    ats, board, job = max(matching, key=lambda i: len(i.split(":")[1])).split(":", 2)
    where = f"{board}/{job}" if board else job
    return f"same {ATS_NAMES.get(ats, ats)} job {where}"
