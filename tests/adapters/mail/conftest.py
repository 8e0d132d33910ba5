"""Helpers of the mail tests: the invented .eml fixtures, read raw or as a MailMessage."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.adapters.mail.message import MailMessage, read_message

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
