"""Loading the resources operations act on, with CodeArtifact's not-found errors."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import domain_arn, repository_arn
from coffer.errors import NotFound, ResourceType
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.storage.db import Domain, Repository

__all__ = [
    "authorized_domain",
    "authorized_repository",
    "find_domain",
    "find_repository",
    "require_domain",
    "require_repository",
]


async def find_domain(session: AsyncSession, owner: str, name: str) -> Domain | None:
    result = await session.execute(
        select(Domain).where(Domain.owner_id == owner, Domain.name == name)
    )
    return result.scalar_one_or_none()


def require_domain(domain: Domain | None, owner: str, name: str) -> Domain:
    if domain is None:
        raise NotFound(
            f"Domain '{name}' owned by account '{owner}' does not exist",
            ResourceType.DOMAIN,
            name,
        )
    return domain


async def find_repository(session: AsyncSession, domain: Domain, name: str) -> Repository | None:
    result = await session.execute(
        select(Repository).where(Repository.domain_id == domain.id, Repository.name == name)
    )
    return result.scalar_one_or_none()


def require_repository(repository: Repository | None, domain: Domain, name: str) -> Repository:
    if repository is None:
        raise NotFound(
            f"Repository '{name}' in domain '{domain.name}' owned by account "
            f"'{domain.owner_id}' does not exist",
            ResourceType.REPOSITORY,
            name,
        )
    return repository


async def authorized_domain(
    session: AsyncSession,
    access: Access,
    caller: Caller,
    action: Action,
    name: str,
    owner: str | None,
    *,
    resource_policies: bool = True,
    keys: Mapping[str, ConditionValue] | None = None,
) -> Domain:
    """Authorize ``action`` on a domain (its policy included), then require it to exist.

    Authorizing first means a caller who may not act on a domain cannot learn whether it exists.
    """
    owner = owner or caller.principal.account_id
    domain = await find_domain(session, owner, name)
    policies = [domain.policy_document] if domain is not None and resource_policies else []
    await access.authorize(
        session,
        caller,
        action,
        domain_arn(access.region, owner, name),
        resource_account=owner,
        resource_policies=policies,
        keys=keys,
    )
    return require_domain(domain, owner, name)


async def authorized_repository(
    session: AsyncSession,
    access: Access,
    caller: Caller,
    action: Action,
    domain_name: str,
    owner: str | None,
    name: str,
    *,
    resource: str | None = None,
    resource_policies: bool = True,
    keys: Mapping[str, ConditionValue] | None = None,
) -> tuple[Domain, Repository]:
    """Authorize ``action`` on a repository (or ``resource`` inside it) under the domain's and
    the repository's policies: the domain policy applies to every resource in the domain."""
    owner = owner or caller.principal.account_id
    domain = await find_domain(session, owner, domain_name)
    repository = None if domain is None else await find_repository(session, domain, name)
    policies = []
    if resource_policies:
        policies = [
            domain.policy_document if domain else None,
            repository.policy_document if repository else None,
        ]
    await access.authorize(
        session,
        caller,
        action,
        resource or repository_arn(access.region, owner, domain_name, name),
        resource_account=owner,
        resource_policies=policies,
        keys=keys,
    )
    domain = require_domain(domain, owner, domain_name)
    return domain, require_repository(repository, domain, name)
