"""Workable careers pages: json_api_templated, plus every place a job is advertised in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from aggregator.adapters._json import text
from aggregator.adapters.json_api_templated import TemplatedJsonApiAdapter
from aggregator.models import RawPosting

__all__ = ["WorkableAdapter", "places"]

_PLACES_SEPARATOR = "; "  # as teamtailor and simplify join several places


class WorkableAdapter(TemplatedJsonApiAdapter):
    """The widget API (`/api/v1/widget/accounts/<board>`); the catalogue entry maps the fields.

    A job's `city`/`state`/`country` name one place; its `locations` list names every place it
    is advertised in (a job open in Greece and Germany lists both), so that list wins.
    """

    name: ClassVar[str] = "workable"

    def _posting(self, record: Mapping[str, Any], index: int, page_url: str) -> RawPosting:
        posting = super()._posting(record, index, page_url)
        found = places(record.get("locations"))
        if not found:
            return posting
        location = _PLACES_SEPARATOR.join(found)
        return replace(posting, location=location, extra={**posting.extra, "locations": found})


def places(locations: object) -> list[str]:
    """Each shown location as "city, region, country" (parts repeated or missing left out)."""
    if not isinstance(locations, list):
        return []
    found = []
    for location in locations:
        if not isinstance(location, Mapping) or location.get("hidden") is True:
            continue
        parts = (text(location.get(key)) for key in ("city", "region", "country"))
        found.append(", ".join(dict.fromkeys(part for part in parts if part)))
    return list(dict.fromkeys(place for place in found if place))
