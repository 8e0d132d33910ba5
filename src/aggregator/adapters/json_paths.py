"""A tiny path language over decoded JSON: `data.items`, `jobs[0]`, `[1:]`, `tags[].name`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aggregator.adapters._json import json_type

__all__ = ["MISSING", "JsonPath", "PathSyntaxError", "check_path"]

# One step: a key (anything but `.` and `[`), an index `[n]`, a slice `[a:b]`, or a map `[]`.
_STEP_RE: Final = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]|\[(-?\d*):(-?\d*)\]|\[\]")


class PathSyntaxError(ValueError):
    """A path that is not written in the path language."""


class _Missing:
    """The value of a path that does not resolve (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


@dataclass(frozen=True, slots=True)
class _Key:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    index: int


@dataclass(frozen=True, slots=True)
class _Slice:
    start: int | None
    stop: int | None


@dataclass(frozen=True, slots=True)
class _Map:
    pass


_Step = _Key | _Index | _Slice | _Map


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A compiled path; `""` is the document itself."""

    text: str
    steps: tuple[_Step, ...]
    ends: tuple[int, ...]  # where each step ends in `text`, to name a prefix in messages

    @classmethod
    def compile(cls, text: str) -> JsonPath:
        steps: list[_Step] = []
        ends: list[int] = []
        position = 0
        while position < len(text):
            found = _STEP_RE.match(text, position)
            if found is None or (found.group(1) and position and text[position] != "."):
                raise PathSyntaxError(f"invalid path {text!r} at character {position + 1}")
            steps.append(_step(found))
            position = found.end()
            ends.append(position)
        return cls(text, tuple(steps), tuple(ends))

    def resolve(self, document: Any) -> Any:
        """The value at this path, or MISSING; a `[]` step gives a list of what its items have."""
        return _walk(document, self.steps)

    def why_not(self, document: Any) -> str:
        """Where and why resolving stops, e.g. `expected an object at 'data', got list`."""
        value = document
        for done, step in enumerate(self.steps):
            where = repr(self.text[: self.ends[done - 1]]) if done else "the top level"
            if isinstance(step, _Key) and not isinstance(value, Mapping):
                return f"expected an object at {where}, got {json_type(value, article=False)}"
            if not isinstance(step, _Key) and not isinstance(value, list):
                return f"expected a list at {where}, got {json_type(value, article=False)}"
            if isinstance(step, _Map):
                break
            value = _walk(value, (step,))
            if value is MISSING:
                return f"nothing at {self.text[: self.ends[done]]!r}"
        return f"nothing at {self.text!r}"


def _step(found: re.Match[str]) -> _Step:
    key, index, start, stop = found.groups()
    if key is not None:
        return _Key(key)
    if index is not None:
        return _Index(int(index))
    if start is not None:
        return _Slice(int(start) if start else None, int(stop) if stop else None)
    return _Map()


def _walk(value: Any, steps: tuple[_Step, ...]) -> Any:
    for position, step in enumerate(steps):
        if isinstance(step, _Key):
            value = value.get(step.name, MISSING) if isinstance(value, Mapping) else MISSING
        elif not isinstance(value, list):
            return MISSING
        elif isinstance(step, _Index):
            value = value[step.index] if -len(value) <= step.index < len(value) else MISSING
        elif isinstance(step, _Slice):
            value = value[step.start : step.stop]
        else:
            rest = steps[position + 1 :]
            mapped = (_walk(item, rest) for item in value)
            return [item for item in mapped if item is not MISSING and item is not None]
        if value is MISSING:
            return MISSING
    return value


def check_path(text: str) -> str:
    """A pydantic validator: the path as written, once it compiles."""
    JsonPath.compile(text)
    return text
