"""Encryption of stored secrets (access-key secrets, token-signing keys) with the server key.

Access-key secrets must be recoverable to verify SigV4, so they are sealed with Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived from ``COFFER_SECRET_KEY`` or the generated
``DIR/secret.key``. Several keys may be given (newest first) to rotate: all open, the first seals.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from coffer.errors import CofferError

__all__ = ["SecretBox", "SecretKeyError", "new_server_key"]


class SecretKeyError(CofferError):
    """A stored secret cannot be opened with the configured server key."""


def new_server_key() -> str:
    return secrets.token_urlsafe(32)


def _fernet(material: str) -> Fernet:
    digest = hashlib.sha256(b"coffer-secret-box-v1\0" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one server key is needed")
        self._box = MultiFernet([_fernet(key) for key in keys])
        self._materials = [key.encode() for key in keys]

    def derive_keys(self, purpose: str) -> list[bytes]:
        """One key per server key (newest first) for ``purpose``, e.g. signing cookies; keys
        for different purposes are unrelated to each other and to the sealing keys."""
        label = b"coffer-derived-v1\0" + purpose.encode()
        return [hmac.new(material, label, hashlib.sha256).digest() for material in self._materials]

    def seal(self, plaintext: bytes) -> bytes:
        return self._box.encrypt(plaintext)

    def open(self, sealed: bytes) -> bytes:
        try:
            return self._box.decrypt(sealed)
        except InvalidToken:
            raise SecretKeyError(
                "a stored secret cannot be decrypted: is COFFER_SECRET_KEY the key this store "
                "was created with?"
            ) from None
