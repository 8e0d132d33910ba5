"""Adapters by name, discovered through the `aggregator.adapters` entry-point group."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from aggregator.adapters.base import Adapter
from aggregator.errors import AggregatorError

__all__ = [
    "ENTRY_POINT_GROUP",
    "AdapterRegistryError",
    "DuplicateAdapterError",
    "UnknownAdapterError",
    "adapter_names",
    "get_adapter",
]

ENTRY_POINT_GROUP = "aggregator.adapters"


class AdapterRegistryError(AggregatorError):
    """The installed adapters cannot be loaded or looked up; the message says why."""


class DuplicateAdapterError(AdapterRegistryError):
    """Two installed distributions declare an adapter with the same name."""


class UnknownAdapterError(AdapterRegistryError, LookupError):
    """No installed adapter has the requested name; the message lists the known ones."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown adapter {name!r} (known: {', '.join(self.known) or 'none'})")


def adapter_names() -> list[str]:
    """The names of the installed adapters, without importing any of them."""
    return sorted(_indexed())


@functools.cache
def get_adapter(name: str) -> type[Adapter[Any]]:
    """The adapter class called `name`, or UnknownAdapterError listing the valid names.

    Only this adapter's module is imported, so a broken plug-in fails its own sources, not all.
    """
    points = _indexed()
    if name not in points:
        raise UnknownAdapterError(name, points)
    point, origin = points[name]
    return _load(point, origin)


@functools.cache
def _indexed() -> dict[str, tuple[EntryPoint, str]]:
    return _index(entry_points(group=ENTRY_POINT_GROUP))


def _index(points: Iterable[EntryPoint]) -> dict[str, tuple[EntryPoint, str]]:
    """Entry points by name, with the distribution that declares each; a name declared twice
    is an error."""
    indexed: dict[str, tuple[EntryPoint, str]] = {}
    for point in points:
        origin = _distribution(point)
        if point.name in indexed:
            raise DuplicateAdapterError(
                f"adapter {point.name!r} is declared twice: by {indexed[point.name][1]} "
                f"and by {origin}; uninstall one of them"
            )
        indexed[point.name] = (point, origin)
    return indexed


def _load(point: EntryPoint, origin: str) -> type[Adapter[Any]]:
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
