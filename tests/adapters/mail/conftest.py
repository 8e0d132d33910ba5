"""Fixtures of the mail tests: a real Dovecot on 127.0.0.1, and a test-only sender parser."""

from tests.support.dovecot import dovecot, mail_user
from tests.support.mail import lines_parser

__all__ = ["dovecot", "lines_parser", "mail_user"]
