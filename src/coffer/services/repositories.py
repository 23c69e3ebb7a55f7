"""Repositories: create, describe, update (description, upstreams), delete, list, endpoints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Select, delete, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import repository_arn
from coffer.domain.external import connection_format
from coffer.domain.model import Page, RepositoryInfo
from coffer.domain.names import check_repository_name
from coffer.errors import Conflict, NotFound, QuotaExceeded, ResourceType, ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services import clock
from coffer.services.access import Access
from coffer.services.filters import starts_with
from coffer.services.lookup import (
    authorized_domain,
    authorized_repository,
    find_domain,
    find_repository,
    require_domain,
    require_repository,
)
from coffer.services.pagination import decode_key, encode_token
from coffer.services.tags import insert_tags, tag_condition_keys
from coffer.storage.db import Database, Domain, Repository, RepositoryUpstream, Tag

__all__ = ["MAX_UPSTREAMS", "Repositories"]

MAX_UPSTREAMS = 10


class Repositories:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    async def create(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        name: str,
        *,
        description: str | None = None,
        upstreams: Sequence[str] = (),
        tags: Mapping[str, str] | None = None,
    ) -> RepositoryInfo:
        check_repository_name(name)
        owner = owner or caller.principal.account_id
        arn = repository_arn(self._region, owner, domain_name, name)
        async with self._db.session() as session:
            found = await find_domain(session, owner, domain_name)
            policies = [found.policy_document if found else None]
            await self._access.authorize(
                session,
                caller,
                Action.CREATE_REPOSITORY,
                arn,
                resource_account=owner,
                resource_policies=policies,
                keys=tag_condition_keys(tags),
            )
            domain = require_domain(found, owner, domain_name)
            if tags:
                await self._access.authorize(
                    session,
                    caller,
                    Action.TAG_RESOURCE,
                    arn,
                    resource_account=owner,
                    resource_policies=policies,
                    keys=tag_condition_keys(tags),
                )
            if await find_repository(session, domain, name) is not None:
                raise _exists(domain_name, name)
            repository = Repository(
                domain_id=domain.id,
                name=name,
                administrator_account=caller.principal.account_id,
                description=description,
                created_at=clock.now(),
            )
            session.add(repository)
            try:
                await session.flush()
            except IntegrityError:
                raise _exists(domain_name, name) from None
            await self._set_upstreams(session, caller, domain, repository, upstreams)
            await insert_tags(session, arn, tags or {})
            return await self._describe(session, domain, repository)

    async def describe(
        self, caller: Caller, domain_name: str, owner: str | None, name: str
    ) -> RepositoryInfo:
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session, self._access, caller, Action.DESCRIBE_REPOSITORY, domain_name, owner, name
            )
            return await self._describe(session, domain, repository)

    async def update(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        name: str,
        *,
        description: str | None = None,
        upstreams: Sequence[str] | None = None,
    ) -> RepositoryInfo:
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session, self._access, caller, Action.UPDATE_REPOSITORY, domain_name, owner, name
            )
            if description is not None:
                repository.description = description
            if upstreams is not None:
                await session.execute(
                    delete(RepositoryUpstream).where(
                        RepositoryUpstream.repository_id == repository.id
                    )
                )
                await self._set_upstreams(session, caller, domain, repository, upstreams)
            return await self._describe(session, domain, repository)

    async def delete(
        self, caller: Caller, domain_name: str, owner: str | None, name: str
    ) -> RepositoryInfo:
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session, self._access, caller, Action.DELETE_REPOSITORY, domain_name, owner, name
            )
            info = await self._describe(session, domain, repository)
            downstream = await session.scalar(
                select(Repository.name)
                .join(RepositoryUpstream, RepositoryUpstream.repository_id == Repository.id)
                .where(RepositoryUpstream.upstream_id == repository.id)
                .limit(1)
            )
            if downstream is not None:
                raise Conflict(
                    f"Repository '{name}' is an upstream of repository '{downstream}'; remove it "
                    "from that repository's upstreams first",
                    ResourceType.REPOSITORY,
                    name,
                )
            await session.execute(delete(Tag).where(Tag.resource_arn == info.arn))
            await session.delete(repository)
            return info

    async def associate_external_connection(
        self, caller: Caller, domain_name: str, owner: str | None, name: str, connection: str
    ) -> RepositoryInfo:
        connection_format(connection)
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session,
                self._access,
                caller,
                Action.ASSOCIATE_EXTERNAL_CONNECTION,
                domain_name,
                owner,
                name,
            )
            if repository.external_connection not in (None, connection):
                raise QuotaExceeded(
                    f"Repository '{name}' already has the external connection "
                    f"'{repository.external_connection}'; a repository can have only one",
                    ResourceType.REPOSITORY,
                    name,
                )
            repository.external_connection = connection
            return await self._describe(session, domain, repository)

    async def disassociate_external_connection(
        self, caller: Caller, domain_name: str, owner: str | None, name: str, connection: str
    ) -> RepositoryInfo:
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session,
                self._access,
                caller,
                Action.DISASSOCIATE_EXTERNAL_CONNECTION,
                domain_name,
                owner,
                name,
            )
            if repository.external_connection != connection:
                raise NotFound(
                    f"Repository '{name}' has no external connection '{connection}'",
                    ResourceType.REPOSITORY,
                    name,
                )
            repository.external_connection = None
            return await self._describe(session, domain, repository)

    async def list_in_domain(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        *,
        administrator: str | None = None,
        prefix: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[RepositoryInfo]:
        async with self._db.session() as session:
            domain = await authorized_domain(
                session,
                self._access,
                caller,
                Action.LIST_REPOSITORIES_IN_DOMAIN,
                domain_name,
                owner,
            )
            query = select(Repository).where(Repository.domain_id == domain.id)
            if administrator:
                query = query.where(Repository.administrator_account == administrator)
            return await self._page(session, query, prefix, max_results, next_token)

    async def list(
        self,
        caller: Caller,
        *,
        prefix: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[RepositoryInfo]:
        account = caller.principal.account_id
        async with self._db.session() as session:
            await self._access.authorize(
                session, caller, Action.LIST_REPOSITORIES, "*", resource_account=account
            )
            query = select(Repository).where(Repository.administrator_account == account)
            return await self._page(session, query, prefix, max_results, next_token)

    async def endpoint(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        name: str,
        fmt: str,
        base_url: str,
    ) -> str:
        async with self._db.session() as session:
            domain, repository = await authorized_repository(
                session,
                self._access,
                caller,
                Action.GET_REPOSITORY_ENDPOINT,
                domain_name,
                owner,
                name,
            )
        return f"{base_url.rstrip('/')}/{domain.name}-{domain.owner_id}/{fmt}/{repository.name}/"

    async def _page(
        self,
        session: AsyncSession,
        query: Select[Repository],
        prefix: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> Page[RepositoryInfo]:
        """One page of ``query`` in (domain, owner, name) order, with keyset pagination."""
        after = decode_key(next_token, 3)
        limit = max_results or 100
        columns = (Domain.name, Domain.owner_id, Repository.name)
        stmt = query.join(Domain, Domain.id == Repository.domain_id).order_by(*columns)
        if prefix:
            stmt = stmt.where(starts_with(Repository.name, prefix))
        if after is not None:
            stmt = stmt.where(tuple_(*columns) > tuple_(*after))
        rows = list((await session.execute(stmt.limit(limit + 1))).scalars())
        items = [await self._describe(session, row.domain, row, full=False) for row in rows[:limit]]
        token = None
        if len(rows) > limit:
            last = rows[limit - 1]
            token = encode_token([last.domain.name, last.domain.owner_id, last.name])
        return Page(items, token)

    async def _set_upstreams(
        self,
        session: AsyncSession,
        caller: Caller,
        domain: Domain,
        repository: Repository,
        names: Sequence[str],
    ) -> None:
        if len(names) > MAX_UPSTREAMS:
            raise ValidationError(f"A repository can have at most {MAX_UPSTREAMS} upstreams")
        if len(set(names)) != len(names):
            raise ValidationError("The upstreams list names a repository more than once")
        for position, upstream_name in enumerate(names):
            if upstream_name == repository.name:
                raise ValidationError("A repository cannot be its own upstream")
            upstream = require_repository(
                await find_repository(session, domain, upstream_name), domain, upstream_name
            )
            await self._access.authorize(
                session,
                caller,
                Action.ASSOCIATE_WITH_DOWNSTREAM_REPOSITORY,
                repository_arn(self._region, domain.owner_id, domain.name, upstream.name),
                resource_account=domain.owner_id,
                resource_policies=[domain.policy_document, upstream.policy_document],
            )
            session.add(
                RepositoryUpstream(
                    repository_id=repository.id, position=position, upstream_id=upstream.id
                )
            )

    async def _describe(
        self, session: AsyncSession, domain: Domain, repository: Repository, *, full: bool = True
    ) -> RepositoryInfo:
        upstreams: tuple[str, ...] = ()
        if full:
            rows = await session.execute(
                select(Repository.name)
                .join(RepositoryUpstream, RepositoryUpstream.upstream_id == Repository.id)
                .where(RepositoryUpstream.repository_id == repository.id)
                .order_by(RepositoryUpstream.position)
            )
            upstreams = tuple(rows.scalars())
        return RepositoryInfo(
            name=repository.name,
            domain_name=domain.name,
            domain_owner=domain.owner_id,
            administrator_account=repository.administrator_account,
            arn=repository_arn(self._region, domain.owner_id, domain.name, repository.name),
            description=repository.description,
            created_time=repository.created_at,
            upstreams=upstreams,
            external_connections=(
                (repository.external_connection,) if repository.external_connection else ()
            ),
        )


def _exists(domain_name: str, name: str) -> Conflict:
    return Conflict(
        f"Repository '{name}' already exists in domain '{domain_name}'",
        ResourceType.REPOSITORY,
        name,
    )
