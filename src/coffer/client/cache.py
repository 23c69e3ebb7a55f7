"""Tokens kept until shortly before they expire: in this process, and on disk for the next.

The disk cache is one JSON file per (server, domain, owner) under the user cache directory
(``$XDG_CACHE_HOME/coffer/tokens``), the directory 0700 and each file 0600. A token counts as
stale ``REFRESH_MARGIN`` seconds before its expiry (or at half its life, for a short one), so
a token handed to a tool never expires in the middle of an install.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from coffer.client import clock
from coffer.client.api import Token

__all__ = ["REFRESH_MARGIN", "TokenCache", "default_directory", "is_fresh"]

REFRESH_MARGIN = 300.0


def default_directory() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("coffer", appauthor=False)) / "tokens"


def is_fresh(token: Token, issued_at: float) -> bool:
    margin = min(REFRESH_MARGIN, (token.expiration - issued_at) / 2)
    return clock.now() < token.expiration - margin


class TokenCache:
    """Get-or-fetch of tokens by key, backed by files in ``directory``."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._memory: dict[str, tuple[Token, float]] = {}

    @property
    def directory(self) -> Path:
        return self._directory or default_directory()

    def get(self, key: str, fetch: Callable[[], Token]) -> Token:
        cached = self._memory.get(key)
        if cached is None or not is_fresh(*cached):
            cached = self._load(key)  # another process may have refreshed it
        if cached is not None and is_fresh(*cached):
            self._memory[key] = cached
            return cached[0]
        issued_at = clock.now()
        token = fetch()
        self._memory[key] = (token, issued_at)
        self._store(key, token, issued_at)
        return token

    def path(self, key: str) -> Path:
        return self.directory / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def _load(self, key: str) -> tuple[Token, float] | None:
        try:
            data = json.loads(self.path(key).read_text())
            if data["key"] != key:
                return None
            token = Token(str(data["token"]), float(data["expiration"]))
            return token, float(data["issued_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: fetch a new one

    def _store(self, key: str, token: Token, issued_at: float) -> None:
        body = {
            "key": key,
            "token": token.value,
            "expiration": token.expiration,
            "issued_at": issued_at,
        }
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".token.")
            with os.fdopen(handle, "w") as stream:  # mkstemp creates the file 0600
                json.dump(body, stream)
            os.replace(temporary, self.path(key))
        except OSError:
            return  # a cache that cannot be written only costs a token request next time
