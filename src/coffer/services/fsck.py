"""``coffer fsck``: is every blob the database references stored, and is every stored blob used?

Three kinds of problem, found in one pass over the database and one listing of the blob store:

- **missing**: an asset (or its PEP 658 metadata file) references a blob the store does not hold;
  downloads of it fail. Never repaired automatically: only a backup can bring the bytes back.
- **orphan**: a stored blob nothing references, older than the grace period. Deleting packages
  and versions leaves these on purpose (blobs are shared by content, so a delete never knows
  whether another upload is about to reference them), as does a publisher that loses a race.
  ``--repair`` deletes them, and nothing else.
- **mismatch**: the stored size differs from the asset's recorded size, or (``verify_hashes``,
  which reads every byte) the content's sha256 differs from its key or its other digests from
  the asset's.

The database is read *before* the store is listed. A publish writes its blob before it commits
its row, so a row committed after the read has its blob listed and shows up as an unreferenced
blob; the **grace period** (by the blob's write time) keeps such uploads in flight from being
reported or reaped. Each orphan is looked up in the database once more right before it is
deleted. A repair also removes the store's temporary upload state and this host's spooled request
bodies older than the grace period (left by crashes).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select

from coffer.storage.blobs import BlobHasher, BlobNotFound, BlobStore, StoredBlob
from coffer.storage.db import Asset, Database, Package, PackageVersion, Repository

__all__ = ["DEFAULT_GRACE", "Fsck", "FsckReport", "Mismatch", "MissingBlob"]

DEFAULT_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class AssetRef:
    """A reference to a blob, for messages: ``domain/repository/package version file``."""

    domain: str
    repository: str
    package: str
    version: str
    filename: str
    recorded: tuple[int, str, str, str, str] | None
    """The asset's size, md5, sha1, sha512 and blake2b-256; None for its PEP 658 file."""

    def __str__(self) -> str:
        suffix = "" if self.recorded is not None else ".metadata"
        return (
            f"{self.domain}/{self.repository}/{self.package} {self.version} {self.filename}{suffix}"
        )


@dataclass(frozen=True)
class MissingBlob:
    sha256: str
    referenced_by: tuple[AssetRef, ...]


@dataclass(frozen=True)
class Mismatch:
    sha256: str
    problem: str


@dataclass
class FsckReport:
    blobs: int = 0
    references: int = 0
    missing: list[MissingBlob] = field(default_factory=list)
    orphans: list[StoredBlob] = field(default_factory=list)
    recent_unreferenced: int = 0  # younger than the grace period: not (yet) a problem
    mismatches: list[Mismatch] = field(default_factory=list)
    removed_orphans: int = 0
    removed_temporary: int = 0

    @property
    def corrupt(self) -> int:
        """How many blobs have at least one mismatch."""
        return len({mismatch.sha256 for mismatch in self.mismatches})

    @property
    def unrepaired(self) -> int:
        """Problems left: missing and corrupt blobs, and orphans a repair did not remove."""
        return len(self.missing) + self.corrupt + len(self.orphans) - self.removed_orphans


class Fsck:
    """Checks (and with ``repair``, cleans) one database against one blob store."""

    def __init__(self, db: Database, blobs: BlobStore, spool_dirs: Iterable[Path] = ()) -> None:
        self._db = db
        self._blobs = blobs
        self._spool_dirs = tuple(spool_dirs)

    async def run(
        self,
        *,
        repair: bool = False,
        grace: timedelta = DEFAULT_GRACE,
        verify_hashes: bool = False,
    ) -> FsckReport:
        if grace < timedelta(0):
            raise ValueError("the grace period must not be negative")
        report = FsckReport()
        references = await self._references()
        report.references = len(references)
        cutoff = time.time() - grace.total_seconds()
        stored: set[str] = set()
        async for blob in self._blobs.iter_blobs():
            report.blobs += 1
            stored.add(blob.sha256)
            refs = references.get(blob.sha256)
            if refs is None:
                if blob.modified <= cutoff:
                    report.orphans.append(blob)
                else:
                    report.recent_unreferenced += 1
                continue
            report.mismatches.extend(await self._compare(blob, refs, verify_hashes=verify_hashes))
        report.missing = [
            MissingBlob(sha256, tuple(refs))
            for sha256, refs in sorted(references.items())
            if sha256 not in stored
        ]
        if repair:
            report.removed_orphans = await self._remove_orphans(report.orphans, cutoff)
            report.removed_temporary = await self._blobs.sweep_temporary(grace)
            report.removed_temporary += _sweep_spools(self._spool_dirs, cutoff)
        return report

    async def _references(self) -> dict[str, list[AssetRef]]:
        query = (
            select(Asset, PackageVersion.version, Package.display_name, Repository)
            .join(PackageVersion, Asset.version_id == PackageVersion.id)
            .join(Package, PackageVersion.package_id == Package.id)
            .join(Repository, Package.repository_id == Repository.id)
        )
        references: dict[str, list[AssetRef]] = {}
        async with self._db.session() as session:
            for asset, version, package, repository in await session.execute(query):
                where = (repository.domain.name, repository.name, package, version, asset.name)
                recorded = (asset.size, asset.md5, asset.sha1, asset.sha512, asset.blake2b_256)
                references.setdefault(asset.sha256, []).append(AssetRef(*where, recorded))
                if asset.metadata_sha256 is not None:
                    ref = AssetRef(*where, None)
                    references.setdefault(asset.metadata_sha256, []).append(ref)
        return references

    async def _compare(
        self, blob: StoredBlob, refs: list[AssetRef], *, verify_hashes: bool
    ) -> list[Mismatch]:
        problems = [
            Mismatch(
                blob.sha256, f"{ref} records {ref.recorded[0]} bytes, the blob has {blob.size}"
            )
            for ref in refs
            if ref.recorded is not None and ref.recorded[0] != blob.size
        ]
        if not verify_hashes:
            return problems
        hasher = BlobHasher()
        try:
            async for chunk in await self._blobs.open_read(blob.sha256):
                hasher.update(chunk)
        except BlobNotFound:
            return problems  # deleted since it was listed; the next run reports it if referenced
        info = hasher.info(created=False)
        if info.sha256 != blob.sha256:
            return [*problems, Mismatch(blob.sha256, f"the content's sha256 is {info.sha256}")]
        actual = (blob.size, info.md5, info.sha1, info.sha512, info.blake2b_256)
        for ref in refs:
            if ref.recorded is not None and ref.recorded[1:] != actual[1:]:
                problems.append(Mismatch(blob.sha256, f"{ref} records other digests"))
        return problems

    async def _remove_orphans(self, orphans: list[StoredBlob], cutoff: float) -> int:
        removed = 0
        for blob in orphans:
            async with self._db.session() as session:
                used = await session.scalar(
                    select(Asset.id)
                    .where(or_(Asset.sha256 == blob.sha256, Asset.metadata_sha256 == blob.sha256))
                    .limit(1)
                )
            # Last look, after the database's: an upload that found this content already
            # stored re-dated it and may not have committed its row yet.
            if used is None and not self._redated_since(blob.sha256, cutoff):
                await self._blobs.delete(blob.sha256)
                removed += 1
        return removed

    def _redated_since(self, sha256: str, cutoff: float) -> bool:
        path = self._blobs.local_path(sha256)
        if path is None:  # object stores keep their first write time (docs/operations.md)
            return False
        try:
            return path.stat().st_mtime > cutoff
        except FileNotFoundError:
            return True  # gone already: nothing to delete


def _sweep_spools(directories: Iterable[Path], cutoff: float) -> int:
    """Delete regular files in ``directories`` last written before ``cutoff``."""
    removed = 0
    for directory in directories:
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            continue
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= cutoff:
                    os.unlink(entry.path)
                    removed += 1
    return removed
