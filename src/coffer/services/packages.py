"""Package and version operations of the control plane (reading side and deletion)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.arns import package_arn
from coffer.domain.model import Page
from coffer.domain.packages import (
    AssetInfo,
    OriginRestrictions,
    PackageFormat,
    PackageInfo,
    PackageKey,
    VersionInfo,
    VersionStatus,
    canonical_name,
    canonical_version,
    version_sort_key,
)
from coffer.errors import Conflict, NotFound, ResourceType
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services import clock
from coffer.services.access import Access
from coffer.services.filters import starts_with
from coffer.services.lookup import authorized_repository
from coffer.services.pagination import decode_key, encode_token
from coffer.services.queries import (
    asset_info,
    assets_of,
    bump_generation,
    find_package,
    package_info,
    version_info,
    versions_of,
)
from coffer.storage.db import Asset, Database, Domain, Package, PackageVersion, Repository

__all__ = ["PackageAddress", "Packages", "VersionListing"]


@dataclass(frozen=True)
class PackageAddress:
    """A package as a control-plane request names it."""

    domain: str
    owner: str | None
    repository: str
    format: PackageFormat
    namespace: str | None
    name: str

    @property
    def key(self) -> PackageKey:
        return PackageKey(self.format, self.namespace or "", canonical_name(self.format, self.name))


@dataclass(frozen=True)
class VersionListing:
    package: PackageInfo
    default_display_version: str | None
    versions: list[VersionInfo]
    next_token: str | None


@dataclass
class Located:
    domain: Domain
    repository: Repository
    package: Package


class Packages:
    def __init__(self, db: Database, access: Access, region: str) -> None:
        self._db = db
        self._access = access
        self._region = region

    async def authorize(
        self, session: AsyncSession, caller: Caller, action: Action, address: PackageAddress
    ) -> Repository:
        """Authorize ``action`` on the package's ARN; the repository must exist."""
        owner = address.owner or caller.principal.account_id
        key = address.key
        resource = package_arn(
            self._region,
            owner,
            address.domain,
            address.repository,
            key.format.value,
            key.namespace,
            key.name,
        )
        _, repository = await authorized_repository(
            session,
            self._access,
            caller,
            action,
            address.domain,
            owner,
            address.repository,
            resource=resource,
        )
        return repository

    async def locate(
        self, session: AsyncSession, caller: Caller, action: Action, address: PackageAddress
    ) -> Located:
        """Authorize ``action`` on the package's ARN, then find the package (404 if absent)."""
        repository = await self.authorize(session, caller, action, address)
        key = address.key
        package = await find_package(session, repository.id, key)
        if package is None:
            raise NotFound(
                f"Package {key.name} ({key.format.value}) not found in repository "
                f"{repository.name}",
                ResourceType.PACKAGE,
                key.name,
            )
        return Located(repository.domain, repository, package)

    async def list_packages(
        self,
        caller: Caller,
        domain: str,
        owner: str | None,
        repository: str,
        *,
        fmt: PackageFormat | None = None,
        namespace: str | None = None,
        prefix: str | None = None,
        publish: str | None = None,
        upstream: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> Page[PackageInfo]:
        after = decode_key(next_token, 3)
        limit = max_results or 100
        async with self._db.session() as session:
            _, repo = await authorized_repository(
                session, self._access, caller, Action.LIST_PACKAGES, domain, owner, repository
            )
            columns = (Package.format, Package.namespace, Package.name)
            query = select(Package).where(Package.repository_id == repo.id).order_by(*columns)
            if fmt is not None:
                query = query.where(Package.format == fmt.value)
            if namespace:
                query = query.where(starts_with(Package.namespace, namespace))
            if prefix:
                name_prefix = canonical_name(fmt, prefix) if fmt else prefix
                query = query.where(starts_with(Package.name, name_prefix))
            if publish:
                query = query.where(Package.origin_publish == publish)
            if upstream:
                query = query.where(Package.origin_upstream == upstream)
            if after is not None:
                query = query.where(tuple_(*columns) > tuple_(*after))
            rows = list((await session.execute(query.limit(limit + 1))).scalars())
        token = None
        if len(rows) > limit:
            last = rows[limit - 1]
            token = encode_token([last.format, last.namespace, last.name])
        return Page([package_info(row) for row in rows[:limit]], token)

    async def describe_package(self, caller: Caller, address: PackageAddress) -> PackageInfo:
        async with self._db.session() as session:
            found = await self.locate(session, caller, Action.DESCRIBE_PACKAGE, address)
            return package_info(found.package)

    async def delete_package(self, caller: Caller, address: PackageAddress) -> PackageInfo:
        """Delete a package with all its versions (their blobs are collected later)."""
        async with self._db.session() as session:
            found = await self.locate(session, caller, Action.DELETE_PACKAGE, address)
            info = package_info(found.package)
            await session.delete(found.package)
            return info

    async def put_origin_configuration(
        self, caller: Caller, address: PackageAddress, restrictions: OriginRestrictions
    ) -> PackageInfo:
        """Set a package's origin controls; an unknown package is created with no versions,
        so a name can be blocked before anyone publishes or ingests it."""
        async with self._db.session() as session:
            repository = await self.authorize(
                session, caller, Action.PUT_PACKAGE_ORIGIN_CONFIGURATION, address
            )
            key = address.key
            package = await find_package(session, repository.id, key)
            if package is None:
                package = Package(
                    repository_id=repository.id,
                    format=key.format.value,
                    namespace=key.namespace,
                    name=key.name,
                    display_name=address.name,
                    generation=1,
                    created_at=clock.now(),
                )
                session.add(package)
            package.origin_publish = restrictions.publish
            package.origin_upstream = restrictions.upstream
            await session.flush()
            await bump_generation(session, package)
            return package_info(package)

    async def list_versions(
        self,
        caller: Caller,
        address: PackageAddress,
        *,
        status: VersionStatus | None = None,
        sort_by: str | None = None,
        origin_type: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> VersionListing:
        after = decode_key(next_token, 1)
        limit = max_results or 100
        async with self._db.session() as session:
            found = await self.locate(session, caller, Action.LIST_PACKAGE_VERSIONS, address)
            rows = await versions_of(session, found.package, [status] if status else None)
        fmt = address.format
        if sort_by == "PUBLISHED_TIME":
            rows.sort(key=lambda v: (v.published_at, v.id))
        else:
            rows.sort(key=lambda v: version_sort_key(fmt, v.version))
        published = [v for v in rows if v.status == VersionStatus.PUBLISHED.value]
        default = max(published, key=lambda v: version_sort_key(fmt, v.version), default=None)
        if origin_type:
            rows = [v for v in rows if v.origin_type == origin_type]
        if after is not None:
            ids = [str(v.id) for v in rows]
            rows = rows[ids.index(after[0]) + 1 :] if after[0] in ids else []
        page, more = rows[:limit], len(rows) > limit
        repo = found.repository.name
        return VersionListing(
            package=package_info(found.package),
            default_display_version=default.version if default else None,
            versions=[version_info(found.package, v, repo) for v in page],
            next_token=encode_token([str(page[-1].id)]) if more else None,
        )

    async def describe_version(
        self, caller: Caller, address: PackageAddress, version: str, action: Action
    ) -> VersionInfo:
        """A version with its assets, authorized as ``action`` (Describe, ListAssets, …)."""
        async with self._db.session() as session:
            found = await self.locate(session, caller, action, address)
            row = await self._version(session, found, version)
            assets = await assets_of(session, [row.id])
            return version_info(found.package, row, found.repository.name, assets[row.id])

    async def asset(
        self,
        caller: Caller,
        address: PackageAddress,
        version: str,
        asset_name: str,
        revision: str | None,
    ) -> tuple[VersionInfo, AssetInfo]:
        async with self._db.session() as session:
            found = await self.locate(session, caller, Action.GET_PACKAGE_VERSION_ASSET, address)
            row = await self._version(session, found, version)
            if revision is not None and revision != row.revision:
                raise NotFound(
                    f"Revision {revision} of {row.version} does not exist",
                    ResourceType.PACKAGE_VERSION,
                    row.version,
                )
            if not VersionStatus(row.status).downloadable:
                raise Conflict(
                    f"Version {row.version} is {row.status}; its assets cannot be downloaded",
                    ResourceType.PACKAGE_VERSION,
                    row.version,
                )
            result = await session.execute(
                select(Asset).where(Asset.version_id == row.id, Asset.name == asset_name)
            )
            asset = result.scalar_one_or_none()
            if asset is None:
                raise NotFound(
                    f"Asset {asset_name} of {row.version} does not exist",
                    ResourceType.ASSET,
                    asset_name,
                )
            return version_info(found.package, row, found.repository.name), asset_info(asset)

    async def _version(self, session: AsyncSession, found: Located, version: str) -> PackageVersion:
        result = await session.execute(
            select(PackageVersion).where(
                PackageVersion.package_id == found.package.id,
                PackageVersion.canonical_version
                == canonical_version(PackageFormat(found.package.format), version),
            )
        )
        row = result.scalar_one_or_none()
        if row is None:
            raise NotFound(
                f"Version {version} of {found.package.name} does not exist",
                ResourceType.PACKAGE_VERSION,
                version,
            )
        return row


async def delete_assets(session: AsyncSession, version_ids: Sequence[int]) -> None:
    if version_ids:
        await session.execute(delete(Asset).where(Asset.version_id.in_(list(version_ids))))
