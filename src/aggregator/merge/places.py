"""Place keys: a city under any of its names (Munich/München), a country, a remote region
("remote-us", "remote-eu"), and whether two postings' places can be the same job's."""

from __future__ import annotations

import re
from collections.abc import Iterable

from aggregator.merge.folding import fold

__all__ = ["compatible_places", "looks_like_place", "place_keys"]

# Cities by their names in English and the local language; the country says which remote
# region and which country a city belongs to. Small on purpose: an unknown city is compared by
# its name.
_CITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "munich": ("de", ("munchen", "muenchen")),
    "berlin": ("de", ()),
    "hamburg": ("de", ()),
    "cologne": ("de", ("koln", "koeln")),
    "frankfurt": ("de", ("frankfurt am main",)),
    "nuremberg": ("de", ("nurnberg", "nuernberg")),
    "dusseldorf": ("de", ("duesseldorf",)),
    "stuttgart": ("de", ()),
    "vienna": ("at", ("wien",)),
    "zurich": ("ch", ("zuerich",)),
    "geneva": ("ch", ("geneve", "genf")),
    "basel": ("ch", ()),
    "paris": ("fr", ()),
    "lyon": ("fr", ()),
    "london": ("gb", ()),
    "manchester": ("gb", ()),
    "edinburgh": ("gb", ()),
    "dublin": ("ie", ()),
    "amsterdam": ("nl", ()),
    "rotterdam": ("nl", ()),
    "the hague": ("nl", ("den haag",)),
    "brussels": ("be", ("bruxelles", "brussel")),
    "antwerp": ("be", ("antwerpen",)),
    "copenhagen": ("dk", ("kobenhavn",)),
    "stockholm": ("se", ()),
    "gothenburg": ("se", ("goteborg",)),
    "oslo": ("no", ()),
    "helsinki": ("fi", ()),
    "warsaw": ("pl", ("warszawa",)),
    "krakow": ("pl", ("cracow",)),
    "prague": ("cz", ("praha",)),
    "budapest": ("hu", ()),
    "bucharest": ("ro", ("bucuresti",)),
    "lisbon": ("pt", ("lisboa",)),
    "porto": ("pt", ()),
    "madrid": ("es", ()),
    "barcelona": ("es", ()),
    "seville": ("es", ("sevilla",)),
    "milan": ("it", ("milano",)),
    "rome": ("it", ("roma",)),
    "turin": ("it", ("torino",)),
    "florence": ("it", ("firenze",)),
    "naples": ("it", ("napoli",)),
    "athens": ("gr", ("athina",)),
    "kyiv": ("ua", ("kiev",)),
    "tallinn": ("ee", ()),
    "new york": ("us", ("nyc", "new york city", "manhattan", "brooklyn")),
    "san francisco": ("us", ("sf", "san francisco bay area")),
    "los angeles": ("us", ()),
    "seattle": ("us", ()),
    "austin": ("us", ()),
    "boston": ("us", ()),
    "chicago": ("us", ()),
    "denver": ("us", ()),
    "washington dc": ("us", ("washington d c", "dc")),
    "toronto": ("ca", ()),
    "vancouver": ("ca", ()),
    "montreal": ("ca", ()),
    "mexico city": ("mx", ("ciudad de mexico", "cdmx")),
    "sao paulo": ("br", ()),
    "buenos aires": ("ar", ()),
    "bengaluru": ("in", ("bangalore",)),
    "mumbai": ("in", ("bombay",)),
    "gurugram": ("in", ("gurgaon",)),
    "tel aviv": ("il", ("tel aviv yafo",)),
    "singapore": ("sg", ()),
    "tokyo": ("jp", ()),
    "sydney": ("au", ()),
    "melbourne": ("au", ()),
}
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "us": ("us", "usa", "united states", "united states of america", "america", "u s", "u s a"),
    "gb": ("uk", "united kingdom", "great britain", "england", "scotland", "britain"),
    "de": ("germany", "deutschland"),
    "at": ("austria", "osterreich", "oesterreich"),
    "ch": ("switzerland", "schweiz", "suisse"),
    "fr": ("france",),
    "nl": ("netherlands", "the netherlands", "holland", "nederland"),
    "be": ("belgium",),
    "ie": ("ireland",),
    "es": ("spain", "espana"),
    "pt": ("portugal",),
    "it": ("italy", "italia"),
    "pl": ("poland", "polska"),
    "cz": ("czechia", "czech republic"),
    "dk": ("denmark", "danmark"),
    "se": ("sweden", "sverige"),
    "no": ("norway", "norge"),
    "fi": ("finland", "suomi"),
    "ca": ("canada",),
    "mx": ("mexico",),
    "br": ("brazil", "brasil"),
    "in": ("india",),
    "au": ("australia",),
    "jp": ("japan",),
    "sg": (),
    "il": ("israel",),
}
# Remote regions and the countries in them ("remote-eu" may be a German remote job).
_EUROPE = "de at ch fr nl be ie es pt it pl cz dk se no fi gb hu ro gr ee ua"
_REGIONS: dict[str, frozenset[str]] = {
    "eu": frozenset(_EUROPE.split()),
    "na": frozenset({"us", "ca", "mx"}),
}
_REGION_NAMES = {
    "eu": ("eu", "europe", "emea", "european union", "cet", "cest", "european timezones"),
    "na": ("north america", "americas", "us canada"),
    "world": ("worldwide", "anywhere", "global", "world", "international"),
}
_ALIASES: dict[str, str] = {}
for _city, (_country, _names) in _CITIES.items():
    for _name in (_city, *_names):
        _ALIASES[_name] = f"city:{_city}"
for _code, _names in _COUNTRIES.items():
    for _name in _names:
        _ALIASES[_name] = f"country:{_code}"
for _region, _names in _REGION_NAMES.items():
    for _name in _names:
        _ALIASES[_name] = f"region:{_region}"
# Two-letter codes only count as a whole part ("Berlin, DE"), never inside a phrase.
_CODES = {code: f"country:{code}" for code in _COUNTRIES} | {"eu": "region:eu"}
_REMOTE_RE = re.compile(r"\b(?:remote|remotely|anywhere|worldwide|distributed|wfh)\b")
_SEGMENT_SPLIT_RE = re.compile(r"\s*(?:;|\||/|\bor\b|\band\b|\+|&)\s*", re.IGNORECASE)
_PART_SPLIT_RE = re.compile(r"\s*(?:,|\(|\)|\s[-–—]\s|:)\s*")
_IGNORED = frozenset(
    {"hybrid", "onsite", "on site", "office", "in office", "remote", "remotely", "only",
     "remote only", "full time", "part time", "contract", "flexible", "remote first",
     "remote friendly", "distributed", "wfh", "and"}
)  # fmt: skip
_MAX_KEYS = 6
# Short names safe to find inside a phrase ("Remote in US"); other codes only as a whole part.
_SAFE_SHORT = frozenset({"us", "uk", "eu", "sf", "dc"})


def looks_like_place(text: str) -> bool:
    """Whether a phrase names a known place or says remote ("Berlin", "Remote, US")."""
    if _REMOTE_RE.search(fold(text)):
        return True
    return any(_found(part) or _CODES.get(part) for part in _parts(text))


def place_keys(phrases: Iterable[str | None], *, remote: bool = False) -> frozenset[str]:
    """The place keys of a posting's location phrases ("München, Bayern" -> city:munich;
    "Remote - US" -> remote-us; an unknown place -> other:<its first part>). `remote`: the
    source said the job is remote, whatever the phrases say."""
    keys: set[str] = set()
    for phrase in phrases:
        if phrase:
            keys |= _phrase_keys(phrase)
    # A region only ever describes remote work ("Europe" on a remote board is remote-eu), and
    # a country of a remote job is its remote region.
    keys = {f"remote-{key[7:]}" if key.startswith("region:") else key for key in keys}
    if remote and not any(key.startswith("remote") for key in keys):
        countries = {key for key in keys if key.startswith("country:")}
        keys = (keys - countries) | ({f"remote-{key[8:]}" for key in countries} or {"remote"})
    return frozenset(sorted(keys)[:_MAX_KEYS])


def _parts(text: str) -> list[str]:
    """A phrase's comma (or dash, or bracket) parts, folded."""
    return [part for part in (fold(p) for p in _PART_SPLIT_RE.split(text)) if part]


def _phrase_keys(phrase: str) -> set[str]:
    keys: set[str] = set()
    remote_anywhere = bool(_REMOTE_RE.search(fold(phrase)))
    for segment in _SEGMENT_SPLIT_RE.split(phrase):
        parts = _parts(segment)
        found = [_found(part) or _CODES.get(part) for part in parts]
        places = [key for key in found if key]
        is_remote = bool(_REMOTE_RE.search(fold(segment))) or (
            remote_anywhere and not _has_city(places)
        )
        if is_remote:
            keys |= _remote_keys(places, keys)
            keys |= {key.removeprefix("city:") for key in places if key.startswith("city:")}
        elif places and (_has_city(places) or found[0] or parts[0] in _IGNORED):
            keys.add(_best(places))
        elif places:
            # An unknown city in a known country ("Leeds, UK", "Springfield, IL"): the city is
            # the place; the country alone would make every city of it the same place.
            keys.add(f"other:{parts[0][:40]}")
        elif parts and parts[0] not in _IGNORED:
            keys.add(f"other:{parts[0][:40]}")
    return keys


def _has_city(places: list[str]) -> bool:
    return any(key.startswith("city:") for key in places)


def _best(places: list[str]) -> str:
    """The most precise place named: a city over its country."""
    city = next((key for key in places if key.startswith("city:")), None)
    return city.removeprefix("city:") if city else places[0]


def _remote_keys(places: list[str] | None, keys: set[str]) -> set[str]:
    for key in places or ():
        kind, _, value = key.partition(":")
        if kind == "region":
            return {f"remote-{value}"}
        if kind == "country":
            return {f"remote-{value}"}
        if kind == "city":
            return {f"remote-{_CITIES[value][0]}"}
    return {"remote"}


def _found(part: str) -> str | None:
    """The place a comma part names, by its longest known name inside it."""
    if part in _ALIASES:
        return _ALIASES[part]
    words = part.split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            key = _ALIASES.get(" ".join(words[start : start + size]))
            name = " ".join(words[start : start + size])
            if key and (len(name) > 2 or name in _SAFE_SHORT):
                return key
    return None


def compatible_places(a: frozenset[str], b: frozenset[str]) -> str | None:
    """How alike two place sets are: "strong" when both name one place, "weak" when they
    may (a city and its country, plain remote and a remote region, a region and a country in
    it), None when they differ or either is unknown."""
    if not a or not b:
        return None
    shared = a & b
    if shared - {"remote"}:
        return "strong"
    if shared:
        return "weak"
    if any(_weakly_same(x, y) for x in a for y in b):
        return "weak"
    return None


def _weakly_same(x: str, y: str) -> bool:
    if x.startswith("remote") and y.startswith("remote"):
        rx, ry = x.removeprefix("remote").lstrip("-"), y.removeprefix("remote").lstrip("-")
        if not rx or not ry or "world" in (rx, ry):
            return True
        return ry in _REGIONS.get(rx, ()) or rx in _REGIONS.get(ry, ())
    return _city_in_country(x, y) or _city_in_country(y, x)


def _city_in_country(city: str, country: str) -> bool:
    return country.startswith("country:") and _CITIES.get(city, ("",))[0] == country[8:]
