"""The time and size budget of one template rendering, and the checks that keep work within it.

Every check runs before the work it guards, from an estimate that is never smaller than the
result: a refused operation never allocates.
"""

from __future__ import annotations

import re
import string
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2.utils import Namespace

__all__ = [
    "MAX_CHARS",
    "MAX_INT_BITS",
    "USER_TEMPLATE_SECONDS",
    "BudgetExceededError",
    "budget",
    "check_format",
    "check_printf",
    "check_result",
    "check_size",
    "check_width",
    "text_weight",
    "tick",
]

# What one template may produce, and what any value made on the way may hold (characters).
MAX_CHARS = 256 * 1024
# How long a user template may run; a built-in one gets more (it is small and must not fail on
# a busy machine).
USER_TEMPLATE_SECONDS = 1.0
# The largest integer arithmetic may make (about 20,000 decimal digits).
MAX_INT_BITS = 65536

_PRINTF_RE = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_DIGITS_RE = re.compile(r"\d+")


class BudgetExceededError(Exception):
    """A template ran past its time or size budget (the message names which, never the data)."""


@dataclass(frozen=True, slots=True)
class _Budget:
    deadline: float
    seconds: float
    max_chars: int


_current: ContextVar[_Budget | None] = ContextVar("aggregator_template_budget", default=None)


@contextmanager
def budget(seconds: float, max_chars: int = MAX_CHARS) -> Iterator[None]:
    """Run the block under a budget of `seconds` and `max_chars` (outside one: MAX_CHARS)."""
    token = _current.set(_Budget(time.monotonic() + seconds, seconds, max_chars))
    try:
        yield
    finally:
        _current.reset(token)


def tick() -> None:
    """Raise BudgetExceededError once the current rendering's time is up."""
    current = _current.get()
    if current is not None and time.monotonic() > current.deadline:
        raise BudgetExceededError(f"the template ran longer than {current.seconds:g} s")


def _limit() -> int:
    current = _current.get()
    return MAX_CHARS if current is None else current.max_chars


def check_size(size: int, what: str = "the template") -> None:
    """Raise BudgetExceededError when `size` characters (or items) are over the limit."""
    if size > (limit := _limit()):
        raise BudgetExceededError(f"{what} would make more than {limit} characters or items")


def check_width(value: object, what: str) -> None:
    """A width, count or precision argument: an integer no larger than the size limit."""
    if isinstance(value, int) and abs(value) > (limit := _limit()):
        raise BudgetExceededError(f"{what} {value} is over the limit of {limit}")


def check_result(value: object) -> None:
    """What a call or an operator returned: a string or collection within the size limit."""
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        check_size(len(value), "a value")
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise BudgetExceededError(f"a number would have more than {MAX_INT_BITS} bits")


def text_weight(value: object, limit: int | None = None) -> int:
    """About how long `str(value)` is (never less), counted only until it passes `limit`.

    Lists may hold the same large value many times over, so the printed form is measured
    without making it.
    """
    limit = _limit() if limit is None else limit
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (bytes, bytearray)):
            total += 4 * len(item) + 3
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, float):
            total += 24
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            pending.extend(item)
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, Namespace):
            pending.append(object.__getattribute__(item, "_Namespace__attrs"))
        else:
            total += 64
    return total


def _largest_argument(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    values = [*args, *kwargs.values()]
    return max((text_weight(value) for value in values), default=0)


def check_format(template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """`template.format(*args, **kwargs)`: widths, and each field as long as the longest value."""
    fields, widths = 0, 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return  # str.format raises the same error itself, without making anything
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise BudgetExceededError("nested format specifications are not allowed in templates")
        for number in _DIGITS_RE.findall(spec or ""):
            check_width(int(number), "a format width")
            widths += int(number)
    largest = _largest_argument(args, kwargs)
    check_size(len(template) + widths + fields * largest, "a format")


def check_printf(template: str, values: object) -> None:
    """`template % values`: widths and precisions, and each conversion as long as a value."""
    conversions, widths = 0, 0
    for width, precision, _kind in _PRINTF_RE.findall(template):
        conversions += 1
        for number in (width, precision):
            if number == "*":
                raise BudgetExceededError("`*` widths are not allowed in templates")
            if number:
                check_width(int(number), "a format width")
                widths += int(number)
    if isinstance(values, tuple):
        largest = _largest_argument(values, {})
    elif isinstance(values, Mapping):
        largest = _largest_argument(tuple(values.values()), {})
    else:
        largest = text_weight(values)
    check_size(len(template) + widths + conversions * largest, "a format")
