"""The daemon's INFO log, from a real process: per cycle what was fetched, new and sent (by
listing title), when each source is next due; APScheduler's own lines only with --debug."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.models import DeliveryResult
from aggregator.pipeline.daemon import SUMMARY_TITLES, sent_summary
from tests.support.servers import FeedServer, SmtpSink, rss

ITEMS = [
    {"title": "Data gig for a food bank", "link": "http://x.test/1", "guid": "1"},
    {"title": "Survey data cleaning", "link": "http://x.test/2", "guid": "2"},
    {"title": "Senior baker", "link": "http://x.test/3", "guid": "3"},
]


def daemon_log(tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink, *flags: str) -> str:
    url = feed_server.serve("/feed.xml", rss(ITEMS))
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///d.db\ntimezone: Europe/Berlin\nhttp:\n  per_host_gap: 0\n"
        f"sources:\n  - name: jobs\n    adapter: rss\n    url: {url}\n    every: 1h\n"
        f'channels:\n  mail: "{smtp.apprise_url()}"\n'
        "rules:\n  - name: r\n    query: 'data'\n    notify: [mail]\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", *flags, "daemon", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(smtp.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # the pass's log line follows the last send
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, stderr
    assert len(smtp.messages) == 2
    return stderr


def test_the_daemon_logs_what_it_fetched_and_sent_by_title_and_when_a_source_is_next_due(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    log = daemon_log(tmp_path, feed_server, smtp)

    zone = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CET"
    assert re.search(rf"INFO aggregator.pipeline.daemon: source jobs: first due {zone}\n", log)
    fetched = r"source jobs: fetched 3, new 3, matched 2; next due "
    assert re.search(rf"INFO aggregator.pipeline.daemon: {fetched}{zone}\n", log), log
    (sent,) = [line for line in log.splitlines() if "INFO aggregator.pipeline.daemon: sent" in line]
    assert "sent 2 alert(s): " in sent
    assert "'Data gig for a food bank' on mail" in sent
    assert "'Survey data cleaning' on mail" in sent
    assert "alert:" not in sent  # no outbox key
    assert "apscheduler" not in log
    assert "Running job" not in log


@pytest.mark.parametrize("flag", ["--debug"])
def test_apschedulers_own_lines_show_with_debug(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink, flag: str
) -> None:
    log = daemon_log(tmp_path, feed_server, smtp, flag)
    assert "apscheduler" in log


def test_a_long_pass_names_the_first_titles_and_counts_the_rest() -> None:
    results = [
        DeliveryResult(outbox_id=i, channel="mail", ok=True, title=f"Job {i}")
        for i in range(SUMMARY_TITLES + 3)
    ]
    results.append(DeliveryResult(outbox_id=99, channel="mail", ok=False, error="550"))
    line = sent_summary(results)
    assert line.startswith(f"sent {SUMMARY_TITLES + 3} alert(s): 'Job 0' on mail, ")
    assert f"'Job {SUMMARY_TITLES - 1}' on mail and 3 more; 1 failed" in line
    assert f"'Job {SUMMARY_TITLES}'" not in line
