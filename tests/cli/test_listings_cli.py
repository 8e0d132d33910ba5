"""`aggregate listings` through the real entry point on a real SQLite file: list, show, export
(hostile listing text in every format, and a large store that streams), merge and split."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import insert, select

from aggregator.models import JobDetails, Match, Posting
from aggregator.store import Store
from aggregator.store.listing_queries import PAGE
from aggregator.store.tables import merge_overrides, sightings
from tests.cli.conftest import Invoke
from tests.conftest import run_cli

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE_TITLE = '<script>alert("x")</script> Data & "engineer" ]]>'
HOSTILE_COMPANY = '=HYPERLINK("https://evil.example","click")'
HOSTILE_DESCRIPTION = (
    "Bell\x07 esc\x1b[31mred\x1b[0m vt\x0b ff\x0c del\x7f c1\x9b rlo\u202e <b>bold</b>"
)
# What a terminal, CSV or XML must never get raw (the JSON lines escape them).
CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, 0x9B, 0x202E) if chr(c) not in "\n"]


def _posting(number: int, title: str, **values: Any) -> Posting:
    base: dict[str, Any] = {
        "source": "board",
        "dedup_key": f"guid:{number}",
        "title": title,
        "url": f"https://jobs.example.test/{number}",
        "external_id": str(number),
        "company": "Acme",
        "location": "Berlin",
        "description": f"Job number {number}.",
        "description_html": None,
        "tags": ("python",),
        "posted_at": NOW - timedelta(days=number),
        "first_seen_at": NOW - timedelta(days=number),
        "job": JobDetails(),
    }
    return Posting(**(base | values))


POSTINGS = [
    _posting(
        1,
        HOSTILE_TITLE,
        company=HOSTILE_COMPANY,
        location="+Berlin",
        description=HOSTILE_DESCRIPTION,
        tags=("@python", "-remote"),
        job=JobDetails(pay_min=50, pay_max=60, currency="EUR", pay_period="hour"),
    ),
    _posting(2, "Barista", description="Coffee."),
    _posting(3, "Data analyst", company="Globex"),
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        "database: sqlite:///data/test.db\n"
        "sources:\n  - name: board\n    adapter: rss\n    url: http://127.0.0.1:9/feed\n"
        "channels:\n  me: console://\n"
        "rules:\n  - name: data\n    query: data\n    notify: [me]\n"
    )
    return path


def _open(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'data' / 'test.db'}")
    store.upgrade()
    return store


@pytest.fixture
def filled(tmp_path: Path, config: Path) -> list[int]:
    """The three postings (the hostile one seen on a second board too, once at a `javascript:`
    URL), the first matched by the rule `data`; returns the listing ids, newest first."""
    store = _open(tmp_path)
    with store.transaction() as unit:
        made = unit.upsert_postings(POSTINGS)
        unit.add_matches([Match(made[0].id, "data", 'title has "data"')], now=NOW)
        unit.connection.execute(
            insert(sightings).values(
                source="mirror",
                dedup_key="url:javascript",
                external_id="=1+1",
                url="javascript:alert(1)",
                listing_id=made[0].id,
                first_seen_at=NOW,
                last_seen_at=NOW,
                merge_reason="same Greenhouse job acme/1",
            )
        )
    store.dispose()
    return [listing.id for listing in made]


def _no_controls(text: str) -> None:
    found = sorted({hex(ord(c)) for c in text if c in CONTROLS})
    assert not found, f"control characters in the output: {found}"


def test_list_prints_one_line_per_listing_newest_first(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    result = invoke("listings", "list", "-c", str(config))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("]")[0] for line in lines] == [f"[{number}" for number in filled]
    assert lines[0].startswith(f"[{filled[0]}] {HOSTILE_TITLE} · {HOSTILE_COMPANY} · +Berlin")
    assert "50–60 EUR/hour · on board, mirror · 1 d ago" in lines[0]
    assert lines[2].endswith("Data analyst · Globex · Berlin · on board · 3 d ago")
    _no_controls(result.stdout)


def test_list_filters_by_query_source_status_since_and_limit(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    def ids(*options: str) -> list[int]:
        result = invoke("listings", "list", "-c", str(config), "--json", *options)
        assert result.returncode == 0, result.stderr
        return [json.loads(line)["id"] for line in result.stdout.splitlines()]

    assert ids("--query", "title:data -barista") == [filled[0], filled[2]]
    assert ids("--query", "source:mirror") == [filled[0]]
    assert ids("--source", "mirror") == [filled[0]]
    assert ids("--since", "36h") == [filled[0]]
    assert ids("--limit", "2") == filled[:2]
    assert ids("--query", "title:data", "--limit", "1") == [filled[0]]
    assert ids("--status", "closed") == []
    assert ids("--status", "all") == filled


def test_list_json_is_one_object_per_listing_with_its_sightings(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    result = invoke("listings", "list", "-c", str(config), "--json", "--limit", "1")
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["title"] == HOSTILE_TITLE
    assert row["description"] == HOSTILE_DESCRIPTION  # every character kept
    assert [s["source"] for s in row["sightings"]] == ["board", "mirror"]
    _no_controls(result.stdout)  # escaped, never raw


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--status", "gone"], "error: --status must be one of open, closed, expired, all"),
        (["--query", "data OR"], "error: col 6: expected a term after OR"),
        (["--since", "soon"], "error: --since:"),
    ],
)
def test_bad_filters_exit_2_with_one_clear_line(
    invoke: Invoke, config: Path, filled: list[int], options: list[str], message: str
) -> None:
    result = invoke("listings", "list", "-c", str(config), *options)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_show_prints_every_field_sighting_merge_reason_and_match(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    result = invoke("listings", "show", str(filled[0]), "-c", str(config))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(f"listing {filled[0]}: {HOSTILE_TITLE}\n  status: open\n")
    for expected in (
        f"  company: {HOSTILE_COMPANY}",
        "  pay: 50–60 EUR/hour",
        "  tags: @python, -remote",
        "  boards: board, mirror",
        "sightings (2):",
        "id 1 <https://jobs.example.test/1>",
        "      made this listing",
        "id =1+1 <javascript:alert(1)>",
        "      merged: same Greenhouse job acme/1",
        "matched rules (1):",
        '  data: title has "data"',
        "description:",
    ):
        assert expected in text, expected
    _no_controls(text)


def test_show_of_an_unknown_listing_exits_2(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    result = invoke("listings", "show", "999", "-c", str(config))
    assert (result.returncode, result.stderr) == (2, "error: no listing 999\n")


def _export(invoke: Invoke, config: Path, kind: str, *options: str) -> str:
    result = invoke("listings", "export", "-c", str(config), "--format", kind, *options)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_jsonl_export_keeps_every_field_and_sighting(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    text = _export(invoke, config, "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert [row["id"] for row in rows] == filled
    first = rows[0]
    assert (first["title"], first["company"]) == (HOSTILE_TITLE, HOSTILE_COMPANY)
    assert first["description"] == HOSTILE_DESCRIPTION
    assert (first["pay_min"], first["pay_max"], first["currency"]) == (50, 60, "EUR")
    assert first["status"] == "open"
    assert first["sightings"][1] == {
        "source": "mirror",
        "external_id": "=1+1",
        "url": "javascript:alert(1)",
        "first_seen_at": NOW.isoformat(),
        "last_seen_at": NOW.isoformat(),
        "closed_at": None,
    }
    assert set(first["sightings"][0]) == set(first["sightings"][1])
    _no_controls(text)


def test_csv_export_has_a_header_and_defuses_formulas(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    text = _export(invoke, config, "csv")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert header[:3] == ["id", "title", "company"]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert [int(record["id"]) for record in records] == filled
    first = records[0]
    assert first["title"] == HOSTILE_TITLE
    assert first["company"] == "'" + HOSTILE_COMPANY
    assert first["location"] == "'+Berlin"
    assert first["tags"] == "'@python, -remote"
    assert first["sources"] == "board, mirror"
    assert first["urls"] == "https://jobs.example.test/1 javascript:alert(1)"
    # Control characters dropped (form feeds and vertical tabs are line breaks), markup kept.
    assert first["description"] == "Bell esc[31mred[0m vt\n ff\n del c1 rlo <b>bold</b>"
    for record in records:
        for cell in record.values():
            assert not cell.startswith(("=", "+", "-", "@")), cell
    _no_controls(text.replace("\r\n", "\n"))


def test_atom_export_is_a_valid_feed_with_the_text_as_text(
    invoke: Invoke, config: Path, filled: list[int]
) -> None:
    text = _export(invoke, config, "atom")
    feed = feedparser.parse(text.encode("utf-8"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [entry.title for entry in feed.entries] == [HOSTILE_TITLE, "Barista", "Data analyst"]
    first = feed.entries[0]
    assert first.link == "https://jobs.example.test/1"
    assert [link.href for link in first.links] == ["https://jobs.example.test/1"]  # no javascript:
    assert "<b>bold</b>" in first.content[0].value  # text, never markup
    assert first.content[0].type == "text/plain"
    assert [tag.term for tag in first.tags] == ["@python", "-remote"]
    assert len({entry.id for entry in feed.entries}) == 3
    root = ET.fromstring(text.encode("utf-8"))  # well-formed XML, nothing injected
    assert [child.tag.split("}")[1] for child in root].count("entry") == 3
    assert (
        root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}script") is None
    )
    _no_controls(text)
    assert _export(invoke, config, "atom").split("<entry>")[1:] == text.split("<entry>")[1:]


def test_export_writes_a_file_and_refuses_a_bad_format_or_path(
    invoke: Invoke, config: Path, filled: list[int], tmp_path: Path
) -> None:
    target = tmp_path / "out.jsonl"
    result = invoke("listings", "export", "-c", str(config), "-f", "jsonl", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote 3 listing(s) to {target}\n"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    assert sorted(path.name for path in tmp_path.iterdir() if "out" in path.name) == ["out.jsonl"]
    bad = invoke("listings", "export", "-c", str(config), "-f", "xlsx")
    assert (bad.returncode, bad.stderr) == (2, "error: --format must be one of csv, jsonl, atom\n")
    missing = tmp_path / "nowhere" / "out.csv"
    gone = invoke("listings", "export", "-c", str(config), "-f", "csv", "-o", str(missing))
    assert gone.returncode == 2
    assert gone.stderr.startswith("error: --output: No such file or directory"), gone.stderr


BIG = 3_000
DESCRIPTION_CHARS = 4_000


@pytest.mark.parametrize("kind", ["jsonl", "csv", "atom"])
def test_a_large_export_streams_instead_of_loading_the_store(
    invoke: Invoke, config: Path, tmp_path: Path, kind: str
) -> None:
    store = _open(tmp_path)
    text = "x" * DESCRIPTION_CHARS
    postings = [_posting(number, f"Job {number}", description=text) for number in range(BIG)]
    with store.transaction() as unit:
        unit.upsert_postings(postings)
    store.dispose()
    target = tmp_path / f"big.{kind}"
    invoke("listings", "export", "-c", str(config), "-f", kind, "--limit", "1")  # imports done
    tracemalloc.start()
    try:
        result = invoke("listings", "export", "-c", str(config), "-f", kind, "-o", str(target))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.returncode == 0, result.stderr
    written = target.stat().st_size
    assert written > BIG * DESCRIPTION_CHARS  # every description was written
    # One page (500 listings) holds 2 MB of descriptions, the whole store 12 MB; measured peak:
    # 3.9 MB on every format.
    limit = 2.5 * PAGE * DESCRIPTION_CHARS
    assert peak < limit, f"peak {peak / 1e6:.1f} MB for a {written / 1e6:.1f} MB export"


def test_merge_and_split_by_hand(invoke: Invoke, config: Path, filled: list[int]) -> None:
    first, second, _third = filled
    merged = invoke("listings", "merge", str(first), str(second), "-c", str(config))
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout == (
        f"merged listing {second} into {first}: 1 sighting(s), 0 match(es) and 0 alert(s) "
        f"moved, 0 duplicate alert(s) dropped; listing {second} is gone\n"
    )
    shown = invoke("listings", "show", str(first), "-c", str(config)).stdout
    assert shown.count("merged: merged by hand (from listing") == 1
    store = _open(Path.cwd())
    with store.transaction() as unit:
        moved = unit.connection.execute(
            select(sightings.c.id).where(sightings.c.dedup_key == "guid:2")
        ).scalar_one()
    store.dispose()
    split = invoke("listings", "split", str(first), str(moved), "-c", str(config))
    assert split.returncode == 0, split.stderr
    assert split.stdout.startswith(f"moved sighting {moved} (board 2) out of listing {first} ")
    assert split.stdout.endswith("; later runs keep them apart\n")
    new_id = int(split.stdout.split("into new listing ")[1].split(";")[0])
    assert "made this listing" in invoke("listings", "show", str(new_id), "-c", str(config)).stdout
    store = _open(Path.cwd())
    with store.transaction() as unit:
        override = unit.connection.execute(select(merge_overrides)).one()
    store.dispose()
    assert (override.kind, override.source, override.dedup_key) == ("apart", "board", "guid:2")
    assert override.listing_id == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merge", "1", "999"], "error: no listing 999\n"),
        (["merge", "1", "1"], "error: listing 1 cannot be merged with itself\n"),
        (["split", "999", "1"], "error: no listing 999\n"),
        (["split", "1", "999"], "error: no sighting 999 (`aggregate listings show` lists them)\n"),
        (["split", "2", "1"], "error: sighting 1 is a sighting of listing 1, not of 2\n"),
        (["split", "2", "2"], "error: listing 2 has no other sighting: nothing to split\n"),
    ],
)
def test_bad_ids_exit_2_with_one_line(
    invoke: Invoke, config: Path, filled: list[int], args: list[str], message: str
) -> None:
    assert filled[:2] == [1, 2]
    result = invoke("listings", *args, "-c", str(config))
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)


def test_without_a_config_it_says_so(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nowhere to find one: no $AGGREGATOR_CONFIG, no ./aggregator.yaml, no XDG config file.
    monkeypatch.delenv("AGGREGATOR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    result = invoke("listings", "list")
    assert result.returncode == 2
    assert "--config" in result.stderr
    assert "aggregate config init" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_listings_help_starts_without_the_database_library(tmp_path: Path) -> None:
    result = run_cli("listings", "--help", cwd=tmp_path, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "export" in result.stdout
    assert "merge" in result.stdout
    assert "import time:" in result.stderr
    assert " sqlalchemy" not in result.stderr
    assert " apprise" not in result.stderr


def test_a_real_process_lists_through_the_config_from_the_environment(
    tmp_path: Path, config: Path, filled: list[int]
) -> None:
    result = run_cli("listings", "list", cwd=tmp_path, env={"AGGREGATOR_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3
