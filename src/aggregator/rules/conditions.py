"""Structured conditions: `pay>=25/h`, `hours<=40`, `age<=3d`, `deadline>=7d`, `type:gig`."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aggregator.models import JobDetails
from aggregator.normalize.pay import HOURS_PER_PERIOD, Pay, PayPeriod, to_hourly
from aggregator.rules.document import (
    EMPLOYMENT_TYPES,
    PAY_PERIODS,
    PreparedDocument,
    employment_type,
)
from aggregator.rules.errors import QuerySyntaxError
from aggregator.rules.nodes import Compare, Facet, Unknown, format_number, unit_suffix

__all__ = ["compare_reason", "facet", "parse_comparison", "unknown_holds"]

_REMOTE = ("yes", "no", "unknown")
STATUSES = ("open", "closed", "expired")
_SEEN_RE = re.compile(r"([1-9]\d{0,2})\+")
_VALUE_RE = re.compile(r"(\d+(?:\.\d+)?)(k?)(.*)", re.IGNORECASE)
_PAY_UNITS: dict[str, PayPeriod] = {
    **dict.fromkeys(["h", "hr", "hour"], "hour"),
    **dict.fromkeys(["d", "day"], "day"),
    **dict.fromkeys(["w", "wk", "week"], "week"),
    **dict.fromkeys(["m", "mo", "month"], "month"),
    **dict.fromkeys(["y", "yr", "year"], "year"),
    "project": "project",
}
_TIME_UNITS = {"h": 1.0, "d": 24.0, "w": 168.0}
_EXAMPLES = {"pay": "pay>=25/h", "hours": "hours<=40", "age": "age<=3d", "deadline": "deadline>=7d"}


def parse_comparison(quantity: str, text: str, position: int) -> Compare:
    """Read `>=25/h` (the part after `pay`) into a Compare; raise naming the column."""
    op = text[:2] if text[:2] in (">=", "<=") else text[:1]
    found = _VALUE_RE.fullmatch(text[len(op) :])
    if found is None:
        where = position + len(quantity) + len(op)
        raise QuerySyntaxError(
            where, f"expected a number after {quantity}{op} ({_EXAMPLES[quantity]})"
        )
    amount = float(found.group(1)) * (1000 if found.group(2) else 1)
    unit = _unit(quantity, found.group(3).casefold(), position)
    return Compare(quantity, op, amount, unit, position)


def _unit(quantity: str, written: str, position: int) -> str:
    if quantity == "pay" and written.startswith("/") and written[1:] in _PAY_UNITS:
        return _PAY_UNITS[written[1:]]
    if quantity == "hours" and written in ("", "h"):
        return "h"
    if quantity in ("age", "deadline") and written in _TIME_UNITS:
        return written
    units = {"pay": "a period such as /h or /y", "hours": "h"}.get(quantity, "h, d or w")
    raise QuerySyntaxError(position, f"{quantity} needs {units} ({_EXAMPLES[quantity]})")


def facet(name: str, value: str, position: int) -> Facet | Unknown:
    """`source:x`, `type:gig`, `remote:yes`, `pay:unknown`, `status:open`, `seen:2+`: check
    the value, build the node."""
    if name in ("pay", "hours", "deadline"):
        if value.casefold() != "unknown":
            message = f"{name}: takes only unknown; compare with {_EXAMPLES[name]}"
            raise QuerySyntaxError(position, message)
        return Unknown(name, position)
    if name == "type":
        if (kind := employment_type(value)) is None:
            raise QuerySyntaxError(position, f"type: is one of {', '.join(EMPLOYMENT_TYPES)}")
        return Facet(name, kind, position)
    if name == "remote" and value.casefold() not in _REMOTE:
        raise QuerySyntaxError(position, "remote: is yes, no or unknown")
    if name == "status" and value.casefold() not in STATUSES:
        raise QuerySyntaxError(position, "status: is open, closed or expired")
    if name == "seen" and _SEEN_RE.fullmatch(value.strip()) is None:
        raise QuerySyntaxError(position, "seen: takes a number of boards and +, as in seen:2+")
    return Facet(name, value.strip().casefold(), position)


def unknown_holds(node: Unknown, doc: PreparedDocument) -> bool:
    return f"{node.quantity}=unknown" in doc.facets


def compare_reason(node: Compare, doc: PreparedDocument) -> str | None:
    """`pay 30/h >= 25/h` when the posting meets the condition, else None."""
    span = _measure(node, doc)
    if span is None or not _holds(node.op, node.amount, *span):
        return None
    low, high = span
    shown = format_number(low) if low == high else f"{format_number(low)}-{format_number(high)}"
    limit = f"{format_number(node.amount)}{unit_suffix(node)}"
    if node.quantity == "deadline":
        return f"deadline in {shown}{unit_suffix(node)} {node.op} {limit}"
    return f"{node.quantity} {shown}{unit_suffix(node)} {node.op} {limit}"


def _holds(op: str, amount: float, low: float, high: float) -> bool:
    """A range meets a condition when some part of it does (20-30/h meets pay>=25/h)."""
    if op == ">=":
        return high >= amount
    if op == ">":
        return high > amount
    if op == "<=":
        return low <= amount
    if op == "<":
        return low < amount
    return low <= amount <= high


def _measure(node: Compare, doc: PreparedDocument) -> tuple[float, float] | None:
    """The posting's (low, high) in the comparison's unit, or None if it does not say."""
    if node.quantity == "pay":
        return _pay_span(node.unit, doc.job)
    if node.quantity == "hours":
        return _span(doc.job.duration_min_hours, doc.job.duration_max_hours)
    moment = doc.posted_at if node.quantity == "age" else doc.job.deadline
    if moment is None:
        return None
    hours = (_aware(moment) - doc.now).total_seconds() / 3600
    if node.quantity == "age":
        hours = max(0.0, -hours)
    elif hours <= 0:
        return None  # a deadline that has passed meets no deadline condition
    value = round(hours / _TIME_UNITS[node.unit], 1)
    return value, value


def _pay_span(unit: str, job: JobDetails) -> tuple[float, float] | None:
    period = PAY_PERIODS.get(job.pay_period or "")
    span = _span(job.pay_min, job.pay_max)
    if period is None or span is None:
        return None
    if "project" in (unit, period):
        return span if unit == period else None
    low, high = to_hourly(Pay(span[0], span[1], job.currency, period))
    hours = HOURS_PER_PERIOD[PAY_PERIODS[unit]]
    assert low is not None  # both ends are known and the period is timed
    assert high is not None
    return round(low * hours, 2), round(high * hours, 2)


def _span(low: float | None, high: float | None) -> tuple[float, float] | None:
    """(low, high) with an open end taken as the known one: "25+" is 25-25."""
    if low is not None:
        return low, low if high is None else high
    return None if high is None else (high, high)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
