"""End to end through the real `aggregate rules test`: JSON lines input, and a SQLite backtest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.models import JobDetails, Posting, posting_to_json
from aggregator.store import Store
from tests.conftest import run_cli

NOW = datetime.now(UTC)


def _posting(number: int, title: str, description: str, **job: object) -> Posting:
    return Posting(
        source="board",
        dedup_key=f"guid:{number}",
        title=title,
        url=f"https://jobs.example.test/{number}",
        external_id=None,
        company="Acme",
        location=None,
        description=description,
        description_html=None,
        tags=(),
        posted_at=NOW - timedelta(days=number),
        first_seen_at=NOW - timedelta(days=number),
        job=JobDetails(**job),  # type: ignore[arg-type]
    )


def _hourly(rate: float) -> dict[str, object]:
    return {"pay_min": rate, "pay_max": rate, "pay_period": "hour"}


POSTINGS = [
    _posting(1, "Data intern", "Paid. #MicroInternship", **_hourly(30)),
    _posting(2, "Senior data engineer", "#microinternship", **_hourly(50)),
    _posting(3, "Barista", "Coffee", **_hourly(15)),
    _posting(40, "Data analyst", "Old #microinternship", **_hourly(40)),
]
QUERY = "title:data #microinternship pay>=25/h -senior"


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "postings.jsonl"
    path.write_text("".join(json.dumps(posting_to_json(p)) + "\n" for p in POSTINGS))
    return path


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data/test.db\n"
        "sources:\n  - name: board\n    adapter: rss\n    url: http://127.0.0.1:9/feed\n"
        "channels:\n  me: console://\n"
        "rules:\n  - name: data\n    query: data\n    notify: [me]\n"
    )
    return config


def _fill_store(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'data' / 'test.db'}")
    store.upgrade()
    with store.transaction() as unit:
        unit.upsert_postings(POSTINGS)
    store.dispose()


def test_input_file_prints_each_match_with_its_explanation(tmp_path: Path) -> None:
    result = run_cli("rules", "test", QUERY, "--input", str(_input(tmp_path)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # A posting without an id is named by its URL: printed once, not as its id and its link.
    assert result.stdout.splitlines() == [
        "Data intern  <https://jobs.example.test/1>",
        '    why: title has "data"; tag #microinternship; pay 30/h >= 25/h; not "senior"',
        "Data analyst  <https://jobs.example.test/40>",
        '    why: title has "data"; tag #microinternship; pay 40/h >= 25/h; not "senior"',
        "2 of 4 posting(s) match",
    ]


def test_json_prints_one_object_per_match_with_id_title_and_why(tmp_path: Path) -> None:
    path = _input(tmp_path)
    result = run_cli("rules", "test", QUERY, "--input", str(path), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(row["id"], row["title"]) for row in rows] == [
        ("https://jobs.example.test/1", "Data intern"),
        ("https://jobs.example.test/40", "Data analyst"),
    ]
    assert rows[0]["why"] == (
        'title has "data"; tag #microinternship; pay 30/h >= 25/h; not "senior"'
    )


def test_since_leaves_out_older_postings(tmp_path: Path) -> None:
    path = _input(tmp_path)
    result = run_cli("rules", "test", QUERY, "--input", str(path), "--since", "30d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Data analyst" not in result.stdout
    assert result.stdout.splitlines()[-1] == "1 of 3 posting(s) match"


def test_an_input_id_is_shown_instead_of_the_url(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "x-1", "title": "Gig", "description": "quick gig"}) + "\n")
    result = run_cli("rules", "test", "gig", "--input", str(path), "--json", cwd=tmp_path)
    assert json.loads(result.stdout) == {
        "id": "x-1",
        "title": "Gig",
        "url": None,
        "why": 'has "gig"',
    }


def test_an_input_id_and_the_url_are_each_printed_once(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    row = {"id": "x-1", "title": "Gig", "url": "https://jobs.example.test/x-1"}
    path.write_text(json.dumps(row) + "\n")
    result = run_cli("rules", "test", "gig", "--input", str(path), cwd=tmp_path)
    assert result.stdout.splitlines()[0] == "[x-1] Gig  <https://jobs.example.test/x-1>"


@pytest.mark.parametrize(
    ("remote", "matches"),
    [(True, "remote:yes"), (False, "remote:no"), ("yes", "remote:yes"), ("No", "remote:no"),
     ("true", "remote:yes"), (None, "remote:unknown")],
)  # fmt: skip
def test_input_remote_may_be_a_json_boolean_or_yes_no(
    tmp_path: Path, remote: object, matches: str
) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "Gig", "remote": remote}) + "\n")
    for query in ("remote:yes", "remote:no", "remote:unknown"):
        result = run_cli("rules", "test", query, "--input", str(path), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        expected = "1 of 1" if query == matches else "0 of 1"
        assert result.stdout.splitlines()[-1] == f"{expected} posting(s) match", query


def test_an_input_remote_that_is_not_yes_or_no_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "Gig", "remote": "sometimes"}) + "\n")
    result = run_cli("rules", "test", "gig", "--input", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {path}:1: not a posting: remote is yes, no, unknown, true or false, "
        "got 'sometimes'"
    )


def test_a_bad_query_exits_2_and_names_the_column(tmp_path: Path) -> None:
    path = _input(tmp_path)
    result = run_cli("rules", "test", "data science OR", "--input", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "error: col 14: expected a term after OR"
    assert result.stderr.splitlines()[2] == "  " + " " * 13 + "^"


def test_a_line_that_is_not_json_exits_2_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "ok"}\nnot json\n')
    result = run_cli("rules", "test", "ok", "--input", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{path}:2: not a posting" in result.stderr


def test_without_input_backtests_the_listings_stored_in_the_configs_database(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    _fill_store(tmp_path)
    result = run_cli(
        "rules", "test", QUERY, "--json", cwd=tmp_path, env={"AGGREGATOR_CONFIG": str(config)}
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["title"] for row in rows] == ["Data intern", "Data analyst"]
    assert all(isinstance(row["id"], int) for row in rows)
    assert rows[0]["why"].endswith('pay 30/h >= 25/h; not "senior"')


def test_backtest_since_counts_from_when_listings_were_first_seen(tmp_path: Path) -> None:
    _fill_store(tmp_path)
    config = _config(tmp_path)
    result = run_cli("rules", "test", QUERY, "--since", "7d", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 of 3 posting(s) match"


def test_backtest_on_a_database_not_created_yet_finds_nothing_and_creates_nothing(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    result = run_cli("rules", "test", "data", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0 of 0 posting(s) match"]
    assert not (tmp_path / "data" / "test.db").exists()


def test_without_input_or_config_exits_2_saying_what_to_give(tmp_path: Path) -> None:
    result = run_cli("rules", "test", "data", cwd=tmp_path)
    assert result.returncode == 2
    assert "give --input FILE, or --config" in result.stderr


def test_a_listing_matched_in_backtest_has_the_same_why_as_an_alert(tmp_path: Path) -> None:
    posting = replace(POSTINGS[0], description="Paid. #MicroInternship, remote")
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(posting_to_json(posting)) + "\n")
    result = run_cli("rules", "test", "remote pay>=40000/y", "--input", str(path), cwd=tmp_path)
    assert '    why: has "remote"; pay 62400/y >= 40000/y' in result.stdout.splitlines()
