"""A run's progress on a terminal: fetching N sources, then delivering the queued alerts."""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["SHOW_AFTER", "RunProgress"]

SHOW_AFTER = 0.5  # seconds: a quicker run never draws (and erases) a bar


class RunProgress:
    """A transient display on standard error, drawn only once the run has taken SHOW_AFTER
    seconds; rich leaves out colour when $NO_COLOR is set. Not `enabled`, it does nothing
    (and rich is not imported)."""

    def __init__(self, *, enabled: bool) -> None:
        self._task: TaskID | None = None
        self._progress: Progress | None = None
        self._timer: threading.Timer | None = None
        if enabled:
            self._progress = _progress()
            self._timer = threading.Timer(SHOW_AFTER, self._progress.start)
            self._timer.daemon = True

    def __enter__(self) -> RunProgress:
        if self._timer is not None:
            self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Erase the display for good (at the end, or before alerts print on the terminal)."""
        if self._timer is not None and self._progress is not None:
            self._timer.cancel()
            self._timer.join()  # a start under way finishes before the stop
            self._progress.stop()
            self._progress = None

    def fetching(self, total: int) -> None:
        self._step(f"fetching {total} source(s)", total)

    def fetched(self, _source: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def delivering(self, queued: int) -> None:
        self._step(f"delivering {queued} queued alert(s)", None)

    def _step(self, description: str, total: int | None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    # Standard error: standard output stays for the summary (or --json), even on a terminal.
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr, stderr=True),
        transient=True,
        # The log handler and the console channel write to the streams themselves.
        redirect_stdout=False,
        redirect_stderr=False,
    )
