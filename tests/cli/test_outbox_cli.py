"""`aggregate notify test` and `aggregate outbox list|retry|purge`, run as real processes."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import run_cli
from tests.notify.support import WebhookSink
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, rss

SECRET = "Sup3rSecretPassw0rd"


def write_config(tmp_path: Path, channels: dict[str, object], feed: str = "") -> Path:
    config = {
        "database": "sqlite:///outbox.db",
        "http": {"per_host_gap": 0},
        "sources": [{"name": "jobs", "adapter": "rss", "url": feed or "http://127.0.0.1:9/f"}],
        "channels": channels,
        "rules": [{"name": "data", "query": "data", "notify": list(channels)}],
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def secret_url(sink: WebhookSink) -> str:
    return sink.url.replace("json://", f"json://bob:{SECRET}@")


def test_notify_test_sends_a_sample_alert_and_shows_the_url_without_its_password(
    tmp_path: Path, server: LocalServer
) -> None:
    sink = WebhookSink(server)
    config = write_config(tmp_path, {"me": secret_url(sink)})

    result = run_cli("notify", "test", "me", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "me [1] json://bob:****@127.0.0.1" in result.stdout
    assert ": ok" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    (body,) = sink.delivered()
    assert body["title"].startswith("Sample alert")


def test_notify_test_reports_a_failing_url_and_exits_1(tmp_path: Path, server: LocalServer) -> None:
    sink = WebhookSink(server)
    sink.status = 500
    config = write_config(tmp_path, {"me": secret_url(sink)})

    result = run_cli("notify", "test", "me", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 1
    assert "failed:" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_notify_test_names_the_configured_channels_when_given_an_unknown_one(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, {"me": "console://"})

    result = run_cli("notify", "test", "you", "--config", str(config), cwd=tmp_path)

    assert result.returncode == 2
    assert "unknown channel 'you' (configured: me)" in result.stderr


def test_outbox_list_retry_and_purge_manage_undelivered_alerts(
    tmp_path: Path, server: LocalServer, feed_server: FeedServer
) -> None:
    sink = WebhookSink(server)
    sink.status = 500
    feed = feed_server.serve(
        "/f.xml", rss([{"title": "Data gig", "link": "http://x/1", "guid": "1"}])
    )
    config = str(write_config(tmp_path, {"me": secret_url(sink)}, feed))
    assert run_cli("run", "--config", config, cwd=tmp_path).returncode == 1

    listed = run_cli("outbox", "list", "--config", config, cwd=tmp_path)
    failing = run_cli(
        "outbox", "list", "--status", "failing", "--json", "--config", config, cwd=tmp_path
    )
    dead = run_cli("outbox", "list", "--status", "dead", "--config", config, cwd=tmp_path)

    assert listed.returncode == 0, listed.stderr
    assert "pending" in listed.stdout
    assert "last error:" in listed.stdout
    assert SECRET not in listed.stdout + failing.stdout
    (row,) = [json.loads(line) for line in failing.stdout.splitlines()]
    assert (row["status"], row["attempts"], row["channel"]) == ("pending", 1, "me")
    assert "no such alerts" in dead.stdout

    retried = run_cli("outbox", "retry", str(row["id"]), "--config", config, cwd=tmp_path)
    sink.status = 200
    assert retried.returncode == 0
    assert retried.stdout.startswith("1 row(s)")
    assert run_cli("run", "--config", config, cwd=tmp_path).returncode == 0
    assert len(sink.delivered()) == 1

    kept = run_cli("outbox", "purge", "--config", config, cwd=tmp_path)
    purged = run_cli("outbox", "purge", "--older-than", "1s", "--config", config, cwd=tmp_path)
    assert (kept.stdout.strip(), purged.stdout.strip()) == ("purged 0 row(s)", "purged 1 row(s)")
    assert (
        "no such alerts"
        in run_cli("outbox", "list", "--status", "all", "--config", config, cwd=tmp_path).stdout
    )
