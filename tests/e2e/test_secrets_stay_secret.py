"""No secret in any output: real `aggregate` runs, a daemon and `notify test`, --debug too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import SmtpSink

# Every canary is a secret the config holds, each in another place.
QUERY_KEY = "canary-qkey-61c0f3a9"  # options.params.api_key, from ${BOARD_KEY}
HEADER_KEY = "canary-hdr-0d9b7e21"  # options.headers, written in the file
URL_PASSWORD = "canary-upw-5a7c2e44"  # userinfo of the source url, from ${BOARD_PASSWORD}
SMTP_PASSWORD = "canary-smtp-93e1b06d"  # the mailto:// channel's password, from ${SMTP_PASSWORD}
WEBHOOK_TOKEN = "canary-whk-4f28d6c1"  # json:// channel header, `?+X-Token=`
CANARIES = (QUERY_KEY, HEADER_KEY, URL_PASSWORD, SMTP_PASSWORD, WEBHOOK_TOKEN)
ENV = {"BOARD_KEY": QUERY_KEY, "BOARD_PASSWORD": URL_PASSWORD, "SMTP_PASSWORD": SMTP_PASSWORD}


@dataclass
class Setup:
    config: Path
    board: LocalServer
    hooks: list[Seen]

    @property
    def database(self) -> Path:
        return self.config.parent / "data.db"


def board_reply(seen: Seen) -> Reply:
    document = {
        "data": [
            {"id": "1", "title": "Data analysis micro-internship", "url": "/jobs/1"},
            {"id": "2", "title": "Survey data gig", "url": "/jobs/2"},
        ]
    }
    return Reply(body=json.dumps(document).encode(), headers={"Content-Type": "application/json"})


@pytest.fixture
def setup(tmp_path: Path, server: LocalServer, smtp: SmtpSink) -> Setup:
    hooks: list[Seen] = []

    def hook(seen: Seen) -> Reply:
        hooks.append(seen)
        return Reply(body=b"ok")

    server.route("/jobs", board_reply)
    server.route("/hook", hook)
    board = f"http://reader:${{BOARD_PASSWORD}}@127.0.0.1:{server.port}/jobs"
    mail = smtp.apprise_url().replace("mailto://", "mailto://alerts:${SMTP_PASSWORD}@")
    webhook = f"json://127.0.0.1:{server.port}/hook?+X-Token={WEBHOOK_TOKEN}"
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\n"
        "http:\n  per_host_gap: 0\n  retries: 0\n"
        "sources:\n"
        "  - name: board\n    adapter: json_api\n    every: 1h\n"
        f"    url: {board}\n"
        "    options:\n      records: data\n"
        "      fields: {id: id, title: title, url: url}\n"
        "      params: {api_key: '${BOARD_KEY}'}\n"
        f"      headers: {{X-Api-Token: {HEADER_KEY}}}\n"
        f'channels:\n  mail: "{mail}"\n  hook: "{webhook}"\n'
        "rules:\n  - name: data\n    query: data\n    notify: [mail, hook]\n"
    )
    return Setup(config, server, hooks)


def assert_no_canary(where: str, text: str) -> None:
    for line in text.splitlines():
        leaked = [canary for canary in CANARIES if canary in line]
        assert not leaked, f"{where} leaks {leaked}: {line}"


def assert_database_clean(setup: Setup) -> None:
    data = setup.database.read_bytes()
    leaked = [canary for canary in CANARIES if canary.encode() in data]
    assert not leaked, f"the database holds {leaked}"


def run(setup: Setup, *args: str) -> subprocess.CompletedProcess[str]:
    result = run_cli(*args, "--config", str(setup.config), cwd=setup.config.parent, env=ENV)
    assert_no_canary(f"`{' '.join(args)}` stdout", result.stdout)
    assert_no_canary(f"`{' '.join(args)}` stderr", result.stderr)
    return result


def test_a_run_and_a_debug_run_print_and_store_no_secret(setup: Setup) -> None:
    first = run(setup, "run", "--verbose")
    assert "Data analysis micro-internship" in setup.hooks[0].body.decode()
    debug = run(setup, "--debug", "run", "--verbose", "--all")
    assert "HTTP Request: GET http://127.0.0.1" in debug.stderr  # httpx's log line, redacted
    assert first.returncode in (0, 1)
    # The board received its credentials; the alerts and the database hold none of them.
    assert setup.board.seen[0].headers["x-api-token"] == HEADER_KEY
    assert QUERY_KEY in setup.board.seen[0].path
    for seen in setup.hooks:
        assert_no_canary("a webhook alert", seen.body.decode())
    assert_database_clean(setup)


def test_a_board_that_echoes_the_sources_keys_into_its_records_stores_none_of_them(
    setup: Setup,
) -> None:
    def echoing(seen: Seen) -> Reply:
        link = f"/jobs/1?api_key={QUERY_KEY}&ref=feed"
        record = {"id": "1", "title": f"Data gig (token {HEADER_KEY})", "url": link}
        document = {"data": [record]}
        return Reply(
            body=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
        )

    setup.board.route("/jobs", echoing)
    run(setup, "run", "--verbose")

    (alert,) = [json.loads(seen.body) for seen in setup.hooks]
    assert_no_canary("a webhook alert", json.dumps(alert))
    assert r"Data gig \(token \*\*\*\)" in alert["message"]  # Markdown-escaped
    assert "/jobs/1?ref=feed" in alert["message"]  # the link keeps what is not ours
    assert_database_clean(setup)


def test_notify_test_masks_the_webhook_token_and_the_password(setup: Setup) -> None:
    for args in (("notify", "test", "hook"), ("--debug", "notify", "test", "hook")):
        result = run(setup, *args)
        assert result.returncode == 0, result.stderr
        assert "hook [1] json://127.0.0.1" in result.stdout
    assert setup.hooks[0].headers["x-token"] == WEBHOOK_TOKEN  # the receiver still gets it
    run(setup, "--debug", "notify", "test", "mail")


@pytest.mark.parametrize("debug", [False, True])
def test_a_daemon_logs_no_secret(setup: Setup, debug: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")} | ENV
    command = [sys.executable, "-m", "aggregator", *(["--debug"] if debug else [])]
    process = subprocess.Popen(
        [*command, "daemon", "--config", str(setup.config)],
        cwd=setup.config.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not setup.hooks and time.monotonic() < deadline:
            time.sleep(0.2)
        assert setup.hooks, "the daemon delivered nothing within a minute"
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert_no_canary("daemon stdout", stdout)
    assert_no_canary("daemon stderr", stderr)
    assert "HTTP Request: GET http://127.0.0.1" in stderr  # httpx's log line, redacted
    assert "daemon stopped" in stderr
    assert_database_clean(setup)


def test_a_config_error_and_its_debug_traceback_show_no_secret(setup: Setup) -> None:
    text = setup.config.read_text().replace("    every: 1h\n", "    every: 1h\n    bogus: x\n", 1)
    text = text.replace("    url: http://reader:", "    url: ftp://reader:", 1)
    setup.config.write_text(text)
    for args in (("run",), ("--debug", "run")):
        result = run(setup, *args)
        assert result.returncode != 0
        assert "sources[0]" in result.stderr
