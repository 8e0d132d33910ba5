"""A pytest hook: the run ends with skipped tests counted by reason (`-ra` listed each one)."""

from __future__ import annotations

from collections import Counter

import pytest

__all__ = ["pytest_terminal_summary"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """ "12 tests skipped, by reason:" and one line per reason with its count, most first."""
    reasons = Counter(_reason(report) for report in terminalreporter.stats.get("skipped", ()))
    if not reasons:
        return
    total = sum(reasons.values())
    terminalreporter.write_line(f"{total} test{'s' if total != 1 else ''} skipped, by reason:")
    width = len(str(reasons.most_common(1)[0][1]))
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        terminalreporter.write_line(f"  {count:>{width}}  {reason}")


def _reason(report: pytest.TestReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: why"); anything else is shown as it is.
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")
