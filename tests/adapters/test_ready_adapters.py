"""A ready adapter is plain data: it pickles whole (the parse worker gets it so) and parses the
same after the trip; its options are typed, and it keeps only a small context of its source."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
import yaml

from aggregator.adapters.base import Adapter, SourceContext
from aggregator.adapters.catalogue import load_catalogue, resolve
from aggregator.adapters.greenhouse import GreenhouseAdapter, GreenhouseOptions
from aggregator.adapters.registry import adapter_names, get_adapter
from aggregator.config.model import SourceConfig

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_adapter(name: str) -> tuple[Adapter[Any], dict[str, Any]]:
    spec: dict[str, Any] = yaml.safe_load((FIXTURES / f"{name}.expect.yaml").read_text())
    source = SourceConfig(
        name="fixture", adapter=name, url=spec.get("url"), options=spec.get("options", {})
    )
    return resolve(source).build(), spec


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_every_catalogue_adapter_survives_pickling_and_parses_the_same(name: str) -> None:
    adapter, spec = fixture_adapter(name)
    body = (FIXTURES / spec["file"]).read_bytes()

    copy = pickle.loads(pickle.dumps(adapter))

    assert type(copy) is type(adapter)
    assert copy.source == adapter.source
    assert copy.options == adapter.options
    assert copy.parse(body, url=spec["page_url"]) == adapter.parse(body, url=spec["page_url"])


def test_an_adapter_keeps_a_small_source_context_not_the_config() -> None:
    source = SourceConfig(
        name="acme",
        adapter="greenhouse",
        every="2h",
        max_body_bytes=4096,
        allow_offsite=True,
        options={"board": "acme"},
    )
    adapter = GreenhouseAdapter(source)

    assert adapter.source == SourceContext(
        name="acme", adapter="greenhouse", max_body_bytes=4096, allow_offsite=True
    )
    assert isinstance(adapter.options, GreenhouseOptions)
    assert adapter.options.board == "acme"


@pytest.mark.parametrize("name", adapter_names())
def test_every_installed_adapter_names_its_own_module_for_the_parse_workers(name: str) -> None:
    adapter = get_adapter(name)
    assert adapter.parse_modules()[0] == adapter.__module__
