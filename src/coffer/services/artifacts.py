"""What package clients read: project indexes and files, honouring version statuses.

Indexes list Published versions and Unlisted ones (which clients see as yanked, so only pinned
installs pick them); Archived, Disposed and Unfinished versions are neither listed nor served.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, select

from coffer.domain.packages import AssetInfo, PackageFormat, PackageInfo, PackageKey, VersionInfo
from coffer.domain.packages import VersionStatus as S
from coffer.errors import NotFound, ResourceType
from coffer.services.dataplane import RepositoryRef
from coffer.services.queries import (
    asset_info,
    assets_of,
    find_package,
    package_info,
    version_info,
    versions_of,
)
from coffer.storage.db import Asset, Database, Package, PackageVersion

__all__ = ["Artifacts", "ProjectListing"]

VISIBLE = (S.PUBLISHED, S.UNLISTED)


@dataclass(frozen=True)
class ProjectListing:
    package: PackageInfo
    versions: tuple[VersionInfo, ...]


class Artifacts:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def project_names(self, repo: RepositoryRef, fmt: PackageFormat) -> list[str]:
        """Display names of packages with at least one visible version."""
        async with self._db.session() as session:
            rows = await session.execute(
                select(distinct(Package.display_name))
                .join(PackageVersion, PackageVersion.package_id == Package.id)
                .where(
                    Package.repository_id == repo.repository_id,
                    Package.format == fmt.value,
                    PackageVersion.status.in_([s.value for s in VISIBLE]),
                )
                .order_by(Package.display_name)
            )
            return list(rows.scalars())

    async def project(self, repo: RepositoryRef, key: PackageKey) -> ProjectListing:
        """A package's visible versions with their assets; 404 when there are none."""
        async with self._db.session() as session:
            package = await find_package(session, repo.repository_id, key)
            if package is None:
                raise _missing(key)
            versions = await versions_of(session, package, VISIBLE)
            if not versions:
                raise _missing(key)
            assets = await assets_of(session, [v.id for v in versions])
            infos = tuple(version_info(package, v, repo.repository, assets[v.id]) for v in versions)
            return ProjectListing(package_info(package), infos)

    async def asset(
        self, repo: RepositoryRef, key: PackageKey, canonical_version: str, filename: str
    ) -> AssetInfo:
        """A downloadable asset; 404 for missing ones and for versions not downloadable."""
        async with self._db.session() as session:
            package = await find_package(session, repo.repository_id, key)
            if package is None:
                raise _missing(key)
            row = await session.execute(
                select(Asset)
                .join(PackageVersion, PackageVersion.id == Asset.version_id)
                .where(
                    PackageVersion.package_id == package.id,
                    PackageVersion.canonical_version == canonical_version,
                    PackageVersion.status.in_([s.value for s in VISIBLE]),
                    Asset.name == filename,
                )
            )
            asset = row.scalar_one_or_none()
            if asset is None:
                raise NotFound(
                    f"{filename} is not a downloadable file of {key.name} {canonical_version}",
                    ResourceType.ASSET,
                    filename,
                )
            return asset_info(asset)


def _missing(key: PackageKey) -> NotFound:
    return NotFound(f"Package {key.name} not found", ResourceType.PACKAGE, key.name)
