"""Workable's careers-page widget API: a job advertised in several places keeps every one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aggregator.adapters.base import Adapter
from aggregator.adapters.catalogue import resolve
from aggregator.config.model import SourceConfig
from aggregator.models import RawPosting


def adapter() -> Adapter:
    config = SourceConfig(name="t", adapter="workable", options={"board": "lanternworks"})
    resolved = resolve(config)
    return resolved.adapter(resolved.config)


def parse(*jobs: dict[str, Any]) -> list[RawPosting]:
    body = json.dumps({"name": "Lanternworks", "jobs": list(jobs)}).encode()
    return adapter().parse(body, url="https://apply.workable.com/api/v1/widget/accounts/x")


def job(**fields: Any) -> dict[str, Any]:
    return {"title": "Lamp designer", "shortcode": "AB12CD34EF", **fields}


def place(city: str, region: str, country: str, *, hidden: bool = False) -> dict[str, Any]:
    code = country[:2].upper()
    return {"country": country, "countryCode": code, "city": city, "region": region,
            "hidden": hidden}  # fmt: skip


def test_a_job_in_several_countries_keeps_every_location() -> None:
    places = [place("Athens", "Attica", "Greece"), place("Berlin", "Berlin", "Germany"),
              place("", "", "Portugal")]  # fmt: skip
    (posting,) = parse(job(city="Athens", state="Attica", country="Greece", locations=places))

    assert posting.location == "Athens, Attica, Greece; Berlin, Germany; Portugal"
    assert posting.extra["locations"] == ["Athens, Attica, Greece", "Berlin, Germany", "Portugal"]


def test_hidden_locations_are_left_out() -> None:
    places = [place("Athens", "Attica", "Greece"), place("Oslo", "Oslo", "Norway", hidden=True)]
    (posting,) = parse(job(locations=places))

    assert posting.location == "Athens, Attica, Greece"


def test_without_a_locations_list_the_job_city_is_the_location() -> None:
    (posting,) = parse(job(city="Athens", state="Attica", country="Greece"))

    assert posting.location == "Athens"
    assert posting.extra.get("locations", []) == []


def test_a_locations_value_that_is_not_a_list_of_places_is_ignored() -> None:
    first, second = parse(job(city="Athens", locations="Athens"), job(locations=[1, None, {}]))

    assert (first.location, second.location) == ("Athens", None)


def test_the_fixture_job_advertised_in_three_countries_lists_them_all() -> None:
    body = (Path(__file__).parent / "fixtures" / "workable.json").read_bytes()
    postings = adapter().parse(body, url="https://apply.workable.com/")

    survey = next(p for p in postings if p.guid == "7C3D4E5F6A")
    assert survey.location == "Patras, Western Greece, Greece; Leipzig, Saxony, Germany; Cyprus"
