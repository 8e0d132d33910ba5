"""The CLI tests' one way to run `aggregate ARGS` in this process, as a new process would."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aggregator import redact
from aggregator.cli import app as cli_app

Invoke = Callable[..., subprocess.CompletedProcess[str]]
# What `main()` sets up for a whole process, reset after each call as a process exit would.
_PROCESS_LOGGERS = ("", "aggregator.notify.templates", "apprise", "apscheduler")


@contextmanager
def _as_if_a_new_process() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in _PROCESS_LOGGERS]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    handlers = {signum: signal.getsignal(signum) for signum in cli_app.STOP_SIGNALS}
    thread_hook, debug = threading.excepthook, cli_app._State.debug
    secrets = redact._SECRETS
    redact._SECRETS = redact._Secrets()  # a new process has seen no secret yet
    try:
        yield
    finally:
        redact._SECRETS = secrets
        cli_app._State.debug = debug
        threading.excepthook = thread_hook
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        logging.captureWarnings(False)
        for logger, logger_handlers, level, propagate in saved:
            logger.handlers[:] = logger_handlers
            logger.setLevel(level)
            logger.propagate = propagate


@pytest.fixture
def invoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """`aggregate ARGS` through `main()` in this process, in CliRunner's isolation, from
    tmp_path and without AGGREGATOR_* variables, as `run_cli` runs it in a real one."""
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("AGGREGATOR_")]:
        monkeypatch.delenv(name)

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "argv", ["aggregate", *args])
        code: int | str | None = 0
        with _as_if_a_new_process(), CliRunner().isolation() as (stdout, stderr, _):
            try:
                cli_app.main()
            except SystemExit as exit_:
                code = exit_.code
            sys.stdout.flush()
            sys.stderr.flush()
            out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
        assert isinstance(code, int | None), code
        return subprocess.CompletedProcess(["aggregate", *args], code or 0, out, err)

    return call
