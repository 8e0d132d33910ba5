"""Company and title normalization: legal suffixes, abbreviations, tags, emoji, the company or
place written into a title, and the seniority and team a title states."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aggregator.merge.folding import fold
from aggregator.merge.places import looks_like_place

__all__ = ["TitleParts", "normalize_company", "split_title"]

_MAX_NAME = 120
_LEGAL = frozenset(
    {
        "inc", "incorporated", "llc", "l l c", "ltd", "limited", "gmbh", "mbh", "ag", "corp",
        "corporation", "co", "plc", "sa", "sas", "sarl", "bv", "nv", "srl", "spa", "oy", "oyj",
        "ab", "as", "asa", "aps", "pty", "llp", "lp", "se", "kg", "ug", "kgaa", "pte", "pvt",
        "sl", "sp z o o", "company", "group", "holdings", "lda", "kft", "sro", "doo", "ltda",
    }
)  # fmt: skip
_DOMAIN_RE = re.compile(r"\.(?:com|io|ai|co|dev|app|net|org|tech)\b")
# Seniority words, in the order they are looked for; what each stands for.
_SENIORITY = (
    (re.compile(r"\b(?:sr|snr|senior)\b"), "senior"),
    (re.compile(r"\b(?:jr|jnr|junior)\b"), "junior"),
    (re.compile(r"\b(?:principal)\b"), "principal"),
    (re.compile(r"\b(?:staff)\b"), "staff"),
    (re.compile(r"\b(?:lead|tech lead|team lead)\b"), "lead"),
    (re.compile(r"\b(?:head of)\b"), "head"),
    (re.compile(r"\b(?:intern|internship|werkstudent|working student)\b"), "intern"),
    (re.compile(r"\b(?:entry level|graduate|new grad)\b"), "entry"),
    (re.compile(r"\b(?:mid level|mid senior|mid)\b(?! market)"), "mid"),
)
# A level at the end of a title ("Engineer II" is "Engineer 2"), beside any seniority word.
_LEVELS = (
    (re.compile(r"\b(?:iv|4)$"), "4"),
    (re.compile(r"\b(?:iii|3)$"), "3"),
    (re.compile(r"\b(?:ii|2)$"), "2"),
    (re.compile(r"\b(?:i|1)$"), "1"),
)
_ABBREVIATIONS = {
    "eng": "engineer", "engr": "engineer", "engg": "engineering", "dev": "developer",
    "devs": "developers", "mgr": "manager", "mngr": "manager", "sw": "software",
    "swe": "software engineer", "sde": "software engineer", "assoc": "associate",
    "asst": "assistant", "admin": "administrator", "dir": "director", "vp": "vice president",
    "front end": "frontend", "back end": "backend", "full stack": "fullstack",
    "fe": "frontend", "be": "backend", "ops": "operations", "qa": "quality assurance",
    "ux": "ux", "ml": "machine learning", "ai": "ai", "js": "javascript", "k8s": "kubernetes",
    "engineers": "engineer", "developers": "developer", "managers": "manager",
    "designers": "designer", "analysts": "analyst", "scientists": "scientist",
}  # fmt: skip
_ABBREVIATION_RE = re.compile(r"\b(" + "|".join(map(re.escape, _ABBREVIATIONS)) + r")\b")
# Tags and noise in titles: "[Hiring]", "#hiring", "(m/w/d)", "(f/m/x)", "(all genders)".
_NOISE_RE = re.compile(
    r"\[[^\]]{0,40}\]|#\w+|\((?:[mwfdxh]\s*/\s*){1,3}[mwfdxh]\)|\b[mwfdxh]/[mwfdxh]/[mwfdxh]\b"
    r"|\(all genders\)|\bwe(?:'re| are) hiring\b|\bnow hiring\b|^hiring\s*:?|\bhiring\s*:"
    r"|\burgent(?:ly)?\b\s*:?"
    r"|\(?\b(?:summer|fall|autumn|winter|spring)\s+(?:20)?\d\d\b\)?|\(\s*20\d\d\s*\)",
    re.IGNORECASE,
)
# "a Senior Designer" once "We're hiring" is dropped.
_ARTICLE_RE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
_WHERE_RE = re.compile(
    r"\s*(?:\(([^()]*)\)|[-–—,/@]\s*((?:remote|hybrid|on-?site|onsite)\b.*))\s*$", re.IGNORECASE
)
_IN_PLACE_RE = re.compile(r"\s+(?:in|based in|from)\s+([^,()]{2,40}(?:,[^,()]{2,30})?)$", re.I)
_REMOTE_WORDS_RE = re.compile(r"\b(?:remote|hybrid|on-?site|onsite|anywhere|worldwide)\b", re.I)
_EMPLOYMENT_RE = re.compile(
    r"^(?:full[- ]?time|part[- ]?time|contract(?:or)?|freelance|permanent|temporary|temp|"
    r"ft|pt|fte|visa sponsorship|relocation)$",
    re.IGNORECASE,
)
_PAY_RE = re.compile(r"[$€£¥]|\b\d+\s*k\b|\b(?:usd|eur|gbp|salary|equity)\b", re.IGNORECASE)
_HIRING_RE = re.compile(
    r"^(.{2,60}?)\s+(?:is|are)\s+(?:now\s+)?(?:hiring|looking for|seeking)\s*(?:an?\s+|:\s*)?(.+)$",
    re.IGNORECASE,
)
_AT_RE = re.compile(r"^(.{3,}?)\s+(?:at|@)\s+(.{2,60})$", re.IGNORECASE)
_ROLE_RE = re.compile(
    r"\b(?:engineer|developer|manager|designer|analyst|scientist|architect|administrator|"
    r"consultant|specialist|director|lead|head|intern|coordinator|officer|writer|editor|"
    r"researcher|recruiter|representative|associate|assistant|advisor|accountant|"
    r"technician|operator|programmer|sre|devops|marketer|strategist|owner|executive|"
    r"agent|producer|tester|support|ops|swe)s?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TitleParts:
    """A title taken apart: the core title (normalized, without seniority or team), what it
    says of seniority, team, company and place."""

    title: str
    seniority: str | None = None
    team: str | None = None
    company: str | None = None  # a company written into the title ("Acme: Backend Engineer")
    places: tuple[str, ...] = ()  # place phrases written into the title ("Remote, US")


def normalize_company(name: str | None) -> str | None:
    """A company name compared across boards: case, accents, punctuation, a domain ending
    ("Acme.io") and legal suffixes ("Acme GmbH & Co. KG", "The Acme Corp.") dropped."""
    if not name:
        return None
    text = _DOMAIN_RE.sub(" ", name.casefold())
    words = fold(text).split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and (size := _legal_suffix(words)):
        words = words[:-size]
        if words and words[-1] == "and":
            words = words[:-1]  # "GmbH & Co. KG"
    return " ".join(words)[:_MAX_NAME] or None


def _legal_suffix(words: list[str]) -> int:
    """How many trailing words are a legal suffix: "inc", "sp z o o", or one written with dots
    ("B.V." folds to "b v", "L.L.C." to "l l c")."""
    if " ".join(words[-3:]) in _LEGAL and len(words) > 3:
        return 3
    for size in (3, 2):
        tail = words[-size:]
        if len(words) > size and all(len(w) == 1 for w in tail) and "".join(tail) in _LEGAL:
            return size
    return 1 if words[-1] in _LEGAL else 0


def split_title(title: str, company: str | None) -> TitleParts:
    """Take a raw title apart. `company` is the posting's (normalized) company, or None: a
    company written into the title is then taken from "Company: Role", "Company | Role | Place",
    "Role at Company" and "Company is hiring a Role"."""
    text = _strip_symbols(title)
    text = _ARTICLE_RE.sub("", _NOISE_RE.sub(" ", text).strip())
    places: list[str] = []
    text = _take_places(text, places)  # first, so "Role at Acme (Berlin)" finds "Acme"
    text, title_company = _split_company(text, company, places)
    text = _take_places(text, places)
    core, team = _split_team(text)
    words = fold(core)
    words = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], words)
    seniority, words = _seniority(words)
    team_words = fold(team) if team else ""
    team_seniority, team_words = _seniority(team_words)
    seniority = seniority or team_seniority
    if seniority == "intern":
        # "Software Engineering Intern" and "SWE Intern" are one internship.
        words = re.sub(r"\bengineering\s*$", "engineer", words.strip())
    return TitleParts(
        title=" ".join(words.split())[:_MAX_NAME],
        seniority=seniority,
        team=" ".join(team_words.split())[:_MAX_NAME] or None,
        company=normalize_company(title_company),
        places=tuple(places),
    )


def _strip_symbols(text: str) -> str:
    """Emoji and other symbols out (a title decorated with 🚀 is the same title)."""
    kept = (" " if unicodedata.category(ch) == "So" else ch for ch in text)
    return "".join(kept).strip()


def _split_company(text: str, company: str | None, places: list[str]) -> tuple[str, str | None]:
    """The title without the company written into it, and that company."""
    if "|" in text:
        segments = [s.strip() for s in text.split("|") if s.strip()]
        role = next((s for s in segments if _ROLE_RE.search(s)), segments[0] if segments else "")
        head = segments[0] if segments and segments[0] is not role else None
        for segment in segments:
            if segment is role or segment is head or _PAY_RE.search(segment):
                continue
            if not _EMPLOYMENT_RE.match(segment.strip()):
                places.append(segment)
        return role, head
    match = _HIRING_RE.match(text)
    if match:
        return match.group(2), match.group(1)
    head, sep, rest = text.partition(":")
    if sep and rest.strip() and _name_like(head):
        return rest.strip(), head.strip()
    match = _AT_RE.match(text)
    if match and _name_like(match.group(2)):
        return match.group(1), match.group(2)
    for sep in (" - ", " – ", " — "):
        head, found, rest = text.partition(sep)
        if found and company and normalize_company(head) == company:
            return rest, head  # "Acme - Backend Engineer"
    return text, None


def _name_like(text: str) -> bool:
    """Whether a title part can be a company name: short, no role word, no place word."""
    return 0 < len(text.split()) <= 5 and not _ROLE_RE.search(text) and not _is_place_like(text)


def _take_places(text: str, places: list[str]) -> str:
    """The title without trailing place phrases: "(Remote)", "- Remote, US", "(Berlin)",
    "in Berlin", "! Munich"."""
    if "!" in text:
        # "We're hiring! Backend Engineer in Seattle", "Role! Munich": the part naming a role is
        # the title, the others may be places.
        segments = [s.strip() for s in text.split("!") if s.strip()]
        role = next((s for s in segments if _ROLE_RE.search(s)), segments[0] if segments else "")
        places.extend(s for s in segments if s is not role and _is_place_like(s))
        text = role
    match = _IN_PLACE_RE.search(text)
    if match and _is_place_like(match.group(1)):
        places.append(match.group(1))
        text = text[: match.start()]
    for _ in range(3):
        match = _WHERE_RE.search(text)
        if not match:
            break
        inner = match.group(1) or match.group(2) or ""
        if match.group(1) is not None and not _is_place_like(inner):
            break  # "(Go)" or "(Payments)" belongs to the title
        places.append(inner)
        text = text[: match.start()]
    head, sep, tail = text.rpartition(" - ")
    if sep and _is_place_like(tail):
        places.append(tail)
        text = head
    return text


def _is_place_like(text: str) -> bool:
    return bool(_REMOTE_WORDS_RE.search(text)) or looks_like_place(text)


def _split_team(text: str) -> tuple[str, str | None]:
    """Title and team: "Data Analyst, Marketing" -> ("Data Analyst", "Marketing"); also split
    at " - " and a trailing "(...)"."""
    for sep in (",", " - ", " – ", " — ", " / "):
        head, found, tail = text.partition(sep)
        if found and head.strip() and tail.strip():
            if _is_place_like(tail) or _EMPLOYMENT_RE.match(tail.strip()):
                return head, None
            return head, tail
    match = re.search(r"\(([^()]{2,60})\)\s*$", text)
    if match and not _is_place_like(match.group(1)):
        head = text[: match.start()]
        if _initials(head) == fold(match.group(1)).replace(" ", ""):
            return head, None  # "Site Reliability Engineer (SRE)": the title's own acronym
        return head, match.group(1)
    return text, None


def _initials(text: str) -> str:
    return "".join(word[0] for word in fold(text).split())


def _seniority(words: str) -> tuple[str | None, str]:
    """The seniority a title states ("senior", "senior 2", "2") and the title without it."""
    found: list[str] = []
    words = words.strip()
    for pattern, level in _LEVELS:
        if pattern.search(words):
            found.append(level)
            words = pattern.sub(" ", words, count=1)
            break
    for pattern, level in _SENIORITY:
        if pattern.search(words):
            found.insert(0, level)
            words = pattern.sub(" ", words, count=1)
            break
    return " ".join(found) or None, words
