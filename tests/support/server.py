"""A real ``coffer serve`` process on a free loopback port, for end-to-end tests.

::

    server = CofferServer.start(tmp_path / "data", logs=tmp_path / "logs")
    try:
        ...  # server.url, server.credentials, server.admin("list-accounts")
    finally:
        server.stop()  # SIGTERM; raises unless it exits within a few seconds

The process's stdout and stderr go to files, so a failing test can show the server log
(:meth:`CofferServer.log_text`).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from support.backends import Backend, Storage, current
from support.clients import isolated_env

__all__ = [
    "CofferServer",
    "ServerError",
    "coffer_executable",
    "free_port",
    "read_credentials",
]

START_TIMEOUT = 30.0  # seconds until /health must answer
STOP_TIMEOUT = 10.0  # seconds a SIGTERMed server may take to exit
ADMIN_TIMEOUT = 60.0
_CREATED_ACCOUNT = re.compile(r"Created account ([0-9]{12})")


class ServerError(RuntimeError):
    """The server did not start, did not stop in time, or an admin command failed."""


def coffer_executable() -> Path:
    """The ``coffer`` console script of the environment running the tests."""
    path = Path(sys.executable).parent / "coffer"
    if not path.exists():
        raise ServerError(f"no coffer console script next to {sys.executable}; install the project")
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now (the caller retries if it loses a race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def read_credentials(path: Path, profile: str = "default") -> tuple[str, str]:
    """``(access_key_id, secret_access_key)`` from an AWS shared-credentials file."""
    import configparser

    parser = configparser.ConfigParser()
    if not parser.read(path):
        raise ServerError(f"cannot read credentials file {path}")
    section = parser[profile]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def _server_env(settings: Mapping[str, str] | None = None) -> dict[str, str]:
    # No COFFER_*/AWS_* from the developer's shell: the flags below (and ``settings``, which a
    # test passes explicitly) are the whole configuration.
    # PYTHONPATH is kept: the server runs the same ``coffer`` code the test run imports.
    extra = {"PYTHONUNBUFFERED": "1"}
    if os.environ.get("PYTHONPATH"):
        extra["PYTHONPATH"] = os.environ["PYTHONPATH"]
    extra.update(settings or {})
    return isolated_env(None, extra=extra)


@dataclass
class CofferServer:
    """A running (or stopped) ``coffer serve``; see :meth:`start`."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    _files: list[IO[bytes]] = field(default_factory=list, repr=False)
    env: Mapping[str, str] = field(default_factory=dict)
    """What the server's environment adds: its storage (``COFFER_DATABASE_URL`` …) and ``env``."""
    storage: Storage = field(default_factory=Storage)

    # ------------------------------------------------------------------ life cycle

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *,
        logs: Path | None = None,
        extra_args: tuple[str, ...] = (),
        attempts: int = 3,
        env: Mapping[str, str] | None = None,
        backend: Backend | None = None,
    ) -> CofferServer:
        """Start ``coffer serve --data-dir data_dir`` on a free port and wait for ``/health``.

        Logs go to ``logs/serve-N.stdout|stderr`` (default: beside ``data_dir``). A port taken
        between choosing and binding it (another xdist worker) is retried with a new port.
        ``env`` adds variables to the server's environment (``COFFER_MAX_ASSET_SIZE``,
        ``COFFER_TEST_CLOCK_OFFSET`` …). The store lives on ``backend`` (default: the one
        ``COFFER_TEST_BACKEND`` names), in storage named after ``data_dir``, so a server started
        again over the same directory finds the same database and blobs.
        """
        storage = (backend or current()).storage(f"serve:{data_dir.resolve()}")
        server_env = {**storage.env(), **(env or {})}
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        logs = logs or data_dir.parent / f"{data_dir.name}-logs"
        logs.mkdir(parents=True, exist_ok=True)
        last: ServerError | None = None
        for _ in range(attempts):
            port = free_port()
            index = len(list(logs.glob("serve-*.stdout")))
            stdout_path = logs / f"serve-{index}.stdout"
            stderr_path = logs / f"serve-{index}.stderr"
            stdout = stdout_path.open("wb")
            stderr = stderr_path.open("wb")
            command = [
                str(coffer_executable()),
                "serve",
                "--data-dir",
                str(data_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *extra_args,
            ]
            process = subprocess.Popen(
                command,
                stdout=stdout,
                stderr=stderr,
                env=_server_env(server_env),
                cwd=data_dir.parent,
            )
            server = cls(
                data_dir,
                port,
                process,
                stdout_path,
                stderr_path,
                [stdout, stderr],
                env=server_env,
                storage=storage,
            )
            try:
                server._wait_healthy()
            except ServerError as error:
                server._kill()
                last = error
                if "address already in use" not in server.log_text().lower():
                    raise
                continue
            return server
        assert last is not None
        raise last

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"coffer serve exited with {self.process.returncode} before it was healthy\n"
                    + self.describe()
                )
            try:
                response = httpx.get(f"{self.url}/health", timeout=2.0)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            if response.status_code == 200:
                return
            time.sleep(0.05)
        raise ServerError(f"coffer serve not healthy after {START_TIMEOUT}s\n" + self.describe())

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM the server and return its exit status (negative: killed by that signal).

        Raises :class:`ServerError` if it has not exited within ``timeout`` seconds (it is then
        killed): graceful shutdown must be prompt.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise ServerError(
                    f"coffer serve did not exit within {timeout}s of SIGTERM\n" + self.describe()
                ) from None
        self._close_files()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL the server (a crash: no clean-up of any kind) and wait for it to die."""
        self._kill()

    def _kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_TIMEOUT)
        self._close_files()

    def _close_files(self) -> None:
        for handle in self._files:
            handle.close()
        self._files.clear()

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    # ------------------------------------------------------------------ what tests use

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials(self) -> Path:
        """The administrator's AWS shared-credentials file the first start wrote."""
        return self.data_dir / "admin.credentials"

    @property
    def account_id(self) -> str:
        """The bootstrap account (the one owning the ``admin`` user)."""
        for path in sorted(self.stdout_path.parent.glob("serve-*.stdout")):
            found = _CREATED_ACCOUNT.search(path.read_text(errors="replace"))
            if found:
                return found.group(1)
        raise ServerError("the server's stdout does not say which account it created")

    def admin(self, *args: str, check: bool = True, stdin: str | None = None) -> str:
        """Run ``coffer admin ARGS --data-dir DATA_DIR`` (fed ``stdin``); return its stdout.

        Raises :class:`ServerError` (with stdout and stderr) on a non-zero exit when ``check``.
        """
        result = self.admin_run(*args, stdin=stdin)
        if check and result.returncode != 0:
            raise ServerError(
                f"coffer admin {' '.join(args)} exited with {result.returncode}\n"
                f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}"
            )
        return result.stdout

    def admin_run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """``coffer admin ARGS --data-dir DATA_DIR`` as a completed process (never raises)."""
        return self.coffer("admin", *args, stdin=stdin)

    def coffer(
        self, verb: str, *args: str, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``coffer VERB ARGS --data-dir DATA_DIR`` on this server's storage (never raises)."""
        return subprocess.run(
            [str(coffer_executable()), verb, *args, "--data-dir", str(self.data_dir)],
            input=stdin,
            capture_output=True,
            text=True,
            env=_server_env(self.env),
            timeout=ADMIN_TIMEOUT,
            check=False,
        )

    def stdout_text(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def log_text(self) -> str:
        """Everything the server wrote to stderr so far (JSON lines)."""
        return self.stderr_path.read_text(errors="replace")

    def log_size(self) -> int:
        return self.stderr_path.stat().st_size if self.stderr_path.exists() else 0

    def log_records(self) -> list[dict[str, Any]]:
        """The stderr log parsed as JSON lines; raises if a line is not JSON."""
        records: list[dict[str, Any]] = []
        for number, line in enumerate(self.log_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except ValueError:
                raise ServerError(f"log line {number} is not JSON: {line!r}") from None
        return records

    def describe(self, tail: int = 60) -> str:
        """The tail of stdout and stderr, for error messages."""
        out = self.stdout_text().splitlines()[-tail:]
        err = self.log_text().splitlines()[-tail:]
        return "--- server stdout\n" + "\n".join(out) + "\n--- server stderr\n" + "\n".join(err)
