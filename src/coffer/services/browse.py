"""Read helpers the web console needs beyond the control-plane operations.

* :meth:`Browse.search` finds packages by name across the repositories of a domain that the
  caller may list packages of (``ListRepositoriesInDomain`` on the domain, then
  ``ListPackages`` on each repository, exactly as the control plane authorizes them).
* :meth:`Browse.permitted` tells which of some actions the caller may take on a repository or a
  package, so pages offer only the controls that would work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, tuple_

from coffer.domain.arns import package_arn
from coffer.domain.model import Page
from coffer.domain.packages import PackageFormat, PackageInfo, PackageKey, canonical_name
from coffer.errors import AccessDenied, NotFound
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.access import Access
from coffer.services.lookup import authorized_domain, authorized_repository
from coffer.services.pagination import decode_key, encode_token
from coffer.services.queries import package_info
from coffer.storage.db import Database, Package, Repository

__all__ = ["Browse", "Found"]

MAX_SEARCH_RESULTS = 100


@dataclass(frozen=True)
class Found:
    """A package a search found, and the repository it is in."""

    repository: str
    package: PackageInfo


class Browse:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    async def search(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        text: str,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[Found]:
        """Packages whose name contains ``text`` (PyPI-normalised as well as verbatim), in
        (name, repository) order; only from repositories the caller may list packages of."""
        after = decode_key(next_token, 2)
        limit = min(max_results or 50, MAX_SEARCH_RESULTS)
        async with self._db.session() as session:
            domain = await authorized_domain(
                session,
                self._access,
                caller,
                Action.LIST_REPOSITORIES_IN_DOMAIN,
                domain_name,
                owner,
            )
            rows = await session.execute(
                select(Repository).where(Repository.domain_id == domain.id)
            )
            readable: dict[int, str] = {}
            for repository in rows.scalars():
                try:
                    await authorized_repository(
                        session,
                        self._access,
                        caller,
                        Action.LIST_PACKAGES,
                        domain.name,
                        domain.owner_id,
                        repository.name,
                    )
                except AccessDenied:
                    continue
                readable[repository.id] = repository.name
            if not readable or not text:
                return Page([], None)
            patterns = {text, canonical_name(PackageFormat.PYPI, text)}
            query = (
                select(Package, Repository.name)
                .join(Repository, Repository.id == Package.repository_id)
                .where(Package.repository_id.in_(list(readable)))
                .where(or_(*(Package.name.contains(p, autoescape=True) for p in patterns)))
                .order_by(Package.name, Repository.name)
            )
            if after is not None:
                query = query.where(tuple_(Package.name, Repository.name) > tuple_(*after))
            result = await session.execute(query.limit(limit + 1))
            found = [(package, name) for package, name in result]
        items = [Found(name, package_info(package)) for package, name in found[:limit]]
        token = None
        if len(found) > limit:
            package, name = found[limit - 1]
            token = encode_token([package.name, name])
        return Page(items, token)

    async def permitted(
        self,
        caller: Caller,
        domain_name: str,
        owner: str | None,
        repository: str,
        actions: Iterable[Action],
        package: PackageKey | None = None,
    ) -> frozenset[Action]:
        """The ``actions`` the caller may take on the repository (or ``package`` in it).

        Only the policies decide: an action on a repository that does not exist (e.g.
        ``CreateRepository`` asked about a name not taken yet) counts as permitted."""
        owner = owner or caller.principal.account_id
        resource = None
        if package is not None:
            resource = package_arn(
                self._region,
                owner,
                domain_name,
                repository,
                package.format.value,
                package.namespace,
                package.name,
            )
        allowed = set()
        async with self._db.session() as session:
            for action in actions:
                try:
                    await authorized_repository(
                        session,
                        self._access,
                        caller,
                        action,
                        domain_name,
                        owner,
                        repository,
                        resource=resource,
                    )
                except AccessDenied:
                    continue
                except NotFound:
                    pass
                allowed.add(action)
        return frozenset(allowed)
