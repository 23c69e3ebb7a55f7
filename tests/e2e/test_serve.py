"""``coffer serve`` as an operator runs it: first-start bootstrap, restart, health, SIGTERM,
and a log that records requests but never a secret.

Each test here starts its own server on its own data directory.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.aws import AwsCli, codeartifact_client
from support.names import new_name
from support.server import CofferServer, read_credentials

pytestmark = pytest.mark.e2e

PROMPT_EXIT = 5.0  # seconds from SIGTERM to exit, idle server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "coffer-data"


@pytest.fixture
def server(data_dir: Path) -> Iterator[CofferServer]:
    started = CofferServer.start(data_dir)
    try:
        yield started
    finally:
        started.stop()


def _accounts(server: CofferServer) -> list[str]:
    return [line.split("\t")[0] for line in server.admin("list-accounts").splitlines() if line]


def test_first_start_writes_admin_credentials(server: CofferServer, data_dir: Path) -> None:
    credentials = data_dir / "admin.credentials"
    assert credentials.is_file()
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600

    stdout = server.stdout_text()
    assert str(credentials.resolve()) in stdout, stdout
    access_key, secret_key = read_credentials(credentials)
    assert access_key.startswith("AKIA")
    assert secret_key
    assert secret_key not in stdout

    accounts = _accounts(server)
    assert accounts == [server.account_id]
    users = server.admin("list-users", "--account", server.account_id)
    assert users.split("\t")[0] == "admin"

    # The file works as-is for the unmodified SDK.
    client = codeartifact_client(server.url, credentials)
    assert client.list_domains()["domains"] == []


def test_second_start_keeps_credentials_and_account(data_dir: Path) -> None:
    first = CofferServer.start(data_dir)
    try:
        credentials = data_dir / "admin.credentials"
        before = credentials.read_bytes()
        before_stat = credentials.stat()
        account = first.account_id
        domain = new_name()
        codeartifact_client(first.url, credentials).create_domain(domain=domain)
    finally:
        first.stop()

    second = CofferServer.start(data_dir)
    try:
        assert credentials.read_bytes() == before
        assert credentials.stat().st_mtime_ns == before_stat.st_mtime_ns
        assert credentials.stat().st_ino == before_stat.st_ino
        assert sorted(p.name for p in data_dir.glob("admin.credentials*")) == ["admin.credentials"]
        assert "Created account" not in second.stdout_text()
        assert _accounts(second) == [account]
        # Same key, same account, same data.
        described = codeartifact_client(second.url, credentials).describe_domain(domain=domain)
        assert described["domain"]["owner"] == account
    finally:
        second.stop()


def test_health(server: CofferServer) -> None:
    response = httpx.get(f"{server.url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_sigterm_exits_zero_promptly(server: CofferServer) -> None:
    with httpx.Client(timeout=10) as client:  # an idle keep-alive connection stays open
        assert client.get(f"{server.url}/health").status_code == 200
        start = time.monotonic()
        code = server.stop(timeout=PROMPT_EXIT)
        elapsed = time.monotonic() - start
    assert elapsed < PROMPT_EXIT
    assert code == 0, f"coffer serve exited with {code} after SIGTERM\n{server.describe()}"
    assert "Shutting down" in server.log_text() or "shutdown" in server.log_text().lower()


def test_log_records_requests_but_no_secrets(server: CofferServer, tmp_path: Path) -> None:
    access_key, secret_key = read_credentials(server.credentials)
    client = codeartifact_client(server.url, server.credentials)
    authorizations: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        authorizations.append(request.headers["Authorization"].decode())

    client.meta.events.register("before-send.codeartifact.*", capture)
    domain = new_name()
    client.create_domain(domain=domain)
    token = client.get_authorization_token(domain=domain)["authorizationToken"]
    aws = AwsCli(server.url, server.credentials, tmp_path / "home")
    cli_token = aws.text(
        "get-authorization-token", "--domain", domain, "--query", "authorizationToken"
    )
    # A rejected request carries a signature too.
    wrong = codeartifact_client(server.url, _credentials_file(tmp_path, access_key, "x" * 40))
    wrong.meta.events.register("before-send.codeartifact.*", capture)
    with pytest.raises(wrong.exceptions.ClientError):
        wrong.list_domains()

    server.stop()
    log = server.log_text()
    records = server.log_records()  # every line is JSON

    requests = [r for r in records if r.get("path", "").startswith("/v1/")]
    token_requests = [r for r in requests if r["path"] == "/v1/authorization-token"]
    assert len(token_requests) >= 2
    assert all(r.get("status") == 200 for r in token_requests)
    assert any(r.get("method") == "POST" and r["path"] == "/v1/domain" for r in requests)
    assert any(r.get("status") == 403 for r in requests)

    signatures = [value.rsplit("Signature=", 1)[1] for value in authorizations]
    assert len(signatures) == 3
    secrets = {
        "secret access key": secret_key,
        "token (boto3)": token,
        "token (aws CLI)": cli_token,
        **{f"signature {i}": signature for i, signature in enumerate(signatures)},
    }
    for what, value in secrets.items():
        assert len(value) >= 20
        assert value not in log, f"the server log contains the {what}"
        assert value not in server.stdout_text(), f"the server stdout contains the {what}"
    assert "AWS4-HMAC-SHA256" not in log, "the server log contains an Authorization header"


def _credentials_file(directory: Path, access_key: str, secret_key: str) -> Path:
    path = directory / new_name("creds")
    path.write_text(
        f"[default]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"
    )
    os.chmod(path, 0o600)
    return path
