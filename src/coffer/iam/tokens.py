"""Authorization tokens: signed, URL-safe, verifiable without a database.

Wire form (about 200 characters, far under the 1,200 a Windows keyring holds)::

    cfr1.<base64url(payload JSON)>.<base64url(HMAC-SHA256(key[kid], "cfr1." + payload))>

The payload names the signing key (``k``), the principal (``a`` account, ``u`` user id), the
domain it was issued for (``d``, ``o`` owner), its lifetime (``i`` issued, ``e`` expires) and a
random ``n`` so that no two tokens are alike.
It carries no permissions: the verifier's caller evaluates the principal's *current* policies on
every request, so taking a permission away revokes every token that relied on it. The ``cfr1.``
prefix lets secret scanners recognise a leaked token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from coffer.errors import InvalidToken

__all__ = ["TOKEN_PREFIX", "TokenClaims", "issue_token", "verify_token"]

TOKEN_PREFIX = "cfr1."  # noqa: S105 - a format marker, not a secret


@dataclass(frozen=True)
class TokenClaims:
    key_id: str
    account_id: str
    user_id: str
    domain: str
    domain_owner: str
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, signed_part: str) -> str:
    return _b64(hmac.new(key, signed_part.encode("ascii"), hashlib.sha256).digest())


def issue_token(claims: TokenClaims, key: bytes) -> str:
    payload = {
        "k": claims.key_id,
        "a": claims.account_id,
        "u": claims.user_id,
        "d": claims.domain,
        "o": claims.domain_owner,
        "i": claims.issued_at,
        "e": claims.expires_at,
        "n": secrets.token_urlsafe(6),
    }
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signed_part = TOKEN_PREFIX + body
    return f"{signed_part}.{_sign(key, signed_part)}"


def verify_token(token: str, keys: Mapping[str, bytes], *, now: float) -> TokenClaims:
    """The claims of a genuine, unexpired token; :class:`InvalidToken` for anything else."""
    if not token.startswith(TOKEN_PREFIX) or token.count(".") != 2:
        raise InvalidToken("The authorization token is malformed")
    signed_part, _, signature = token.rpartition(".")
    try:
        payload = json.loads(_unb64(signed_part[len(TOKEN_PREFIX) :]))
        claims = TokenClaims(
            key_id=str(payload["k"]),
            account_id=str(payload["a"]),
            user_id=str(payload["u"]),
            domain=str(payload["d"]),
            domain_owner=str(payload["o"]),
            issued_at=int(payload["i"]),
            expires_at=int(payload["e"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidToken("The authorization token is malformed") from None
    key = keys.get(claims.key_id)
    expected = _sign(key, signed_part).encode() if key is not None else b""
    if key is None or not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise InvalidToken("The authorization token is not valid")
    if now >= claims.expires_at:
        raise InvalidToken("The authorization token has expired")
    return claims
