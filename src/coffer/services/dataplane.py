"""Who a data-plane request acts as, and which repository it addresses.

Package clients present a token from GetAuthorizationToken (HTTP Basic password or Bearer).
The token must be genuine, unexpired and issued for the endpoint's domain; the principal behind it
is then authorized with its *current* policies, under the domain's and repository's policies.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from coffer.domain.arns import package_arn, repository_arn
from coffer.domain.packages import PackageKey
from coffer.errors import AccessDenied, InvalidToken
from coffer.iam.actions import Action
from coffer.iam.policy import ConditionValue
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.hotpath import ChangeCounters, Stamp, StampedCache
from coffer.services.lookup import find_domain, find_repository, require_domain, require_repository
from coffer.services.tokens import Tokens
from coffer.storage.db import Database, Domain, Repository

__all__ = ["DataPlane", "RepositoryRef"]


@dataclass(frozen=True)
class RepositoryRef:
    """A repository a data-plane request was authorized on."""

    domain_id: int
    domain: str
    owner: str
    repository_id: int
    repository: str
    caller: Caller


@dataclass(frozen=True)
class _Target:
    """What authorizing an action on one resource of a repository reads from the database."""

    domain: Domain | None
    repository: Repository | None
    identity_policies: list[str]
    tag_keys: dict[str, ConditionValue]


class DataPlane:
    """Authentication and authorization for package clients, off the database in steady state:
    principals, policies, repositories and tags are cached per process under the ``config``
    change counter, read once per request (see :mod:`coffer.services.hotpath`)."""

    def __init__(
        self,
        db: Database,
        access: Access,
        tokens: Tokens,
        counters: ChangeCounters | None = None,
    ) -> None:
        self._db = db
        self._access = access
        self._tokens = tokens
        self.counters = counters or ChangeCounters(db)
        self._targets: StampedCache[tuple[str, str, str, str, str], _Target] = StampedCache()
        self.pages: StampedCache[Hashable, Any] = StampedCache(size=8192)
        """Rendered responses the formats keep under :meth:`stamp` (opaque here)."""

    async def stamp(self) -> Stamp:
        """The change counters this request runs under."""
        return await self.counters.current()

    async def authenticate(
        self, token: str | None, domain: str, owner: str, *, source_ip: str | None = None
    ) -> Caller:
        """The caller behind ``token``, which must have been issued for this domain."""
        if not token:
            raise InvalidToken("Authentication is required")
        principal, claims = await self._tokens.verify(token)
        if (claims.domain, claims.domain_owner) != (domain, owner):
            raise AccessDenied(
                f"This token was issued for domain '{claims.domain}' owned by "
                f"'{claims.domain_owner}', not for domain '{domain}' owned by '{owner}'"
            )
        return Caller(principal, source_ip=source_ip)

    async def authorize(
        self,
        caller: Caller,
        domain: str,
        owner: str,
        repository: str,
        action: Action,
        *,
        package: PackageKey | None = None,
    ) -> RepositoryRef:
        """Authorize ``action`` on the repository (or on ``package`` inside it)."""
        resource = None
        if package is not None:
            resource = package_arn(
                self._access.region,
                owner,
                domain,
                repository,
                package.format.value,
                package.namespace,
                package.name,
            )
        resource = resource or repository_arn(self._access.region, owner, domain, repository)
        stamp = (await self.counters.current()).config
        key = (caller.principal.user_id, owner, domain, repository, resource)
        target = self._targets.get(key, stamp)
        if target is None:
            target = await self._load_target(caller, owner, domain, repository, resource)
            self._targets.put(key, stamp, target)
        self._access.decide(
            caller,
            action,
            resource,
            resource_account=owner,
            identity_policies=target.identity_policies,
            resource_policies=[
                target.domain.policy_document if target.domain else None,
                target.repository.policy_document if target.repository else None,
            ],
            tag_keys=target.tag_keys,
        )
        found_domain = require_domain(target.domain, owner, domain)
        found_repository = require_repository(target.repository, found_domain, repository)
        return RepositoryRef(
            domain_id=found_domain.id,
            domain=domain,
            owner=owner,
            repository_id=found_repository.id,
            repository=repository,
            caller=caller,
        )

    async def _load_target(
        self, caller: Caller, owner: str, domain: str, repository: str, resource: str
    ) -> _Target:
        async with self._db.session() as session:
            found_domain = await find_domain(session, owner, domain)
            found_repository = (
                None
                if found_domain is None
                else await find_repository(session, found_domain, repository)
            )
            return _Target(
                found_domain,
                found_repository,
                await self._access.identity_policies(session, caller.principal.user_id),
                await self._access.tag_keys(session, resource),
            )
