"""What package clients read: project indexes and files, honouring version statuses.

Indexes list Published versions and Unlisted ones (which clients see as yanked, so only pinned
installs pick them); Archived, Disposed and Unfinished versions are neither listed nor served.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from coffer.domain.packages import PackageFormat, PackageInfo, VersionInfo
from coffer.domain.packages import VersionStatus as S
from coffer.services.dataplane import RepositoryRef
from coffer.storage.db import Database, Package, PackageVersion

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
                select(Package.display_name)
                .distinct()
                .join(PackageVersion, PackageVersion.package_id == Package.id)
                .where(
                    Package.repository_id == repo.repository_id,
                    Package.format == fmt.value,
                    PackageVersion.status.in_([s.value for s in VISIBLE]),
                )
                .order_by(Package.display_name)
            )
            return list(rows.scalars())
