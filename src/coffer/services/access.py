"""Authentication (SigV4, tokens) and authorization (policies), fed from storage."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.errors import AccessDenied, InvalidToken, UnrecognizedClient
from coffer.iam import sigv4
from coffer.iam.actions import Action
from coffer.iam.policy import (
    ConditionValue,
    PolicyDocument,
    PolicyKind,
    RequestContext,
    evaluate,
)
from coffer.iam.principal import Caller, Principal
from coffer.iam.secrets import SecretBox
from coffer.storage.db import AccessKey, Database, Tag, User

__all__ = ["Access", "parse_policy"]

ConditionKeys = Mapping[str, ConditionValue]


@lru_cache(maxsize=4096)
def parse_policy(text: str, kind: PolicyKind) -> PolicyDocument:
    return PolicyDocument.parse(text, kind)


def principal_of(user: User) -> Principal:
    return Principal(
        account_id=user.account_id,
        user_id=user.id,
        user_name=user.name,
        organization_id=user.account.organization_id,
    )


class Access:
    def __init__(self, db: Database, box: SecretBox, region: str) -> None:
        self._db = db
        self._box = box
        self.region = region

    async def authenticate_sigv4(self, request: sigv4.SignedRequest, *, now: float) -> Principal:
        credential = sigv4.parse(request)
        async with self._db.session() as session:
            key = await session.get(AccessKey, credential.access_key_id)
            if key is None or key.status != "Active":
                raise UnrecognizedClient("The security token included in the request is invalid.")
            secret = self._box.open(key.secret_encrypted).decode()
            principal = principal_of(key.user)
        sigv4.verify(request, credential, secret, now=datetime.fromtimestamp(now, UTC))
        return principal

    async def principal(self, session: AsyncSession, account_id: str, user_id: str) -> Principal:
        """The principal a token names, as it is now; gone users invalidate their tokens."""
        user = await session.get(User, user_id)
        if user is None or user.account_id != account_id:
            raise InvalidToken("The authorization token is not valid")
        return principal_of(user)

    async def authorize(
        self,
        session: AsyncSession,
        caller: Caller,
        action: Action,
        resource: str,
        *,
        resource_account: str,
        resource_policies: Sequence[str | None] = (),
        keys: ConditionKeys | None = None,
    ) -> None:
        """Raise :class:`AccessDenied` unless the policies allow ``action`` on ``resource``."""
        self.decide(
            caller,
            action,
            resource,
            resource_account=resource_account,
            identity_policies=await self.identity_policies(session, caller.principal.user_id),
            resource_policies=resource_policies,
            tag_keys=await self.tag_keys(session, resource),
            keys=keys,
        )

    async def identity_policies(self, session: AsyncSession, user_id: str) -> list[str]:
        """The user's identity policy documents, as they are now."""
        user = await session.get(User, user_id)
        return [] if user is None or not user.policy_document else [user.policy_document]

    def decide(
        self,
        caller: Caller,
        action: Action,
        resource: str,
        *,
        resource_account: str,
        identity_policies: Sequence[str],
        resource_policies: Sequence[str | None] = (),
        tag_keys: ConditionKeys | None = None,
        keys: ConditionKeys | None = None,
    ) -> None:
        """:meth:`authorize` over policies and tags already loaded (the data plane caches them);
        request-time keys (time, source IP) are computed here, per call."""
        principal = caller.principal
        identity = identity_policies
        context = RequestContext(
            action=action.value,
            resource=resource,
            principal_arn=principal.arn,
            principal_account=principal.account_id,
            keys={
                **self._global_keys(caller),
                **(tag_keys or {}),
                **(keys or {}),
            },
        )
        decision = evaluate(
            context,
            identity_policies=[parse_policy(text, PolicyKind.IDENTITY) for text in identity],
            resource_policies=[
                parse_policy(text, PolicyKind.RESOURCE) for text in resource_policies if text
            ],
            resource_account=resource_account,
        )
        if not decision.allowed:
            raise AccessDenied(
                f"User: {principal.arn} is not authorized to perform: {action.value} on resource: "
                f"{resource} because {decision.reason}"
            )

    def _global_keys(self, caller: Caller) -> dict[str, ConditionValue]:
        principal = caller.principal
        now = datetime.now(UTC)
        keys: dict[str, ConditionValue] = {
            "aws:PrincipalAccount": principal.account_id,
            "aws:PrincipalArn": principal.arn,
            "aws:username": principal.user_name,
            "aws:userid": principal.user_id,
            "aws:PrincipalType": "User",
            "aws:CurrentTime": now,
            "aws:EpochTime": int(now.timestamp()),
            "aws:SecureTransport": caller.secure_transport,
        }
        if principal.organization_id:
            keys["aws:PrincipalOrgID"] = principal.organization_id
        if caller.source_ip:
            keys["aws:SourceIp"] = caller.source_ip
        return keys

    async def tag_keys(self, session: AsyncSession, resource: str) -> dict[str, ConditionValue]:
        if not resource.startswith("arn:"):
            return {}
        rows = await session.execute(select(Tag.key, Tag.value).where(Tag.resource_arn == resource))
        return {f"aws:ResourceTag/{key}": value for key, value in rows}
