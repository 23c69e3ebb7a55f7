"""Opaque ``nextToken`` values for keyset pagination."""

from __future__ import annotations

import base64
import binascii
import json

from coffer.errors import ValidationError

__all__ = ["decode_token", "encode_token"]


def encode_token(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode_token(token: str | None) -> str | None:
    """The key the previous page ended at, or None for the first page."""
    if token is None:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token.encode()))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise ValidationError("The pagination token is not valid") from None
    if not isinstance(value, str):
        raise ValidationError("The pagination token is not valid")
    return value
