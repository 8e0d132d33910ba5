"""Bad input through the real `aggregate` command: one clear line, the right exit code.

Most checks call the real entry point, `main()`, in this process (`invoke`), which is far
faster than starting Python each time. A real process (`run_cli`) is kept where only one shows
the behaviour: the real excepthook's traceback, a full run with its signal handlers, and the
hostile configs, which must neither hang nor crash the interpreter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke
from tests.conftest import run_cli
from tests.support.shared import REPO


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("sources: [\n  - name: x\n", "invalid YAML"),
        (
            "sources:\n  - name: a\n    adapter: rsss\n    url: http://127.0.0.1/\n",
            "sources[0].adapter: unknown adapter 'rsss' (known: ",
        ),
        (
            "channels:\n  me: console://\nrules:\n  - name: r\n    query: x\n"
            "    notify: [me, slak]\n",
            "rules[0].notify[1]: unknown channel 'slak'",
        ),
        ("rules:\n  - name: r\n    query: 'data OR'\n", "rules[0].query: col"),
        ("sourcez: []\n", "sourcez: unknown key"),
        ("channels:\n  me: 'slak://user:hunter2secret@host'\n", "channels.me: apprise cannot"),
        ("database: 'mysql://u:hunter2secret@h/db'\n", "database: unsupported database 'mysql'"),
        ("database: data.db\n", "database: not a database URL"),
    ],
)
def test_a_bad_config_exits_2_naming_the_key_without_a_traceback(
    tmp_path: Path, invoke: Invoke, yaml_text: str, expected: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml_text)
    for args in (["config", "validate", str(config)], ["run", "--config", str(config)]):
        result = invoke(*args)
        assert result.returncode == 2, result.stderr
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert "hunter2secret" not in result.stderr + result.stdout


def test_every_config_problem_is_reported_at_once(tmp_path: Path, invoke: Invoke) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "sources:\n  - name: Bad Name\n    adapter: rss\n    url: ftp://x\n    every: soon\n"
        "rules:\n  - name: r\n    query: x\n    notify: [nobody]\n"
    )
    result = invoke("config", "validate", str(config))
    assert result.returncode == 2
    for path in ("sources[0].name", "sources[0].url", "sources[0].every", "rules[0].notify[0]"):
        assert f"  {path}: " in result.stderr


def test_a_missing_config_file_exits_2(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("run", "--config", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "cannot read the file" in result.stderr


def test_the_config_defaults_to_the_aggregator_config_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources: []\n")
    result = run_cli("run", "--json", cwd=tmp_path, env={"AGGREGATOR_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert '"sources": []' in result.stdout


def test_debug_shows_the_traceback_that_is_otherwise_hidden(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("sourcez: []\n")
    result = run_cli("--debug", "config", "validate", str(config), cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_the_example_config_is_valid(invoke: Invoke) -> None:
    result = invoke("config", "validate", str(REPO / "config.example.yaml"))
    assert result.returncode == 0, result.stderr
    assert "ok (3 sources" in result.stdout


def test_help_explains_every_command(invoke: Invoke) -> None:
    result = invoke("--help")
    assert result.returncode == 0
    for command in ("run", "daemon", "config", "db", "demo"):
        assert command in result.stdout
    run_help = invoke("run", "--help").stdout
    for option in ("--all", "--dry-run", "--no-notify", "--json", "AGGREGATOR_CONFIG"):
        assert option in run_help


def _alias_bomb() -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 10)]
    return "\n".join(lines).replace("l9:", "sources:") + "\n"


HOSTILE_CONFIGS = [
    pytest.param(_alias_bomb(), "more than 100,000 values", id="alias-bomb"),
    pytest.param("a: " + "[" * 20000 + "]" * 20000 + "\n", "nested more than", id="deep-flow"),
    pytest.param(
        "sources:\n  - {name: a, adapter: rss, url: 'http://127.0.0.1:9/', every: 999999999999}\n",
        "sources[0].every: expected a duration from 1s to 30d",
        id="huge-every",
    ),
    pytest.param(
        "parse: {timeout: 1e308}\n", "parse.timeout: expected a number from 0", id="huge-timeout"
    ),
    pytest.param(
        "parse: {max_memory_mb: 99999999999999}\n",
        "parse.max_memory_mb: expected a number from 128 to 1048576",
        id="huge-memory",
    ),
    pytest.param("http: {retries: .nan}\n", "http.retries: expected a number", id="nan"),
    pytest.param(
        "http: {retries: " + "9" * 5000 + "}\n",
        "a number of more than 4300 digits",
        id="5000-digits",
    ),
    pytest.param("timezone: 2024-02-30\n", "cannot read this value", id="impossible-date"),
    pytest.param(
        "health: {disable_after: 999999999999999w}\n",
        "health.disable_after: expected a duration from 1s to 365d",
        id="overflowing-duration",
    ),
    pytest.param(
        "rules:\n  - name: r\n    query: '" + "(" * 2000 + "x" + ")" * 2000 + "'\n",
        "rules[0].query: col ",
        id="deep-query",
    ),
    pytest.param(
        "rules:\n  - name: r\n    query: '" + "NOT " * 2000 + "x'\n",
        "rules[0].query: col ",
        id="not-not-not",
    ),
]


@pytest.mark.parametrize(("yaml_text", "expected"), HOSTILE_CONFIGS)
def test_a_hostile_or_absurd_config_is_refused_quickly_with_exit_2(
    tmp_path: Path, yaml_text: str, expected: str
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml_text)
    for args in (["config", "validate", str(config)], ["run", "--config", str(config)]):
        result = run_cli(*args, cwd=tmp_path, timeout=60)  # the timeout is a hang guard only
        assert result.returncode == 2, result.stderr[-2000:]
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 2, result.stderr[-2000:]


@pytest.mark.parametrize(
    "query", ["(" * 2000 + "x" + ")" * 2000, "NOT " * 2000 + "x", "-" * 2000 + "x"]
)
def test_rules_test_refuses_a_deeply_nested_query_in_one_line(
    tmp_path: Path, invoke: Invoke, query: str
) -> None:
    postings = tmp_path / "postings.jsonl"
    postings.write_text("")
    result = invoke("rules", "test", "--input", str(postings), "--", query)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    error, excerpt, caret = result.stderr.rstrip("\n").split("\n")
    assert error.startswith("error: col ")
    assert "nested more than 50 levels" in error
    assert len(excerpt) < 100
    assert excerpt[caret.index("^")] in "(-N"  # the caret points into the query's nesting
