"""Adapters by name, discovered through the `aggregator.adapters` entry-point group."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from aggregator.adapters.base import Adapter

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterRegistryError",
    "DuplicateAdapterError",
    "UnknownAdapterError",
    "get_adapter",
    "load_adapters",
]

ENTRY_POINT_GROUP = "aggregator.adapters"


class AdapterRegistryError(Exception):
    """The installed adapters cannot be loaded or looked up; the message says why."""


class DuplicateAdapterError(AdapterRegistryError):
    """Two installed distributions declare an adapter with the same name."""


class UnknownAdapterError(AdapterRegistryError, LookupError):
    """No installed adapter has the requested name; the message lists the known ones."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown adapter {name!r} (known: {', '.join(self.known) or 'none'})")


def load_adapters() -> dict[str, type[Adapter]]:
    """Every installed adapter class by name (loaded once; a copy is returned)."""
    return dict(_load_cached())


def get_adapter(name: str) -> type[Adapter]:
    """The adapter class called `name`, or UnknownAdapterError listing the valid names."""
    adapters = _load_cached()
    try:
        return adapters[name]
    except KeyError:
        raise UnknownAdapterError(name, adapters) from None


@functools.cache
def _load_cached() -> dict[str, type[Adapter]]:
    return collect_adapters(entry_points(group=ENTRY_POINT_GROUP))


def collect_adapters(points: Iterable[EntryPoint]) -> dict[str, type[Adapter]]:
    """Load entry points into a name -> class map, refusing duplicates and non-adapters."""
    adapters: dict[str, type[Adapter]] = {}
    origins: dict[str, str] = {}
    for point in points:
        origin = _distribution(point)
        if point.name in adapters:
            raise DuplicateAdapterError(
                f"adapter {point.name!r} is declared twice: by {origins[point.name]} "
                f"and by {origin}; uninstall one of them"
            )
        adapters[point.name] = _load(point, origin)
        origins[point.name] = origin
    return adapters


def _load(point: EntryPoint, origin: str) -> type[Adapter]:
    where = f"adapter {point.name!r} ({point.value} from {origin})"
    try:
        loaded = point.load()
    except Exception as exc:  # any import-time failure of a plug-in
        raise AdapterRegistryError(f"{where} cannot be loaded: {exc}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Adapter)):
        raise AdapterRegistryError(f"{where} is not an Adapter subclass")
    if getattr(loaded, "name", None) != point.name:
        declared = getattr(loaded, "name", None)
        raise AdapterRegistryError(f"{where} declares name {declared!r}, not {point.name!r}")
    return loaded


def _distribution(point: EntryPoint) -> str:
    dist = point.dist
    return f"distribution {dist.name!r}" if dist is not None else "an unknown distribution"
