"""Authorization tokens: GetAuthorizationToken, and the verifier the data plane uses."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from coffer.errors import InvalidToken, ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller, Principal
from coffer.iam.secrets import SecretBox
from coffer.iam.tokens import TokenClaims, issue_token, verify_token
from coffer.services import clock
from coffer.services.access import Access
from coffer.services.hotpath import ChangeCounters, StampedCache
from coffer.services.lookup import authorized_domain
from coffer.storage.db import Database, SigningKey

__all__ = ["DEFAULT_DURATION", "IssuedToken", "Tokens"]

_GENUINE = "genuine"
DEFAULT_DURATION = 12 * 3600
MIN_DURATION = 900
MAX_DURATION = 43200


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiration: float


def check_duration(duration: int | None) -> int:
    """Seconds a token lives: 0 or None mean the default (Coffer keys have no session to end)."""
    if duration is None or duration == 0:
        return DEFAULT_DURATION
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValidationError(
            f"Invalid duration {duration}: the token duration must be 0 or between "
            f"{MIN_DURATION} and {MAX_DURATION} seconds"
        )
    return duration


class Tokens:
    def __init__(
        self, db: Database, box: SecretBox, access: Access, counters: ChangeCounters | None = None
    ) -> None:
        self._db = db
        self._box = box
        self._access = access
        self._counters = counters or ChangeCounters(db)
        self._principals: StampedCache[tuple[str, str], Principal] = StampedCache()
        # Tokens whose signature checked out (signing keys are never changed, only added), so
        # a client's next request skips the HMAC and JSON; expiry is checked every time.
        self._verified: StampedCache[str, TokenClaims] = StampedCache(8192)
        self._keys: dict[str, bytes] = {}
        self._current: str | None = None

    async def issue(
        self, caller: Caller, domain_name: str, owner: str | None, duration: int | None
    ) -> IssuedToken:
        seconds = check_duration(duration)
        async with self._db.session() as session:
            domain = await authorized_domain(
                session, self._access, caller, Action.GET_AUTHORIZATION_TOKEN, domain_name, owner
            )
            await self._access.authorize(
                session,
                caller,
                Action.STS_GET_SERVICE_BEARER_TOKEN,
                "*",
                resource_account=caller.principal.account_id,
                keys={"sts:AWSServiceName": "codeartifact.amazonaws.com"},
            )
        key_id = await self._signing_key_id()
        issued = int(clock.now())
        claims = TokenClaims(
            key_id=key_id,
            account_id=caller.principal.account_id,
            user_id=caller.principal.user_id,
            domain=domain.name,
            domain_owner=domain.owner_id,
            issued_at=issued,
            expires_at=issued + seconds,
        )
        return IssuedToken(issue_token(claims, self._keys[key_id]), float(issued + seconds))

    async def verify(self, token: str) -> tuple[Principal, TokenClaims]:
        """The principal behind a token, as it is now. Permissions are checked by the caller."""
        claims = self._verified.get(token, _GENUINE)
        if claims is None:
            claims = await self._verify_signature(token)
            self._verified.put(token, _GENUINE, claims)
        elif clock.now() >= claims.expires_at:
            raise InvalidToken("The authorization token has expired")
        # Users and accounts are "config": any change to them moves the counter, so a deleted
        # user's tokens stop working on every process's next request. A verification starts a
        # data-plane request: the counters are read afresh here, once, for the whole request.
        stamp = (await self._counters.read()).config
        key = (claims.account_id, claims.user_id)
        principal = self._principals.get(key, stamp)
        if principal is None:
            async with self._db.session() as session:
                principal = await self._access.principal(session, *key)
            self._principals.put(key, stamp, principal)
        return principal, claims

    async def _verify_signature(self, token: str) -> TokenClaims:
        if not self._keys:
            await self._load_keys()
        try:
            return verify_token(token, self._keys, now=clock.now())
        except InvalidToken:
            if not await self._load_keys():  # a key another process made since we last looked
                raise
            return verify_token(token, self._keys, now=clock.now())

    async def _signing_key_id(self) -> str:
        if self._current is None:
            await self._load_keys()
        if self._current is None:
            async with self._db.session() as session:
                key_id = secrets.token_hex(4)
                session.add(
                    SigningKey(
                        id=key_id,
                        secret_encrypted=self._box.seal(secrets.token_bytes(32)),
                        created_at=clock.now(),
                    )
                )
            await self._load_keys()
        assert self._current is not None  # noqa: S101 - _load_keys found the key just made
        return self._current

    async def _load_keys(self) -> bool:
        """Reload the key ring; True when it changed."""
        async with self._db.session() as session:
            rows = (
                await session.execute(select(SigningKey).order_by(SigningKey.created_at))
            ).scalars()
            keys = {row.id: self._box.open(row.secret_encrypted) for row in rows}
        changed = keys.keys() != self._keys.keys()
        self._keys = keys
        self._current = next(reversed(keys)) if keys else None
        return changed
