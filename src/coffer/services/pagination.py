"""Opaque ``nextToken`` values for keyset pagination.

A token carries the sort key of the last item of the previous page: a string, or a list of
strings when the order spans several columns (domain, owner, repository).
"""

from __future__ import annotations

import base64
import binascii
import json

from coffer.errors import ValidationError

__all__ = ["decode_key", "decode_token", "encode_token"]


def encode_token(after: str | list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def _decode(token: str) -> object:
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationError("The pagination token is not valid") from None


def decode_token(token: str | None) -> str | None:
    """The key the previous page ended at, or None for the first page."""
    if token is None:
        return None
    value = _decode(token)
    if not isinstance(value, str):
        raise ValidationError("The pagination token is not valid")
    return value


def decode_key(token: str | None, length: int) -> list[str] | None:
    """A composite key of ``length`` strings, or None for the first page."""
    if token is None:
        return None
    value = _decode(token)
    if (
        not isinstance(value, list)
        or len(value) != length
        or not all(isinstance(part, str) for part in value)
    ):
        raise ValidationError("The pagination token is not valid")
    return value
