"""Accounts, users and keys made with ``coffer admin`` (the way an operator makes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.names import new_name
from support.server import CofferServer, read_credentials

__all__ = [
    "ALLOW_ALL",
    "DENY_ALL",
    "User",
    "create_account",
    "create_user",
    "identity_policy",
    "resource_policy",
    "write_policy",
]

Document = dict[str, Any]


def identity_policy(*actions: str, effect: str = "Allow", resource: str = "*") -> Document:
    """An identity policy with one statement."""
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Action": list(actions), "Resource": resource}],
    }


ALLOW_ALL = identity_policy("*")
DENY_ALL = identity_policy("*", effect="Deny")


def resource_policy(
    principal: str | Document,
    *actions: str,
    effect: str = "Allow",
    condition: Document | None = None,
    resource: str = "*",
) -> Document:
    """A resource (domain or repository) policy with one statement."""
    statement: Document = {
        "Effect": effect,
        "Principal": principal,
        "Action": list(actions),
        "Resource": resource,
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def write_policy(directory: Path, document: Document) -> Path:
    """Write ``document`` as JSON to a new file in ``directory``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{new_name('policy')}.json"
    path.write_text(json.dumps(document, indent=2))
    return path


@dataclass(frozen=True)
class User:
    account_id: str
    name: str
    arn: str
    credentials: Path

    @property
    def access_key_id(self) -> str:
        return read_credentials(self.credentials)[0]

    @property
    def secret_access_key(self) -> str:
        return read_credentials(self.credentials)[1]


def create_account(server: CofferServer, organization: str | None = None) -> str:
    """``coffer admin create-account [--organization ORG]``; the new account id."""
    args = ["create-account"]
    if organization is not None:
        args += ["--organization", organization]
    return server.admin(*args).strip().splitlines()[-1]


def create_user(
    server: CofferServer,
    account_id: str,
    directory: Path,
    *,
    policy: Document | None = None,
    name: str | None = None,
) -> User:
    """A user (with ``policy`` as its identity policy, if given) and a fresh access key whose
    credentials file is written into ``directory``."""
    name = name or new_name("user")
    directory.mkdir(parents=True, exist_ok=True)
    args = ["create-user", "--account", account_id, name]
    if policy is not None:
        args += ["--policy-file", str(write_policy(directory, policy))]
    arn = server.admin(*args).strip().splitlines()[-1]
    credentials = directory / f"{name}.credentials"
    server.admin(
        "create-access-key", "--account", account_id, name, "--credentials-file", str(credentials)
    )
    return User(account_id, name, arn, credentials)
