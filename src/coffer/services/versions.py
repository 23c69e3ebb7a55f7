"""Batch version operations: status changes, dispose, delete, copy between repositories.

Each answers CodeArtifact's ``successfulVersions`` / ``failedVersions`` maps. Status updates are
all-or-nothing, as CodeArtifact documents: if any version fails, the rest are ``SKIPPED``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.packages import PackageFormat, VersionStatus, canonical_version
from coffer.errors import ValidationError
from coffer.iam.actions import Action
from coffer.iam.principal import Caller
from coffer.services.packages import Located, PackageAddress, Packages, delete_assets
from coffer.services.queries import bump_generation, find_package, package_key
from coffer.services.records import copy_version, new_revision, package_like
from coffer.storage.db import Database, Package, PackageVersion

__all__ = ["BatchResult", "Versions"]

MAX_BATCH = 100


@dataclass
class BatchResult:
    successful: dict[str, tuple[str, VersionStatus]] = field(default_factory=dict)
    failed: dict[str, tuple[str, str]] = field(default_factory=dict)

    def fail(self, version: str, code: str, message: str) -> None:
        self.failed[version] = (code, message)


@dataclass(frozen=True)
class Selection:
    """Which versions a batch names, and the checks each must pass."""

    versions: Sequence[str]
    revisions: Mapping[str, str] = field(default_factory=dict)
    expected_status: VersionStatus | None = None

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.versions, *self.revisions]))


class Versions:
    def __init__(self, db: Database, packages: Packages) -> None:
        self._db = db
        self._packages = packages

    async def update_status(
        self, caller: Caller, address: PackageAddress, selection: Selection, target: VersionStatus
    ) -> BatchResult:
        if target not in (VersionStatus.ARCHIVED, VersionStatus.PUBLISHED, VersionStatus.UNLISTED):
            raise ValidationError(
                f"targetStatus must be Archived, Published or Unlisted, not {target.value}"
            )
        async with self._db.session() as session:
            found = await self._packages.locate(
                session, caller, Action.UPDATE_PACKAGE_VERSIONS_STATUS, address
            )
            result, rows = await _select(session, found, selection)
            for name, row in rows.items():
                if row.status == VersionStatus.DISPOSED.value:
                    result.fail(name, "NOT_ALLOWED", "A Disposed version's status cannot change")
            if result.failed:
                for name in rows:
                    result.failed.setdefault(name, ("SKIPPED", "Skipped: another version failed"))
                return result
            changed = False
            for name, row in rows.items():
                changed |= _set_status(row, target)
                result.successful[name] = (row.revision, target)
            if changed:
                await bump_generation(session, found.package)
            return result

    async def dispose(
        self, caller: Caller, address: PackageAddress, selection: Selection
    ) -> BatchResult:
        """Mark versions Disposed and delete their assets (blobs are collected later)."""
        async with self._db.session() as session:
            found = await self._packages.locate(
                session, caller, Action.DISPOSE_PACKAGE_VERSIONS, address
            )
            result, rows = await _select(session, found, selection)
            await delete_assets(session, [row.id for row in rows.values()])
            for name, row in rows.items():
                _set_status(row, VersionStatus.DISPOSED)
                result.successful[name] = (row.revision, VersionStatus.DISPOSED)
            if rows:
                await bump_generation(session, found.package)
            return result

    async def delete(
        self, caller: Caller, address: PackageAddress, selection: Selection
    ) -> BatchResult:
        """Delete versions for good; a deleted version may be published again."""
        async with self._db.session() as session:
            found = await self._packages.locate(
                session, caller, Action.DELETE_PACKAGE_VERSIONS, address
            )
            result, rows = await _select(session, found, selection)
            for name, row in rows.items():
                result.successful[name] = (row.revision, VersionStatus.DELETED)
                await session.delete(row)
            if rows:
                await bump_generation(session, found.package)
            return result

    async def copy(
        self,
        caller: Caller,
        source: PackageAddress,
        destination_repository: str,
        selection: Selection,
        *,
        allow_overwrite: bool = False,
    ) -> BatchResult:
        """Copy versions (records; blobs are shared) into another repository of the domain."""
        if bool(selection.versions) == bool(selection.revisions):
            raise ValidationError("Specify exactly one of versions and versionRevisions")
        destination = PackageAddress(
            source.domain,
            source.owner,
            destination_repository,
            source.format,
            source.namespace,
            source.name,
        )
        async with self._db.session() as session:
            found = await self._packages.locate(
                session, caller, Action.READ_FROM_REPOSITORY, source
            )
            target_repo = await self._packages.authorize(
                session, caller, Action.COPY_PACKAGE_VERSIONS, destination
            )
            result, rows = await _select(session, found, selection)
            target = await _target_package(session, found.package, target_repo.id)
            for name, row in rows.items():
                copied = await _copy_version(session, row, target, allow_overwrite)
                if copied is None:
                    result.fail(name, "ALREADY_EXISTS", f"{name} exists in the destination")
                else:
                    result.successful[name] = (copied.revision, VersionStatus(copied.status))
            return result


async def _select(
    session: AsyncSession, found: Located, selection: Selection
) -> tuple[BatchResult, dict[str, PackageVersion]]:
    """The named versions that pass the batch's checks; the others go to ``failed``."""
    names = selection.names
    if not names:
        raise ValidationError("Name at least one version")
    if len(names) > MAX_BATCH:
        raise ValidationError(f"At most {MAX_BATCH} versions can be named in one call")
    fmt = found.package.format
    rows = await session.execute(
        select(PackageVersion).where(PackageVersion.package_id == found.package.id)
    )
    by_version = {row.canonical_version: row for row in rows.scalars()}
    result, chosen = BatchResult(), {}
    for name in names:
        row = by_version.get(canonical_version(PackageFormat(fmt), name))
        expected_revision = selection.revisions.get(name)
        if row is None:
            result.fail(name, "NOT_FOUND", f"Version {name} does not exist")
        elif expected_revision is not None and expected_revision != row.revision:
            result.fail(name, "MISMATCHED_REVISION", f"Version {name} has another revision")
        elif selection.expected_status and row.status != selection.expected_status.value:
            result.fail(name, "MISMATCHED_STATUS", f"Version {name} is {row.status}")
        else:
            chosen[name] = row
    return result, chosen


def _set_status(row: PackageVersion, status: VersionStatus) -> bool:
    """Set the status; True when it changed (the caller then moves the generation)."""
    if row.status == status.value:
        return False
    row.status = status.value
    row.status_reason = None  # a reason given upstream no longer explains the status
    row.revision = new_revision()
    return True


async def _target_package(session: AsyncSession, source: Package, repository_id: int) -> Package:
    target = await find_package(session, repository_id, package_key(source))
    if target is None:
        target = package_like(source, repository_id)
        session.add(target)
        await session.flush()
    return target


async def _copy_version(
    session: AsyncSession, row: PackageVersion, target: Package, allow_overwrite: bool
) -> PackageVersion | None:
    existing = await session.execute(
        select(PackageVersion).where(
            PackageVersion.package_id == target.id,
            PackageVersion.canonical_version == row.canonical_version,
        )
    )
    old = existing.scalar_one_or_none()
    if old is not None:
        if not allow_overwrite:
            return None
        await session.delete(old)
        await session.flush()
    return await copy_version(session, row, target)
