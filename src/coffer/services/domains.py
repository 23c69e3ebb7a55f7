"""Domains: create, describe, list, delete."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import domain_arn
from coffer.domain.model import DomainInfo, Page
from coffer.domain.names import check_domain_name
from coffer.errors import Conflict, ResourceType
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services import clock
from coffer.services.access import Access
from coffer.services.lookup import authorized_domain, find_domain
from coffer.services.pagination import decode_token, encode_token
from coffer.services.tags import insert_tags, tag_condition_keys
from coffer.storage.db import Database, Domain, Repository, Tag

__all__ = ["Domains"]


class Domains:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    def arn(self, owner: str, name: str) -> str:
        return domain_arn(self._region, owner, name)

    async def create(
        self,
        caller: Caller,
        name: str,
        *,
        encryption_key: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> DomainInfo:
        check_domain_name(name)
        owner = caller.principal.account_id
        arn = self.arn(owner, name)
        async with self._db.session() as session:
            await self._access.authorize(
                session,
                caller,
                Action.CREATE_DOMAIN,
                arn,
                resource_account=owner,
                keys=tag_condition_keys(tags),
            )
            if tags:
                await self._access.authorize(
                    session,
                    caller,
                    Action.TAG_RESOURCE,
                    arn,
                    resource_account=owner,
                    keys=tag_condition_keys(tags),
                )
            if await find_domain(session, owner, name) is not None:
                raise _exists(name)
            domain = Domain(
                owner_id=owner, name=name, encryption_key=encryption_key, created_at=clock.now()
            )
            session.add(domain)
            try:
                await session.flush()
            except IntegrityError:
                raise _exists(name) from None
            await insert_tags(session, arn, tags or {})
            return await self._describe(session, domain)

    async def describe(self, caller: Caller, name: str, owner: str | None) -> DomainInfo:
        async with self._db.session() as session:
            domain = await self._authorized(session, caller, Action.DESCRIBE_DOMAIN, name, owner)
            return await self._describe(session, domain)

    async def delete(self, caller: Caller, name: str, owner: str | None) -> DomainInfo:
        async with self._db.session() as session:
            domain = await self._authorized(session, caller, Action.DELETE_DOMAIN, name, owner)
            info = await self._describe(session, domain)
            if info.repository_count:
                raise Conflict(
                    f"Domain '{name}' cannot be deleted because it contains "
                    f"{info.repository_count} repositories; delete them first",
                    ResourceType.DOMAIN,
                    name,
                )
            await session.execute(delete(Tag).where(Tag.resource_arn == info.arn))
            await session.delete(domain)
            return DomainInfo(**{**info.__dict__, "status": "Deleted"})

    async def list(
        self, caller: Caller, *, max_results: int | None, next_token: str | None
    ) -> Page[DomainInfo]:
        owner = caller.principal.account_id
        after = decode_token(next_token)
        limit = max_results or 100
        async with self._db.session() as session:
            await self._access.authorize(
                session, caller, Action.LIST_DOMAINS, "*", resource_account=owner
            )
            query = select(Domain).where(Domain.owner_id == owner).order_by(Domain.name)
            if after is not None:
                query = query.where(Domain.name > after)
            rows = list((await session.execute(query.limit(limit + 1))).scalars())
            items = [await self._describe(session, domain) for domain in rows[:limit]]
        token = encode_token(rows[limit - 1].name) if len(rows) > limit else None
        return Page(items, token)

    async def _authorized(
        self, session: AsyncSession, caller: Caller, action: Action, name: str, owner: str | None
    ) -> Domain:
        return await authorized_domain(session, self._access, caller, action, name, owner)

    async def _describe(self, session: AsyncSession, domain: Domain) -> DomainInfo:
        count = await session.scalar(
            select(func.count()).select_from(Repository).where(Repository.domain_id == domain.id)
        )
        return DomainInfo(
            name=domain.name,
            owner=domain.owner_id,
            arn=self.arn(domain.owner_id, domain.name),
            created_time=domain.created_at,
            encryption_key=domain.encryption_key,
            repository_count=count or 0,
            asset_size_bytes=0,
        )


def _exists(name: str) -> Conflict:
    return Conflict(f"Domain '{name}' already exists", ResourceType.DOMAIN, name)
