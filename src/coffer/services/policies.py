"""Resource policies on domains and repositories, with ``policyRevision`` optimistic locking.

The owner of a domain (or the administrator of a repository) is judged by its identity policy
alone when managing that resource's policy, so no policy can lock its owner out.
"""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import domain_arn, repository_arn
from coffer.domain.model import PolicyInfo
from coffer.errors import Conflict, NotFound, ResourceType, ValidationError
from coffer.iam.actions import Action
from coffer.iam.policy import PolicyKind
from coffer.iam.principal import Caller
from coffer.services.access import Access, parse_policy
from coffer.services.lookup import authorized_domain, authorized_repository
from coffer.storage.db import Database, Domain, Repository

__all__ = ["MAX_POLICY_LENGTH", "ResourcePolicies"]

MAX_POLICY_LENGTH = 7168

Holder = Domain | Repository


def _new_revision() -> str:
    """Hex, so a revision never starts with "-": `--policy-revision -abc` is an aws CLI error."""
    return secrets.token_hex(16)


class ResourcePolicies:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    async def put_domain(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        document: str,
        revision: str | None,
    ) -> PolicyInfo:
        async with self._db.session() as session:
            domain = await self._domain(
                session, caller, Action.PUT_DOMAIN_PERMISSIONS_POLICY, domain_name, owner
            )
            _validate(document)
            return _put(domain, self._domain_arn(domain), document, revision)

    async def get_domain(self, caller: Caller, domain_name: str, owner: str | None) -> PolicyInfo:
        async with self._db.session() as session:
            domain = await self._domain(
                session, caller, Action.GET_DOMAIN_PERMISSIONS_POLICY, domain_name, owner
            )
            return _current(domain, self._domain_arn(domain))

    async def delete_domain(
        self, caller: Caller, domain_name: str, owner: str | None, revision: str | None
    ) -> PolicyInfo:
        async with self._db.session() as session:
            domain = await self._domain(
                session, caller, Action.DELETE_DOMAIN_PERMISSIONS_POLICY, domain_name, owner
            )
            return _delete(domain, self._domain_arn(domain), revision)

    async def put_repository(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        name: str,
        document: str,
        revision: str | None,
    ) -> PolicyInfo:
        async with self._db.session() as session:
            domain, repository = await self._repository(
                session, caller, Action.PUT_REPOSITORY_PERMISSIONS_POLICY, domain_name, owner, name
            )
            _validate(document)
            return _put(repository, self._repository_arn(domain, repository), document, revision)

    async def get_repository(
        self, caller: Caller, domain_name: str, owner: str | None, name: str
    ) -> PolicyInfo:
        async with self._db.session() as session:
            domain, repository = await self._repository(
                session, caller, Action.GET_REPOSITORY_PERMISSIONS_POLICY, domain_name, owner, name
            )
            return _current(repository, self._repository_arn(domain, repository))

    async def delete_repository(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        name: str,
        revision: str | None,
    ) -> PolicyInfo:
        async with self._db.session() as session:
            domain, repository = await self._repository(
                session,
                caller,
                Action.DELETE_REPOSITORY_PERMISSIONS_POLICY,
                domain_name,
                owner,
                name,
            )
            return _delete(repository, self._repository_arn(domain, repository), revision)

    async def _domain(
        self, session: AsyncSession, caller: Caller, action: Action, name: str, owner: str | None
    ) -> Domain:
        owner = owner or caller.principal.account_id
        is_owner = caller.principal.account_id == owner
        return await authorized_domain(
            session, self._access, caller, action, name, owner, resource_policies=not is_owner
        )

    async def _repository(
        self,
        session: AsyncSession,
        caller: Caller,
        action: Action,
        domain_name: str,
        owner: str | None,
        name: str,
    ) -> tuple[Domain, Repository]:
        owner = owner or caller.principal.account_id
        is_owner = caller.principal.account_id == owner
        return await authorized_repository(
            session,
            self._access,
            caller,
            action,
            domain_name,
            owner,
            name,
            resource_policies=not is_owner,
        )

    def _domain_arn(self, domain: Domain) -> str:
        return domain_arn(self._region, domain.owner_id, domain.name)

    def _repository_arn(self, domain: Domain, repository: Repository) -> str:
        return repository_arn(self._region, domain.owner_id, domain.name, repository.name)


def _validate(document: str) -> None:
    if len(document) > MAX_POLICY_LENGTH:
        raise ValidationError(f"The policy document exceeds {MAX_POLICY_LENGTH} characters")
    parse_policy(document, PolicyKind.RESOURCE)


def _check_revision(holder: Holder, arn: str, revision: str | None) -> None:
    if revision is not None and revision != holder.policy_revision:
        raise Conflict(
            f"The policy revision {revision!r} does not match the current revision of the "
            f"policy on {arn}",
            _resource_type(holder),
            holder.name,
        )


def _put(holder: Holder, arn: str, document: str, revision: str | None) -> PolicyInfo:
    _check_revision(holder, arn, revision)
    holder.policy_document = document
    holder.policy_revision = _new_revision()
    return PolicyInfo(arn, document, holder.policy_revision)


def _current(holder: Holder, arn: str) -> PolicyInfo:
    if holder.policy_document is None or holder.policy_revision is None:
        raise NotFound(f"No permissions policy is set on {arn}", _resource_type(holder), arn)
    return PolicyInfo(arn, holder.policy_document, holder.policy_revision)


def _delete(holder: Holder, arn: str, revision: str | None) -> PolicyInfo:
    policy = _current(holder, arn)
    _check_revision(holder, arn, revision)
    holder.policy_document = None
    holder.policy_revision = None
    return policy


def _resource_type(holder: Holder) -> ResourceType:
    return ResourceType.DOMAIN if isinstance(holder, Domain) else ResourceType.REPOSITORY
