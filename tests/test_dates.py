"""The one date reader: epochs in seconds or milliseconds, ISO 8601, RFC 2822, UTC out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.dates import EPOCH_MS_FROM, as_utc, from_epoch, from_iso, from_rfc2822

MOMENT = datetime(2026, 11, 26, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1795680000, "auto", MOMENT),
        (1795680000000, "auto", MOMENT),
        ("1795680000", "s", MOMENT),
        (1795680000000, "ms", MOMENT),
        (EPOCH_MS_FROM, "auto", datetime.fromtimestamp(EPOCH_MS_FROM / 1000, tz=UTC)),
        (0, "auto", None),  # "no date", not 1970
        (-5, "s", None),
        (float("nan"), "auto", None),
        (10**30, "s", None),  # past the year 9999
        (5e14, "s", None),
        (True, "auto", None),
        ("soon", "auto", None),
    ],
)
def test_epochs_in_seconds_or_milliseconds(value: object, unit: str, expected: object) -> None:
    assert from_epoch(value, unit=unit) == expected  # type: ignore[arg-type]


def test_iso_and_rfc_2822_dates_keep_their_offset_and_as_utc_converts() -> None:
    offset = timezone(timedelta(hours=-5))
    assert from_iso(" 2026-11-26T03:00:00-05:00 ") == datetime(2026, 11, 26, 3, tzinfo=offset)
    assert from_iso("3 days ago") is None
    assert from_rfc2822("Thu, 26 Nov 2026 08:00:00 GMT") == MOMENT
    assert from_rfc2822("3 days ago") is None
    assert as_utc(datetime(2026, 11, 26, 3, tzinfo=offset)) == MOMENT
    assert as_utc(datetime(2026, 11, 26, 8)).tzinfo is UTC
