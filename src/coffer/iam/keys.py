"""Identifiers and secrets in AWS's shapes."""

from __future__ import annotations

import secrets
import string

__all__ = ["new_access_key_id", "new_account_id", "new_secret_access_key", "new_user_id"]

_UPPER = string.ascii_uppercase + "234567"
_SECRET = string.ascii_letters + string.digits + "+/"


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_account_id() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def new_access_key_id() -> str:
    return "AKIA" + _random(_UPPER, 16)


def new_user_id() -> str:
    return "AIDA" + _random(_UPPER, 17)


def new_secret_access_key() -> str:
    return _random(_SECRET, 40)
