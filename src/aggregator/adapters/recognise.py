"""Board URLs recognised offline: which adapter and options read the board a URL points at.

Pure and table-driven (`aggregate sources add`): one row per hosted job-board form. A URL on a
known board host whose path names no board is refused with a message saying what is missing;
a URL on any other host is not recognised (None) and is left to the careers-page scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aggregator.adapters._json import TOKEN_PATTERN

__all__ = [
    "BOARD_FORMS",
    "BadBoardUrlError",
    "Recognised",
    "normalise_url",
    "recognise_url",
    "slug",
    "source_key",
    "with_scheme",
]

_TOKEN_RE = re.compile(TOKEN_PATTERN)
# A scheme (`mailto:`, `https://`), not a host and port (`localhost:8080`).
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
_LOCALE_RE = re.compile(r"^[a-z]{2}-[a-z]{2}$", re.IGNORECASE)
_SLUG_DROP_RE = re.compile(r"[^a-z0-9]+")
# Subdomains of a per-company host (x.recruitee.com) that are the vendor's own, not a company.
_VENDOR_SUBDOMAINS = frozenset(
    [
        "www",
        "app",
        "api",
        "admin",
        "login",
        "help",
        "support",
        "blog",
        "assets",
        "static",
        "cdn",
        "media",
        "images",
        "img",
        "status",
        "docs",
        "developer",
        "developers",
        "partners",
        "marketplace",
    ]
)
# The options that say which board a source reads, per adapter; the others are keyed by url.
BOARD_OPTION = {
    "greenhouse": "board",
    "ashby": "board",
    "workable": "board",
    "recruitee": "board",
    "smartrecruiters": "board",
    "lever": "site",
    "personio": "company",
}


class BadBoardUrlError(ValueError):
    """A URL that cannot be a source: not http(s), or a board host without a board in it."""


@dataclass(frozen=True, slots=True)
class Recognised:
    """A source found for a URL: its adapter, url and options, and a default name."""

    adapter: str
    token: str  # the board token (or feed host) the default name is made from
    board_url: str  # the canonical public URL of the board, shown to the user
    url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    guessed: bool = False  # the token is a guess (gh_jid links name no board)

    @property
    def key(self) -> tuple[str, str]:
        """What makes two sources the same: the adapter and its board (or normalised url)."""
        option = BOARD_OPTION.get(self.adapter)
        if option is not None and option in self.options:
            return self.adapter, str(self.options[option]).lower()
        return self.adapter, normalise_url(self.url or self.board_url)

    def block(self, name: str) -> dict[str, Any]:
        """The `sources:` item, in the key order a person writes it."""
        item: dict[str, Any] = {"name": name, "adapter": self.adapter}
        if self.url is not None:
            item["url"] = self.url
        if self.options:
            item["options"] = dict(self.options)
        return item

    def describe(self) -> str:
        return f"{self.adapter} {self.board_url}"


def with_scheme(text: str) -> str:
    """`boards.greenhouse.io/x` -> `https://boards.greenhouse.io/x`; other text unchanged."""
    text = text.strip()
    return text if _SCHEME_RE.match(text) else f"https://{text.lstrip('/')}"


def _split(text: str) -> tuple[str, list[str], dict[str, list[str]]]:
    """The lower-case host, the non-empty path segments and the query of an http(s) URL."""
    url = with_scheme(text)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError as exc:
        raise BadBoardUrlError(f"not a URL: {text!r} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadBoardUrlError(f"not an http(s) URL: {text!r}")
    if not host or any(c.isspace() for c in url):
        raise BadBoardUrlError(f"not a URL: {text!r}")
    segments = [segment for segment in parts.path.split("/") if segment]
    return host, segments, parse_qs(parts.query)


def _token(value: str | None, what: str, form: str) -> str:
    if value is None:
        raise BadBoardUrlError(f"a {what} URL names its board: {form}")
    if not _TOKEN_RE.match(value):
        raise BadBoardUrlError(f"{value!r} is not a {what} board name (in {form})")
    return value


def _first(segments: list[str], skip: tuple[str, ...] = ()) -> str | None:
    return segments[0] if segments and segments[0].lower() not in skip else None


# One row: a host pattern, and the reader of (host match, path segments, query).
Reader = Callable[[re.Match[str], list[str], dict[str, list[str]]], Recognised]


def _greenhouse(
    host: re.Match[str], segments: list[str], query: dict[str, list[str]]
) -> Recognised:
    form = "boards.greenhouse.io/<board> or .../embed/job_board?for=<board>"
    if segments and segments[0] == "embed":
        board = _token(query.get("for", [None])[0], "Greenhouse", form)
    else:
        board = _token(_first(segments), "Greenhouse", form)
    return _board("greenhouse", board, f"https://boards.greenhouse.io/{board}")


def _greenhouse_api(
    host: re.Match[str], segments: list[str], query: dict[str, list[str]]
) -> Recognised:
    # The embed's script reads boards-api.greenhouse.io/v1/boards/<board>/jobs.
    form = "boards-api.greenhouse.io/v1/boards/<board>"
    found = segments[2] if segments[:2] == ["v1", "boards"] and len(segments) > 2 else None
    board = _token(found, "Greenhouse", form)
    return _board("greenhouse", board, f"https://boards.greenhouse.io/{board}")


def _lever(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    site = _token(_first(segments), "Lever", "jobs.lever.co/<site>")
    eu = host.group("eu") is not None
    options: dict[str, Any] = {"site": site} | ({"region": "eu"} if eu else {})
    board_url = f"https://jobs.{'eu.' if eu else ''}lever.co/{site}"
    return Recognised("lever", site, board_url, options=options)


def _lever_api(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    # Lever's own embed script reads api.lever.co/v0/postings/<site>.
    found = segments[2] if segments[:2] == ["v0", "postings"] and len(segments) > 2 else None
    site = _token(found, "Lever", "api.lever.co/v0/postings/<site>")
    eu = host.group("eu") is not None
    options: dict[str, Any] = {"site": site} | ({"region": "eu"} if eu else {})
    board_url = f"https://jobs.{'eu.' if eu else ''}lever.co/{site}"
    return Recognised("lever", site, board_url, options=options)


def _ashby(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    board = _token(_first(segments, ("api",)), "Ashby", "jobs.ashbyhq.com/<board>")
    return _board("ashby", board, f"https://jobs.ashbyhq.com/{board}")


def _ashby_api(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    path = ["posting-api", "job-board"]
    found = segments[2] if segments[:2] == path and len(segments) > 2 else None
    board = _token(found, "Ashby", "api.ashbyhq.com/posting-api/job-board/<board>")
    return _board("ashby", board, f"https://jobs.ashbyhq.com/{board}")


def _workable(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    form = "apply.workable.com/<account>"
    if segments[:4] == ["api", "v1", "widget", "accounts"]:
        segments = segments[4:]
    elif segments and segments[0] in ("j", "api"):
        # apply.workable.com/j/<shortcode> is one job's short link: it names no account.
        raise BadBoardUrlError(f"a Workable job link names no account; give the board: {form}")
    board = _token(_first(segments), "Workable", form)
    return _board("workable", board, f"https://apply.workable.com/{board}")


def _recruitee(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    board = _company_subdomain(host, "Recruitee", "<company>.recruitee.com")
    return _board("recruitee", board, f"https://{board}.recruitee.com")


def _teamtailor(
    host: re.Match[str], segments: list[str], query: dict[str, list[str]]
) -> Recognised:
    company = _company_subdomain(host, "Teamtailor", "<company>.teamtailor.com")
    url = f"https://{company}.teamtailor.com"
    return Recognised("teamtailor", company, url, url=url)


def _workday(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    tenant, wd = host.group("sub"), host.group("wd")
    form = f"https://{tenant}.{wd}.myworkdayjobs.com/[<locale>/]<Site>"
    if segments[:2] == ["wday", "cxs"] and len(segments) > 3:
        segments = segments[3:]  # the CXS API: /wday/cxs/<tenant>/<site>/jobs
    elif segments and _LOCALE_RE.match(segments[0]):
        segments = segments[1:]  # the locale is the reader's language, not the site
    if not _TOKEN_RE.match(tenant):
        raise BadBoardUrlError(f"{tenant!r} is not a Workday tenant (in {form})")
    site = segments[0] if segments else None
    if site is None or not _TOKEN_RE.match(site):
        raise BadBoardUrlError(f"a Workday URL names its careers site: {form}")
    url = f"https://{tenant}.{wd}.myworkdayjobs.com/{site}"
    return Recognised("workday", tenant, url, url=url)


def _personio(host: re.Match[str], segments: list[str], query: dict[str, list[str]]) -> Recognised:
    company = _company_subdomain(host, "Personio", "<company>.jobs.personio.de")
    tld = host.group("tld")
    options: dict[str, Any] = {"company": company}
    if tld != "de":  # jobs.personio.de is the adapter's default host
        options["host"] = f"jobs.personio.{tld}"
    url = f"https://{company}.jobs.personio.{tld}"
    return Recognised("personio", company, url, options=options)


def _smartrecruiters(
    host: re.Match[str], segments: list[str], query: dict[str, list[str]]
) -> Recognised:
    if host.group(0).startswith("api.") and segments[:2] == ["v1", "companies"]:
        segments = segments[2:]
    board = _token(_first(segments), "SmartRecruiters", "jobs.smartrecruiters.com/<company>")
    return _board("smartrecruiters", board, f"https://jobs.smartrecruiters.com/{board}")


def _company_subdomain(host: re.Match[str], what: str, form: str) -> str:
    company = host.group("sub")
    if company in _VENDOR_SUBDOMAINS or not _TOKEN_RE.match(company):
        raise BadBoardUrlError(f"{host.group(0)} is not a company's {what} board ({form})")
    return company


def _board(adapter: str, board: str, board_url: str) -> Recognised:
    return Recognised(adapter, board, board_url, options={"board": board})


_SUB = r"(?P<sub>[a-z0-9][a-z0-9-]*)"
# Host (full match, lower case) -> reader. Order matters only where patterns overlap.
BOARD_FORMS: tuple[tuple[re.Pattern[str], Reader], ...] = tuple(
    (re.compile(pattern), reader)
    for pattern, reader in (
        (r"(?:job-)?boards\.greenhouse\.io", _greenhouse),
        (r"boards-api\.greenhouse\.io", _greenhouse_api),
        (r"jobs\.(?P<eu>eu\.)?lever\.co", _lever),
        (r"api\.(?P<eu>eu\.)?lever\.co", _lever_api),
        (r"jobs\.ashbyhq\.com", _ashby),
        (r"api\.ashbyhq\.com", _ashby_api),
        (r"apply\.workable\.com", _workable),
        (rf"{_SUB}\.recruitee\.com", _recruitee),
        (rf"{_SUB}\.teamtailor\.com", _teamtailor),
        (rf"{_SUB}\.(?P<wd>wd\d{{1,3}})\.myworkdayjobs\.com", _workday),
        (rf"{_SUB}\.jobs\.personio\.(?P<tld>de|com)", _personio),
        (r"(?:jobs|careers|api)\.smartrecruiters\.com", _smartrecruiters),
    )
)


def recognise_url(text: str) -> Recognised | None:
    """The board a URL points at; None for a host that is no known board (BadBoardUrlError for a
    URL that is not http(s), or a board host whose path names no board)."""
    host, segments, query = _split(text)
    for pattern, reader in BOARD_FORMS:
        if found := pattern.fullmatch(host):
            return reader(found, segments, query)
    return None


def normalise_url(url: str) -> str:
    """A URL compared for sameness: scheme and host lower-cased, no default port, no fragment,
    no trailing slash."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}{query}"


def source_key(item: Mapping[str, Any]) -> tuple[str, str] | None:
    """The `Recognised.key` of a configured `sources[]` item (raw YAML), or None if it has
    neither a board option nor a url."""
    adapter = item.get("adapter")
    options = item.get("options")
    options = options if isinstance(options, Mapping) else {}
    url = item.get("url")
    if not isinstance(adapter, str):
        return None
    option = BOARD_OPTION.get(adapter)
    if option is not None and isinstance(options.get(option), str):
        return adapter, options[option].lower()
    if not isinstance(url, str):
        return None
    try:
        found = recognise_url(url)
    except BadBoardUrlError:
        found = None
    if found is not None and found.adapter == adapter:
        return found.key
    return adapter, normalise_url(url)


def slug(text: str, fallback: str = "source") -> str:
    """A source name (`^[a-z0-9][a-z0-9-]*$`, at most 64 characters) made from any text."""
    made = _SLUG_DROP_RE.sub("-", text.lower()).strip("-")[:48].strip("-")
    return made or fallback
