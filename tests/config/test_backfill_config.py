"""`backfill` in the config: a duration, all or none, at the top level and per source."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aggregator.config.model import Backfill, parse_config
from aggregator.errors import ConfigError

SOURCE = "sources:\n  - {name: a, adapter: rss, url: 'https://x.test/f'%s}\n"


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.problems


def test_the_default_is_three_days_and_a_source_inherits_it() -> None:
    config = parse_config(SOURCE % "")
    assert config.backfill == Backfill(timedelta(days=3))
    assert str(config.backfill) == "3d"
    assert config.sources[0].backfill is None


@pytest.mark.parametrize(
    ("text", "window", "shown"),
    [
        ("12h", timedelta(hours=12), "12h"),
        ("2w", timedelta(weeks=2), "2w"),
        ("ALL", None, "all"),
        ("none", timedelta(0), "none"),
        (3600, timedelta(hours=1), "1h"),
    ],
)
def test_backfill_takes_a_duration_all_or_none(
    text: str | int, window: timedelta | None, shown: str
) -> None:
    config = parse_config(f"backfill: {text}\n" + SOURCE % f", backfill: {text}")
    assert config.backfill.window == window == config.sources[0].backfill.window  # type: ignore[union-attr]
    assert str(config.backfill) == shown


def test_a_bad_backfill_is_one_clear_line_per_place() -> None:
    problems = problems_of("backfill: soon\n" + SOURCE % ", backfill: 0")
    assert problems == [
        "backfill: expected all, none or a duration such as 12h or 3d, got 'soon'",
        "sources[0].backfill: expected all, none or a duration such as 12h or 3d, got 0",
    ]


@pytest.mark.parametrize("text", ["3651d", "99999999999999999999d"])
def test_a_backfill_past_the_longest_duration_names_the_range(text: str) -> None:
    assert problems_of(f"backfill: {text}\n") == [
        f"backfill: expected a duration from 1s to 3650d, got '{text}'"
    ]


@pytest.mark.parametrize("text", ["true", "[3d]", "{days: 3}", "-1d"])
def test_other_shapes_are_refused(text: str) -> None:
    (problem,) = problems_of(SOURCE % f", backfill: {text}")
    assert problem.startswith("sources[0].backfill: expected all, none or a duration")
