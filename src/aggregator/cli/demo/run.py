"""Serve the bundled sample feeds on 127.0.0.1 and run two cycles into a throwaway database."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import typer

from aggregator.cli.summary import print_report
from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store

__all__ = ["demo_config", "run_demo", "serve_directory"]

SAMPLE_FEEDS = ("campus-gigs.xml", "remote-micro.xml")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The demo's output is the alerts, not an access log."""


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve a folder over HTTP on a free loopback port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_config(base_url: str, database: str) -> Config:
    """The demo's configuration: the sample feeds, two rules, alerts on the terminal."""
    return Config.model_validate(
        {
            "database": database,
            "http": {"per_host_gap": 0},
            "backfill": "all",  # the sample feeds are old: alert them all the same
            "sources": [
                {"name": Path(feed).stem, "adapter": "rss", "url": f"{base_url}/{feed}"}
                for feed in SAMPLE_FEEDS
            ],
            "channels": {"terminal": "console://"},
            "rules": [
                {
                    "name": "data-micro",
                    "query": "data #microinternship -senior",
                    "notify": ["terminal"],
                },
                {
                    "name": "small-gigs",
                    "query": '"micro internship" OR gig',
                    "notify": ["terminal"],
                },
            ],
        }
    )


async def _cycle(config: Config, store: Store) -> RunReport:
    async with HttpClient(config.http) as client:
        pipeline = Pipeline(config, store, client)
        report = await pipeline.run_sources(pipeline.due_sources(include_all=True))
    report.deliveries = pipeline.deliver()
    return report


def run_demo(*, keep: bool = False) -> int:
    """Run the demo; return the exit status."""
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-demo-"))
    try:
        feeds = workdir / "feeds"
        feeds.mkdir()
        for name in SAMPLE_FEEDS:
            (feeds / name).write_bytes(
                resources.files("aggregator.cli.demo").joinpath(name).read_bytes()
            )
        with serve_directory(feeds) as base_url:
            config = demo_config(base_url, f"sqlite:///{workdir / 'demo.db'}")
            store = Store(config.database)
            store.upgrade()
            typer.echo(f"Serving {len(SAMPLE_FEEDS)} sample feeds on {base_url}\n")
            typer.echo("First run: every listing is new; matching ones are alerted below.")
            first = asyncio.run(_cycle(config, store))
            print_report(first)
            typer.echo("\nSecond run: the same feeds again; nothing is new, nothing is sent.")
            second = asyncio.run(_cycle(config, store))
            print_report(second)
            store.dispose()
        if keep:
            typer.echo(f"\nThe demo database is kept at {workdir / 'demo.db'}")
        ok = first.sources_ok and second.sources_ok and first.delivery_ok
        return 0 if ok else 1
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
