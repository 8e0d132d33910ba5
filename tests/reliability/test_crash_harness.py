"""The crash harness: SIGKILLed runs at named points and at random lose no alert."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.harness import LABELS, run_harness, run_parallel

CI_KILLS = 20
LONG_KILLS = 1000


@pytest.mark.slow
def test_a_few_dozen_kills_lose_no_alert_and_duplicate_only_in_the_send_mark_window(
    tmp_path: Path,
) -> None:
    result = run_harness(tmp_path, kills=CI_KILLS, seed=5)

    assert result.problems == []
    assert result.integrity == "ok"
    assert result.kills >= CI_KILLS
    assert result.random_kills > 0
    assert set(result.named_kills) == set(LABELS)
    assert result.delivered == result.published > 0


@pytest.mark.soak
def test_a_thousand_kills_lose_no_alert(tmp_path: Path) -> None:
    result = run_parallel(tmp_path, kills=LONG_KILLS, workers=4, seed=11)

    assert result.problems == []
    assert result.integrity == "ok"
    assert result.kills >= LONG_KILLS
