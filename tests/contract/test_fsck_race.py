"""``fsck --repair`` against an upload that deduplicates while it runs.

An upload whose content is already stored (here: as an old orphan) re-dates the blob and then
commits its row. fsck decided "orphan" from its listing before that; it must look at the blob
again just before deleting it, or the new asset would point at nothing.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from coffer.services.fsck import Fsck
from coffer.storage.blobs import StoredBlob
from coffer.storage.blobs.filesystem import FilesystemBlobStore
from coffer.storage.db import Database, migrate

CONTENT = b"wheel bytes an upload is storing again"


class _UploadDuringListing(FilesystemBlobStore):
    """Lists the store, then stores the same content again, as a concurrent upload would."""

    async def iter_blobs(self) -> AsyncIterator[StoredBlob]:  # type: ignore[override]
        listed = [blob async for blob in super().iter_blobs()]
        for blob in listed:
            yield blob
        await self.put_bytes(CONTENT)


@pytest.mark.anyio
async def test_repair_spares_an_orphan_an_upload_reuses_meanwhile(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coffer.db'}"
    migrate(url)
    blobs = _UploadDuringListing(tmp_path / "blobs")
    stored = await blobs.put_bytes(CONTENT)
    path = blobs.local_path(stored.sha256)
    os.utime(path, (0, 0))  # an orphan far older than the grace period
    db = Database(url)
    try:
        report = await Fsck(db, blobs).run(repair=True, grace=timedelta(hours=1))
    finally:
        await db.close()
    assert [blob.sha256 for blob in report.orphans] == [stored.sha256]  # listed as an orphan…
    assert report.removed_orphans == 0  # …but re-stored since, so kept
    assert await blobs.exists(stored.sha256)


@pytest.mark.anyio
async def test_repair_removes_an_orphan_nobody_touched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'coffer.db'}"
    migrate(url)
    blobs = FilesystemBlobStore(tmp_path / "blobs")
    stored = await blobs.put_bytes(CONTENT)
    os.utime(blobs.local_path(stored.sha256), (0, 0))
    db = Database(url)
    try:
        report = await Fsck(db, blobs).run(repair=True, grace=timedelta(hours=1))
    finally:
        await db.close()
    assert report.removed_orphans == 1
    assert not await blobs.exists(stored.sha256)
