"""Adapter discovery through entry points, with real (temporary) distributions on sys.path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.adapters import registry
from aggregator.adapters.catalogue import check_source
from aggregator.adapters.registry import (
    ENTRY_POINT_GROUP,
    AdapterRegistryError,
    DuplicateAdapterError,
    UnknownAdapterError,
    adapter_names,
    get_adapter,
)
from aggregator.adapters.rss import RssAdapter


def install_distribution(
    monkeypatch: pytest.MonkeyPatch, root: Path, name: str, points: dict[str, str]
) -> None:
    """Put a metadata-only distribution declaring `points` on sys.path."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    lines = "".join(f"{key} = {value}\n" for key, value in points.items())
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}")
    monkeypatch.syspath_prepend(str(root))


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """The registry reads the entry points once per process; a test that installs a
    distribution starts (and leaves) it unread."""
    registry._indexed.cache_clear()
    get_adapter.cache_clear()
    yield
    registry._indexed.cache_clear()
    get_adapter.cache_clear()


def test_the_rss_entry_point_is_found_by_name() -> None:
    assert "rss" in adapter_names()
    assert get_adapter("rss") is RssAdapter


def test_get_adapter_for_an_unknown_name_lists_the_known_names() -> None:
    with pytest.raises(UnknownAdapterError) as caught:
        get_adapter("rsss")
    assert str(caught.value).startswith("unknown adapter 'rsss' (known: ")
    assert "rss" in caught.value.known
    assert isinstance(caught.value, LookupError)


def test_check_source_accepts_a_known_adapter_and_names_an_unknown_one() -> None:
    assert check_source({"adapter": "rss", "url": "https://x.test/f"}) == []
    (problem,) = check_source({"adapter": "atom", "url": "https://x.test/f"})
    assert problem.startswith("adapter: unknown adapter 'atom' (known: ")
    assert "rss" in problem


def test_check_source_names_a_missing_url_and_unknown_options() -> None:
    problems = check_source({"adapter": "rss", "options": {"colour": "red"}})
    assert problems == [
        "url: the rss adapter needs a url",
        "options.colour: unknown option (valid: none)",
    ]


def test_unknown_adapter_error_says_none_when_nothing_is_installed() -> None:
    assert str(UnknownAdapterError("rss", [])) == "unknown adapter 'rss' (known: none)"


def test_two_distributions_declaring_one_name_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_distribution(
        monkeypatch, tmp_path, "other-adapters", {"rss": "aggregator.adapters.rss:RssAdapter"}
    )
    with pytest.raises(DuplicateAdapterError, match="'rss' is declared twice") as caught:
        adapter_names()
    assert "'aggregator'" in str(caught.value)
    assert "'other-adapters'" in str(caught.value)


def test_an_entry_point_that_is_not_an_adapter_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_distribution(monkeypatch, tmp_path, "bogus", {"bogus": "aggregator.models:Posting"})
    with pytest.raises(AdapterRegistryError, match=r"'bogus' .* is not an Adapter subclass"):
        get_adapter("bogus")


def test_an_entry_point_that_cannot_be_imported_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_distribution(monkeypatch, tmp_path, "broken", {"broken": "no_such_module:Thing"})
    with pytest.raises(AdapterRegistryError, match=r"'broken' .* cannot be loaded"):
        get_adapter("broken")


def test_an_entry_point_whose_class_has_another_name_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_distribution(
        monkeypatch, tmp_path, "renamed", {"atom": "aggregator.adapters.rss:RssAdapter"}
    )
    with pytest.raises(AdapterRegistryError, match="declares name 'rss', not 'atom'"):
        get_adapter("atom")
