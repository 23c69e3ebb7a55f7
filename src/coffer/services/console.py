"""The web console's accounts: passwords, sign-in (rate-limited) and the session's principal.

A console user is an IAM-lite user with a password set by ``coffer admin set-password``.
Passwords are stored as Argon2id hashes (``argon2-cffi``'s defaults); hashing runs in a worker
thread so the event loop keeps serving. A session names the user and carries a *stamp* of the
password hash: setting a new password ends every session signed in with the old one.

Sign-in failures are limited per (account, user name, client address): after
``MAX_FAILURES`` within ``WINDOW`` seconds, attempts are refused with :class:`Throttled` until
the oldest failure ages out. The limiter lives in the process, so each server process (and each
``--workers`` worker) counts on its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.errors import AuthenticationError, InvalidToken, NotFound, Throttled, ValidationError
from coffer.iam.principal import Principal
from coffer.iam.secrets import SecretBox
from coffer.services import clock
from coffer.services.access import principal_of
from coffer.storage.db import ConsolePassword, Database, User

__all__ = ["MAX_FAILURES", "MIN_PASSWORD_LENGTH", "WINDOW", "Console", "SignIn", "SignInLimiter"]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
MAX_FAILURES = 5
WINDOW = 60.0
SIGN_IN_FAILED = "The account, user name or password is not correct"


@dataclass(frozen=True)
class SignIn:
    """A signed-in console user: who, and the stamp of the password they signed in with."""

    principal: Principal
    stamp: str


class SignInLimiter:
    """Failed sign-ins per key within a sliding window (in this process only)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max = max_failures
        self._window = window
        self._now = now
        self._failures: dict[tuple[str, ...], deque[float]] = {}

    def check(self, key: tuple[str, ...]) -> None:
        """Raise :class:`Throttled` while ``key`` has used up its failures."""
        failures = self._recent(key)
        if len(failures) >= self._max:
            retry = max(1, int(failures[0] + self._window - self._now()) + 1)
            raise Throttled(
                f"Too many failed sign-ins; try again in {retry} seconds", retry_after=retry
            )

    def fail(self, key: tuple[str, ...]) -> None:
        self._recent(key).append(self._now())

    def succeed(self, key: tuple[str, ...]) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: tuple[str, ...]) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= self._now() - self._window:
            failures.popleft()
        if not failures and len(self._failures) > 10_000:  # keep memory bounded under attack
            self._failures = {k: v for k, v in self._failures.items() if v}
            self._failures[key] = failures
        return failures


class Console:
    def __init__(self, db: Database, box: SecretBox, limiter: SignInLimiter | None = None) -> None:
        self._db = db
        self._hasher = PasswordHasher()
        self.limiter = limiter or SignInLimiter()
        self.session_keys = box.derive_keys("console-session")  # newest first

    async def set_password(self, account_id: str, name: str, password: str) -> None:
        """Set (or replace) a user's console password; their open sessions end."""
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise ValidationError(
                f"A console password must have {MIN_PASSWORD_LENGTH} to "
                f"{MAX_PASSWORD_LENGTH} characters"
            )
        hashed = await asyncio.to_thread(self._hasher.hash, password)
        async with self._db.session() as session:
            user = await _user(session, account_id, name)
            if user is None:
                raise NotFound(f"User {name} does not exist in account {account_id}")
            row = await session.get(ConsolePassword, user.id)
            if row is None:
                row = ConsolePassword(user_id=user.id)
                session.add(row)
            row.password_hash = hashed
            row.updated_at = clock.now()

    async def sign_in(
        self, account_id: str, name: str, password: str, source_ip: str | None
    ) -> SignIn:
        """Check a password; raise :class:`AuthenticationError` (one message for every cause)
        or :class:`Throttled` once the key has failed too often."""
        key = (account_id, name, source_ip or "")
        self.limiter.check(key)
        # Counted as a failure until it succeeds, so concurrent guesses cannot slip past the
        # limit while their hashes are being checked.
        self.limiter.fail(key)
        async with self._db.session() as session:
            user = await _user(session, account_id, name)
            row = None if user is None else await session.get(ConsolePassword, user.id)
            principal = None if user is None else principal_of(user)
        stored = row.password_hash if row is not None else self._dummy_hash
        ok = await asyncio.to_thread(self._verify, stored, password)
        if not ok or row is None or principal is None:
            raise AuthenticationError(SIGN_IN_FAILED)
        self.limiter.succeed(key)
        return SignIn(principal, _stamp(row.password_hash))

    async def principal(self, account_id: str, user_id: str, stamp: str) -> Principal:
        """The user a session names, as they are now; a deleted user or a changed (or removed)
        password ends the session."""
        async with self._db.session() as session:
            user = await session.get(User, user_id)
            row = await session.get(ConsolePassword, user_id)
            if (
                user is None
                or row is None
                or user.account_id != account_id
                or not hmac.compare_digest(_stamp(row.password_hash), stamp)
            ):
                raise InvalidToken("The console session has ended; sign in again")
            return principal_of(user)

    @cached_property
    def _dummy_hash(self) -> str:
        """Verified against when a user has no password, so timing tells nothing."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


async def _user(session: AsyncSession, account_id: str, name: str) -> User | None:
    result = await session.execute(
        select(User).where(User.account_id == account_id, User.name == name)
    )
    return result.scalar_one_or_none()
