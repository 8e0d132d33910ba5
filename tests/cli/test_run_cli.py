"""End to end through the real `aggregate run`: loopback feed server, aiosmtpd, a SQLite file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply
from tests.support.servers import FeedServer, SmtpSink, iter_text, rss

ITEMS = [
    {
        "title": "Data labelling micro-project",
        "link": "http://jobs.example.test/1",
        "guid": "job-1",
        "description": "<p>Ten hours of data work. #MicroInternship</p>",
    },
    {
        "title": "Senior data engineer",
        "link": "http://jobs.example.test/2",
        "guid": "job-2",
        "description": "<p>Data platform lead. #microinternship</p>",
    },
    {
        "title": "Barista",
        "link": "http://jobs.example.test/3",
        "guid": "job-3",
        "description": "<p>Coffee.</p>",
    },
]


def write_config(tmp_path: Path, feeds: dict[str, str], channel: str, **extra: str) -> Path:
    sources = "".join(
        f"  - name: {name}\n    adapter: rss\n    url: {url}\n    every: 1h\n"
        for name, url in feeds.items()
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data/test.db\n"
        "http:\n  per_host_gap: 0\n  total_timeout: 10\n"
        f"sources:\n{sources}"
        f'channels:\n  me: "{channel}"\n'
        "rules:\n  - name: data-micro\n    query: 'data #microinternship -senior'\n"
        "    notify: [me]\n" + "".join(f"{k}: {v}\n" for k, v in extra.items())
    )
    return config


def test_one_matching_item_sends_one_email_then_none_then_one_more_for_a_new_item(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())

    first = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert len(smtp.messages) == 1
    text = next(iter_text(smtp.messages))
    assert "Data labelling micro-project" in text
    assert "http://jobs.example.test/1" in text

    second = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert len(smtp.messages) == 1

    more = [
        *ITEMS,
        {
            "title": "Data entry sprint",
            "link": "http://jobs.example.test/4",
            "guid": "job-4",
            "description": "data #micro_internship",
        },
    ]
    feed_server.serve("/feed.xml", rss(more))
    third = run_cli("run", "--config", str(config), "--all", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert len(smtp.messages) == 2
    assert "Data entry sprint" in list(iter_text(smtp.messages))[1]


def test_a_run_right_after_a_run_fetches_nothing_that_is_not_due(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())
    assert run_cli("run", "--config", str(config), cwd=tmp_path).returncode == 0
    requests_after_first = len(feed_server.requests)
    second = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path)
    assert second.returncode == 0
    assert len(feed_server.requests) == requests_after_first
    assert "no source was due" in second.stdout


def test_dry_run_writes_nothing_and_sends_nothing_but_shows_the_alert(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())
    result = run_cli("run", "--config", str(config), "--dry-run", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [a["title"] for a in summary["would_send"]] == ["Data labelling micro-project"]
    assert smtp.messages == []
    assert not (tmp_path / "data" / "test.db").exists()


def test_an_unreachable_source_is_one_line_and_the_other_sources_are_still_stored(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    good = feed_server.serve("/feed.xml", rss(ITEMS))
    not_a_feed = feed_server.serve(
        "/page.html", "<html><body>Hello</body></html>", headers={"Content-Type": "text/html"}
    )
    feeds = {"good": good, "down": "http://127.0.0.1:9/feed.xml", "html-page": not_a_feed}
    config = write_config(tmp_path, feeds, smtp.apprise_url())
    result = run_cli("run", "--verbose", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    down = [line for line in lines if line.startswith("down ")]
    assert len(down) == 1
    assert "error:" in down[0]
    assert "127.0.0.1" in down[0]
    html = [line for line in lines if line.startswith("html-page ")]
    assert "not an RSS or Atom feed" in html[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert len(smtp.messages) == 1
    rows = (
        sqlite3.connect(tmp_path / "data" / "test.db")
        .execute("select count(*) from sightings where source = 'good'")
        .fetchone()
    )
    assert rows == (3,)


def test_two_runs_at_the_same_time_never_send_an_alert_twice(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    items = [
        {
            "title": f"Data task {n}",
            "link": f"http://jobs.example.test/{n}",
            "guid": f"g{n}",
            "description": "data #microinternship",
        }
        for n in range(3)
    ]
    url = feed_server.serve("/feed.xml", rss(items))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())
    run_cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    results = []

    def one_run() -> None:
        results.append(run_cli("run", "--config", str(config), "--all", cwd=tmp_path))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # apprise spaces e-mails 5.5 s apart, so the second run may give up waiting for the lock
    # (exit 0, "another run is in progress") or run after the first; either way, no duplicates.
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    subjects = sorted(m["Subject"] for m in smtp.messages)
    assert subjects == sorted(f"Data task {n}" for n in range(3))


def test_an_smtp_server_that_is_down_fails_the_run_with_one_line_and_keeps_the_alert(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    sink = SmtpSink()  # not started: the port refuses connections
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = write_config(tmp_path, {"jobs": url}, sink.apprise_url())
    result = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert "channel me:" in result.stderr
    assert "Traceback" not in result.stderr
    pending = (
        sqlite3.connect(tmp_path / "data" / "test.db")
        .execute("select status, attempts from outbox")
        .fetchall()
    )
    assert pending == [("pending", 1)]


def test_json_output_stays_parseable_when_alerts_go_to_the_terminal(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = write_config(tmp_path, {"jobs": url}, "console://")
    result = run_cli("run", "--config", str(config), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["sources"][0] == {
        "source": "jobs",
        "fetched": 3,
        "new": 3,
        "matched": 1,
        "held_back": 0,
        "error": None,
        "notes": [],
    }
    assert summary["delivered"] == 1
    assert "Data labelling micro-project" in result.stderr


def test_a_run_stopped_with_sigterm_releases_the_run_lock(tmp_path: Path) -> None:
    with LocalServer() as server:
        slow = server.route("/feed.xml", Reply(chunks=[b"<rss>", b"</rss>"], delay=8))
        config = write_config(tmp_path, {"slow": slow}, "console://")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator", "run", "--config", str(config)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not server.seen and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode != 0
    assert "Traceback" not in stderr
    locks = sqlite3.connect(tmp_path / "data" / "test.db").execute("select * from locks")
    assert locks.fetchall() == []  # else cron's next runs skip for the whole 30 min lease


def test_a_failing_delivery_pass_still_prints_the_summary_and_loses_nothing(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    url = feed_server.serve("/feed.xml", rss(ITEMS[:1]))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())
    stored = run_cli("run", "--config", str(config), "--no-notify", cwd=tmp_path)
    assert stored.returncode == 0, stored.stderr
    database = tmp_path / "data" / "test.db"
    with sqlite3.connect(database) as db:  # the database refuses every claim, as a full disk would
        db.execute(
            "CREATE TRIGGER refuse BEFORE UPDATE ON outbox "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )

    failed = run_cli("run", "--verbose", "--config", str(config), "--all", cwd=tmp_path)

    assert failed.returncode == 1
    (summary,) = [x for x in failed.stdout.splitlines() if x.startswith("jobs ")]
    assert summary.split()[-1] == "ok"  # the sources' summary is there
    (line,) = [x for x in failed.stderr.splitlines() if x.startswith("delivery stopped")]
    assert "database or disk is full" in line
    assert "Traceback" not in failed.stderr
    assert smtp.messages == []
    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER refuse")
    recovered = run_cli("run", "--config", str(config), cwd=tmp_path)
    assert recovered.returncode == 0, recovered.stderr
    assert len(smtp.messages) == 1


def test_a_failing_template_is_told_once_per_channel_even_by_a_quiet_run(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    two = [ITEMS[0], {**ITEMS[0], "title": "Data cleaning micro-task", "guid": "job-9"}]
    url = feed_server.serve("/feed.xml", rss(two))
    config = write_config(tmp_path, {"jobs": url}, smtp.apprise_url())
    channel = (
        f'  me:\n    urls: "{smtp.apprise_url()}"\n    templates:\n      body: "{{{{ 1 // 0 }}}}"\n'
    )
    config.write_text(config.read_text().replace(f'  me: "{smtp.apprise_url()}"\n', channel))

    result = run_cli("run", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert len(smtp.messages) == 2  # both alerts, with the default body
    assert all("Seen on jobs" in body for body in iter_text(smtp.messages))
    told = [line for line in result.stderr.splitlines() if "template failed" in line]
    assert len(told) == 1, result.stderr
    assert "channel me: the body template failed (ZeroDivisionError" in told[0]
