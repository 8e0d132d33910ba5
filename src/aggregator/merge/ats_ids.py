"""ATS job ids in URLs: (ats, board, job id) from Greenhouse, Lever, Ashby, Workable,
SmartRecruiters, Recruitee, LinkedIn and Indeed links, whatever tracking they carry."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["ATS_NAMES", "ats_id_of_url", "ats_ids_of_urls", "job_key", "urls_in_text"]

# How a reason names each ATS ("same Greenhouse job amplitude/8636903002").
ATS_NAMES = {
    "greenhouse": "Greenhouse",
    "lever": "Lever",
    "ashby": "Ashby",
    "workable": "Workable",
    "smartrecruiters": "SmartRecruiters",
    "recruitee": "Recruitee",
    "linkedin": "LinkedIn",
    "indeed": "Indeed",
}
# An ATS id is "<ats>:<board>:<job>"; the board is empty where the URL does not say it.
MAX_IDS = 8
_MAX_PART = 100
_URL_RE = re.compile(r"""https?://[^\s"'<>()\[\]{}]+""", re.IGNORECASE)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(rf"^{_UUID}$", re.IGNORECASE)
_DIGITS_RE = re.compile(r"^\d{3,20}$")
_TRAILING_DIGITS_RE = re.compile(r"(?:^|-)(\d{5,20})$")
_SR_ID_RE = re.compile(r"^(\d{6,20})(?:-|$)")
_SHORTCODE_RE = re.compile(r"^[0-9A-Za-z]{6,16}$")
_SLUG_RE = re.compile(r"^[0-9a-z][0-9a-z-]{0,99}$")
# Boards whose job ids are unique across the whole ATS: their key needs no board, so a careers
# page (`?gh_jid=`) and the board URL of one job share it.
_GLOBAL_IDS = frozenset({"greenhouse", "lever", "ashby", "workable", "smartrecruiters"})
_GREENHOUSE_HOSTS = re.compile(
    r"^(?:job-)?boards(?:\.eu)?\.greenhouse\.io$|^boards-api\.greenhouse\.io$"
)
_LEVER_HOSTS = re.compile(r"^jobs(?:\.eu)?\.lever\.co$|^api(?:\.eu)?\.lever\.co$")


def urls_in_text(text: str) -> list[str]:
    """Every http(s) URL written in a text or an HTML attribute, in order."""
    return [match.group(0).rstrip(".,;:!?") for match in _URL_RE.finditer(text)]


def ats_ids_of_urls(urls: Iterable[str]) -> tuple[str, ...]:
    """The distinct ATS ids the URLs name, in order, at most MAX_IDS."""
    found: list[str] = []
    for url in urls:
        ats_id = ats_id_of_url(url)
        if ats_id and ats_id not in found:
            found.append(ats_id)
            if len(found) == MAX_IDS:
                break
    return tuple(found)


def job_key(ats_id: str) -> str:
    """What two ATS ids are equal on: the ATS and job id, plus the board where ids are only
    unique per board (Recruitee slugs)."""
    ats, board, job = ats_id.split(":", 2)
    return f"{ats}:{job}" if ats in _GLOBAL_IDS or not board else f"{ats}:{board}:{job}"


def ats_id_of_url(url: str) -> str | None:
    """The ATS id a URL names, or None. Only the path and the id-bearing parameters are read,
    so tracking parameters (utm_*, gh_src, lever-source, trackingId, refId ...) never matter."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    for reader in _READERS:
        found = reader(host, segments, query)
        if found:
            ats, board, job = found
            return f"{ats}:{board.lower()[:_MAX_PART]}:{job[:_MAX_PART]}"
    return None


Found = tuple[str, str, str] | None
Query = dict[str, list[str]]


def _param(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0].strip() if values else None


def _greenhouse(host: str, segments: list[str], query: Query) -> Found:
    gh_jid = _param(query, "gh_jid")
    if gh_jid and _DIGITS_RE.match(gh_jid):  # a careers page that embeds the board
        return "greenhouse", "", gh_jid
    if not _GREENHOUSE_HOSTS.match(host):
        return None
    if segments[:2] == ["embed", "job_app"]:
        token = _param(query, "token") or ""
        board = _param(query, "for") or ""
        return ("greenhouse", board, token) if _DIGITS_RE.match(token) else None
    if segments[:2] == ["v1", "boards"]:
        segments = segments[2:]  # the API: /v1/boards/<board>/jobs/<id>
    if len(segments) >= 3 and segments[1] == "jobs" and _DIGITS_RE.match(segments[2]):
        return "greenhouse", segments[0], segments[2]
    return None


def _lever(host: str, segments: list[str], query: Query) -> Found:
    if not _LEVER_HOSTS.match(host):
        return None
    if segments[:2] == ["v0", "postings"]:
        segments = segments[2:]
    if len(segments) >= 2 and _UUID_RE.match(segments[1]):
        return "lever", segments[0], segments[1].lower()
    return None


def _ashby(host: str, segments: list[str], query: Query) -> Found:
    if host != "jobs.ashbyhq.com" or len(segments) < 2 or not _UUID_RE.match(segments[1]):
        return None
    return "ashby", segments[0], segments[1].lower()


def _workable(host: str, segments: list[str], query: Query) -> Found:
    if host == "apply.workable.com" and len(segments) >= 3 and segments[1] == "j":
        board, code = segments[0], segments[2]
    elif host.endswith(".workable.com") and len(segments) >= 2 and segments[0] in {"j", "jobs"}:
        board, code = host.split(".")[0], segments[1]
    else:
        return None
    return ("workable", board, code.upper()) if _SHORTCODE_RE.match(code) else None


def _smartrecruiters(host: str, segments: list[str], query: Query) -> Found:
    if host not in {"jobs.smartrecruiters.com", "careers.smartrecruiters.com"}:
        return None
    if len(segments) < 2:
        return None
    match = _SR_ID_RE.match(segments[1])
    return ("smartrecruiters", segments[0], match.group(1)) if match else None


def _recruitee(host: str, segments: list[str], query: Query) -> Found:
    if not host.endswith(".recruitee.com") or len(segments) < 2 or segments[0] != "o":
        return None
    slug = segments[1].lower()
    return ("recruitee", host.split(".")[0], slug) if _SLUG_RE.match(slug) else None


def _linkedin(host: str, segments: list[str], query: Query) -> Found:
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        return None
    current = _param(query, "currentJobId")
    if current and _DIGITS_RE.match(current):
        return "linkedin", "", current
    if segments[:1] == ["comm"]:
        segments = segments[1:]
    if len(segments) >= 3 and segments[:2] == ["jobs", "view"]:
        match = _TRAILING_DIGITS_RE.search(segments[2])  # "<id>" or "<slug>-<id>"
        return ("linkedin", "", match.group(1)) if match else None
    return None


def _indeed(host: str, segments: list[str], query: Query) -> Found:
    if "indeed." not in host:
        return None
    jk = _param(query, "jk") or _param(query, "vjk")
    return ("indeed", "", jk.lower()) if jk and re.fullmatch(r"[0-9a-fA-F]{16}", jk) else None


_READERS = (
    _greenhouse,
    _lever,
    _ashby,
    _workable,
    _smartrecruiters,
    _recruitee,
    _linkedin,
    _indeed,
)
