"""The board catalogue (`sources/*.yaml`): named boards as defaults over a code adapter."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aggregator.adapters.base import Adapter, option_problems
from aggregator.adapters.registry import AdapterRegistryError, adapter_names, get_adapter
from aggregator.config.model import Duration, SourceConfig
from aggregator.errors import AggregatorError

__all__ = [
    "CatalogueEntry",
    "CatalogueError",
    "ResolvedSource",
    "check_source",
    "load_catalogue",
    "resolve",
]


class CatalogueError(AggregatorError):
    """A catalogue file is invalid (a packaging or plug-in bug, not a user error)."""


class CatalogueEntry(BaseModel):
    """One board: which code adapter reads it, with which defaults, under which terms."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str
    adapter: str
    homepage: str
    auth: str = "none"
    limits: str = ""
    terms: str = ""
    every: Duration
    url: str | None = None
    max_body_bytes: int | None = Field(
        None, ge=1, description="a larger body cap for boards served as one big document"
    )
    options: dict[str, Any] = Field(default_factory=dict)
    required: list[str] = Field(default_factory=list, description="options the user must give")
    lists_whole_board: bool | None = Field(
        None, description="a complete fetch lists every open job (default: the adapter's)"
    )
    example: dict[str, Any] = Field(default_factory=dict, description="options for a sample")


@dataclass(frozen=True, slots=True)
class ResolvedSource:
    """A source with its catalogue defaults applied, and the class that reads it."""

    config: SourceConfig
    adapter: type[Adapter[Any]]
    entry: CatalogueEntry | None

    def build(self) -> Adapter[Any]:
        """The source's adapter, ready to fetch and parse."""
        return self.adapter(self.config)

    @property
    def lists_whole_board(self) -> bool:
        """Whether a complete fetch lists every open posting (its missing ones have closed)."""
        if self.entry is not None and self.entry.lists_whole_board is not None:
            return self.entry.lists_whole_board
        return self.adapter.lists_whole_board


def _catalogue_folder() -> Traversable:
    try:
        return resources.files("aggregator.catalogue")
    except ModuleNotFoundError:
        # A source checkout installed in editable mode: the catalogue is the repository's own.
        return Path(__file__).resolve().parents[3] / "sources"


@functools.cache
def load_catalogue() -> dict[str, CatalogueEntry]:
    """Every catalogue entry by name (the file's stem), loaded once."""
    entries: dict[str, CatalogueEntry] = {}
    for item in sorted(_catalogue_folder().iterdir(), key=lambda t: t.name):
        if not item.name.endswith(".yaml"):
            continue
        name = item.name.removesuffix(".yaml")
        try:
            data = yaml.safe_load(item.read_text(encoding="utf-8"))
            entries[name] = CatalogueEntry.model_validate({"name": name, **data})
        except (yaml.YAMLError, ValidationError, TypeError) as exc:
            raise CatalogueError(f"catalogue entry {item.name} is invalid: {exc}") from exc
    return entries


def known_adapter_names() -> list[str]:
    return sorted(set(adapter_names()) | set(load_catalogue()))


def _merge(defaults: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides win; nested mappings (params, headers, fields) merge key by key."""
    merged = dict(defaults)
    for key, value in overrides.items():
        base = merged.get(key)
        both_maps = isinstance(base, Mapping) and isinstance(value, Mapping)
        merged[key] = _merge(base, value) if both_maps else value  # type: ignore[arg-type]
    return merged


def _adapter_for(name: str) -> tuple[type[Adapter[Any]], CatalogueEntry | None]:
    entry = load_catalogue().get(name)
    try:
        return get_adapter(entry.adapter if entry else name), entry
    except AdapterRegistryError:
        if entry is not None:
            raise
        known = ", ".join(known_adapter_names())
        raise AdapterRegistryError(f"unknown adapter {name!r} (known: {known})") from None


def resolve(source: SourceConfig) -> ResolvedSource:
    """Apply the catalogue entry named by `source.adapter`, if there is one."""
    adapter, entry = _adapter_for(source.adapter)
    if entry is None:
        return ResolvedSource(source, adapter, None)
    merged = source.model_copy(
        update={
            "url": source.url or entry.url,
            "every": source.every or entry.every,
            # The source's own cap wins; the entry's stands in for `http.max_body_bytes`.
            "max_body_bytes": source.max_body_bytes or entry.max_body_bytes,
            "options": _merge(entry.options, source.options),
        }
    )
    return ResolvedSource(merged, adapter, entry)


def check_source(raw: Mapping[str, Any]) -> list[str]:
    """Config-time problems of one raw `sources[]` item: its adapter, url and options."""
    name = raw.get("adapter")
    if not isinstance(name, str):
        return []
    try:
        adapter, entry = _adapter_for(name)
    except AdapterRegistryError as exc:
        return [f"adapter: {exc}"]
    options = raw.get("options", {})
    url = raw.get("url")
    if entry is not None:
        url = url or entry.url
        if isinstance(options, Mapping):
            options = _merge(entry.options, options)
    return option_problems(adapter, url, options)
