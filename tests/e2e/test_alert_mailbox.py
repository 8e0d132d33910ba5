"""End to end with the real sender parsers: a mailbox on a real Dovecot receives LinkedIn,
Indeed, Handshake and Parker Dewey alerts (the invented fixtures), `aggregate run` turns them
into clean listings in a real SQLite file, the same job in a later alert is no new listing,
and a job the company's own board (Greenhouse, on loopback) lists too is one listing with two
sightings; the alert e-mail shows listing text as text."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.support.dovecot import MailUser, dovecot, mail_user
from tests.support.servers import FeedServer, SmtpSink, body_text

__all__ = ["dovecot", "mail_user"]

FIXTURES = Path(__file__).resolve().parents[1] / "adapters" / "mail" / "fixtures"
ALERTS = ("linkedin_text.eml", "linkedin_multipart.eml", "indeed.eml", "handshake_alert.eml")
# Cards per alert above, and the Parker Dewey alert that comes later.
CARDS = 3 + 3 + 4 + 3
PARKER_DEWEY_CARDS = 2


def _greenhouse_board() -> str:
    """Northwind Labs' own board lists the Data Analyst Intern job of the LinkedIn alert."""
    job = {
        "id": 5550001,
        "title": "Data Analyst Intern",
        "absolute_url": "https://boards.greenhouse.io/northwind/jobs/5550001",
        "location": {"name": "Springfield, IL"},
        "content": "&lt;p&gt;Join the analytics team for the summer.&lt;/p&gt;",
        "first_published": "2026-07-18T09:00:00Z",  # two days before the alert
        "updated_at": "2026-07-18T09:00:00Z",
        "company_name": "Northwind Labs",
    }
    return json.dumps({"jobs": [job]})


def _later_copy(raw: bytes) -> bytes:
    """The same alert sent again a day later: another Message-ID, Date and tracking ids."""
    raw = re.sub(rb"(?im)^Message-ID:.*$", b"Message-ID: <resent-1@mail.example>", raw)
    raw = re.sub(rb"(?im)^Date:.*$", b"Date: Wed, 02 Dec 2026 09:00:00 +0000", raw)
    return raw.replace(b"trackingId=", b"trackingId=later")


def _config(tmp_path: Path, user: MailUser, server: FeedServer, smtp: SmtpSink) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        "database: sqlite:///data.db\nhttp: {per_host_gap: 0, retries: 0}\n"
        "backfill: all\n"  # the fixtures' alerts are months old: the first run mails them too
        "sources:\n"
        "  - name: alerts\n"
        "    adapter: imap\n"
        "    options:\n"
        "      host: 127.0.0.1\n"
        f"      port: {user.server.imaps_port}\n"
        f"      username: {user.name}\n"
        "      password: ${MAIL_PASSWORD}\n"
        f"      ca_file: {user.server.cert}\n"
        "      folder: Job alerts\n"
        "      move_to: Read alerts\n"
        "  - name: northwind\n"
        "    adapter: greenhouse\n"
        f"    options: {{board: northwind, api_base: '{server.url('').rstrip('/')}'}}\n"
        f'channels:\n  me: "{smtp.apprise_url()}"\n'
        "rules:\n  - {name: design, query: 'design OR designer', notify: [me]}\n"
    )
    return config


def test_a_mailbox_of_platform_alerts_becomes_clean_merged_listings(
    tmp_path: Path, mail_user: MailUser, feed_server: FeedServer, smtp: SmtpSink
) -> None:
    feed_server.serve("/v1/boards/northwind/jobs", _greenhouse_board())
    with mail_user.client() as client:
        client.create_folder("Job alerts")
    mail_user.append(*(FIXTURES.joinpath(n).read_bytes() for n in ALERTS), folder="Job alerts")
    config = _config(tmp_path, mail_user, feed_server, smtp)
    env = {"MAIL_PASSWORD": mail_user.password}
    run = ("run", "--config", str(config), "--all", "--json")

    first = run_cli(*run, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    later = [_later_copy(FIXTURES.joinpath("linkedin_text.eml").read_bytes())]
    later.append(FIXTURES.joinpath("parkerdewey_alert.eml").read_bytes())
    mail_user.append(*later, folder="Job alerts")
    second = run_cli(*run, cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stdout + second.stderr

    one = {s["source"]: s for s in json.loads(first.stdout)["sources"]}
    two = {s["source"]: s for s in json.loads(second.stdout)["sources"]}
    assert one["alerts"]["fetched"] == CARDS
    # The Greenhouse job and its LinkedIn card are one new listing, whichever was stored first.
    assert one["alerts"]["new"] + one["northwind"]["new"] == CARDS
    # The resent LinkedIn alert holds only known jobs: only Parker Dewey's are new.
    assert (two["alerts"]["fetched"], two["alerts"]["new"]) == (3 + PARKER_DEWEY_CARDS, 2)
    with sqlite3.connect(tmp_path / "data.db") as db:
        listings = db.execute("SELECT id, title, url FROM listings").fetchall()
        sightings = db.execute("SELECT listing_id, source, url FROM sightings").fetchall()
    assert len(listings) == CARDS + PARKER_DEWEY_CARDS
    sources: dict[int, set[str]] = {}
    for listing_id, source, _ in sightings:
        sources.setdefault(listing_id, set()).add(source)
    (merged,) = [lid for lid, names in sources.items() if len(names) > 1]
    title, url = next((t, u) for lid, t, u in listings if lid == merged)
    # The company's own board gives the merged listing its link.
    assert (title, url) == (
        "Data Analyst Intern",
        "https://boards.greenhouse.io/northwind/jobs/5550001",
    )
    urls = {u for _, _, u in sightings}
    assert "https://www.linkedin.com/jobs/view/3900000101/" in urls  # canonical, no trackers
    # Tracking parameters are gone; Indeed's links are its canonical viewjob form.
    assert not any("trackingId" in u or "/rc/clk" in u for u in urls if u)
    assert "https://www.indeed.com/viewjob?jk=0a1b2c3d4e5f6071" in urls
    # Every message was moved once its postings were stored; nothing was deleted.
    assert mail_user.flags("Job alerts") == {}
    assert len(mail_user.flags("Read alerts")) == len(ALERTS) + len(later)
    # The design rule alerted its listings; the hostile title came through as text.
    bodies = [body_text(message) for message in smtp.messages]
    assert any("<script>alert(1)</script> Visual Designer" in body for body in bodies)
    html_parts = [m.get_body(preferencelist=("html",)) for m in smtp.messages]
    html = [part.get_content() for part in html_parts if part is not None]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt; Visual Designer" in text for text in html)
    assert not any("<script>" in text for text in html)
