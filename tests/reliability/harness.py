"""The crash harness: kill `aggregate run` at named points and at random, then check the alerts.

Each round publishes new items on a local feed, runs `aggregate run` as a real process that is
SIGKILLed (at a named crash point through AGGREGATOR_CRASH_AT, or after a random delay), then
runs it again without a crash until no alert is pending. A JSON webhook sink records the outbox
key (the Idempotency-Key header) of every alert it accepts, appending it to a file.

Checked at the end: every published matching item was delivered (no loss); an item delivered
twice was, at some kill, already received by the sink while its row was still pending (the
window between the send and its mark, which only `after_send_before_mark` or a random kill can
hit); and `PRAGMA integrity_check` is ok.

A killed process leaves its run lock row and its claim leases behind, exactly as a user's crash
does; the harness touches neither. They name a holder whose liveness lock died with the process,
so the next run takes them over at once.

`python -m tests.reliability.harness --kills 1000 --workers 4` runs the long version.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.support.http_server import LocalServer, Reply, Seen
from tests.support.servers import rss

LABELS = (
    "after_fetch",
    "mid_store_tx",
    "after_outbox_commit",
    "after_claim",
    "after_send_before_mark",
    "after_mark",
)
PER_ALERT = frozenset({"after_send_before_mark", "after_mark"})
SIGKILLED = -signal.SIGKILL
FEED_WINDOW = 40  # items kept in the feed; a round always recovers before they scroll off
RECOVERY_LIMIT = 5


@dataclass
class Result:
    """What a harness run did and found."""

    kills: int = 0
    named_kills: Counter[str] = field(default_factory=Counter)
    random_kills: int = 0
    runs: int = 0
    published: int = 0
    delivered: int = 0
    duplicates: int = 0
    allowed_duplicates: int = 0
    problems: list[str] = field(default_factory=list)
    integrity: str = ""
    seconds: float = 0.0

    def merge(self, other: Result) -> None:
        for name in (
            "kills",
            "random_kills",
            "runs",
            "published",
            "delivered",
            "duplicates",
            "allowed_duplicates",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.named_kills.update(other.named_kills)
        self.problems += other.problems
        self.integrity = self.integrity if other.integrity == "ok" else other.integrity

    def summary(self) -> dict[str, object]:
        return {
            "kills": self.kills,
            "named_kills": dict(sorted(self.named_kills.items())),
            "random_kills": self.random_kills,
            "runs": self.runs,
            "alerts_published": self.published,
            "alerts_delivered": self.delivered,
            "duplicates": self.duplicates,
            "duplicates_allowed_by_send_mark_window": self.allowed_duplicates,
            "lost": len([p for p in self.problems if p.startswith("lost")]),
            "integrity_check": self.integrity,
            "problems": self.problems[:20],
            "seconds": round(self.seconds, 1),
        }


class KeySink:
    """A json:// endpoint that appends the outbox key of every accepted alert to a file."""

    def __init__(self, server: LocalServer, path: Path) -> None:
        self.path = path
        self.keys: list[str] = []
        self._lock = threading.Lock()
        server.route("/sink", self._answer)
        self.url = f"json://127.0.0.1:{server.port}/sink"

    def _answer(self, seen: Seen) -> Reply:
        key = seen.headers.get("idempotency-key", "")
        title = json.loads(seen.body or b"{}").get("title", "")
        with self._lock:
            self.keys.append(f"{key}\t{title}")
            with self.path.open("a", encoding="utf-8") as file:
                file.write(f"{key}\t{title}\n")
                file.flush()
                os.fsync(file.fileno())
        return Reply(status=200, body=b"{}")


class Harness:
    """One database, one feed, one sink; `round()` is one kill followed by recovery."""

    def __init__(self, workdir: Path, seed: int) -> None:
        self.workdir = workdir
        self.rng = random.Random(seed)
        self.db = workdir / "harness.db"
        self.items: list[dict[str, str]] = []
        self.allowance: Counter[str] = Counter()
        self.result = Result()
        self.run_seconds = 1.6
        self._named_rounds = 0
        self._server = LocalServer().__enter__()
        self._server.route("/feed.xml", self._feed)
        self.sink = KeySink(self._server, workdir / "delivered.tsv")
        self.config = workdir / "config.yaml"
        self.config.write_text(yaml.safe_dump(self._config()))
        # The schema exists before the first kill, as after any first run; the harness reads the
        # outbox table after each kill.
        upgrade = ["db", "upgrade", "--config", str(self.config)]
        subprocess.run(
            [sys.executable, "-m", "aggregator", *upgrade],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def close(self) -> None:
        self._server.__exit__(None, None, None)

    def _config(self) -> dict[str, object]:
        return {
            "database": f"sqlite:///{self.db}",
            "http": {"per_host_gap": 0},
            "sources": [{"name": "feed", "adapter": "rss", "url": self._server.url("/feed.xml")}],
            "channels": {"sink": self.sink.url},
            "rules": [{"name": "data", "query": "data", "notify": ["sink"]}],
        }

    def _feed(self, _seen: Seen) -> Reply:
        body = rss(self.items[-FEED_WINDOW:]).encode()
        return Reply(body=body, headers={"Content-Type": "application/rss+xml"})

    def publish(self, count: int) -> None:
        for _ in range(count):
            self.result.published += 1
            number = self.result.published
            self.items.append(
                {
                    "title": f"Data job {number}",
                    "link": f"http://jobs.test/{number}",
                    "guid": f"job-{number}",
                }
            )
            self.items.append(  # a non-matching item: stored, never alerted
                {
                    "title": f"Chef {number}",
                    "link": f"http://jobs.test/c{number}",
                    "guid": f"chef-{number}",
                }
            )

    def _start(self, crash: str | None) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGGREGATOR_")}
        if crash:
            env["AGGREGATOR_CRASH_AT"] = crash
        self.result.runs += 1
        return subprocess.Popen(
            [sys.executable, "-m", "aggregator", "run", "--all", "--config", str(self.config)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def round(self, *, named: bool) -> None:
        """Publish, run once with a kill (named or random), then recover."""
        self.publish(self.rng.randint(2, 3))
        if named:
            label = LABELS[self._named_rounds % len(LABELS)]
            self._named_rounds += 1
            # Labels passed once per run die on the first pass; per-alert ones on the 1st or 2nd.
            nth = self.rng.randint(1, 2) if label in PER_ALERT else 1
            process = self._start(f"{label}:{nth}")
            code = process.wait(timeout=120)
            if code == SIGKILLED:
                self._after_kill(label)
        else:
            started = time.monotonic()
            process = self._start(None)
            try:
                code = process.wait(timeout=self.rng.uniform(0.05, self.run_seconds))
                self.run_seconds = 0.8 * self.run_seconds + 0.2 * (time.monotonic() - started)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=60)
                self._after_kill(None)
        self.recover()

    def _after_kill(self, label: str | None) -> None:
        self.result.kills += 1
        if label is None:
            self.result.random_kills += 1
        else:
            self.result.named_kills[label] += 1
        received = {line.split("\t", 1)[0] for line in self.sink.keys}
        with sqlite3.connect(self.db, timeout=30) as db:
            pending = {k for (k,) in db.execute("SELECT key FROM outbox WHERE status='pending'")}
        in_window = received & pending
        if in_window and label not in (None, "after_send_before_mark"):
            self.result.problems.append(f"sent-but-unmarked after a kill at {label}: {in_window}")
        self.allowance.update(in_window)

    def recover(self) -> None:
        for _ in range(RECOVERY_LIMIT):
            code = self._start(None).wait(timeout=120)
            if code == 0 and not self._pending():
                return
        self.result.problems.append(f"outbox not empty after {RECOVERY_LIMIT} recovery runs")

    def _pending(self) -> int:
        if not self.db.exists():
            return 0
        with sqlite3.connect(self.db, timeout=30) as db:
            (count,) = db.execute("SELECT count(*) FROM outbox WHERE status != 'sent'").fetchone()
        return int(count)

    def check(self) -> Result:
        result = self.result
        delivered = Counter(line.split("\t", 1)[1] for line in self.sink.keys)
        by_key = Counter(line.split("\t", 1)[0] for line in self.sink.keys)
        expected = {f"Data job {n}" for n in range(1, result.published + 1)}
        for title in sorted(expected - delivered.keys()):
            result.problems.append(f"lost: {title}")
        result.problems += [f"unexpected alert: {t}" for t in delivered.keys() - expected]
        result.delivered = len(delivered.keys() & expected)
        for key, count in by_key.items():
            extra = count - 1
            result.duplicates += extra
            if extra > self.allowance[key]:
                result.problems.append(f"duplicate outside the send/mark window: {key} x{count}")
            result.allowed_duplicates += min(extra, self.allowance[key])
        with sqlite3.connect(self.db) as db:
            (result.integrity,) = db.execute("PRAGMA integrity_check").fetchone()
        return result


def run_harness(workdir: Path, *, kills: int, seed: int = 1, named_share: float = 0.5) -> Result:
    """Rounds until `kills` processes were SIGKILLed, then the checks."""
    started = time.monotonic()
    harness = Harness(workdir, seed)
    try:
        harness.recover()  # the first run creates the database
        rounds = 0
        while harness.result.kills < kills and rounds < kills * 3:
            rounds += 1
            harness.round(named=harness.rng.random() < named_share)
        result = harness.check()
    finally:
        harness.close()
    result.seconds = time.monotonic() - started
    return result


def run_parallel(workdir: Path, *, kills: int, workers: int, seed: int = 1) -> Result:
    """Independent harnesses (own database, feed and sink) side by side, results merged."""
    shares = [kills // workers + (i < kills % workers) for i in range(workers)]
    started = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        futures = []
        for i, share in enumerate(shares):
            (workdir / f"w{i}").mkdir(parents=True, exist_ok=True)
            futures.append(pool.submit(run_harness, workdir / f"w{i}", kills=share, seed=seed + i))
        results = [future.result() for future in futures]
    total = Result(integrity="ok")
    for result in results:
        total.merge(result)
    total.seconds = time.monotonic() - started
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/aggregator-crash-harness"))
    parser.add_argument("--output", type=Path, help="also write the summary here (JSON)")
    args = parser.parse_args()
    result = run_parallel(args.workdir, kills=args.kills, workers=args.workers, seed=args.seed)
    summary = json.dumps(result.summary(), indent=2)
    print(summary)
    if args.output:
        args.output.write_text(summary + "\n")
    sys.exit(1 if result.problems or result.integrity != "ok" else 0)


if __name__ == "__main__":
    main()
