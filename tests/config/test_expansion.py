"""`${VAR}` interpolation has a size budget: a small config that repeats a large variable (in one
string, or through aliases) is a config error (exit 2), not a process that eats the machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.config.safe_yaml import MAX_CONFIG_CHARS, MAX_CONFIG_VALUES

BIG = "x" * 100_000  # one environment variable: Linux takes up to 128 KiB
GIB = 1024**3


def _limit_memory() -> None:
    # Without the budget this config asks for about 9 GB: the guard makes it fail fast.
    resource.setrlimit(resource.RLIMIT_AS, (2 * GIB, 2 * GIB))


def validate(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    return subprocess.run(
        [sys.executable, "-m", "aggregator", "config", "validate", str(config)],
        env={**env, "BIG": BIG},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_memory,
        check=False,
    )


@pytest.mark.parametrize(
    "body",
    [
        # 6 kB: one string of 100 references, used in 900 places through an alias.
        'x-big: &big "' + "${BIG}" * 100 + '"\nx-list: [' + ", ".join(["*big"] * 900) + "]\n",
        # 600 kB, no alias: one string of 100,000 references.
        'x-big: "' + "${BIG}" * 100_000 + '"\n',
    ],
    ids=["aliases", "one-string"],
)
def test_a_config_expanding_past_the_budget_is_a_config_error(tmp_path: Path, body: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database: sqlite:///x.db\n" + body)
    result = validate(config)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"<root>: the configuration's strings expand to more than {MAX_CONFIG_CHARS:,} "
        "characters (${VAR} values and YAML aliases repeat text); refused"
    ) in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_config_within_the_budget_expands_every_reference(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database: sqlite:///x.db\nhttp:\n  user_agent: '${BIG}${BIG}'\n")
    result = validate(config)
    assert result.returncode == 0, result.stdout + result.stderr


def merge_bomb(levels: int, fan: int = 9) -> str:
    """500 bytes: each level merges the one below nine times (9**levels pairs in all)."""
    lines = ["x-a0: &a0 {k: v}"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * fan)
        lines.append(f"x-a{level}: &a{level} {{<<: [{refs}]}}")
    return "\n".join(lines) + "\n"


def test_a_merge_key_bomb_is_refused_at_its_place(tmp_path: Path) -> None:
    # PyYAML 6.0.3 (what some indexes still serve) builds every merged pair: hours for this.
    config = tmp_path / "config.yaml"
    config.write_text("database: sqlite:///x.db\n" + merge_bomb(10))
    result = validate(config)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"line 8, column 7: merge keys (<<) stand for more than {MAX_CONFIG_VALUES:,} values; "
        "refused"
    ) in result.stderr


def test_ordinary_merge_keys_still_work(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///x.db\n"
        "sources:\n"
        "  - &one {adapter: rss, every: 2h, name: one, url: 'https://one.test/feed'}\n"
        "  - {<<: *one, name: two, url: 'https://two.test/feed'}\n"
        "  - {<<: [*one], name: three, every: 1h}\n"
    )
    result = validate(config)
    assert result.returncode == 0, result.stdout + result.stderr
