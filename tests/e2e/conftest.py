"""Fixtures for the end-to-end suite: one real ``coffer serve`` per xdist worker.

Tests share that server, so each one works in its own domains (``unique_name``) and never
assumes anything about the server's state beyond what it created itself.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from support.aws import AwsCli, codeartifact_client
from support.clients import aws_cli_path
from support.names import new_name
from support.server import CofferServer

SERVER_KEY = pytest.StashKey[CofferServer]()
LOG_OFFSET_KEY = pytest.StashKey[int]()
LOG_TAIL_LINES = 200


@pytest.fixture(scope="session", autouse=True)
def _no_ambient_aws_settings(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """boto3 runs in this process: hide the developer's AWS settings from it for the session."""
    home = tmp_path_factory.mktemp("boto3-home")
    (home / "config").touch()
    (home / "credentials").touch()
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("AWS_", "BOTO_")):
                patch.delenv(name)
        patch.setenv("AWS_CONFIG_FILE", str(home / "config"))
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
        patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


@pytest.fixture(scope="session")
def coffer_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Generator[CofferServer, None, None]:
    """A ``coffer serve`` for this worker; stopped with SIGTERM at the end (must be prompt)."""
    root = tmp_path_factory.mktemp("coffer")
    server = CofferServer.start(root / "data", logs=root / "logs")
    request.config.stash[SERVER_KEY] = server
    try:
        yield server
    finally:
        del request.config.stash[SERVER_KEY]
        server.stop()  # raises if it does not exit within a few seconds of SIGTERM


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    server = item.config.stash.get(SERVER_KEY, None)
    if server is not None:
        item.stash[LOG_OFFSET_KEY] = server.log_size()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the server log written during a failed test to its report."""
    report = yield
    server = item.config.stash.get(SERVER_KEY, None)
    uses_server = "coffer_server" in getattr(item, "fixturenames", ())
    if report.failed and server is not None and uses_server:
        offset = item.stash.get(LOG_OFFSET_KEY, 0)
        with server.stderr_path.open("rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        report.sections.append(("coffer server log (during this test)", "\n".join(lines)))
    return report


@pytest.fixture(scope="session")
def aws_cli_executable() -> Path:
    """Install (once per machine) the pinned aws CLI."""
    return aws_cli_path()


@pytest.fixture
def aws(coffer_server: CofferServer, aws_cli_executable: Path, tmp_path: Path) -> AwsCli:
    """The aws CLI as Coffer's administrator, with a private HOME."""
    return AwsCli(coffer_server.url, coffer_server.credentials, tmp_path / "home")


@pytest.fixture(scope="session")
def ca(coffer_server: CofferServer) -> Any:
    """A boto3 ``codeartifact`` client as Coffer's administrator."""
    return codeartifact_client(coffer_server.url, coffer_server.credentials)


@pytest.fixture
def unique_name() -> str:
    """A fresh name valid as a domain and a repository name (``t`` + 12 hex digits)."""
    return new_name()
