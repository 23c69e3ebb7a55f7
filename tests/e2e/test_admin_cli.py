"""``coffer admin`` against the store of a running server (SQLite WAL: both at once)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from support.aws import codeartifact_client
from support.iam import ALLOW_ALL, create_account, write_policy
from support.names import new_name, new_organization_id
from support.server import CofferServer, read_credentials

pytestmark = pytest.mark.e2e


def test_accounts_users_and_keys(coffer_server: CofferServer, tmp_path: Path) -> None:
    organization = new_organization_id()
    account = create_account(coffer_server, organization)
    assert len(account) == 12
    assert account.isdigit()
    assert f"{account}\t{organization}" in coffer_server.admin("list-accounts").splitlines()

    name = new_name("user")
    arn = coffer_server.admin(
        "create-user",
        "--account",
        account,
        name,
        "--policy-file",
        str(write_policy(tmp_path, ALLOW_ALL)),
    ).strip()
    assert arn == f"arn:aws:iam::{account}:user/{name}"
    users = coffer_server.admin("list-users", "--account", account).splitlines()
    assert users == [f"{name}\t{arn}\tpolicy"]

    credentials = tmp_path / "key.credentials"
    out = coffer_server.admin(
        "create-access-key", "--account", account, name, "--credentials-file", str(credentials)
    )
    access_key, secret_key = read_credentials(credentials)
    assert access_key in out
    assert secret_key not in out
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    keys = coffer_server.admin("list-access-keys", "--account", account, name)
    assert keys.splitlines() == [f"{access_key}\tActive"]
    assert secret_key not in keys

    # Usable at once by the running server.
    client = codeartifact_client(coffer_server.url, credentials)
    domain = new_name()
    assert client.create_domain(domain=domain)["domain"]["owner"] == account

    # An existing file is never overwritten.
    before = credentials.read_bytes()
    again = coffer_server.admin_run(
        "create-access-key", "--account", account, name, "--credentials-file", str(credentials)
    )
    assert again.returncode != 0
    assert "Traceback" not in again.stderr
    assert credentials.read_bytes() == before
    listed = coffer_server.admin("list-access-keys", "--account", account, name)
    assert listed.splitlines() == [f"{access_key}\tActive"]

    # An account that owns a domain cannot be deleted.
    refused = coffer_server.admin_run("delete-account", account)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    client.delete_domain(domain=domain)


def test_create_access_key_into_a_missing_directory(
    coffer_server: CofferServer, tmp_path: Path
) -> None:
    """Either the directory is created and the key written, or the command fails cleanly and
    leaves no access key behind whose secret nobody has."""
    account = create_account(coffer_server)
    name = new_name("user")
    coffer_server.admin("create-user", "--account", account, name)
    target = tmp_path / "does-not-exist-yet" / "key.credentials"

    result = coffer_server.admin_run(
        "create-access-key", "--account", account, name, "--credentials-file", str(target)
    )

    assert "Traceback" not in result.stderr, result.stderr
    keys = coffer_server.admin("list-access-keys", "--account", account, name).splitlines()
    if result.returncode == 0:
        assert target.is_file()
        assert [line.split("\t")[0] for line in keys] == [read_credentials(target)[0]]
    else:
        assert keys == [], "a key was created but its secret was written nowhere"
