"""Reading packages, versions and assets (shared by the data plane and the control plane)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from coffer.domain.packages import (
    AssetInfo,
    Dependency,
    OriginRestrictions,
    PackageFormat,
    PackageInfo,
    PackageKey,
    VersionInfo,
    VersionMetadata,
    VersionStatus,
)
from coffer.storage.db import Asset, Package, PackageVersion

__all__ = [
    "asset_info",
    "assets_of",
    "bump_generation",
    "find_package",
    "package_info",
    "version_info",
    "versions_of",
]


async def find_package(
    session: AsyncSession, repository_id: int, key: PackageKey
) -> Package | None:
    result = await session.execute(
        select(Package).where(
            Package.repository_id == repository_id,
            Package.format == key.format.value,
            Package.namespace == key.namespace,
            Package.name == key.name,
        )
    )
    return result.scalar_one_or_none()


async def bump_generation(session: AsyncSession, package: Package) -> int:
    """Move ``package``'s generation on by one in the database, atomically.

    ``generation = generation + 1`` in SQL, so concurrent writers on many processes never lose an
    increment (a read-modify-write in Python would). The in-memory value is set to what the
    database returned, without marking the object dirty.
    """
    if package.id is None:
        await session.flush()
    statement = (
        update(Package)
        .where(Package.id == package.id)
        .values(generation=Package.generation + 1)
        .returning(Package.generation)
        .execution_options(synchronize_session=False)
    )
    generation: int = (await session.execute(statement)).scalar_one()
    set_committed_value(package, "generation", generation)
    return generation


def package_key(package: Package) -> PackageKey:
    return PackageKey(PackageFormat(package.format), package.namespace, package.name)


def package_info(package: Package) -> PackageInfo:
    return PackageInfo(
        key=package_key(package),
        display_name=package.display_name,
        origin=OriginRestrictions(package.origin_publish, package.origin_upstream),
        generation=package.generation,
    )


def asset_info(asset: Asset) -> AssetInfo:
    return AssetInfo(
        name=asset.name,
        size=asset.size,
        sha256=asset.sha256,
        md5=asset.md5,
        sha1=asset.sha1,
        sha512=asset.sha512,
        blake2b_256=asset.blake2b_256,
        created_at=asset.created_at,
        metadata_sha256=asset.metadata_sha256,
    )


async def versions_of(
    session: AsyncSession, package: Package, statuses: Sequence[VersionStatus] | None = None
) -> list[PackageVersion]:
    query = select(PackageVersion).where(PackageVersion.package_id == package.id)
    if statuses is not None:
        query = query.where(PackageVersion.status.in_([s.value for s in statuses]))
    return list((await session.execute(query.order_by(PackageVersion.id))).scalars())


async def assets_of(session: AsyncSession, version_ids: Sequence[int]) -> dict[int, list[Asset]]:
    """Assets of many versions in one query, by version id, in name order."""
    grouped: dict[int, list[Asset]] = {version_id: [] for version_id in version_ids}
    if not version_ids:
        return grouped
    rows = await session.execute(
        select(Asset).where(Asset.version_id.in_(list(version_ids))).order_by(Asset.name)
    )
    for asset in rows.scalars():
        grouped[asset.version_id].append(asset)
    return grouped


def version_metadata(version: PackageVersion) -> VersionMetadata:
    licenses = json.loads(version.licenses or "[]")
    dependencies = json.loads(version.dependencies or "[]")
    return VersionMetadata(
        summary=version.summary,
        home_page=version.home_page,
        source_code_repository=version.source_code_repository,
        licenses=tuple((item["name"], item.get("url")) for item in licenses),
        readme=version.readme,
        readme_content_type=version.readme_content_type,
        requires_python=version.requires_python,
        dependencies=tuple(
            Dependency(
                package=item["package"],
                namespace=item.get("namespace"),
                dependency_type=item.get("dependency_type"),
                version_requirement=item.get("version_requirement"),
            )
            for item in dependencies
        ),
    )


def version_info(
    package: Package,
    version: PackageVersion,
    repository_name: str,
    assets: Sequence[Asset] = (),
) -> VersionInfo:
    return VersionInfo(
        package=package_key(package),
        display_name=package.display_name,
        version=version.version,
        status=VersionStatus(version.status),
        revision=version.revision,
        origin_type=version.origin_type,
        published_at=version.published_at,
        metadata=version_metadata(version),
        repository_name=repository_name,
        assets=tuple(asset_info(asset) for asset in assets),
        origin_repository=version.origin_repository or repository_name,
        origin_external=version.origin_external,
        status_reason=version.status_reason,
    )
