"""IAM-lite administration: accounts, users, access keys and identity policies.

Used by ``coffer admin`` and by first-start bootstrap; there is no network API for these, as
an operator manages them on the server's own store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import user_arn
from coffer.domain.names import check_account_id, check_organization_id, check_user_name
from coffer.errors import Conflict, NotFound
from coffer.iam import keys
from coffer.iam.policy import PolicyKind
from coffer.iam.secrets import SecretBox
from coffer.services import clock
from coffer.services.access import parse_policy
from coffer.storage.db import AccessKey, Account, Database, Domain, User

__all__ = ["ADMINISTRATOR_POLICY", "AccessKeyInfo", "IamAdmin", "NewAccessKey", "UserInfo"]

ADMINISTRATOR_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "Administrator", "Effect": "Allow", "Action": "*", "Resource": "*"}]
}
"""


@dataclass(frozen=True)
class UserInfo:
    account_id: str
    name: str
    user_id: str
    arn: str
    created_at: float
    policy: str | None


@dataclass(frozen=True)
class AccessKeyInfo:
    access_key_id: str
    user_name: str
    status: str
    created_at: float


@dataclass(frozen=True)
class NewAccessKey:
    """The only time a secret is ever shown."""

    access_key_id: str
    secret_access_key: str


class IamAdmin:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    async def create_account(
        self, account_id: str | None = None, organization_id: str | None = None
    ) -> str:
        account_id = check_account_id(account_id) if account_id else keys.new_account_id()
        if organization_id:
            check_organization_id(organization_id)
        try:
            async with self._db.session() as session:
                session.add(
                    Account(id=account_id, organization_id=organization_id, created_at=clock.now())
                )
        except IntegrityError:
            raise Conflict(f"Account {account_id} already exists") from None
        return account_id

    async def list_accounts(self) -> list[tuple[str, str | None]]:
        async with self._db.session() as session:
            rows = await session.execute(
                select(Account.id, Account.organization_id).order_by(Account.id)
            )
            return [(account_id, organization) for account_id, organization in rows]

    async def count_accounts(self) -> int:
        async with self._db.session() as session:
            return await session.scalar(select(func.count()).select_from(Account)) or 0

    async def delete_account(self, account_id: str) -> None:
        async with self._db.session() as session:
            account = await _account(session, account_id)
            owned = await session.scalar(
                select(func.count()).select_from(Domain).where(Domain.owner_id == account_id)
            )
            if owned:
                raise Conflict(f"Account {account_id} still owns {owned} domains")
            await session.delete(account)

    async def create_user(self, account_id: str, name: str, policy: str | None = None) -> UserInfo:
        check_user_name(name)
        if policy is not None:
            parse_policy(policy, PolicyKind.IDENTITY)
        try:
            async with self._db.session() as session:
                await _account(session, account_id)
                user = User(
                    id=keys.new_user_id(),
                    account_id=account_id,
                    name=name,
                    policy_document=policy,
                    created_at=clock.now(),
                )
                session.add(user)
                await session.flush()
                return _user_info(user)
        except IntegrityError:
            raise Conflict(f"User {name} already exists in account {account_id}") from None

    async def list_users(self, account_id: str) -> list[UserInfo]:
        async with self._db.session() as session:
            await _account(session, account_id)
            rows = await session.execute(
                select(User).where(User.account_id == account_id).order_by(User.name)
            )
            return [_user_info(user) for user in rows.scalars()]

    async def delete_user(self, account_id: str, name: str) -> None:
        async with self._db.session() as session:
            await session.delete(await _user(session, account_id, name))

    async def put_user_policy(self, account_id: str, name: str, policy: str | None) -> None:
        """Replace the user's identity policy (``None`` removes it)."""
        if policy is not None:
            parse_policy(policy, PolicyKind.IDENTITY)
        async with self._db.session() as session:
            (await _user(session, account_id, name)).policy_document = policy

    async def get_user(self, account_id: str, name: str) -> UserInfo:
        async with self._db.session() as session:
            return _user_info(await _user(session, account_id, name))

    async def create_access_key(self, account_id: str, name: str) -> NewAccessKey:
        secret = keys.new_secret_access_key()
        async with self._db.session() as session:
            user = await _user(session, account_id, name)
            key = AccessKey(
                id=keys.new_access_key_id(),
                user_id=user.id,
                secret_encrypted=self._box.seal(secret.encode()),
                status="Active",
                created_at=clock.now(),
            )
            session.add(key)
        return NewAccessKey(key.id, secret)

    async def list_access_keys(self, account_id: str, name: str) -> list[AccessKeyInfo]:
        async with self._db.session() as session:
            user = await _user(session, account_id, name)
            rows = await session.execute(
                select(AccessKey).where(AccessKey.user_id == user.id).order_by(AccessKey.created_at)
            )
            return [AccessKeyInfo(k.id, name, k.status, k.created_at) for k in rows.scalars()]

    async def delete_access_key(self, account_id: str, name: str, access_key_id: str) -> None:
        async with self._db.session() as session:
            user = await _user(session, account_id, name)
            key = await session.get(AccessKey, access_key_id)
            if key is None or key.user_id != user.id:
                raise NotFound(f"Access key {access_key_id} of user {name} does not exist")
            await session.delete(key)


async def _account(session: AsyncSession, account_id: str) -> Account:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound(f"Account {account_id} does not exist")
    return account


async def _user(session: AsyncSession, account_id: str, name: str) -> User:
    result = await session.execute(
        select(User).where(User.account_id == account_id, User.name == name)
    )
    user = result.scalar_one_or_none()
    if user is None:
        raise NotFound(f"User {name} does not exist in account {account_id}")
    return user


def _user_info(user: User) -> UserInfo:
    return UserInfo(
        account_id=user.account_id,
        name=user.name,
        user_id=user.id,
        arn=user_arn(user.account_id, user.name),
        created_at=user.created_at,
        policy=user.policy_document,
    )
