"""Hostile or absurd config files: alias bombs, deep nesting, and numbers out of every range."""

from __future__ import annotations

import typing
from datetime import timedelta
from types import UnionType
from typing import Any

import pytest
from pydantic import BaseModel

from aggregator.adapters.catalogue import load_catalogue
from aggregator.config.model import (
    MAX_CONFIG_DEPTH,
    MAX_CONFIG_VALUES,
    Bounds,
    Config,
    interpolate_env,
    parse_config,
    parse_duration,
)
from aggregator.errors import ConfigError

SOURCE = "sources:\n  - name: a\n    adapter: rss\n    url: 'https://x.test/feed'\n"


def alias_bomb(levels: int = 10, width: int = 9) -> str:
    """The "billion laughs" of YAML: each anchor holds `width` aliases of the one before, so a
    file of a few hundred bytes stands for width**levels values."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def problems_of(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, env=env or {})
    return caught.value.problems


# YAML structure


def test_an_alias_bomb_is_refused_naming_the_limit() -> None:
    text = alias_bomb()
    assert len(text.encode()) < 1000
    (problem,) = problems_of(text)
    assert f"more than {MAX_CONFIG_VALUES:,} values" in problem
    assert "alias" in problem


def test_an_alias_bomb_under_a_key_the_schema_reads_is_refused_too() -> None:
    text = alias_bomb().replace("l9:", "sources:")
    (problem,) = problems_of(text)
    assert f"more than {MAX_CONFIG_VALUES:,} values" in problem


def test_a_few_aliases_of_shared_settings_still_work() -> None:
    config = parse_config(
        "channels: {me: 'console://'}\n"
        "rules:\n"
        "  - {name: a, query: python, notify: &targets [me]}\n"
        "  - {name: b, query: rust, notify: *targets}\n"
    )
    assert [rule.notify for rule in config.rules] == [["me"], ["me"]]


def test_aliases_are_interpolated_in_each_place_they_are_used() -> None:
    data, problems = interpolate_env({"a": ["${X}"], "b": None}, {"X": "1"})
    assert data == {"a": ["1"], "b": None}
    assert problems == []


def test_absurd_alias_use_is_refused_by_the_loader() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 20_000) + "]\n"
    (problem,) = problems_of(text)
    assert "aliases" in problem
    assert "line 2" in problem


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deeply_nested_yaml_is_one_config_error_not_a_recursion_error(opening: str) -> None:
    depth = 5000
    if opening == "- ":
        text = "".join("  " * i + "-\n" for i in range(depth))
    else:
        closing = "]" if opening == "[" else "}"
        text = "a: " + opening * depth + "1" + closing * depth + "\n"
    (problem,) = problems_of(text)
    assert f"nested more than {MAX_CONFIG_DEPTH} levels deep" in problem
    assert problem.startswith("line ")


def test_a_number_too_long_for_python_to_read_is_a_config_error_at_its_place() -> None:
    (problem,) = problems_of("http: {retries: " + "9" * 5000 + "}\n")
    assert problem == "line 1, column 17: a number of more than 4300 digits; refused"


@pytest.mark.parametrize(
    ("text", "column"),
    [("timezone: 2024-02-30\n", 11), ("a: !!float x\n", 4), ("a: !!int '0x'\n", 4)],
)
def test_a_value_pyyaml_matches_but_cannot_build_is_a_config_error_at_its_place(
    text: str, column: int
) -> None:
    (problem,) = problems_of(text)
    assert problem.startswith(f"line 1, column {column}: invalid YAML: cannot read this value: ")


def test_nesting_made_deep_by_aliases_is_refused_while_interpolating() -> None:
    inner = "[" * 40 + "x" + "]" * 40
    lines = [f"l0: &l0 {inner}"]
    for level in range(1, 40):
        lines.append(f"l{level}: &l{level} {'[' * 40}*l{level - 1}{']' * 40}")
    (problem,) = problems_of("\n".join(lines) + "\n")
    assert f"nested more than {MAX_CONFIG_DEPTH} levels deep" in problem


# Numbers, durations and their ranges


@pytest.mark.parametrize(
    ("text", "path", "allowed"),
    [
        ("sources: [{name: a, adapter: rss, url: 'https://x.test/', every: 999999999999}]",
         "sources[0].every", "1s to 30d"),
        ("sources: [{name: a, adapter: rss, url: 'https://x.test/', every: 9999999999999w}]",
         "sources[0].every", "1s to 30d"),
        ("sources: [{name: a, adapter: rss, url: 'https://x.test/', every: 31d}]",
         "sources[0].every", "1s to 30d"),
        ("parse: {timeout: 1e308}", "parse.timeout", "from 0 (exclusive) to 3600"),
        ("parse: {timeout: 1.0e308}", "parse.timeout", "from 0 (exclusive) to 3600"),
        ("parse: {timeout: .inf}", "parse.timeout", "from 0 (exclusive) to 3600"),
        ("parse: {timeout: .nan}", "parse.timeout", "from 0 (exclusive) to 3600"),
        ("parse: {timeout: -.inf}", "parse.timeout", "from 0 (exclusive) to 3600"),
        ("parse: {max_memory_mb: 99999999999999}", "parse.max_memory_mb", "from 128 to 1048576"),
        ("parse: {workers: 100000}", "parse.workers", "from 1 to 64"),
        ("http: {total_timeout: -1}", "http.total_timeout", "from 0 (exclusive) to 3600"),
        ("http: {connect_timeout: 1.0e20}", "http.connect_timeout", "from 0 (exclusive) to 600"),
        ("http: {read_timeout: 0}", "http.read_timeout", "from 0 (exclusive) to 3600"),
        ("http: {max_body_bytes: 1.0e+300}", "http.max_body_bytes", "from 1 to 1073741824"),
        ("http: {max_redirects: -1}", "http.max_redirects", "from 0 to 30"),
        ("http: {concurrency: 10000000}", "http.concurrency", "from 1 to 1024"),
        ("http: {per_host_gap: 1.0e100}", "http.per_host_gap", "from 0 to 3600"),
        ("http: {retries: 1000000}", "http.retries", "from 0 to 20"),
        ("http: {retry_backoff: .inf}", "http.retry_backoff", "from 0 to 3600"),
        ("http: {max_retry_wait: -5}", "http.max_retry_wait", "from 0 to 3600"),
        ("health: {disable_after_failures: 0}", "health.disable_after_failures",
         "from 1 to 1000000"),
        ("health: {disable_after: 99999999999d}", "health.disable_after", "1s to 365d"),
        ("health: {silent_after: 1.0e308}", "health.silent_after", "from 0 (exclusive) to 1000"),
        ("sources: [{name: a, adapter: rss, url: 'https://x.test/', silent_after: .nan}]",
         "sources[0].silent_after", "from 0 (exclusive) to 1000"),
        ("sources: [{name: a, adapter: rss, url: 'https://x.test/', max_body_bytes: -1}]",
         "sources[0].max_body_bytes", "from 1 to 1073741824"),
        ("channels: {me: {urls: 'console://', max_per_hour: 99999999999999999999999}}",
         "channels.me.max_per_hour", "from 1 to 100000"),
    ],
)  # fmt: skip
def test_a_number_out_of_range_is_an_error_with_its_path_and_the_range(
    text: str, path: str, allowed: str
) -> None:
    problems = problems_of(text + "\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: ")
    assert allowed in problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "http: {retries: true}",
        "http: {total_timeout: false}",
        "parse: {workers: true}",
        "health: {silent_after: yes}",
        "channels: {me: {urls: 'console://', max_per_hour: true}}",
        "sources: [{name: a, adapter: rss, url: 'https://x.test/', every: true}]",
    ],
)
def test_a_boolean_where_a_number_belongs_is_an_error(text: str) -> None:
    (problem,) = problems_of(text + "\n")
    assert "got true" in problem.lower() or "got false" in problem.lower()


def test_numbers_from_the_environment_are_still_accepted() -> None:
    config = parse_config(
        "http: {retries: '${RETRIES}', total_timeout: '${TOTAL}'}\n",
        env={"RETRIES": "3", "TOTAL": "12.5"},
    )
    assert (config.http.retries, config.http.total_timeout) == (3, 12.5)


def test_the_largest_allowed_values_are_accepted() -> None:
    config = parse_config(
        SOURCE.replace("url:", "every: 30d\n    url:")
        + "parse: {timeout: 3600, max_memory_mb: 1048576, workers: 64}\n"
        "health: {disable_after: 365d, silent_after: 1000}\n"
    )
    assert config.sources[0].interval == timedelta(days=30)
    assert config.health.disable_after == timedelta(days=365)


def _numeric(annotation: Any) -> bool:
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_numeric(arg) for arg in typing.get_args(annotation))
    return annotation in (int, float, timedelta)


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            for inner in (arg, *typing.get_args(arg)):
                if isinstance(inner, type) and issubclass(inner, BaseModel) and inner not in found:
                    found += _models(inner)
    return found


def test_every_numeric_setting_of_every_config_section_has_finite_bounds() -> None:
    """A guard for settings added later: each number or duration declares its range."""
    unbounded = [
        f"{model.__name__}.{name}"
        for model in _models(Config)
        for name, field in model.model_fields.items()
        if _numeric(field.annotation) and not any(isinstance(m, Bounds) for m in field.metadata)
    ]
    assert unbounded == []


def test_the_catalogue_defaults_are_within_the_bounds() -> None:
    for name, entry in load_catalogue().items():
        text = f"sources:\n  - {{name: s, adapter: {entry.adapter}, url: 'https://x.test/'}}\n"
        parse_config(text.replace("url:", f"every: {int(entry.every.total_seconds())}, url:"))
        assert timedelta(0) < entry.every <= timedelta(days=30), name


@pytest.mark.parametrize("text", ["99999999999999999999d", "9" * 5000 + "s", 10**30, "3651d"])
def test_a_huge_duration_is_a_value_error_never_an_overflow(text: object) -> None:
    with pytest.raises(ValueError, match="expected a duration from 1s to 3650d"):
        parse_duration(text)


@pytest.mark.parametrize(
    "body",
    [
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{% if x %}" * 3000 + "{% endif %}" * 3000,
    ],
    ids=["parentheses", "blocks"],
)
def test_a_deeply_nested_channel_template_is_one_config_error(body: str) -> None:
    text = SOURCE + "channels:\n  me:\n    urls: 'json://127.0.0.1:9/'\n    templates:\n"
    text += f"      body: {body!r}\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    (problem,) = caught.value.problems
    assert problem.startswith("channels.me.templates.body: ")
    assert "nested too deeply" in problem
