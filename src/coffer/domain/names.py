"""Name rules for accounts, principals, domains and repositories (the service model's patterns)."""

from __future__ import annotations

import re

from coffer.errors import ValidationError

__all__ = [
    "check_account_id",
    "check_domain_name",
    "check_organization_id",
    "check_repository_name",
    "check_user_name",
]

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
_USER_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
_DOMAIN_NAME = re.compile(r"[a-z][a-z0-9\-]{0,48}[a-z0-9]")
_REPOSITORY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{1,99}")


def _check(pattern: re.Pattern[str], value: str, what: str, rule: str) -> str:
    if not pattern.fullmatch(value):
        raise ValidationError(f"Invalid {what} {value!r}: {rule}")
    return value


def check_account_id(value: str) -> str:
    return _check(_ACCOUNT_ID, value, "account id", "must be 12 digits")


def check_organization_id(value: str) -> str:
    return _check(_ORGANIZATION_ID, value, "organization id", "must match o-[a-z0-9]{10,32}")


def check_user_name(value: str) -> str:
    return _check(
        _USER_NAME, value, "user name", "use 1-64 letters, digits and the characters +=,.@_-"
    )


def check_domain_name(value: str) -> str:
    return _check(
        _DOMAIN_NAME,
        value,
        "domain name",
        "use 2-50 lower-case letters, digits and hyphens, starting with a letter",
    )


def check_repository_name(value: str) -> str:
    return _check(
        _REPOSITORY_NAME,
        value,
        "repository name",
        "use 2-100 letters, digits, '.', '_' and '-', starting with a letter or digit",
    )
