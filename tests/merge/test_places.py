"""Place keys and their compatibility."""

from __future__ import annotations

import pytest

from aggregator.merge.places import compatible_places, looks_like_place, place_keys


@pytest.mark.parametrize(
    ("phrase", "keys"),
    [
        ("München, Bayern, Deutschland", {"munich"}),
        ("Munich, Germany", {"munich"}),
        ("Wien", {"vienna"}),
        ("Köln", {"cologne"}),
        ("Remote - US", {"remote-us"}),
        ("Remote (EU)", {"remote-eu"}),
        ("Remote in US", {"remote-us"}),
        ("Remote", {"remote"}),
        ("Anywhere", {"remote-world"}),
        ("Berlin or Remote", {"berlin", "remote"}),
        ("United Kingdom", {"country:gb"}),
        ("Hybrid - London", {"london"}),
        ("Exampleton", {"other:exampleton"}),
    ],
)
def test_place_keys(phrase: str, keys: set[str]) -> None:
    assert place_keys([phrase]) == keys


def test_a_remote_job_in_a_country_is_that_remote_region() -> None:
    assert place_keys(["United States"], remote=True) == {"remote-us"}
    assert place_keys(["Europe"]) == {"remote-eu"}
    assert place_keys([None], remote=True) == {"remote"}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Munich", "München", "strong"),
        ("Vienna, Austria", "Wien", "strong"),
        ("London", "United Kingdom", "weak"),
        ("Remote", "Remote - US", "weak"),
        ("Remote (Germany)", "Remote, Europe", "weak"),
        ("Remote - US", "Remote - EU", None),
        ("Munich", "Vienna", None),
        ("Munich", "Remote", None),
    ],
)
def test_compatible_places(a: str, b: str, expected: str | None) -> None:
    assert compatible_places(place_keys([a]), place_keys([b])) == expected


def test_unknown_place_is_not_compatible() -> None:
    assert compatible_places(frozenset(), place_keys(["Munich"])) is None


def test_looks_like_place() -> None:
    assert looks_like_place("Berlin, DE")
    assert looks_like_place("Remote, US")
    assert not looks_like_place("Go")
    assert not looks_like_place("Payments")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Leeds, UK", "Bristol, UK", None),  # two cities of one country are two places
        ("Springfield, IL", "Peoria, IL", None),  # a US state code is no country of its own
        ("Springfield, IL", "Springfield, IL (Hybrid)", "strong"),
        ("Leeds, UK", "Leeds", "strong"),
    ],
)
def test_an_unknown_city_of_a_known_country_is_the_place(
    a: str, b: str, expected: str | None
) -> None:
    assert compatible_places(place_keys([a]), place_keys([b])) == expected
