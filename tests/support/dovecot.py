"""A real Dovecot IMAP server on 127.0.0.1 for the mail tests: its own config, users and mail.

`Dovecot(root).start()` writes a config into `root` (a self-signed certificate made with
`openssl`, a passwd-file, Maildir storage, the log), listens for IMAP (STARTTLS, or plain on
the loopback) and IMAPS on free loopback ports, and `stop()` ends it. Each test gets a fresh
user (`add_user`), so its mailbox starts empty. Run as root, Dovecot's own unprivileged users
(dovenull, dovecot) run its login and internal processes (it refuses root for them) and the
mail belongs to `nobody`; run as anyone else, everything runs as that user.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import imapclient
import pytest

from tests.support.servers import free_port

__all__ = ["DOVECOT", "Dovecot", "MailUser", "dovecot", "dovecot_missing", "mail_user"]

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
START_TIMEOUT = 15.0
USERS = 100  # mailboxes for one session


def dovecot_missing() -> str | None:
    """Why the Dovecot tests cannot run here, or None."""
    if not os.access(DOVECOT, os.X_OK):
        return f"dovecot is not installed ({DOVECOT}; apt-get install dovecot-imapd)"
    if not shutil.which("openssl"):
        return "openssl is not installed (it makes the server's certificate)"
    return None


def _user(*names: str) -> pwd.struct_passwd:
    for name in names:
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise KeyError(f"none of the users {names} exists")


class MailUser:
    """One mailbox on the server: its login, and an IMAP client to fill it (APPEND)."""

    def __init__(self, server: Dovecot, name: str, password: str) -> None:
        self.server = server
        self.name = name
        self.password = password

    def client(self) -> imapclient.IMAPClient:
        client = imapclient.IMAPClient(
            "127.0.0.1", port=self.server.imaps_port, ssl_context=self.server.tls(), timeout=10
        )
        client.login(self.name, self.password)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> list[int]:
        """APPEND each message; their UIDs."""
        uids = []
        with self.client() as client:
            for message in messages:
                reply = client.append(folder, message)
                found = re.search(rb"APPENDUID \d+ (\d+)", reply)
                assert found is not None, reply
                uids.append(int(found.group(1)))
        return uids

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            found = client.fetch(client.search("ALL"), ["FLAGS"])
            return {uid: tuple(data[b"FLAGS"]) for uid, data in found.items()}

    def recreate(self, folder: str) -> None:
        """Delete and recreate a folder: its UIDVALIDITY changes, its messages are gone."""
        with self.client() as client:
            client.delete_folder(folder)
            client.create_folder(folder)


class Dovecot:
    """One Dovecot instance under `root`, listening on 127.0.0.1 only."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.config = root / "dovecot.conf"
        self.cert = root / "cert.pem"
        self.log = root / "dovecot.log"
        self.passwd = root / "passwd"
        self._running = False
        self._users = [
            MailUser(self, f"u{n:03}-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}")
            for n in range(USERS)
        ]

    @property
    def running(self) -> bool:
        return self._running

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def _accounts(self) -> tuple[str, str, pwd.struct_passwd]:
        """(internal user, login user, mail owner)."""
        if os.geteuid() != 0:
            me = getpass.getuser()
            return me, me, pwd.getpwnam(me)
        return (
            _user("dovecot", "nobody").pw_name,
            _user("dovenull", "nobody").pw_name,
            _user("nobody"),
        )

    def _write_config(self) -> None:
        internal, login, owner = self._accounts()
        for name in ("run", "state", "home"):
            (self.root / name).mkdir(exist_ok=True)
        self.root.chmod(0o755)  # the login processes run as another user and need the sockets
        os.chown(self.root / "home", owner.pw_uid, owner.pw_gid)
        lines = [f"{user.name}:{{PLAIN}}{user.password}::::::\n" for user in self._users]
        self.passwd.write_text("".join(lines))
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                str(self.root / "key.pem"),
                "-out",
                str(self.cert),
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )
        root = self.root
        self.config.write_text(
            f"base_dir = {root}/run\nstate_dir = {root}/state\n"
            f"log_path = {self.log}\ninfo_log_path = {self.log}\n"
            "protocols = imap\nlisten = 127.0.0.1\n"
            f"default_internal_user = {internal}\ndefault_internal_group = "
            f"{_group(internal)}\ndefault_login_user = {login}\n"
            "first_valid_uid = 1\nfirst_valid_gid = 1\n"
            f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{root}/key.pem\n"
            "disable_plaintext_auth = no\nauth_mechanisms = plain login\nauth_failure_delay = 0\n"
            "mail_location = maildir:~/Maildir\n"
            f"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {self.passwd}\n}}\n"
            f"userdb {{\n  driver = static\n  args = uid={owner.pw_uid} gid={owner.pw_gid} "
            f"home={root}/home/%u\n}}\n"
            "service imap-login {\n  chroot =\n"
            f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.imap_port}\n  }}\n"
            f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.imaps_port}\n"
            "    ssl = yes\n  }\n}\n"
            # No auth penalty (a delay of seconds) for every login after a wrong password.
            "service anvil {\n  chroot =\n"
            "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n"
        )

    def start(self) -> None:
        if not self.config.exists():
            self._write_config()
        # Its output goes to a file: the daemon's children would hold a pipe open forever.
        with (self.root / "start.out").open("ab") as out:
            subprocess.run([DOVECOT, "-c", str(self.config)], check=True, stdout=out, stderr=out)
        self._running = True
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._answers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start; its log:\n{self.log_text()}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as sock:
                return sock.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def stop(self) -> None:
        if not self._running:
            return
        pid_file = self.root / "run" / "master.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        with (self.root / "start.out").open("ab") as out:
            command = [DOVECOT, "-c", str(self.config), "stop"]
            subprocess.run(command, check=False, stdout=out, stderr=out)
        self._running = False
        deadline = time.monotonic() + START_TIMEOUT
        while pid is not None and time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)

    def add_user(self) -> MailUser:
        """A user of its own, with an empty mailbox. The users are written before the server
        starts: Dovecot notices a changed passwd-file only a second later."""
        if not self._users:
            raise RuntimeError(f"all {USERS} test users are taken; raise USERS")
        return self._users.pop(0)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def bytes_sent(self, user: str) -> list[int]:
        """What the server sent each finished session of `user` (`out=` of its log)."""
        pattern = re.compile(rf"imap\({re.escape(user)}\).*Disconnected.* out=(\d+)")
        return [int(found.group(1)) for found in pattern.finditer(self.log_text())]


def _group(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_shared: list[Dovecot] = []  # the one server of the session, and how many fixtures use it
_users_of_shared = [0]


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the session (a test may stop and start it); skipped when absent. The
    modules that import this fixture share the server (each import is a fixture of its own)."""
    if reason := dovecot_missing():
        pytest.skip(reason)
    if not _shared:
        server = Dovecot(Path(tempfile.mkdtemp(prefix="aggregator-dovecot-")))
        _shared.append(server)
        server.start()
    _users_of_shared[0] += 1
    try:
        yield _shared[0]
    finally:
        _users_of_shared[0] -= 1
        if _users_of_shared[0] == 0:
            server = _shared.pop()
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def mail_user(dovecot: Dovecot) -> MailUser:
    """A fresh, empty mailbox on the running server (started again if a test stopped it)."""
    if not dovecot.running:
        dovecot.start()
    return dovecot.add_user()
