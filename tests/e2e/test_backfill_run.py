"""`aggregate run` on a new board with a backlog: the first run mails only the recent postings
and says how many older ones it held back; the next run mails a new posting as usual."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tests.conftest import run_cli
from tests.support.servers import FeedServer, SmtpSink, rss


def _board(now: datetime, *extra: tuple[str, timedelta]) -> str:
    """Five postings from last month, two from the last two days, and `extra` (guid, age)."""
    ages = [(f"old{n}", timedelta(days=20 + n)) for n in range(5)]
    ages += [("new1", timedelta(days=2)), ("new2", timedelta(hours=5)), *extra]
    return rss(
        [
            {
                "title": f"Data analyst {guid}",
                "link": f"http://jobs.test/{guid}",
                "guid": guid,
                "pubDate": format_datetime(now - age),
            }
            for guid, age in ages
        ]
    )


def test_a_new_board_mails_its_recent_postings_only_and_later_ones_as_usual(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    now = datetime.now(UTC)
    url = feed_server.serve("/jobs.xml", _board(now))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        f"sources:\n  - {{name: board, adapter: rss, url: '{url}'}}\n"
        f'channels:\n  me: "{smtp.apprise_url()}"\n'
        "rules:\n  - {name: data, query: data, notify: [me]}\n"
    )
    run = ("run", "--config", str(config), "--all")

    first = run_cli(*run, "--json", cwd=tmp_path)

    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    (board,) = report["sources"]
    assert (board["fetched"], board["matched"], board["held_back"]) == (7, 7, 5)
    assert board["notes"][0].startswith("first fetch: held back 5 older postings (posted before")
    assert report["delivered"] == 2
    subjects = sorted(str(message["Subject"]) for message in smtp.messages)
    assert len(subjects) == 2
    assert [s for s in subjects if "new1" in s or "new2" in s] == subjects

    feed_server.serve("/jobs.xml", _board(now, ("new3", timedelta(minutes=1))))
    second = run_cli(*run, cwd=tmp_path)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "held back" not in second.stdout
    assert len(smtp.messages) == 3
    assert "new3" in str(smtp.messages[-1]["Subject"])
