"""Who a data-plane request acts as, and which repository it addresses.

Package clients present a token from GetAuthorizationToken (HTTP Basic password or Bearer).
The token must be genuine, unexpired and issued for the endpoint's domain; the principal behind it
is then authorized with its *current* policies, under the domain's and repository's policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from coffer.domain.arns import package_arn
from coffer.domain.packages import PackageKey
from coffer.errors import AccessDenied, InvalidToken
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.lookup import authorized_repository
from coffer.services.tokens import Tokens
from coffer.storage.db import Database

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


class DataPlane:
    def __init__(self, db: Database, access: Access, tokens: Tokens) -> None:
        self._db = db
        self._access = access
        self._tokens = tokens

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
        async with self._db.session() as session:
            found_domain, found_repository = await authorized_repository(
                session,
                self._access,
                caller,
                action,
                domain,
                owner,
                repository,
                resource=resource,
            )
        return RepositoryRef(
            domain_id=found_domain.id,
            domain=domain,
            owner=owner,
            repository_id=found_repository.id,
            repository=repository,
            caller=caller,
        )
