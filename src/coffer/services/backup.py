"""``coffer backup`` / ``coffer restore`` for the embedded defaults: SQLite and blobs on disk.

A backup is a directory laid out like a data directory, so it can be inspected, copied with
``rsync``/``tar``, or even served as it is::

    DEST/
    ├── coffer.db               the database, as of one moment (SQLite's online backup API)
    ├── blobs/sha256/ab/cd/…    every blob that database references, re-hashed while copied
    ├── secret.key              the server key (0600) that decrypts access-key secrets
    ├── admin.credentials       the bootstrap administrator's key (0600), if present
    └── coffer-backup.json      written last: a backup without it is incomplete

It is consistent while the server runs: the database is snapshotted first, and since a publish
stores its blob before it commits its row, every blob the snapshot references is already
stored. Blobs are copied after the snapshot; nothing deletes a referenced blob (only
``coffer fsck --repair`` deletes blobs, and only unreferenced ones, so do not run a repair
during a backup).

A restore refuses a data directory that already holds a store unless forced, copies (and
verifies) the blobs, the keys, then the database, last, under a temporary name renamed into
place. PostgreSQL and S3 deployments use their engines' tools instead (``pg_dump`` and bucket
versioning): see docs/operations.md.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from anyio import to_thread
from sqlalchemy.engine import make_url

from coffer.config import Settings
from coffer.errors import CofferError
from coffer.storage.blobs import BlobDigestMismatch, BlobNotFound
from coffer.storage.blobs.filesystem import FilesystemBlobStore
from coffer.storage.blobs.filesystem import from_url as filesystem_store

__all__ = ["MANIFEST", "BackupError", "BackupSummary", "backup", "restore"]

MANIFEST = "coffer-backup.json"
DATABASE = "coffer.db"
BLOBS = "blobs"
PRIVATE_FILES = ("secret.key", "admin.credentials")
FORMAT = "coffer-backup"
FORMAT_VERSION = 1


class BackupError(CofferError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    blobs: int
    bytes: int


@dataclass(frozen=True)
class _Embedded:
    database: Path
    blobs: Path
    data_dir: Path


def _embedded(settings: Settings, verb: str) -> _Embedded:
    database = make_url(settings.resolved_database_url)
    blob_url = settings.resolved_blob_store_url
    if database.get_backend_name() != "sqlite" or not blob_url.startswith("file:"):
        raise BackupError(
            f"coffer {verb} supports only the embedded defaults (SQLite and a file:// blob "
            "store). For PostgreSQL use pg_dump, for S3 enable bucket versioning: see "
            "docs/operations.md"
        )
    store = filesystem_store(blob_url)
    if not database.database:
        raise BackupError(f"coffer {verb} needs an SQLite database file, not an in-memory one")
    return _Embedded(Path(database.database), store.root, settings.data_dir)


async def backup(settings: Settings, dest: Path) -> BackupSummary:
    """Write a consistent backup of the store ``settings`` name into the new directory ``dest``."""
    source = _embedded(settings, "backup")
    if not source.database.exists():
        raise BackupError(f"there is no database at {source.database} to back up")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty directory")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    await to_thread.run_sync(_copy_database, source.database, dest / DATABASE)
    keys = await to_thread.run_sync(_referenced_keys, dest / DATABASE)
    count, size = await _copy_blobs(
        keys, FilesystemBlobStore(source.blobs), FilesystemBlobStore(dest / BLOBS)
    )
    _copy_private_files(source.data_dir, dest)
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "blobs": count,
        "bytes": size,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return BackupSummary(dest, count, size)


async def restore(settings: Settings, source: Path, *, force: bool = False) -> BackupSummary:
    """Restore the backup in ``source`` into the (empty, unless ``force``) store of ``settings``."""
    target = _embedded(settings, "restore")
    manifest = _read_manifest(source)
    if not force and _holds_a_store(target):
        raise BackupError(
            f"the data directory {target.data_dir} already holds a store; restore into an empty "
            "one, or pass --force to replace its database and keys"
        )
    keys = await to_thread.run_sync(_referenced_keys, source / DATABASE)
    count, size = await _copy_blobs(
        keys, FilesystemBlobStore(source / BLOBS), FilesystemBlobStore(target.blobs)
    )
    if count != manifest.get("blobs"):
        raise BackupError(
            f"the backup in {source} lists {manifest.get('blobs')} blobs, not {count}"
        )
    target.data_dir.mkdir(parents=True, exist_ok=True)
    _copy_private_files(source, target.data_dir, replace=True)
    await to_thread.run_sync(_install_database, source / DATABASE, target.database)
    return BackupSummary(source, count, size)


def _read_manifest(source: Path) -> dict[str, object]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{source} is not a complete coffer backup (it has no {MANIFEST})"
        ) from None
    except (OSError, ValueError) as error:
        raise BackupError(f"cannot read {source / MANIFEST}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} does not describe a coffer backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{source} is a backup of version {manifest.get('version')}, not 1")
    if not (source / DATABASE).is_file():
        raise BackupError(f"{source} has no {DATABASE}")
    return manifest


def _holds_a_store(target: _Embedded) -> bool:
    if target.database.exists() or (target.data_dir / "secret.key").exists():
        return True
    blobs = target.blobs / "sha256"
    return blobs.is_dir() and any(blobs.iterdir())


def _copy_database(source: Path, dest: Path) -> None:
    """A snapshot of ``source`` as of one moment, even while servers write to it."""
    # The copy holds password hashes and sealed secrets: private before anything is in it.
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(dest)
    try:
        reader.execute("PRAGMA busy_timeout=30000")
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        writer.close()
        reader.close()


def _install_database(source: Path, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".restoring")
    partial.unlink(missing_ok=True)
    _copy_database(source, partial)
    for stale in (dest.with_name(dest.name + "-wal"), dest.with_name(dest.name + "-shm")):
        stale.unlink(missing_ok=True)  # a forced restore's old journal must not be replayed
    os.replace(partial, dest)


def _referenced_keys(database: Path) -> list[str]:
    connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT sha256 FROM assets UNION "
            "SELECT metadata_sha256 FROM assets WHERE metadata_sha256 IS NOT NULL"
        ).fetchall()
    except sqlite3.Error as error:
        raise BackupError(f"cannot read {database}: {error}") from None
    finally:
        connection.close()
    return sorted(str(row[0]) for row in rows)


async def _copy_blobs(
    keys: list[str], source: FilesystemBlobStore, dest: FilesystemBlobStore
) -> tuple[int, int]:
    """Copy each blob, verifying its sha256 on the way; the number of blobs and bytes."""
    size = 0
    for key in keys:
        try:
            chunks: AsyncIterator[bytes] = await source.open_read(key)
            info = await dest.put_stream(chunks, expected_sha256=key)
        except BlobNotFound:
            raise BackupError(
                f"blob {key} is referenced by the database but missing from {source.root}; "
                "run coffer fsck"
            ) from None
        except BlobDigestMismatch as error:
            raise BackupError(
                f"blob {key} in {source.root} is corrupt (its content has sha256 "
                f"{error.actual}); run coffer fsck --verify-hashes"
            ) from None
        size += info.size
    return len(keys), size


def _copy_private_files(source: Path, dest: Path, *, replace: bool = False) -> None:
    for name in PRIVATE_FILES:
        path = source / name
        if not path.is_file():
            continue
        target = dest / name
        if target.exists() and not replace:
            continue
        partial = target.with_name(name + ".restoring")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle, path.open("rb") as original:
            shutil.copyfileobj(original, handle)
        os.replace(partial, target)
