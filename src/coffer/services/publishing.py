"""Publishing an asset: blob first, database second, uniqueness enforced by constraints.

``publish_asset`` is named after its conflict rule: it creates the package and version if needed
and *adds* the asset to an existing version; an asset of the same name with the same bytes is
an idempotent success, with other bytes a :class:`~coffer.errors.Conflict` ("already exists").

Every refusal that can be decided before storing (conflicts, statuses, origin controls) is
decided before a blob is written, so a refused upload leaves the store as it was. A blob is
never deleted on a failure path: another upload of the same bytes may have found it and be
about to commit a reference to it (DESIGN.md's "delete it if this call created it" races with
deduplication). The rare orphan a lost race leaves is for ``coffer fsck --repair``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Mapping
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.packages import AssetInfo, PackageKey, VersionMetadata, VersionStatus
from coffer.errors import AccessDenied, Conflict, QuotaExceeded, ResourceType, ValidationError
from coffer.services import clock
from coffer.services.dataplane import RepositoryRef
from coffer.services.package_groups import effective_restrictions
from coffer.services.queries import asset_info, bump_generation, find_package
from coffer.services.records import new_revision
from coffer.services.resolution import Resolver
from coffer.storage.blobs import BlobDigestMismatch, BlobInfo, BlobStore, BlobTooLarge
from coffer.storage.db import Asset, Database, Package, PackageVersion

__all__ = ["AssetUpload", "Publishing"]


@dataclass(frozen=True)
class AssetUpload:
    """One file to add to a version, with the version's display name and metadata."""

    key: PackageKey
    display_name: str
    version: str
    canonical_version: str
    filename: str
    content: AsyncIterable[bytes]
    metadata: VersionMetadata = field(default_factory=VersionMetadata)
    core_metadata: bytes | None = None  # PEP 658 file served beside the asset
    status: VersionStatus = VersionStatus.PUBLISHED
    expected_sha256: str | None = None  # checked while storing; also lets conflicts be
    # decided before anything is stored
    # Generic versions are sealed once Published; PyPI versions take more files (wheels, sdist).
    sealed_when_published: bool = False


class Publishing:
    def __init__(
        self, db: Database, blobs: BlobStore, resolver: Resolver, max_asset_size: int
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._resolver = resolver
        self._max_size = max_asset_size

    async def publish_asset(self, repo: RepositoryRef, upload: AssetUpload) -> AssetInfo:
        """Add ``upload`` to its version (creating package and version as needed)."""
        async with self._db.session() as session:
            existing = await _check_publishable(session, repo, upload)
            if existing is not None:
                return existing  # the same file again: nothing to store
            await self._check_not_upstream(session, repo, upload)
        blob = await self._store(upload)
        metadata_blob = None
        if upload.core_metadata is not None:
            metadata_blob = await self._blobs.put_bytes(upload.core_metadata)
        return await self._record(repo, upload, blob, metadata_blob)

    async def _check_not_upstream(
        self, session: AsyncSession, repo: RepositoryRef, upload: AssetUpload
    ) -> None:
        """With both origin controls ALLOW, a version that upstreams already have is theirs."""
        package = await find_package(session, repo.repository_id, upload.key)
        if package is None or package.origin_upstream != "ALLOW":
            return
        holder = await self._resolver.exists_upstream(
            session, repo, upload.key, upload.canonical_version
        )
        if holder is not None:
            raise Conflict(
                f"{upload.key.name} {upload.version} already exists in upstream repository "
                f"{holder}; it cannot be published here",
                ResourceType.PACKAGE_VERSION,
                upload.version,
            )

    async def _store(self, upload: AssetUpload) -> BlobInfo:
        try:
            blob = await self._blobs.put_stream(
                upload.content, max_size=self._max_size, expected_sha256=upload.expected_sha256
            )
        except BlobTooLarge:
            raise QuotaExceeded(
                f"The asset is larger than this server's limit of {self._max_size} bytes",
                ResourceType.ASSET,
                upload.filename,
            ) from None
        except BlobDigestMismatch:
            raise ValidationError(
                f"The SHA-256 of {upload.filename} does not match the one the request declared"
            ) from None
        return blob

    async def _record(
        self,
        repo: RepositoryRef,
        upload: AssetUpload,
        blob: BlobInfo,
        metadata_blob: BlobInfo | None,
    ) -> AssetInfo:
        for _attempt in range(3):  # a concurrent publisher may create the same rows first
            try:
                async with self._db.session() as session:
                    return await _insert(session, repo, upload, blob, metadata_blob)
            except IntegrityError:
                continue
        raise Conflict(
            f"File {upload.filename} is being published concurrently; retry",
            ResourceType.ASSET,
            upload.filename,
        )


async def _check_publishable(
    session: AsyncSession, repo: RepositoryRef, upload: AssetUpload
) -> AssetInfo | None:
    """Refuse early (before writing any blob) what the insert would refuse anyway; the
    existing asset when the same file (by sha256) is published again."""
    group = await effective_restrictions(session, repo.domain_id, repo.repository, upload.key)
    if not group.publish:
        raise AccessDenied(
            f"Publishing {upload.key.name} to repository {repo.repository} is blocked by the "
            f"origin controls of package group {group.group}"
        )
    package = await find_package(session, repo.repository_id, upload.key)
    if package is None:
        return None
    if package.origin_publish == "BLOCK":
        raise AccessDenied(
            f"Publishing {upload.key.name} to repository {repo.repository} is blocked by the "
            "package's origin controls (publish: BLOCK)"
        )
    version = await _find_version(session, package, upload.canonical_version)
    if version is None:
        return None
    result = await session.execute(
        select(Asset).where(Asset.version_id == version.id, Asset.name == upload.filename)
    )
    asset = result.scalar_one_or_none()
    _check_version_accepts_assets(version, upload, new_asset=asset is None)
    if asset is None or upload.expected_sha256 is None:
        return None
    if asset.sha256 != upload.expected_sha256:
        raise _already_exists(upload)
    return asset_info(asset)


def _already_exists(upload: AssetUpload) -> Conflict:
    return Conflict(
        f"File already exists: {upload.filename} was published before with different "
        "content; versions are immutable, publish a new version instead",
        ResourceType.ASSET,
        upload.filename,
    )


def _check_version_accepts_assets(
    version: PackageVersion, upload: AssetUpload, *, new_asset: bool
) -> None:
    status = VersionStatus(version.status)
    sealed = new_asset and upload.sealed_when_published and status is not VersionStatus.UNFINISHED
    if status in (VersionStatus.ARCHIVED, VersionStatus.DISPOSED) or sealed:
        raise Conflict(
            f"Version {version.version} of {upload.key.name} is {status.value} and cannot take "
            "new files",
            ResourceType.PACKAGE_VERSION,
            version.version,
        )


async def _find_version(
    session: AsyncSession, package: Package, canonical_version: str
) -> PackageVersion | None:
    result = await session.execute(
        select(PackageVersion).where(
            PackageVersion.package_id == package.id,
            PackageVersion.canonical_version == canonical_version,
        )
    )
    return result.scalar_one_or_none()


async def _insert(
    session: AsyncSession,
    repo: RepositoryRef,
    upload: AssetUpload,
    blob: BlobInfo,
    metadata_blob: BlobInfo | None,
) -> AssetInfo:
    now = clock.now()
    package = await find_package(session, repo.repository_id, upload.key)
    if package is None:
        package = Package(
            repository_id=repo.repository_id,
            format=upload.key.format.value,
            namespace=upload.key.namespace,
            name=upload.key.name,
            display_name=upload.display_name,
            origin_publish="ALLOW",
            origin_upstream="BLOCK",
            generation=1,
            created_at=now,
        )
        session.add(package)
        await session.flush()
    version = await _find_version(session, package, upload.canonical_version)
    created_now = version is None
    if version is None:
        version = _new_version(package, upload, now, repo.repository)
        session.add(version)
        await session.flush()
    existing = await session.execute(
        select(Asset).where(Asset.version_id == version.id, Asset.name == upload.filename)
    )
    asset = existing.scalar_one_or_none()
    if not created_now:
        _check_version_accepts_assets(version, upload, new_asset=asset is None)
    if asset is not None:
        if asset.sha256 != blob.sha256:
            raise _already_exists(upload)
        return asset_info(asset)
    asset = Asset(
        version_id=version.id,
        name=upload.filename,
        size=blob.size,
        sha256=blob.sha256,
        md5=blob.md5,
        sha1=blob.sha1,
        sha512=blob.sha512,
        blake2b_256=blob.blake2b_256,
        metadata_sha256=metadata_blob.sha256 if metadata_blob else None,
        created_at=now,
    )
    session.add(asset)
    if version.status == VersionStatus.UNFINISHED.value and upload.status is not version.status:
        version.status = upload.status.value
    version.revision = new_revision()
    await session.flush()
    await bump_generation(session, package)
    return asset_info(asset)


def _new_version(
    package: Package, upload: AssetUpload, now: float, repository: str
) -> PackageVersion:
    meta = upload.metadata
    return PackageVersion(
        package_id=package.id,
        version=upload.version,
        canonical_version=upload.canonical_version,
        status=upload.status.value,
        revision=new_revision(),
        origin_type="INTERNAL",
        origin_repository=repository,
        published_at=now,
        summary=meta.summary,
        home_page=meta.home_page,
        source_code_repository=meta.source_code_repository,
        licenses=json.dumps([{"name": n, "url": u} for n, u in meta.licenses]),
        readme=meta.readme,
        readme_content_type=meta.readme_content_type,
        requires_python=meta.requires_python,
        dependencies=json.dumps([_drop_none(asdict(d)) for d in meta.dependencies]),
    )


def _drop_none(values: Mapping[str, object]) -> dict[str, object]:
    return {key: value for key, value in values.items() if value is not None}
