"""The pipeline keeps source health: server hints, 410 Gone, disabled sources, parse deadlines."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from aggregator.cli.app import app
from aggregator.config.model import Config
from aggregator.fetch.client import HttpClient
from aggregator.pipeline.cycle import Pipeline, RunReport
from aggregator.store import Store
from tests.hostile.payloads import feed, item
from tests.support.http_server import LocalServer, Reply

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def run(
    tmp_path: Path, sources: list[dict[str, Any]], *, due_only: bool = True, **extra: Any
) -> tuple[RunReport, Store]:
    """One run; `due_only=False` hands every configured source to run_sources, as the daemon's
    per-source jobs do, instead of asking due_sources first."""
    config = Config.model_validate(
        {
            "database": f"sqlite:///{tmp_path / 'p.db'}",
            "http": {"per_host_gap": 0, "retry_backoff": 0.05},
            "sources": [{"adapter": "rss", "every": "1h"} | s for s in sources],
            **extra,
        }
    )
    store = Store(config.database)
    store.upgrade()

    async def go() -> RunReport:
        async with HttpClient(config.http) as client:
            pipeline = Pipeline(config, store, client, clock=lambda: NOW)
            picked = pipeline.due_sources(include_all=True) if due_only else config.sources
            return await pipeline.run_sources(picked)

    return asyncio.run(go()), store


def test_cache_control_max_age_and_rss_ttl_push_the_next_fetch_out(
    tmp_path: Path, server: LocalServer
) -> None:
    body = feed(item("Job", "1"))
    cached = server.route("/cached", Reply(body=body, headers={"Cache-Control": "max-age=7200"}))
    ttl = server.route("/ttl", Reply(body=body.replace(b"<title>feed", b"<ttl>180</ttl><title>f")))
    plain = server.route("/plain", Reply(body=body))
    sources = [{"name": "cached", "url": cached}, {"name": "ttl", "url": ttl}]
    _, store = run(tmp_path, [*sources, {"name": "plain", "url": plain}])
    due = {name: state.next_due_at for name, state in store.source_states().items()}
    hour = timedelta(hours=1)
    assert due == {"cached": NOW + 2 * hour, "ttl": NOW + 3 * hour, "plain": NOW + hour}


def test_410_gone_disables_the_source_tells_the_admin_and_later_runs_skip_it(
    tmp_path: Path, server: LocalServer
) -> None:
    gone = server.route("/gone", Reply(status=410))
    report, store = run(
        tmp_path,
        [{"name": "gone", "url": gone}],
        channels={"admin": "console://"},
    )
    assert [event.kind for event in report.health] == ["disabled"]
    assert store.source_states()["gone"].disabled_at == NOW
    (notice,) = store.outbox()
    assert (notice.kind, notice.channel) == ("notice", "admin")
    assert notice.why.startswith("Source gone disabled: the server answers 410 Gone")
    assert run(tmp_path, [{"name": "gone", "url": gone}])[0].sources == []
    again, _ = run(tmp_path, [{"name": "gone", "url": gone}], due_only=False)
    assert (again.sources, again.disabled) == ([], ["gone"])
    assert len(server.seen) == 1


def test_a_parse_past_the_deadline_fails_that_source_only(
    tmp_path: Path, server: LocalServer
) -> None:
    description = "<description>" + "<p>paragraph</p>" * 60 + "</description>"
    huge = feed("".join(item(f"Job {n}", str(n), extra=description) for n in range(5000)))
    slow = server.route("/slow", Reply(body=huge))
    quick = server.route("/quick", Reply(body=feed(item("Quick job", "q"))))
    report, _ = run(
        tmp_path,
        [{"name": "slow", "url": slow}, {"name": "quick", "url": quick}],
        parse={"timeout": 1.5},
    )
    errors = {result.source: result.error for result in report.sources}
    assert errors == {"slow": "parsing took longer than 1.5 s; stopped", "quick": None}


def test_sources_status_shows_a_disabled_source_and_sources_enable_brings_it_back(
    tmp_path: Path, server: LocalServer
) -> None:
    gone = server.route("/gone", Reply(status=410))
    ok = server.route("/ok", Reply(body=feed(item("Job", "1"))))
    sources = [{"name": "gone", "url": gone}, {"name": "fine", "url": ok}]
    run(tmp_path, sources)
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "database": f"sqlite:///{tmp_path / 'p.db'}",
                "sources": [{"adapter": "rss"} | s for s in sources],
            }
        )
    )
    shown = CliRunner().invoke(app, ["sources", "status", "-c", str(config)])
    assert shown.exit_code == 1, shown.output  # a disabled source fails a health check
    assert "gone (rss): disabled" in shown.output
    assert "the server answers 410 Gone" in shown.output
    assert "last error: HTTP 410 from" in shown.output
    assert "fine (rss): ok" in shown.output
    enabled = CliRunner().invoke(app, ["sources", "enable", "gone", "-c", str(config)])
    assert enabled.output.strip() == "source gone enabled; it is fetched on the next run"
    again = CliRunner().invoke(app, ["sources", "status", "--json", "-c", str(config)])
    rows = {row["name"]: row for row in map(json.loads, again.output.splitlines())}
    assert (rows["gone"]["disabled_at"], rows["gone"]["failures"]) == (None, 0)
