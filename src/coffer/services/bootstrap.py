"""First start on an empty store: an account, an administrator, and its credentials file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from coffer.services.iam_admin import ADMINISTRATOR_POLICY, IamAdmin, NewAccessKey
from coffer.storage.db import Database
from coffer.storage.db.engine import BOOTSTRAP_LOCK_ID

__all__ = ["Bootstrap", "bootstrap", "credentials_text", "write_credentials"]

ADMIN_USER = "admin"


@dataclass(frozen=True)
class Bootstrap:
    account_id: str
    credentials_path: Path


def credentials_text(key: NewAccessKey, profile: str = "default") -> str:
    return (
        f"[{profile}]\n"
        f"aws_access_key_id = {key.access_key_id}\n"
        f"aws_secret_access_key = {key.secret_access_key}\n"
    )


def write_credentials(path: Path, key: NewAccessKey) -> Path:
    """Write an AWS shared-credentials file (mode 0600); never replaces an existing file.

    If ``path`` exists, the next free ``name.N`` beside it is used and returned instead.
    """
    candidate, n = path, 1
    while True:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            candidate, n = path.with_name(f"{path.name}.{n}"), n + 1
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(credentials_text(key))
        return candidate


async def bootstrap(
    iam: IamAdmin, credentials_path: Path, db: Database | None = None
) -> Bootstrap | None:
    """Create the first account and its administrator if the store has no account yet.

    With ``db``, servers starting together over one database take turns (a lock held across the
    check and the creation), so exactly one of them creates the account.
    """
    if db is None:
        return await _bootstrap(iam, credentials_path)
    async with db.exclusive(BOOTSTRAP_LOCK_ID):
        return await _bootstrap(iam, credentials_path)


async def _bootstrap(iam: IamAdmin, credentials_path: Path) -> Bootstrap | None:
    if await iam.count_accounts():
        return None
    account_id = await iam.create_account()
    await iam.create_user(account_id, ADMIN_USER, ADMINISTRATOR_POLICY)
    key = await iam.create_access_key(account_id, ADMIN_USER)
    credentials_path.parent.mkdir(parents=True, exist_ok=True)
    return Bootstrap(account_id, write_credentials(credentials_path, key))
