"""The demo and the daemon as real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_cli
from tests.support.servers import FeedServer, SmtpSink, rss


def test_the_demo_alerts_on_the_bundled_feeds_and_sends_nothing_the_second_time(
    tmp_path: Path,
) -> None:
    result = run_cli("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split("Second run:")
    assert "Data cleaning micro-project for a food bank" in first
    assert "Survey analysis micro internship" in first
    assert "Senior data engineer" not in first.split("source ")[0]
    assert "delivered 3 alert(s), 0 failed" in first
    assert "delivered 0 alert(s), 0 failed" in second


def test_the_daemon_delivers_alerts_and_exits_0_on_sigterm(
    tmp_path: Path, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    url = feed_server.serve(
        "/feed.xml",
        rss(
            [
                {
                    "title": "Data gig",
                    "link": "http://x.test/1",
                    "guid": "1",
                    "description": "data #microinternship",
                }
            ]
        ),
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///d.db\nhttp:\n  per_host_gap: 0\n"
        f"sources:\n  - name: jobs\n    adapter: rss\n    url: {url}\n    every: 1h\n"
        f'channels:\n  me: "{smtp.apprise_url()}"\n'
        "rules:\n  - name: r\n    query: 'data'\n    notify: [me]\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "aggregator", "daemon", "--config", str(config)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(smtp.messages) == 1
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "daemon stopped" in stderr
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
