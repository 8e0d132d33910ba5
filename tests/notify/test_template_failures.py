"""A channel template can fail, never the delivery: errors and runaway work fall back at once.

Each template below goes through a real cycle (loopback feed, SQLite file, json:// webhook);
the alert must arrive with the default body, and the cycle must end well before the hang
guard, which only exists so that a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import time
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path

import pytest

from aggregator.config.model import Config
from aggregator.store import Store
from tests.notify.support import Clock, WebhookSink, config_for, cycle
from tests.support.http_server import LocalServer
from tests.support.servers import FeedServer, rss

HANG_GUARD_SECONDS = 120
RUNAWAY = {
    "zero-division": "{{ 1 / 0 }}",
    "type-error": "{{ title + 1 }}",
    "recursive-macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "exponential-macro": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}"
    ),
    "string-times-huge": "{{ 'x' * 10**10 }}",
    "list-times-huge": "{{ [0] * 10**9 }}",
    "tower-of-powers": "{{ 10 ** (10 ** 10) }}",  # Jinja2's `**` groups from the left
    "empty-body": "{{ '' }}",
    "undefined-call": "{{ nothing() }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "nested-loops-quiet": (
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    ),
    "nested-loops-loud": (
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ title }}{% endfor %}"
        "{% endfor %}"
    ),
    "ljust": "{{ title.ljust(10**10) }}",
    "center-method": "{{ 'x'.center(10**10) }}",
    "zfill": "{{ '1'.zfill(10**10) }}",
    "format-width": "{{ '{:>10000000000}'.format(title) }}",
    "format-fields": "{{ ('{0}' * 200000).format(description) }}",
    "percent-width": "{{ '%10000000000s' % title }}",
    "center-filter": "{{ title | center(10**10) }}",
    "indent-filter": "{{ description | indent(10**10) }}",
    "indent-string": "{% set pad = 'x' * 200000 %}{{ description | indent(pad) }}",
    "replace-grows": "{% set big = 'x' * 200000 %}{{ big.replace('x', big) }}",
    "join-grows": "{% set big = 'x' * 200000 %}{{ ([big] * 100000) | join }}",
    "concat-doubling": "{% set a = 'x' * 100000 %}{% set b = a ~ a ~ a %}{{ b ~ b ~ b ~ b }}",
    "namespace-doubling": (
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s | length }}"
    ),
    "block-set-doubling": (
        "{% set a = 'x' * 100000 %}{% set b %}{{ a }}{{ a }}{{ a }}{% endset %}"
        "{% set c %}{{ b }}{{ b }}{{ b }}{% endset %}{{ c }}"
    ),
    "nested-list-print": "{{ [[title] * 100000] * 100000 }}",
    "slice-count": "{{ [1, 2] | slice(10**9) | list | length }}",
    "batch-fill": "{{ [1] | batch(10**9, 0) | list | length }}",
    "tojson-indent": "{{ [[1, [2]]] | tojson(indent=10**9) }}",
    "expandtabs-keyword": "{{ ('\t' * 100).expandtabs(tabsize=10**9) }}",
    "wordwrap-wrapstring": "{{ description | wordwrap(1, wrapstring='x' * 200000) }}",
    "strftime-grows": "{{ posted_at.strftime('%c' * 100000) }}",
    "self-containing-namespace": "{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}",
    "sandbox": "{{ title.__class__.__mro__[1].__subclasses__() }}",
    "unsafe-filter": "{{ description | safe }}",
    "mutation": "{% set seen = [] %}{{ seen.append(title) }}",
}


@dataclass(frozen=True)
class Outcome:
    delivered: list[bool]
    warnings: list[str]  # the aggregator's warning log lines


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _cycle_in_child(config: Config, results: Queue[Outcome]) -> None:
    collected = _Collected()
    logging.getLogger("aggregator").addHandler(collected)
    store = Store(config.database)
    report = cycle(config, store, Clock())
    store.dispose()
    results.put(Outcome([d.ok for d in report.deliveries], collected.lines))


def run_with_guard(
    tmp_path: Path, feed_server: FeedServer, channels: dict[str, object], items: int = 1
) -> Outcome:
    """One cycle in a child process, killed if it outlives the guard (a runaway operation in C
    holds the GIL, so a thread could not even notice)."""
    feed = feed_server.serve(
        "/f.xml",
        rss(
            [
                {
                    "title": "Data job" if n == 1 else f"Data job {n}",
                    "link": f"http://x.test/{n}",
                    "guid": str(n),
                    "description": "Two lines\nof description",
                }
                for n in range(1, items + 1)
            ]
        ),
    )
    config = config_for(tmp_path / "a.db", feed, channels)
    store = Store(config.database)
    store.upgrade()
    store.dispose()
    # spawn, not fork: a forked child would inherit apprise's worker pool without its threads.
    context = multiprocessing.get_context("spawn")
    results: Queue[Outcome] = context.Queue()
    child = context.Process(target=_cycle_in_child, args=(config, results))
    child.start()
    try:
        return _outcome_of(child, results)
    finally:
        child.kill()
        child.join()


def _outcome_of(child: BaseProcess, results: Queue[Outcome]) -> Outcome:
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    while time.monotonic() < deadline:
        try:
            return results.get(timeout=0.5)
        except queue.Empty:
            if not child.is_alive():
                break
    if not child.is_alive():
        try:  # it may have put its outcome just before it ended
            return results.get(timeout=1)
        except queue.Empty:
            pytest.fail(f"the cycle raised (exit code {child.exitcode}): delivery failed")
    pytest.fail("the template was not stopped")


@pytest.mark.parametrize("name", list(RUNAWAY))
def test_a_failing_or_runaway_body_template_stops_and_the_default_alert_goes_out(
    tmp_path: Path,
    feed_server: FeedServer,
    server: LocalServer,
    name: str,
) -> None:
    sink = WebhookSink(server)
    templates = {"body": f"{{# {name} #}}{RUNAWAY[name]}"}

    outcome = run_with_guard(
        tmp_path, feed_server, {name: {"urls": sink.url, "templates": templates}}
    )

    assert outcome.delivered == [True]
    (body,) = sink.delivered()
    assert "Seen on jobs" in body["message"]  # the default body
    assert body["message"].startswith(r"**[Data job](<http://x.test/1>)**")
    warnings = [w for w in outcome.warnings if "template failed" in w]
    assert len(warnings) == 1, warnings
    assert f"channel {name}:" in warnings[0]
    assert "the body template" in warnings[0]


@pytest.mark.parametrize("name", ["zero-division", "string-times-huge", "nested-loops-quiet"])
def test_a_failing_title_template_falls_back_to_the_default_title(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer, name: str
) -> None:
    sink = WebhookSink(server)
    templates = {"title": f"{{# title {name} #}}{RUNAWAY[name]}", "body": "{{ title }} ok"}

    outcome = run_with_guard(
        tmp_path, feed_server, {"me": {"urls": sink.url, "templates": templates}}
    )

    assert outcome.delivered == [True]
    (body,) = sink.delivered()
    assert body["title"] == "Data job"
    assert body["message"] == "Data job ok"  # the body template that works is still used


def test_a_failing_template_is_reported_once_per_channel_naming_the_error_not_the_listing(
    tmp_path: Path,
    feed_server: FeedServer,
    server: LocalServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = WebhookSink(server, "/one"), WebhookSink(server, "/two")
    feed = feed_server.serve(
        "/f.xml",
        rss(
            [
                {
                    "title": f"Data job {n} Secret-Title",
                    "link": f"http://x.test/{n}",
                    "guid": str(n),
                }
                for n in range(12)
            ]
        ),
    )
    # An undefined element, whose error message quotes the listing's title.
    body = "{# once per channel #}{{ {}[title].x }}"
    channels = {
        "alpha": {"urls": first.url, "templates": {"body": body}},
        "beta": {"urls": second.url, "templates": {"body": body}},
    }
    config = config_for(tmp_path / "a.db", feed, channels)
    store = Store(config.database)
    store.upgrade()
    caplog.set_level(logging.DEBUG, logger="aggregator")

    report = cycle(config, store, Clock())

    assert len(report.deliveries) == 24
    assert all(d.ok for d in report.deliveries)
    assert len(first.delivered()) == len(second.delivered()) == 12
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "template failed" in r.getMessage()
    ]
    assert sorted(w.split(":", 1)[0] for w in warnings) == ["channel alpha", "channel beta"]
    assert all("(UndefinedError on line 1)" in w for w in warnings), warnings
    # The template reports never quote the listing (the delivery log names what it sent).
    reports = [r for r in caplog.records if r.name == "aggregator.notify.templates"]
    assert len(reports) == 24
    assert not any("Secret-Title" in r.getMessage() for r in reports)
    store.dispose()


def test_a_template_that_ran_out_of_time_is_not_run_again_for_the_next_alerts(
    tmp_path: Path, feed_server: FeedServer, server: LocalServer
) -> None:
    first, second = WebhookSink(server, "/one"), WebhookSink(server, "/two")
    templates = {"body": "{# slow #}" + RUNAWAY["nested-loops-quiet"]}
    channels = {
        "alpha": {"urls": first.url, "templates": templates},
        "beta": {"urls": second.url, "templates": templates},
    }

    outcome = run_with_guard(tmp_path, feed_server, channels, items=5)

    assert outcome.delivered == [True] * 10, "\n".join(outcome.warnings)
    assert all("Seen on jobs" in body["message"] for body in first.delivered())
    reasons = sorted(w.split("(", 1)[1] for w in outcome.warnings if "template failed" in w)
    assert len(reasons) == 2  # once per channel, not once per alert
    # Channels deliver concurrently: both may be the first to try the template (and use their
    # second), or one may find it already known to be too slow.
    ran_longer = "BudgetExceededError: the template ran longer than 1 s"
    known_slow = "BudgetExceededError: it ran out of time before"
    assert ran_longer in reasons[1], reasons
    assert reasons[0].startswith((ran_longer, known_slow)), reasons
