"""Blob store on a local or mounted POSIX filesystem, opened as ``file:///abs/path``.

Layout: two fan-out levels of 256 keep every directory small (65,536 leaves)::

    <root>/
    ├── sha256/                  published blobs: immutable, mode 0644, named by their sha256
    │   ├── 2c/
    │   │   └── f2/
    │   │       └── 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
    │   └── e3/
    │       └── b0/
    │           └── e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    └── tmp/                     uploads in flight: upload-<random>.tmp

Only validated keys (64 lowercase hex) are ever joined onto ``<root>``. Directories are created
on demand with their parents.

A put streams into ``tmp/upload-<random>.tmp`` while hashing, fsyncs it, and publishes it with
``link(tmp, sha256/ab/cd/<key>)`` before removing the temporary name, then fsyncs the leaf
directory (and each parent whose entries it created). ``link`` never replaces an existing name, so
of concurrent writers of the same content exactly one succeeds and reports ``created=True``;
the others get ``EEXIST`` and report ``created=False``. A crash leaves only temporary files,
which :meth:`FilesystemBlobStore.sweep_temporary` removes; never a partial blob under a key. The
filesystem must therefore support hard links, which :meth:`FilesystemBlobStore.check` verifies.

Blocking calls run in worker threads (``anyio.to_thread``), one per chunk of ``chunk_size`` bytes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from anyio import to_thread

from coffer.storage.blobs.base import (
    BlobDigestMismatch,
    BlobError,
    BlobHasher,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobStoreConfigError,
    BlobStoreUnavailable,
    BlobTooLarge,
    StoredBlob,
    resolve_range,
    validate_key,
)

__all__ = ["DEFAULT_CHUNK_SIZE", "FilesystemBlobStore", "from_url"]

DEFAULT_CHUNK_SIZE = 1024 * 1024
_FILE_MODE = 0o644
_TMP_PREFIX = "upload-"
_TMP_SUFFIX = ".tmp"
_HEX = frozenset("0123456789abcdef")

_T = TypeVar("_T")


def from_url(url: str) -> FilesystemBlobStore:
    """Open ``file:///abs/path`` (percent-encoded, as :meth:`pathlib.Path.as_uri` writes it)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if (
        parts.scheme != "file"
        or parts.netloc not in ("", "localhost")
        or parts.query
        or parts.fragment
        or not path.startswith("/")
        or "\x00" in path
    ):
        raise BlobStoreConfigError(
            f"invalid filesystem blob store URL {url!r}: expected file:///absolute/path"
        )
    return FilesystemBlobStore(Path(path))


class FilesystemBlobStore(BlobStore):
    """Blobs as files under ``root``; see the module docstring for the layout."""

    def __init__(self, root: Path | str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        self.root = Path(root).absolute()
        self._blobs = self.root / "sha256"
        self._tmp = self.root / "tmp"
        self._chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"FilesystemBlobStore({str(self.root)!r})"

    def local_path(self, sha256: str) -> Path:
        key = validate_key(sha256)
        return self._blobs / key[:2] / key[2:4] / key

    async def put_stream(
        self,
        chunks: AsyncIterable[bytes],
        *,
        max_size: int | None = None,
        expected_sha256: str | None = None,
    ) -> BlobInfo:
        if expected_sha256 is not None:
            validate_key(expected_sha256)
        if max_size is not None and max_size < 0:
            raise ValueError("max_size must not be negative")
        upload = _Upload(self._tmp)
        try:
            await upload.run(upload.open)
            pending: list[bytes] = []
            pending_size = size = 0
            async for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise BlobTooLarge(max_size)
                pending.append(chunk)
                pending_size += len(chunk)
                if pending_size >= self._chunk_size:
                    await upload.run(partial(upload.write, pending))
                    pending, pending_size = [], 0
            if pending:
                await upload.run(partial(upload.write, pending))
            actual = upload.hasher.sha256()
            if expected_sha256 is not None and actual != expected_sha256:
                raise BlobDigestMismatch(expected_sha256, actual)
            created = await upload.run(partial(upload.publish, self.local_path(actual)))
        finally:
            upload.release()
        return upload.hasher.info(created=created)

    async def open_read(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        path = self.local_path(sha256)
        size = await to_thread.run_sync(_file_size, path, sha256)
        return self._read_range(path, sha256, start, resolve_range(size, start, end))

    async def _read_range(
        self, path: Path, sha256: str, start: int, stop: int
    ) -> AsyncGenerator[bytes, None]:
        if start == stop:
            return
        reader = _RangeReader(path, sha256)
        try:
            while start < stop:
                read = partial(reader.read, start, min(self._chunk_size, stop - start))
                data = await reader.run(read)
                start += len(data)
                yield data
        finally:
            reader.release()

    async def size(self, sha256: str) -> int:
        return await to_thread.run_sync(_file_size, self.local_path(sha256), sha256)

    async def exists(self, sha256: str) -> bool:
        try:
            await self.size(sha256)
        except BlobNotFound:
            return False
        return True

    async def delete(self, sha256: str) -> None:
        await to_thread.run_sync(_unlink_missing_ok, self.local_path(sha256))

    async def iter_blobs(self) -> AsyncIterator[StoredBlob]:
        for top in await to_thread.run_sync(_fanout_dirs, self._blobs):
            for blob in await to_thread.run_sync(_blobs_under, top):
                yield blob

    async def check(self) -> None:
        try:
            await to_thread.run_sync(self._probe)
        except OSError as exc:
            raise BlobStoreUnavailable(f"blob store {self.root} is not writable: {exc}") from exc

    def _probe(self) -> None:
        _makedirs_durable(self._blobs)
        _makedirs_durable(self._tmp)
        probe = self._tmp / f"check-{secrets.token_hex(8)}.tmp"
        linked = probe.with_suffix(".link")
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
            try:
                os.write(fd, b"coffer")
                os.fsync(fd)
            finally:
                os.close(fd)
            os.link(probe, linked)  # publishing needs hard links
        finally:
            _unlink_missing_ok(linked)
            _unlink_missing_ok(probe)

    async def sweep_temporary(self, older_than: timedelta) -> int:
        """Remove temporary files not written to for ``older_than``; return how many."""
        cutoff = time.time() - older_than.total_seconds()
        return await to_thread.run_sync(_sweep, self._tmp, cutoff)


class _FileHandle:
    """A file descriptor used by one worker thread at a time and released from the event loop.

    asyncio's own cancellation (``task.cancel()``, ``asyncio.timeout``) does not wait for a worker
    thread, so a coroutine's cleanup may run while its thread still uses a file descriptor, and
    closing it then could let the thread write into a recycled descriptor. :meth:`release`
    therefore defers the cleanup to the thread, which runs it as its call returns.
    """

    def __init__(self) -> None:
        self._fd: int | None = None
        self._mutex = threading.Lock()
        self._busy = False
        self._released = False

    async def run(self, fn: Callable[[], _T]) -> _T:
        return await to_thread.run_sync(self._call, fn)

    def _call(self, fn: Callable[[], _T]) -> _T:
        with self._mutex:
            if self._released:
                raise BlobError("blob operation used after release")
            self._busy = True
        try:
            return fn()
        finally:
            with self._mutex:
                self._busy = False
                released = self._released
            if released:
                self._cleanup()

    def release(self) -> None:
        with self._mutex:
            if self._released:
                return
            self._released = True
            busy = self._busy
        if not busy:
            self._cleanup()

    def _cleanup(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


class _Upload(_FileHandle):
    """A temporary file that is filled, hashed and published (or removed)."""

    def __init__(self, tmp_dir: Path) -> None:
        super().__init__()
        self.hasher = BlobHasher()
        self._dir = tmp_dir
        self._path: str | None = None

    def open(self) -> None:
        try:
            self._fd, self._path = self._mkstemp()
        except FileNotFoundError:
            _makedirs_durable(self._dir)
            self._fd, self._path = self._mkstemp()
        os.fchmod(self._fd, _FILE_MODE)

    def _mkstemp(self) -> tuple[int, str]:
        return tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=_TMP_SUFFIX, dir=self._dir)

    def write(self, chunks: list[bytes]) -> None:
        fd, _ = self._opened()
        for chunk in chunks:
            self.hasher.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]

    def publish(self, dest: Path) -> bool:
        """Make the content durable at ``dest`` unless it is there; True if this call put it."""
        fd, path = self._opened()
        os.fsync(fd)
        self._fd = None
        os.close(fd)
        _makedirs_durable(dest.parent)
        try:
            os.link(path, dest)
        except FileExistsError:
            created = False
            # Re-date the stored blob: our caller is about to reference it, and fsck only
            # reaps unreferenced blobs older than its grace period.
            with contextlib.suppress(FileNotFoundError):
                os.utime(dest)
        else:
            created = True
        # Also on EEXIST: the creator may not have synced the entry yet, and our caller is
        # about to commit a reference to it.
        _fsync_dir(dest.parent)
        self._path = None
        _unlink_missing_ok(Path(path))
        return created

    def _opened(self) -> tuple[int, str]:
        if self._fd is None or self._path is None:
            raise BlobError("upload is not open")
        return self._fd, self._path

    def _cleanup(self) -> None:
        super()._cleanup()
        if self._path is not None:
            path, self._path = self._path, None
            _unlink_missing_ok(Path(path))


class _RangeReader(_FileHandle):
    """A blob's file descriptor, opened by the first read."""

    def __init__(self, path: Path, sha256: str) -> None:
        super().__init__()
        self._path = path
        self._sha256 = sha256

    def read(self, offset: int, length: int) -> bytes:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDONLY)
            except (FileNotFoundError, NotADirectoryError):
                raise BlobNotFound(self._sha256) from None
        data = os.pread(self._fd, length, offset)
        if not data:
            raise BlobError(f"blob {self._sha256} is shorter than its size; run coffer fsck")
        return data


def _file_size(path: Path, sha256: str) -> int:
    try:
        return path.stat().st_size
    except (FileNotFoundError, NotADirectoryError):
        raise BlobNotFound(sha256) from None


def _unlink_missing_ok(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _makedirs_durable(path: Path) -> None:
    """``mkdir -p`` that fsyncs the parent of each directory it creates."""
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            continue  # a concurrent writer made it, or a file is in the way (later calls fail)
        _fsync_dir(directory.parent)


def _is_hex(name: str, length: int) -> bool:
    return len(name) == length and _HEX.issuperset(name)


def _fanout_dirs(blobs: Path) -> list[Path]:
    try:
        names = os.listdir(blobs)
    except FileNotFoundError:
        return []
    return [blobs / name for name in sorted(names) if _is_hex(name, 2)]


def _blobs_under(top: Path) -> list[StoredBlob]:
    """Blobs in ``top/??/``, sorted; files that are not where their name puts them are not."""
    blobs: list[StoredBlob] = []
    if not top.is_dir():
        return blobs
    for sub in os.listdir(top):
        prefix = top.name + sub
        if not _is_hex(sub, 2) or not (top / sub).is_dir():
            continue
        with os.scandir(top / sub) as entries:
            for entry in entries:
                if not (
                    _is_hex(entry.name, 64)
                    and entry.name.startswith(prefix)
                    and entry.is_file(follow_symlinks=False)
                ):
                    continue
                with contextlib.suppress(FileNotFoundError):  # deleted concurrently
                    stat = entry.stat(follow_symlinks=False)
                    blobs.append(StoredBlob(entry.name, stat.st_size, stat.st_mtime))
    blobs.sort(key=lambda blob: blob.sha256)
    return blobs


def _sweep(tmp: Path, cutoff: float) -> int:
    removed = 0
    try:
        with os.scandir(tmp) as scan:
            entries = list(scan)
    except FileNotFoundError:
        return 0
    for entry in entries:
        with contextlib.suppress(FileNotFoundError):  # removed concurrently
            if (
                not entry.is_dir(follow_symlinks=False)
                and entry.stat(follow_symlinks=False).st_mtime <= cutoff
            ):
                os.unlink(entry.path)
                removed += 1
    return removed
