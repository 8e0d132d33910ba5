"""Config loading: interpolation, defaults, paths, and every error at once with its path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.config.model import load_config, parse_config, parse_duration
from aggregator.errors import ConfigError


def problems_of(text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, env=env or {})
    return caught.value.problems


def test_env_variables_and_defaults_are_substituted_in_strings() -> None:
    config = parse_config(
        'channels:\n  me: "mailto://u:${PW}@smtp.test?to=a@b.test"\n'
        '  other: "${OTHER_URL:-console://}"\n',
        env={"PW": "s3cret"},
    )
    assert config.channels["me"].urls == ["mailto://u:s3cret@smtp.test?to=a@b.test"]
    assert config.channels["other"].urls == ["console://"]


def test_an_unset_variable_without_default_is_an_error_naming_the_path() -> None:
    assert problems_of('channels:\n  me: "${MISSING}"\n') == [
        "channels.me: environment variable MISSING is not set"
    ]


def test_yaml_syntax_is_not_affected_by_variable_values() -> None:
    config = parse_config('database: "${DB}"\n', env={"DB": "sqlite:///x.db\nsources: 1"})
    assert config.database == "sqlite:///x.db\nsources: 1"
    assert config.sources == []


def test_defaults_work_for_an_empty_file() -> None:
    config = parse_config("")
    assert config.database == "sqlite:///data/aggregator.db"
    assert config.http.total_timeout == 30


def test_a_source_without_every_polls_hourly() -> None:
    config = parse_config("sources:\n  - {name: a, adapter: rss, url: 'https://x.test/f'}\n")
    assert config.sources[0].every is None
    assert config.sources[0].interval == timedelta(hours=1)


def test_a_channel_may_hold_a_list_of_urls() -> None:
    config = parse_config("channels:\n  team: [console://, 'json://127.0.0.1:9/x']\n")
    assert config.channels["team"].urls == ["console://", "json://127.0.0.1:9/x"]


def test_every_problem_is_listed_with_its_path() -> None:
    problems = problems_of(
        "sources:\n"
        "  - {name: ok, adapter: rss, url: 'https://x.test/f'}\n"
        "  - {name: ok, adapter: rss, url: 'https://x.test/g', every: 0m, colour: red}\n"
        "rules:\n  - {name: r, query: q, notify: [slak], sources: [nope]}\n"
    )
    assert problems == [
        "sources[1].every: expected a duration such as 30m, 1h or 2d, got '0m'",
        "sources[1].colour: unknown key",
        "sources[1].name: duplicate source name 'ok'",
        "rules[0].notify[0]: unknown channel 'slak'",
        "rules[0].sources[0]: unknown source 'nope'",
    ]


def test_a_top_level_list_is_rejected_clearly() -> None:
    assert problems_of("- a\n- b\n") == [
        "<root>: expected a mapping of keys such as sources and rules"
    ]


def test_invalid_yaml_names_the_line() -> None:
    (problem,) = problems_of("rules: [\n")
    assert problem.startswith("line ")
    assert "invalid YAML" in problem


@pytest.mark.parametrize(
    ("text", "seconds"), [("45s", 45), ("30m", 1800), ("1h", 3600), ("2d", 172800), (90, 90)]
)
def test_durations_parse(text: str | int, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "1x", "-5m", "0s", True, "m"])
def test_bad_durations_are_rejected(text: object) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


def test_a_relative_sqlite_path_is_taken_from_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "c.yaml"
    path.parent.mkdir()
    path.write_text("database: sqlite:///data/a.db\n")
    assert load_config(path).database == f"sqlite:///{tmp_path}/conf/data/a.db"


def test_absolute_and_postgres_urls_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    for url in ("sqlite:////abs/a.db", "postgresql+psycopg://u@h/db", "sqlite://"):
        path.write_text(f"database: '{url}'\n")
        assert load_config(path).database == url


def test_a_rule_may_name_one_channel_and_one_source_without_a_list() -> None:
    config = parse_config(
        "sources:\n  - {name: jobs, adapter: rss, url: 'https://x.test/f'}\n"
        "channels:\n  mail: console://\n"
        "rules:\n  - {name: r, query: q, notify: mail, sources: jobs}\n"
    )
    assert config.rules[0].notify == ["mail"]
    assert config.rules[0].sources == ["jobs"]


def test_an_unknown_channel_or_source_named_alone_is_an_error_naming_it() -> None:
    problems = problems_of("rules:\n  - {name: r, query: q, notify: mial, sources: jbos}\n")
    assert problems == [
        "rules[0].notify: unknown channel 'mial'",
        "rules[0].sources: unknown source 'jbos'",
    ]
