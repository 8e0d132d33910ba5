"""`aggregate run` over three local boards serving the same jobs: one listing per job with a
sighting on each board, one alert per rule naming every board; a job gone from the company's
board closes its sighting there."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.support.servers import FeedServer, SmtpSink, body_text, rss

JOBS = [
    ("4012345", "Data Analyst", "Berlin", "Analyse the data of our customers."),
    ("4012399", "Backend Engineer", "Lisbon", "Build the services behind our product."),
]


def _greenhouse(jobs: list[tuple[str, str, str, str]]) -> str:
    return json.dumps(
        {
            "jobs": [
                {
                    "id": int(job_id),
                    "title": title,
                    "absolute_url": f"https://boards.greenhouse.io/acme/jobs/{job_id}",
                    "location": {"name": place},
                    "content": f"&lt;p&gt;{text} Apply on our own board.&lt;/p&gt;",
                    "first_published": "2030-01-01T09:00:00Z",
                    "updated_at": "2030-01-01T09:00:00Z",
                    "company_name": "Acme",
                }
                for job_id, title, place, text in jobs
            ]
        }
    )


def _feed() -> str:
    return rss(
        [
            {
                "title": title,
                "link": f"https://boards.greenhouse.io/acme/jobs/{job_id}?gh_src=feed",
                "guid": f"feed-{job_id}",
                "company": "Acme",
                "location": place,
                "description": text,
            }
            for job_id, title, place, text in JOBS
        ]
    )


def _remoteok() -> str:
    notice = {"legal": "API terms"}
    records = [
        {
            "id": f"ro{job_id}",
            "position": title,
            "company": "Acme",
            "location": place,
            "url": f"https://remoteok.example/jobs/ro{job_id}",
            "description": text,
            "date": "2030-01-01T10:00:00+00:00",
        }
        for job_id, title, place, text in JOBS
    ]
    return json.dumps([notice, *records])


def _config(tmp_path: Path, server: FeedServer, smtp: SmtpSink) -> Path:
    feed = server.serve("/feed.xml", _feed())
    remote = server.serve("/api", _remoteok())
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        "parse: {isolate: false}\n"
        "sources:\n"
        f"  - {{name: acme-board, adapter: greenhouse, options: {{board: acme,"
        f" api_base: '{server.url('').rstrip('/')}'}}}}\n"
        f"  - {{name: feed, adapter: rss, url: '{feed}'}}\n"
        f"  - {{name: remote, adapter: remoteok, url: '{remote}'}}\n"
        f'channels:\n  me: "{smtp.apprise_url()}"\n'
        "rules:\n"
        "  - {name: data, query: 'data', notify: [me]}\n"
        "  - {name: anything, query: 'seen:1+', notify: [me]}\n"
    )
    return config


def test_three_boards_serving_the_same_jobs_make_one_listing_each_and_one_alert_per_rule(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    feed_server.serve("/v1/boards/acme/jobs", _greenhouse(JOBS))
    config = _config(tmp_path, feed_server, smtp)

    first = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr

    with sqlite3.connect(tmp_path / "data.db") as db:
        listings = db.execute("SELECT id, title, url, status FROM listings ORDER BY id").fetchall()
        seen = db.execute(
            "SELECT listing_id, source, url, merge_reason FROM sightings ORDER BY source"
        ).fetchall()
        outbox = db.execute("SELECT listing_id, rule FROM outbox ORDER BY listing_id, rule")
        alerts = outbox.fetchall()
    assert [(title, status) for _, title, _, status in listings] == [
        ("Data Analyst", "open"),
        ("Backend Engineer", "open"),
    ]
    by_listing: dict[int, set[str]] = {}
    for listing_id, source, _, _ in seen:
        by_listing.setdefault(listing_id, set()).add(source)
    assert by_listing == {lid: {"acme-board", "feed", "remote"} for lid, *_ in listings}
    # The company's own board gives the listing its link; the others' links stay in sightings.
    assert {url for _, _, url, _ in listings} == {
        f"https://boards.greenhouse.io/acme/jobs/{job_id}" for job_id, *_ in JOBS
    }
    assert all(reason for _, source, _, reason in seen if source != "acme-board")
    data_id, backend_id = (listing_id for listing_id, *_ in listings)
    assert alerts == [(data_id, "anything"), (data_id, "data"), (backend_id, "anything")]
    assert len(smtp.messages) == 3
    for message in smtp.messages:
        assert "acme-board, feed, remote" in body_text(message)

    # What the store holds, as a user reads it: one line per job, its sightings, an export.
    shown = run_cli("listings", "list", "--config", str(config), "--json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    rows = [json.loads(line) for line in shown.stdout.splitlines()]
    assert sorted(row["title"] for row in rows) == ["Backend Engineer", "Data Analyst"]
    detail = run_cli("listings", "show", str(data_id), "--config", str(config), cwd=tmp_path)
    assert detail.returncode == 0, detail.stderr
    for source in ("acme-board", "feed", "remote"):
        assert source in detail.stdout
    assert "data" in detail.stdout  # the rule it matched, and why
    exported = run_cli(
        "listings", "export", "--format", "jsonl", "--config", str(config), cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    records = {r["title"]: r for r in map(json.loads, exported.stdout.splitlines())}
    assert {s["source"] for s in records["Data Analyst"]["sightings"]} == {
        "acme-board",
        "feed",
        "remote",
    }


def test_a_job_gone_from_the_company_board_closes_only_there(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    feed_server.serve("/v1/boards/acme/jobs", _greenhouse(JOBS))
    config = _config(tmp_path, feed_server, smtp)
    assert run_cli("run", "--config", str(config), "--all", cwd=tmp_path).returncode == 0

    feed_server.serve("/v1/boards/acme/jobs", _greenhouse(JOBS[:1]))  # the backend job is gone
    again = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr

    with sqlite3.connect(tmp_path / "data.db") as db:
        closed = db.execute(
            "SELECT s.source, l.title FROM sightings s JOIN listings l ON l.id = s.listing_id"
            " WHERE s.closed_at IS NOT NULL"
        ).fetchall()
        statuses = dict(db.execute("SELECT title, status FROM listings").fetchall())
    assert closed == [("acme-board", "Backend Engineer")]
    # The feed and Remote OK still list it: the listing stays open.
    assert statuses == {"Data Analyst": "open", "Backend Engineer": "open"}
