"""Finite ranges for the config's numbers and durations, each refused with its allowed range."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

__all__ = [
    "MAX_DURATION",
    "Bounds",
    "format_duration",
    "parse_duration",
    "shown",
]

# The longest duration any setting or command option takes; it also keeps every
# `datetime + duration` far from datetime's year-9999 overflow.
MAX_DURATION = timedelta(days=3650)

_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_MAX_DIGITS = 18  # longer numbers are far past MAX_DURATION; int() of 5000 digits would raise
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object, *, longest: timedelta = MAX_DURATION) -> timedelta:
    """Parse `30s`, `30m`, `1h`, `2d`, `1w` (or a whole number of seconds) into a timedelta of
    at least a second and at most `longest`; ValueError otherwise, never an OverflowError."""
    if isinstance(value, timedelta):
        seconds: float = value.total_seconds()
    elif isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (found := _DURATION_RE.match(value)):
        digits = found.group(1)
        count = int(digits) if len(digits) <= _MAX_DIGITS else math.inf
        seconds = count * _DURATION_UNITS[found.group(2)]
    else:
        seconds = 0
    if seconds <= 0:
        raise ValueError(f"expected a duration such as 30m, 1h or 2d, got {shown(value)}")
    if seconds > longest.total_seconds():
        limit = format_duration(longest)
        raise ValueError(f"expected a duration from 1s to {limit}, got {shown(value)}")
    return value if isinstance(value, timedelta) else timedelta(seconds=seconds)


def shown(value: object, limit: int = 40) -> str:
    """A value as an error message quotes it: its repr, cut short (a value may be huge)."""
    text = str(value).lower() if isinstance(value, bool) else repr(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def format_duration(value: timedelta) -> str:
    """The shortest `30m` / `1h` / `2d` form of a duration (the inverse of parse_duration)."""
    seconds = int(value.total_seconds())
    for unit, size in sorted(_DURATION_UNITS.items(), key=lambda item: -item[1]):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True, slots=True)
class Bounds:
    """The allowed range of one setting, as pydantic metadata: `Annotated[float, Bounds(0, 60,
    above=True)]`. It refuses booleans, NaN and infinities too, and every refusal names the
    range. `duration=True` reads the setting with parse_duration (`high` is then in seconds)."""

    low: float
    high: float
    above: bool = False  # the low end is excluded: the value must be above it
    duration: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        if self.duration:
            return core_schema.no_info_before_validator_function(self._duration, handler(source))
        checked = core_schema.no_info_after_validator_function(self._check, handler(source))
        return core_schema.no_info_before_validator_function(self._screen, checked)

    def describe(self) -> str:
        low = f"{_plain(self.low)} (exclusive)" if self.above else _plain(self.low)
        return f"from {low} to {_plain(self.high)}"

    def _refuse(self, value: object) -> ValueError:
        return ValueError(f"expected a number {self.describe()}, got {shown(value)}")

    def _screen(self, value: object) -> object:
        """Before pydantic's own parsing, which takes `true` for 1, `.inf` for a float, and
        fails on a float too large for an integer without naming the range."""
        if isinstance(value, bool):
            raise self._refuse(value)
        if isinstance(value, int | float):
            self._check(value)
        return value

    def _check(self, value: Any) -> Any:
        if value is None:
            return value
        too_low = value <= self.low if self.above else value < self.low
        if too_low or value > self.high or not math.isfinite(value):
            raise self._refuse(value)
        return value

    def _duration(self, value: object) -> object:
        if value is None:
            return value
        return parse_duration(value, longest=timedelta(seconds=self.high))
