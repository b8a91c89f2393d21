"""Throwaway PostgreSQL cluster for integration tests.

Integration tests must talk to a real server (no mocks), but must not depend on
a server someone happened to configure on the machine.  This module starts a
private cluster in a temporary directory on a free port, with password auth on
TCP like production, and tears it down again.

PostgreSQL refuses to run as root, and CI runs as root, so when euid == 0 the
server binaries run as the unprivileged ``postgres`` user via ``runuser``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

__all__ = [
    "PostgresServer",
    "PostgresServerError",
    "find_pg_bin",
    "postgres_server",
    "postgresql_url",
]

#: Binaries a bin dir must contain to be usable (pg_config --bindir may point at
#: a client-only /usr/bin without initdb).
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "pg_dump")
#: Unprivileged OS user the server runs as when the tests run as root.
_SERVER_OS_USER = "postgres"
_START_TIMEOUT = 30.0
_START_ATTEMPTS = 3  # the free port can be grabbed by someone else before we bind it


class PostgresServerError(RuntimeError):
    """The throwaway cluster could not be created, started or queried."""


def _is_usable_bindir(path: Path) -> bool:
    return all((path / name).is_file() for name in _REQUIRED_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin; sort "15" above "9.6" numerically.
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_pg_bin() -> Path | None:
    """Locate PostgreSQL server binaries, or None if not installed.

    Prefers the newest Debian-style ``/usr/lib/postgresql/*/bin``, then
    ``pg_config --bindir``, then an ``initdb`` on PATH (Homebrew and others).
    """
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    for candidate in candidates:
        if _is_usable_bindir(candidate):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    """Environment without PG* variables, so the developer's settings don't leak in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory.

    Call :meth:`start` before use and :meth:`stop` afterwards (also registered
    with :mod:`atexit` as a safety net).  Clients connect over TCP on
    127.0.0.1 with a random superuser password, the same auth path production
    uses.
    """

    def __init__(
        self, pg_bin: Path | None = None, *, user: str = "gpdesk", password: str | None = None
    ) -> None:
        found = pg_bin if pg_bin is not None else find_pg_bin()
        if found is None:
            raise PostgresServerError("PostgreSQL server binaries not installed")
        self.pg_bin: Path = found
        self.user = user
        self.password = password if password is not None else secrets.token_hex(16)
        self.host = "127.0.0.1"
        self.port = 0
        self.base_dir: Path | None = None
        self._as_root = os.geteuid() == 0
        self._started = False

    # -- paths ---------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        """Cluster data directory (PGDATA)."""
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        """Directory holding the server's unix socket."""
        return self._base()

    @property
    def log_file(self) -> Path:
        """Server log, kept inside the temporary directory."""
        return self._base() / "server.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PostgresServerError("server not started")
        return self.base_dir

    # -- process helpers -----------------------------------------------------

    def _server_cmd(self, binary: str, *args: str) -> list[str]:
        """Command line for a server binary; as root it must drop to ``postgres``."""
        cmd = [str(self.pg_bin / binary), *args]
        if self._as_root:
            return ["runuser", "-u", _SERVER_OS_USER, "--", *cmd]
        return cmd

    def _run(
        self, cmd: Sequence[str], *, timeout: float = 60.0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        try:
            return subprocess.run(
                list(cmd),
                capture_output=True,
                check=False,
                timeout=timeout,
                cwd=self._base(),  # the postgres user may not be able to read our cwd
                env=env if env is not None else _clean_env(),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresServerError(f"{cmd[0]} failed: {exc}\n{self._log_tail()}") from exc

    def _log_tail(self, lines: int = 40) -> str:
        if self.base_dir is None:
            return ""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        tail = "\n".join(text.splitlines()[-lines:])
        return f"--- server log tail ({self.log_file}) ---\n{tail}"

    def _make_base_dir(self) -> Path:
        """Temp dir the server user owns (pytest's tmp_path is root-only 0700)."""
        parent = tempfile.gettempdir()
        if self._as_root and not Path(parent).stat().st_mode & 0o001:
            parent = "/tmp"  # TMPDIR is not traversable for the postgres user
        base = Path(tempfile.mkdtemp(prefix="gpdesk-pg-", dir=parent))
        if self._as_root:
            shutil.chown(base, user=_SERVER_OS_USER, group=None)
        return base

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        """Create the cluster, start it and wait until it accepts connections."""
        if self._started:
            return
        if self._as_root and shutil.which("runuser") is None:
            raise PostgresServerError("running as root but `runuser` is not available")
        self.base_dir = self._make_base_dir()
        atexit.register(self.stop)
        try:
            self._initdb()
            self._configure()
            for attempt in range(1, _START_ATTEMPTS + 1):
                self.port = _free_port()
                if self._try_start():
                    break
                log = self._log_tail()
                bind_error = "could not bind" in log or "already in use" in log
                if not bind_error or attempt == _START_ATTEMPTS:
                    raise PostgresServerError(f"PostgreSQL failed to start\n{log}")
                self._pg_ctl_stop()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self._started = True

    def _initdb(self) -> None:
        pwfile = self._base() / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self._as_root:
            shutil.chown(pwfile, user=_SERVER_OS_USER, group=None)
        result = self._run(
            self._server_cmd(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                self.user,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ),
            timeout=120,
        )
        pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace")
            raise PostgresServerError(f"initdb failed (exit {result.returncode}):\n{output}")

    def _configure(self) -> None:
        """Append settings to postgresql.conf: TCP on localhost only, durability off for speed."""
        socket_dir = str(self.socket_dir).replace("'", "''")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{socket_dir}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
        }
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n# gpdesk test fixture\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _try_start(self) -> bool:
        result = self._run(
            self._server_cmd(
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                f"-p {self.port}",
                "-w",
                "-t",
                str(int(_START_TIMEOUT)),
            ),
            timeout=_START_TIMEOUT + 15,
        )
        return result.returncode == 0

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with self.connect("postgres") as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                last_error = exc
                time.sleep(0.1)
        raise PostgresServerError(
            f"PostgreSQL not accepting connections after {_START_TIMEOUT:.0f}s: {last_error}\n"
            f"{self._log_tail()}"
        )

    def _pg_ctl_stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        with contextlib.suppress(PostgresServerError):
            self._run(
                self._server_cmd("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate"),
                timeout=30,
            )

    def stop(self) -> None:
        """Kill the server (immediate mode: the data is disposable) and delete its directory."""
        atexit.unregister(self.stop)
        self._started = False
        if self.base_dir is None:
            return
        self._pg_ctl_stop()
        shutil.rmtree(self.base_dir, ignore_errors=True)
        self.base_dir = None

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- client helpers ------------------------------------------------------

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL (psycopg 3 driver) for *dbname* on this server."""
        return f"postgresql+psycopg://{self.user}:{self.password}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """Autocommit psycopg connection, for admin statements like CREATE DATABASE."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (random name if None) and return its URL."""
        dbname = name if name is not None else f"t_{secrets.token_hex(6)}"
        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
        return self.url(dbname)

    def drop_database(self, name: str) -> None:
        """Drop *name*, terminating sessions a test left open."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def dump(self, dbname: str) -> bytes:
        """Return ``pg_dump`` plain-SQL output for *dbname*.

        pg_dump is a client: it connects over TCP with the password, so it runs
        as the current OS user even when that is root.
        """
        env = _clean_env()
        env["PGPASSWORD"] = self.password
        cmd = [
            str(self.pg_bin / "pg_dump"),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--username",
            self.user,
            "--no-password",
            "--dbname",
            dbname,
        ]
        result = self._run(cmd, timeout=120, env=env)
        if result.returncode != 0:
            stderr = result.stderr.decode(errors="replace")
            raise PostgresServerError(f"pg_dump failed (exit {result.returncode}):\n{stderr}")
        return result.stdout


# -- pytest fixtures -----------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway cluster per test session.

    Skips when PostgreSQL is not installed, except in CI (``CI=true``), where
    service-backed tests must never silently skip.
    """
    pg_bin = find_pg_bin()
    if pg_bin is None:
        message = "PostgreSQL server binaries not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: service-backed tests must not skip)", pytrace=False)
        pytest.skip(message)
    server = PostgresServer(pg_bin)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgresql_url(postgres_server: PostgresServer) -> Iterator[str]:
    """URL of a fresh, empty database per test, dropped afterwards for isolation."""
    dbname = f"t_{secrets.token_hex(8)}"
    url = postgres_server.create_database(dbname)
    try:
        yield url
    finally:
        postgres_server.drop_database(dbname)
