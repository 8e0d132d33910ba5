"""Benchmark: delivering 1,000 queued alerts to a loopback SMTP sink and a loopback webhook.

Run `.venv/bin/python bench/delivery.py`. It queues the alerts in a SQLite file (one listing,
match and outbox row each, through the store), starts the receivers in their own process (an
aiosmtpd sink that counts its connections, a threading HTTP server answering 200), times
`deliver_pending` end to end (claims, leases, sends, outcomes) and, separately, the channel's
sends alone, prints the time per message, and rewrites the "Delivery" section of
docs/benchmarks.md (only that section; `--no-write` leaves it alone).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import docsection

from aggregator.config.model import Config
from aggregator.models import Match, Posting
from aggregator.notify import Alert, build_channels, deliver_pending
from aggregator.store import Store

SECTION = "## Delivery"
NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
GOALS = {"e-mail": 2.0, "webhook": 1.0}  # ms per message, from the issue


# Receivers, each in its own process (as a real server is): the benchmark's own process
# then measures our side only, not the receiver's Python too.


class _Sink:
    def __init__(self) -> None:
        self.messages = 0
        self.connections = 0

    async def handle_EHLO(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages += 1
        return "250 OK"


def _smtp_process(pipe: Connection) -> None:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # aiosmtpd needs a port number up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send(port)
    while pipe.recv() != "stop":
        pipe.send((sink.messages, sink.connections))
    controller.stop()


class _Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Hook.count += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


def _http_process(pipe: Connection) -> None:
    import threading

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    pipe.send(httpd.server_address[1])
    while pipe.recv() != "stop":
        pipe.send((_Hook.count, 0))
    httpd.shutdown()


@dataclass
class Receiver:
    name: str
    pipe: Connection
    process: multiprocessing.Process
    port: int

    def counts(self) -> tuple[int, int]:
        self.pipe.send("count")
        messages, connections = self.pipe.recv()
        return int(messages), int(connections)

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(10)


def start(name: str, target: Callable[[Connection], None]) -> Receiver:
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.Process(target=target, args=(theirs,), daemon=True)
    process.start()
    return Receiver(name, ours, process, int(ours.recv()))


def url_for(receiver: Receiver) -> str:
    if receiver.name == "e-mail":
        return (
            f"mailto://127.0.0.1:{receiver.port}?from=alerts@example.com&to=me@example.com"
            "&mode=insecure"
        )
    return f"json://127.0.0.1:{receiver.port}/hook"


def queue(store: Store, count: int) -> None:
    """`count` listings, each matched by one rule and queued for channel `me`."""
    postings = [
        Posting(
            source="bench",
            dedup_key=f"p{n}",
            title=f"Data analyst {n}",
            url=f"https://jobs.example/{n}",
            external_id=f"p{n}",
            company=f"Company {n % 97}",
            location="Remote",
            description="Work with data. " * 40,
            description_html=None,
            tags=(),
            posted_at=NOW,
            first_seen_at=NOW,
        )
        for n in range(count)
    ]
    with store.transaction() as unit:
        listings = unit.upsert_postings(postings)
        found = [
            Match(listing_id=listing.id, rule="data", why='has "data"') for listing in listings
        ]
        unit.add_matches(found, now=NOW)
        unit.enqueue([(match, "me") for match in found], now=NOW)


def end_to_end(receiver: Receiver, count: int, folder: Path) -> tuple[float, int]:
    """Seconds for deliver_pending of `count` alerts, and the receiver's connections."""
    config = Config.model_validate({"channels": {"me": url_for(receiver)}})
    store = Store(f"sqlite:///{folder / f'{receiver.name}.db'}")
    store.upgrade()
    queue(store, count)
    channels = build_channels(config.channels)
    before = receiver.counts()
    started = time.perf_counter()
    results = deliver_pending(store, channels, clock=lambda: NOW)
    seconds = time.perf_counter() - started
    after = receiver.counts()
    store.dispose()
    ok = sum(result.ok for result in results)
    received = after[0] - before[0]
    if ok != count or received != count:
        raise SystemExit(f"{receiver.name}: {ok} of {count} sent, {received} received")
    return seconds, after[1] - before[1]


def sends_only(receiver: Receiver, count: int) -> float:
    """Seconds for `count` sends through one channel, without the store."""
    config = Config.model_validate({"channels": {"me": url_for(receiver)}})
    (channel,) = build_channels(config.channels).values()
    channel.keep_connections()
    alert = Alert(title="Data analyst at Company", body="<p>Work with data.</p>", text="Work")
    started = time.perf_counter()
    for n in range(count):
        if not channel.send(alert, key=f"bench:{n}:me").ok:
            raise SystemExit(f"{receiver.name}: send {n} failed")
    channel.close()
    return time.perf_counter() - started


def run(count: int) -> list[str]:
    lines: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for name, target in (("e-mail", _smtp_process), ("webhook", _http_process)):
            receiver = start(name, target)
            try:
                seconds, connections = end_to_end(receiver, count, Path(folder))
                alone = sends_only(receiver, count)
            finally:
                receiver.stop()
            per_message = seconds / count * 1000
            lines.append(
                f"{name:<8} {count:,} alerts end to end: {seconds:6.2f} s = "
                f"{per_message:5.2f} ms/message ({per_message / GOALS[name]:.2f}x the "
                f"{GOALS[name]:g} ms goal)"
                + (f", {connections} SMTP connection(s)" if name == "e-mail" else "")
            )
            print(lines[-1], flush=True)
            lines.append(
                f"{name:<8} {count:,} sends alone (no store): {alone:6.2f} s = "
                f"{alone / count * 1000:5.2f} ms/message; rendering and the store: "
                f"{1 - alone / seconds:.0%} of end to end"
            )
            print(lines[-1], flush=True)
    return lines


SECTION_TEXT = """{section}

`.venv/bin/python bench/delivery.py` queues {count:,} alerts (one listing, match and outbox
row each) in a SQLite file and times `deliver_pending` delivering them to one channel, first
an e-mail channel (`mailto://` to an aiosmtpd sink), then a JSON webhook (`json://` to a
threading HTTP server); each receiver runs in its own process. "End to end" is the whole
delivery: claims, leases, rendering each alert (HTML, Markdown and text), sends and recorded
outcomes; "sends alone" is the same number of sends of one ready message through the channel,
without the store. Last run: {machine}, with other jobs running (load average {load}).

{figures}

Before, apprise waited 5.5 s between two e-mails of one URL (its default throttle for every
service) and opened one SMTP connection per e-mail: 1,000 alerts took over 90 minutes; and
each alert cost a claim, a renewal and a commit of its own (about 20 ms on this SQLite file
under load). Now an e-mail channel sends a pass's alerts through one SMTP connection per URL
without the pause, alerts are claimed in batches of up to 100 under one lease and the sent
ones are recorded in one statement, and a webhook channel sends {workers} at a time.

What is left per e-mail, measured at a quieter moment (load average 1.5; 300 sends in a row:
2.0 ms each in the sending thread, 2.2 ms through `Channel.send`): apprise building the message
(MIME parts, the plain text made from our HTML, headers) about 0.7 ms, the SMTP exchange (MAIL,
RCPT, DATA: smtplib waits for each answer) about 0.9 ms, apprise's own bookkeeping about 0.4
ms, and the send's budget thread about 0.2 ms; end to end adds rendering (about 1 ms: three
formats per alert) and the store (about 0.4 ms). So the sends alone come to about the 2 ms goal
on a quiet box; end to end does not yet. A webhook costs about 2.5 ms of CPU in apprise and
requests (a new HTTP connection per message: apprise's `json://` posts through
`requests.post`); sending {workers} at a time hides the waiting but not that CPU, which the
interpreter lock serializes, so the 1 ms goal is not met on two cores. The timing box is the
2-core development machine shared with other jobs: single runs vary by a third either way.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="alerts per channel")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args()
    lines = run(args.count)
    if args.no_write:
        return
    from aggregator.notify.channels import WEBHOOK_WORKERS

    machine = f"CPython {platform.python_version()}, {platform.machine()}, SQLite file"
    load = f"{os.getloadavg()[0]:.1f}"
    figures = "\n".join(f"    {line}" for line in lines)
    docsection.write_section(
        SECTION,
        SECTION_TEXT.format(
            section=SECTION,
            count=args.count,
            machine=machine,
            figures=figures,
            workers=WEBHOOK_WORKERS,
            load=load,
        ),
    )


if __name__ == "__main__":
    main()
