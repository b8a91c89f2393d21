"""A real Dovecot IMAP server for the inbox tests: TLS with a test CA, a static login, maildir.

Debian's dovecot-imapd, started in the foreground (``dovecot -F -c CONF``) from a temporary
directory on free ports: implicit TLS (993-style) and STARTTLS (143-style) with
``ssl = required``, or, as the variant that offers no STARTTLS, plain IMAP only. It runs as
root in CI (the login and internal processes as Debian's dovenull and dovecot users, the mail
process as root) and as the current user elsewhere. Tests put messages in with IMAP APPEND
through ``Mailbox``, over TLS too.

Skips only when the dovecot binary is absent and CI is not "true"; in CI it fails.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import grp
import itertools
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported where used: tests/conftest.py imports this for every test run
    from tests.transport_support import Issued

IMAP_USER = "praktijk@example.org"
IMAP_PASSWORD = "groen-hek-zolder-fluit"  # no spaces: the static passdb splits on them
MAIL_OS_USER = "nobody"
"""Who owns the maildir when the tests run as root."""
_START_TIMEOUT = 15.0
_START_ATTEMPTS = 3  # a free port can be taken by someone else before dovecot binds it


def dovecot_binary() -> str:
    """The dovecot binary; skips without it, except in CI where nothing may silently skip."""
    found = shutil.which("dovecot") or next(
        (str(p) for p in (Path("/usr/sbin/dovecot"),) if p.is_file()), None
    )
    if found is None:
        message = "dovecot is not installed (Debian: apt-get install dovecot-imapd)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: service-backed tests must not skip)", pytrace=False)
        pytest.skip(message)
    return found


@dataclass(frozen=True)
class ImapPki:
    """The mail provider's CA, its server certificate (for 127.0.0.1 only), a stranger CA."""

    ca: Issued
    server: Issued
    stranger_ca: Issued


def make_imap_pki(folder: Path) -> ImapPki:
    """Certificates for the test server; "localhost" is deliberately not in the server's."""
    from tests.transport_support import issue

    ca = issue(folder, "mailprovider-ca", ca=True)
    return ImapPki(
        ca=ca,
        server=issue(folder, "imap-server", issuer=ca, ips=("127.0.0.1",)),
        stranger_ca=issue(folder, "stranger-imap-ca", ca=True),
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def _children(pid: int, *, name: str) -> list[int]:
    """The processes called ``name`` whose parent is ``pid`` (Linux /proc; none elsewhere)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # "pid (name) state ppid ...": the name may hold spaces, so split at the last ")"
            head, tail = stat_file.read_text().rsplit(")", 1)
            if head.split("(", 1)[1] == name and int(tail.split()[1]) == pid:
                found.append(int(stat_file.parent.name))
    return found


class DovecotServer:
    """One running Dovecot; ``tls_port`` and ``starttls_port`` (or ``plain_port``) on 127.0.0.1.

    ``tls=False``: plain IMAP only, no STARTTLS. ``capabilities``: what it announces after
    login instead of its own list (e.g. without MOVE, to test the COPY fallback).
    """

    def __init__(self, pki: ImapPki, *, tls: bool = True, capabilities: str | None = None) -> None:
        self.pki = pki
        self.tls = tls
        self.capabilities = capabilities
        self.host = "127.0.0.1"
        self.user = IMAP_USER
        self.tls_port = 0
        self.starttls_port = 0
        self.base = Path(tempfile.mkdtemp(prefix="gpdesk-dovecot-"))
        self.mail_root = self.base / "mail"
        self.log_file = self.base / "dovecot.log"
        self.config = self.base / "dovecot.conf"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def plain_port(self) -> int:
        """The 143-style port; plain IMAP without STARTTLS in the ``tls=False`` variant."""
        return self.starttls_port

    def _users(self) -> str:
        if os.geteuid() == 0:
            # Login and auth drop to Debian's dovenull and dovecot users (the package made them);
            # dovecot never gives root mail access, so the mail process runs as MAIL_OS_USER.
            mail = pwd.getpwnam(MAIL_OS_USER)
            return (
                f"mail_uid = {mail.pw_uid}\nmail_gid = {mail.pw_gid}\n"
                f"first_valid_uid = {mail.pw_uid}\nfirst_valid_gid = {mail.pw_gid}\n"
            )
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return (
            f"default_login_user = {me}\ndefault_internal_user = {me}\n"
            f"default_internal_group = {group}\nmail_uid = {me}\nmail_gid = {group}\n"
            f"first_valid_uid = {os.geteuid()}\nfirst_valid_gid = {os.getegid()}\n"
        )

    def _write_config(self) -> None:
        self.tls_port = _free_port()
        self.starttls_port = _free_port()
        ssl_lines = (
            f"ssl = required\nssl_cert = <{self.pki.server.cert_pem}\n"
            f"ssl_key = <{self.pki.server.key_pem}\nssl_min_protocol = TLSv1.2\n"
            "disable_plaintext_auth = yes\n"
            if self.tls
            else "ssl = no\ndisable_plaintext_auth = no\n"
        )
        imaps = (
            f"  inet_listener imaps {{\n    port = {self.tls_port}\n    ssl = yes\n  }}\n"
            if self.tls
            else "  inet_listener imaps {\n    port = 0\n  }\n"
        )
        self.config.write_text(
            f"base_dir = {self.base / 'run'}\n"
            f"state_dir = {self.base / 'state'}\n"
            f"log_path = {self.log_file}\n"
            "protocols = imap\n"
            "listen = 127.0.0.1\n"
            "auth_mechanisms = plain login\n"
            "auth_verbose = yes\nauth_failure_delay = 0\n"
            "login_greeting = gpdesk test IMAP\n"
            f"{self._users()}"
            f"{ssl_lines}"
            + (f"imap_capability = {self.capabilities}\n" if self.capabilities else "")
            + f"mail_location = maildir:{self.mail_root}/%n\n"
            "passdb {\n  driver = static\n"
            f"  args = password={IMAP_PASSWORD}\n}}\n"
            "userdb {\n  driver = static\n"
            f"  args = home={self.base / 'home'}/%n\n}}\n"
            "service imap-login {\n"
            f"  inet_listener imap {{\n    port = {self.starttls_port}\n  }}\n"
            f"{imaps}"
            "}\n"
            # No growing delay after failed logins from one address: the tests make several.
            "service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}\n"
            "namespace inbox {\n  inbox = yes\n  separator = /\n}\n",
            encoding="utf-8",
        )

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-30:])
        return ""

    def _try_start(self, binary: str) -> bool:
        self._write_config()
        self._process = subprocess.Popen(
            [binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + _START_TIMEOUT
        ports = [self.starttls_port] + ([self.tls_port] if self.tls else [])
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                stderr = (
                    self._process.stderr.read().decode(errors="replace")
                    if self._process.stderr
                    else ""
                )
                self._process = None
                if "Address already in use" in stderr + self._log_tail():
                    return False
                raise RuntimeError(f"dovecot did not start:\n{stderr}\n{self._log_tail()}")
            if all(_accepts(port) for port in ports):
                return True
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dovecot did not listen within {_START_TIMEOUT} s\n{self._log_tail()}")

    def start(self) -> None:
        """Start and wait until every listener accepts connections."""
        binary = dovecot_binary()
        for folder in (self.base / "home", self.mail_root):
            folder.mkdir(exist_ok=True)
            if os.geteuid() == 0:
                mail = pwd.getpwnam(MAIL_OS_USER)
                os.chown(folder, mail.pw_uid, mail.pw_gid)
        self.base.chmod(0o711)  # the mail process may pass through, not list
        for _ in range(_START_ATTEMPTS):
            if self._try_start(binary):
                atexit.register(self.stop)
                return
        raise RuntimeError(f"dovecot found no free port\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the master (it stops its children) and remove the directory."""
        atexit.unregister(self.stop)
        self.halt()
        shutil.rmtree(self.base, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server as an outage would: connections cut, its mail stays.

        Dovecot's master leaves running IMAP sessions alone when it stops, so those are
        killed first: they are this server's own child processes. (Killing its other children
        too makes the master wait seconds before it exits.)
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            for child in _children(process.pid, name="imap"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGKILL)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process is not None and process.stderr is not None:
            process.stderr.close()

    def is_running(self) -> bool:
        """Whether the master process is still there."""
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        """Everything dovecot logged so far (logins, failures)."""
        with contextlib.suppress(OSError):
            return self.log_file.read_text(errors="replace")
        return ""

    def client_context(self) -> ssl.SSLContext:
        """What a test's own client trusts: the provider's CA."""
        context = ssl.create_default_context(cafile=str(self.pki.ca.cert_pem))
        return context

    @contextlib.contextmanager
    def mailbox(self) -> Iterator[Mailbox]:
        """The test user's mailbox over implicit TLS, for putting messages in and looking."""
        from imapclient import IMAPClient

        client = IMAPClient(
            self.host, port=self.tls_port, ssl=True, ssl_context=self.client_context(), timeout=10
        )
        try:
            client.login(self.user, IMAP_PASSWORD)
            yield Mailbox(client)
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def for_user(self, user: str) -> DovecotServer:
        """The same server, seen as ``user``: a mailbox of its own, its UIDs starting at 1.

        The static passdb lets any user name in with the test password, so each test takes a
        new name instead of emptying a mailbox (emptying would not reset UIDNEXT).
        """
        view = copy.copy(self)
        view.user = user
        return view


class Mailbox:
    """A logged-in test client: APPEND messages, read flags, list folders."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def append(self, raw: bytes, folder: str = "INBOX", *, seen: bool = False) -> int:
        """Put one message in ``folder``; its UID (from APPENDUID)."""
        response = self.client.append(folder, raw, flags=[b"\\Seen"] if seen else [])
        text = response.decode() if isinstance(response, bytes) else str(response)
        # "[APPENDUID <uidvalidity> <uid>] Append completed."
        return int(text.split("]", 1)[0].split()[-1])

    def create(self, folder: str) -> None:
        """Create a folder."""
        self.client.create_folder(folder)

    def delete(self, folder: str) -> None:
        """Delete a folder and everything in it."""
        self.client.delete_folder(folder)

    def uids(self, folder: str = "INBOX") -> list[int]:
        """Every message's UID in ``folder``, in order."""
        self.client.select_folder(folder, readonly=True)
        return sorted(int(uid) for uid in self.client.search("ALL"))

    def seen(self, folder: str = "INBOX") -> list[int]:
        r"""The UIDs with \Seen in ``folder``."""
        self.client.select_folder(folder, readonly=True)
        return sorted(int(uid) for uid in self.client.search("SEEN"))

    def uidvalidity(self, folder: str = "INBOX") -> int:
        """The folder's UIDVALIDITY."""
        status = self.client.folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])


def letter(number: int, *, size: int = 0, message_id: str | None = None) -> bytes:
    """A small fictional feedback e-mail; ``size`` pads the body to at least that many bytes."""
    body = f"Beste huisarts,\r\n\r\nTestbericht {number} van het wijkteam.\r\n"
    if size:
        body += "x" * max(0, size - len(body)) + "\r\n"
    return (
        f"From: Wijkteam Noord <wijkteam@example.org>\r\n"
        "To: praktijk@example.org\r\n"
        f"Subject: Terugkoppeling {number}\r\n"
        f"Date: Mon, 07 Dec 2026 09:0{number % 10}:00 +0100\r\n"
        f"Message-ID: <{message_id or f'test-{number}@wijkteam.example.org'}>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body}"
    ).encode()


# -- pytest fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def imap_pki(tmp_path_factory: pytest.TempPathFactory) -> ImapPki:
    """The test mail provider's certificates, made once per session."""
    return make_imap_pki(tmp_path_factory.mktemp("imap-pki"))


@pytest.fixture(scope="session")
def dovecot_server(imap_pki: ImapPki) -> Iterator[DovecotServer]:
    """One Dovecot for the session (``ssl = required``: implicit TLS and STARTTLS)."""
    server = DovecotServer(imap_pki)
    server.start()
    yield server
    server.stop()


_users = itertools.count(1)


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> DovecotServer:
    """The session's Dovecot, with a new, empty mailbox (its own user) for this test."""
    return dovecot_server.for_user(f"praktijk{next(_users)}@example.org")


@pytest.fixture
def dovecot_without_starttls(imap_pki: ImapPki) -> Iterator[DovecotServer]:
    """A Dovecot that offers plain IMAP only: no STARTTLS, plain-text login allowed."""
    server = DovecotServer(imap_pki, tls=False)
    server.start()
    yield server
    server.stop()
