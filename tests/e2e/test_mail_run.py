"""End to end: `aggregate run` as a real process reads alert e-mails from a real Dovecot on
127.0.0.1 into a real SQLite file; the next run reads only what came since; no secret shows."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.dovecot import MailUser, dovecot, mail_user
from tests.support.mail import alert, job_url, plain

__all__ = ["dovecot", "mail_user"]

REPO = Path(__file__).resolve().parents[2]
# `aggregate` with the tests' own sender parser installed first (no real one is needed here;
# the parse workers are forked from this process and have it too).
BOOT = (
    "import sys; from tests.support.mail import install_lines_parser; install_lines_parser(); "
    "from aggregator.cli.app import main; main()"
)


def aggregate(*args: str, cwd: Path, password: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
    env |= {"MAIL_PASSWORD": password, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", BOOT, *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def write_config(tmp_path: Path, user: MailUser) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\n"
        "sources:\n"
        "  - name: alerts\n"
        "    adapter: imap\n"
        "    every: 1h\n"
        "    options:\n"
        "      host: 127.0.0.1\n"
        f"      port: {user.server.imaps_port}\n"
        f"      username: {user.name}\n"
        "      password: ${MAIL_PASSWORD}\n"
        f"      ca_file: {user.server.cert}\n"
        "      folder: Alerts\n"
        "      mark_seen: true\n"
        "rules:\n  - name: data\n    query: data\n    notify: []\n"
    )
    return config


def test_alert_emails_become_listings_run_after_run(tmp_path: Path, mail_user: MailUser) -> None:
    with mail_user.client() as client:
        client.create_folder("Alerts")
    mail_user.append(
        alert("Data intern", "Survey gig"),
        plain("Lunch on Friday?", sender="friend@example.org"),
        folder="Alerts",
    )
    config = write_config(tmp_path, mail_user)
    run = ("run", "--config", str(config), "--all", "--json")

    first = aggregate(*run, cwd=tmp_path, password=mail_user.password)
    mail_user.append(alert("Data analyst", "Survey gig"), folder="Alerts")
    second = aggregate(*run, cwd=tmp_path, password=mail_user.password)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    (one,) = json.loads(first.stdout)["sources"]
    (two,) = json.loads(second.stdout)["sources"]
    assert (one["fetched"], one["new"], two["fetched"], two["new"]) == (2, 2, 2, 1)
    assert one["notes"] == ["1 message no sender parser recognised, skipped"]
    assert two["notes"] == []
    with sqlite3.connect(tmp_path / "data.db") as db:
        urls = {row[0] for row in db.execute("SELECT url FROM listings")}
        (cursor,) = db.execute("SELECT cursor FROM source_state WHERE name = 'alerts'").fetchone()
    assert urls == {job_url(t) for t in ("Data intern", "Survey gig", "Data analyst")}
    assert cursor.endswith(":3")
    assert all(b"\\Seen" in flags for flags in mail_user.flags("Alerts").values())


def test_a_wrong_password_fails_the_source_with_no_secret_anywhere(
    tmp_path: Path, mail_user: MailUser
) -> None:
    wrong = "wrong-" + mail_user.password
    config = write_config(tmp_path, mail_user)

    result = aggregate(
        "--debug",
        "run",
        "--verbose",
        "--config",
        str(config),
        "--all",
        cwd=tmp_path,
        password=wrong,
    )

    port = mail_user.server.imaps_port
    assert result.returncode != 0
    assert f"IMAP login refused for user {mail_user.name} at 127.0.0.1:{port}" in result.stdout
    assert wrong not in result.stdout + result.stderr
    assert wrong.encode() not in (tmp_path / "data.db").read_bytes()
