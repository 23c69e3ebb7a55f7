"""Reading through external connections: cached upstream pages, and files ingested once.

* Project pages are cached in the database (shared by every process) for ``remote_index_ttl``
  seconds, then revalidated with ``If-None-Match``. When the upstream fails, a cached page keeps
  serving; without one, the failure surfaces as :class:`RemoteUnavailable` (a clear 502/504).
* A file is fetched on its first request, verified against the upstream's sha256 while it
  streams into the blob store (a wrong or truncated body stores nothing), and recorded in the
  repository that owns the connection as an EXTERNAL version (publish BLOCK / upstream ALLOW).
  Concurrent first requests in one process share one fetch; across processes the database's
  uniqueness constraints keep one record.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from coffer.domain.packages import PackageKey, VersionStatus, canonical_version
from coffer.services import clock
from coffer.services.external import (
    NOT_MODIFIED,
    RemoteFile,
    RemoteProject,
    Remotes,
    RemoteUnavailable,
)
from coffer.services.queries import bump_generation, find_package
from coffer.services.records import new_revision
from coffer.storage.blobs import BlobDigestMismatch, BlobInfo, BlobStore, BlobTooLarge
from coffer.storage.db import Asset, Database, Package, PackageVersion, RemoteIndexCache

__all__ = ["Ingestion", "Owner"]


@dataclass(frozen=True)
class Owner:
    """The repository holding an external connection."""

    repository_id: int
    repository: str
    connection: str


class Ingestion:
    def __init__(
        self, db: Database, blobs: BlobStore, remotes: Remotes | None, ttl: int, max_size: int
    ) -> None:
        self._db = db
        self._blobs = blobs
        self._remotes = remotes
        self._ttl = ttl
        self._max_size = max_size
        self._fetches: dict[tuple[int, str], asyncio.Lock] = {}

    async def project(self, connection: str, key: PackageKey) -> RemoteProject | None:
        """The upstream's page for ``key`` (cached); None when it has no such project or the
        connection is not configured for this format."""
        remote = self._remotes.index(connection) if self._remotes else None
        if remote is None:
            return None
        cached = await self._cached(connection, key.name)
        if cached is not None and clock.now() - cached.fetched_at < self._ttl:
            return RemoteProject.from_json(json.loads(cached.body))
        try:
            fresh = await remote.project(key.name, etag=cached.etag if cached else None)
        except RemoteUnavailable:
            if cached is None:
                raise
            return RemoteProject.from_json(json.loads(cached.body))  # stale beats nothing
        if fresh == NOT_MODIFIED and cached is not None:
            await self._store_page(connection, key.name, cached.body, cached.etag)
            return RemoteProject.from_json(json.loads(cached.body))
        if not isinstance(fresh, RemoteProject):
            return None
        await self._store_page(connection, key.name, json.dumps(fresh.to_json()), fresh.etag)
        return fresh

    async def _cached(self, connection: str, project: str) -> RemoteIndexCache | None:
        async with self._db.session() as session:
            return await session.get(RemoteIndexCache, (connection, project))

    async def _store_page(self, connection: str, project: str, body: str, etag: str | None) -> None:
        for _attempt in range(3):  # a concurrent request may insert the same page first
            try:
                async with self._db.session() as session:
                    row = await session.get(RemoteIndexCache, (connection, project))
                    if row is None:
                        row = RemoteIndexCache(connection=connection, project=project)
                        session.add(row)
                    row.body, row.etag, row.fetched_at = body, etag, clock.now()
                return
            except IntegrityError:
                continue

    async def ingest(
        self, owner: Owner, key: PackageKey, display_name: str, file: RemoteFile
    ) -> None:
        """Make ``file`` a local asset of the owner repository (fetching it at most once)."""
        lock = self._fetches.setdefault((owner.repository_id, file.filename), asyncio.Lock())
        async with lock:
            if await self._ingested(owner, key, file):
                return
            remote = self._remotes.index(owner.connection) if self._remotes else None
            if remote is None:
                raise RemoteUnavailable(f"External connection {owner.connection} is not set up")
            try:
                # A corrupt body never becomes a blob (the store checks the sha256 as it
                # writes); a failure after that leaves at most a valid, unreferenced blob,
                # which is not deleted here because another upload of the same bytes may be
                # about to reference it (``coffer fsck --repair`` collects such orphans).
                blob = await self._fetch(remote.stream(file.url), file.filename, file.sha256)
                metadata = None
                if file.core_metadata_sha256:
                    url = file.url.split("#")[0] + ".metadata"
                    name = f"{file.filename}.metadata"
                    metadata = await self._fetch(
                        remote.stream(url), name, file.core_metadata_sha256
                    )
                await self._record(owner, key, display_name, file, blob, metadata)
            finally:
                self._fetches.pop((owner.repository_id, file.filename), None)

    async def _record(
        self,
        owner: Owner,
        key: PackageKey,
        display_name: str,
        file: RemoteFile,
        blob: BlobInfo,
        metadata: BlobInfo | None,
    ) -> None:
        """Record the file; a concurrent ingestion of another file of the same package may
        create the package or version row first, which a retry then finds."""
        for _attempt in range(3):
            try:
                async with self._db.session() as session:
                    await _record(session, owner, key, display_name, file, blob, metadata)
                return
            except IntegrityError:
                if await self._ingested(owner, key, file):
                    return  # another process recorded this very file; blobs are shared

    async def _ingested(self, owner: Owner, key: PackageKey, file: RemoteFile) -> bool:
        async with self._db.session() as session:
            package = await find_package(session, owner.repository_id, key)
            if package is None:
                return False
            found = await session.execute(
                select(Asset.id)
                .join(PackageVersion, PackageVersion.id == Asset.version_id)
                .where(PackageVersion.package_id == package.id, Asset.name == file.filename)
            )
            return found.first() is not None

    async def _fetch(self, chunks: AsyncIterator[bytes], name: str, sha256: str | None) -> BlobInfo:
        try:
            return await self._blobs.put_stream(
                chunks, max_size=self._max_size, expected_sha256=sha256
            )
        except BlobDigestMismatch:
            raise RemoteUnavailable(
                f"The upstream sent {name} with a sha256 other than its index "
                "declares; it was not stored"
            ) from None
        except BlobTooLarge:
            raise RemoteUnavailable(
                f"The upstream's {name} is larger than this server's limit"
            ) from None


async def _record(
    session: AsyncSession,
    owner: Owner,
    key: PackageKey,
    display_name: str,
    file: RemoteFile,
    blob: BlobInfo,
    metadata: BlobInfo | None,
) -> None:
    now = clock.now()
    package = await find_package(session, owner.repository_id, key)
    if package is None:
        package = Package(
            repository_id=owner.repository_id,
            format=key.format.value,
            namespace=key.namespace,
            name=key.name,
            display_name=display_name,
            origin_publish="BLOCK",  # ingested first: nobody may shadow it by publishing
            origin_upstream="ALLOW",
            generation=1,
            created_at=now,
        )
        session.add(package)
        await session.flush()
    canonical = canonical_version(key.format, file.version)
    result = await session.execute(
        select(PackageVersion).where(
            PackageVersion.package_id == package.id,
            PackageVersion.canonical_version == canonical,
        )
    )
    version = result.scalar_one_or_none()
    if version is None:
        version = PackageVersion(
            package_id=package.id,
            version=file.version,
            canonical_version=canonical,
            status=(VersionStatus.UNLISTED if file.yanked else VersionStatus.PUBLISHED).value,
            status_reason=file.yanked if isinstance(file.yanked, str) and file.yanked else None,
            revision=new_revision(),
            origin_type="EXTERNAL",
            origin_external=owner.connection,
            published_at=file.upload_time or now,
            requires_python=file.requires_python,
            licenses="[]",
            dependencies="[]",
        )
        session.add(version)
        await session.flush()
    session.add(
        Asset(
            version_id=version.id,
            name=file.filename,
            size=blob.size,
            sha256=blob.sha256,
            md5=blob.md5,
            sha1=blob.sha1,
            sha512=blob.sha512,
            blake2b_256=blob.blake2b_256,
            metadata_sha256=metadata.sha256 if metadata else None,
            created_at=file.upload_time or now,
        )
    )
    version.revision = new_revision()
    await session.flush()
    await bump_generation(session, package)
