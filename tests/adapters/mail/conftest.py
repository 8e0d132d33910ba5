"""Fixtures of the mail tests: the invented .eml fixtures, read raw or as a MailMessage; a real
Dovecot on 127.0.0.1; a test-only sender parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.adapters.mail.message import MailMessage, read_message
from tests.support.dovecot import dovecot, mail_user
from tests.support.mail import lines_parser

__all__ = ["dovecot", "eml", "fixture_message", "lines_parser", "mail_user"]

FIXTURES = Path(__file__).parent / "fixtures"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def fixture_message() -> type[_Reader]:
    return _Reader


class _Reader:
    @staticmethod
    def read(name: str) -> MailMessage:
        return read_message(eml(name))
