"""The blob store conformance suite on the filesystem driver, plus what only it promises."""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
import threading
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import anyio
import pytest

from coffer.storage.blobs import (
    BlobError,
    BlobNotFound,
    BlobStoreUnavailable,
    InvalidBlobKey,
    open_blob_store,
)
from coffer.storage.blobs.filesystem import FilesystemBlobStore, _Upload

from .blobstore_suite import BAD_KEYS, BlobStoreSuite, StoreFactory, assert_clean, keys

pytestmark = pytest.mark.anyio

HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


class TestFilesystemBlobStore(BlobStoreSuite):
    @pytest.fixture
    def blob_store_factory(self, tmp_path: Path) -> StoreFactory:
        url = (tmp_path / "blob store").as_uri()  # a space exercises percent-decoding
        return lambda: open_blob_store(url)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[FilesystemBlobStore]:
    """A store for the driver-specific tests below, held to the suite's teardown check."""
    async with FilesystemBlobStore(tmp_path / "blobs") as store:
        yield store
        await assert_clean(store)


def temporary_files(store: FilesystemBlobStore) -> list[str]:
    tmp = store.root / "tmp"
    return sorted(os.listdir(tmp)) if tmp.exists() else []


async def test_layout_matches_the_module_docstring(store: FilesystemBlobStore) -> None:
    info = await store.put_bytes(b"hello")
    path = store.root / "sha256" / "2c" / "f2" / HELLO_SHA256
    assert info.sha256 == HELLO_SHA256
    assert store.local_path(HELLO_SHA256) == path
    assert path.read_bytes() == b"hello"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert temporary_files(store) == []
    await store.delete(HELLO_SHA256)


async def test_an_existing_blob_is_never_rewritten(store: FilesystemBlobStore) -> None:
    await store.put_bytes(b"hello")
    inode = store.local_path(HELLO_SHA256).stat().st_ino
    assert not (await store.put_bytes(b"hello")).created
    assert store.local_path(HELLO_SHA256).stat().st_ino == inode
    await store.delete(HELLO_SHA256)


async def test_ranges_cross_read_chunks(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path, chunk_size=7)
    data = bytes(range(100))
    info = await store.put_bytes(data)
    for start, end in [(0, None), (3, 50), (6, 8), (7, 14), (99, 100), (50, 50)]:
        chunks = [chunk async for chunk in await store.open_read(info.sha256, start=start, end=end)]
        assert b"".join(chunks) == data[start:end]
        assert all(0 < len(chunk) <= 7 for chunk in chunks)
    await store.delete(info.sha256)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_check_fails_when_the_root_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    store = FilesystemBlobStore(tmp_path / "a-file" / "blobs")
    with pytest.raises(BlobStoreUnavailable, match="not writable") as caught:
        await store.check()
    assert isinstance(caught.value.__cause__, OSError)


async def test_check_fails_when_uploads_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "tmp").write_bytes(b"in the way")
    with pytest.raises(BlobStoreUnavailable):
        await FilesystemBlobStore(tmp_path).check()


async def test_check_fails_without_hard_links(
    store: FilesystemBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: object, dst: object) -> None:
        raise PermissionError("hard links are not supported here")

    monkeypatch.setattr(os, "link", no_links)
    with pytest.raises(BlobStoreUnavailable, match="hard links"):
        await store.check()
    assert temporary_files(store) == []


async def test_sweep_removes_only_stale_temporary_files(store: FilesystemBlobStore) -> None:
    await store.check()
    tmp = store.root / "tmp"
    stale, fresh = tmp / "upload-stale.tmp", tmp / "upload-fresh.tmp"
    stale.write_bytes(b"crashed upload")
    fresh.write_bytes(b"upload in flight")
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    (tmp / "a-directory").mkdir()
    assert await store.sweep_temporary(timedelta(minutes=30)) == 1
    assert temporary_files(store) == ["a-directory", "upload-fresh.tmp"]
    assert await store.sweep_temporary(timedelta(0)) == 1
    (tmp / "a-directory").rmdir()


async def test_sweep_and_keys_of_a_store_never_written(store: FilesystemBlobStore) -> None:
    assert await store.sweep_temporary(timedelta(0)) == 0
    assert await keys(store) == []
    assert not store.root.exists()


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_invalid_keys_never_reach_the_filesystem(tmp_path: Path, key: str) -> None:
    store = FilesystemBlobStore(tmp_path / "blobs")
    for operation in (store.size, store.exists, store.delete, store.open_read):
        with pytest.raises(InvalidBlobKey):
            await operation(key)
    assert list(tmp_path.iterdir()) == []


async def test_iter_keys_lists_only_blobs_where_their_name_puts_them(
    store: FilesystemBlobStore,
) -> None:
    await store.put_bytes(b"hello")
    blobs = store.root / "sha256"
    other = hashlib.sha256(b"other").hexdigest()
    strays = [
        blobs / "2c" / "f2" / other,  # a valid key in the wrong leaf
        blobs / "2c" / "f2" / "README",
        blobs / "2c" / "not-hex",
        blobs / "zz" / "f2" / HELLO_SHA256,
        blobs / "2c" / "ff",  # a file where a leaf directory would be
        blobs / "2c" / "f2" / (HELLO_SHA256[:-1] + "0") / "nested",  # a directory named as a key
    ]
    for path in strays:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stray")
    (blobs / "e3").write_bytes(b"a file where a fan-out directory would be")
    assert await keys(store) == [HELLO_SHA256]
    await store.delete(HELLO_SHA256)


async def test_teardown_check_catches_leftovers(store: FilesystemBlobStore) -> None:
    await store.put_bytes(b"hello")
    with pytest.raises(AssertionError, match=HELLO_SHA256):
        await assert_clean(store)
    await store.delete(HELLO_SHA256)
    (store.root / "tmp" / "upload-left.tmp").write_bytes(b"")
    with pytest.raises(AssertionError, match="1 temporary"):
        await assert_clean(store)
    await assert_clean(store)


async def test_a_blob_deleted_after_open_read_is_not_found(store: FilesystemBlobStore) -> None:
    await store.put_bytes(b"hello")
    reader = await store.open_read(HELLO_SHA256)
    await store.delete(HELLO_SHA256)
    with pytest.raises(BlobNotFound):
        await anext(reader)


async def test_a_truncated_blob_is_an_error_not_short_content(store: FilesystemBlobStore) -> None:
    await store.put_bytes(b"hello")
    reader = await store.open_read(HELLO_SHA256)
    os.truncate(store.local_path(HELLO_SHA256), 2)
    with pytest.raises(BlobError, match="fsck"):
        async for _ in reader:
            pass
    await store.delete(HELLO_SHA256)


async def test_native_cancellation_defers_cleanup_to_the_worker(
    store: FilesystemBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``task.cancel()`` does not wait for the worker thread; its file must outlive the call."""
    writing, proceed, cleaned = threading.Event(), threading.Event(), threading.Event()
    write, cleanup = _Upload.write, _Upload._cleanup

    def blocked_write(self: _Upload, chunks: list[bytes]) -> None:
        writing.set()
        proceed.wait(10)
        write(self, chunks)

    def observed_cleanup(self: _Upload) -> None:
        cleanup(self)
        cleaned.set()

    monkeypatch.setattr(_Upload, "write", blocked_write)
    monkeypatch.setattr(_Upload, "_cleanup", observed_cleanup)
    task = asyncio.create_task(store.put_bytes(b"hello"))
    await anyio.to_thread.run_sync(writing.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(temporary_files(store)) == 1, "released while the worker still writes"
    proceed.set()
    await anyio.to_thread.run_sync(cleaned.wait, 10)
    assert temporary_files(store) == []
    assert await keys(store) == []


async def test_negative_max_size_is_a_programming_error(store: FilesystemBlobStore) -> None:
    with pytest.raises(ValueError, match="max_size"):
        await store.put_stream(_single(b"x"), max_size=-1)


async def test_redirect_url_is_not_offered(store: FilesystemBlobStore) -> None:
    assert await store.redirect_url(HELLO_SHA256, filename="x.whl", expires_in=60) is None


async def test_publishing_syncs_the_file_before_linking_and_the_directory_after(
    store: FilesystemBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, int]] = []
    fsync, link = os.fsync, os.link

    def spy_fsync(fd: int) -> None:
        events.append(("fsync", os.fstat(fd).st_ino))
        fsync(fd)

    def spy_link(src: str, dst: Path) -> None:
        link(src, dst)
        events.append(("link", os.stat(dst).st_ino))

    await store.check()
    monkeypatch.setattr(os, "fsync", spy_fsync)
    monkeypatch.setattr(os, "link", spy_link)
    await store.put_bytes(b"hello")
    blob, leaf = store.local_path(HELLO_SHA256), store.local_path(HELLO_SHA256).parent
    assert events[0] == ("fsync", blob.stat().st_ino)  # content durable before it has a name
    assert events[-2:] == [("link", blob.stat().st_ino), ("fsync", leaf.stat().st_ino)]
    created_dirs = {leaf.parent.stat().st_ino, leaf.parent.parent.stat().st_ino}
    assert {inode for _, inode in events[1:-2]} == created_dirs  # parents of sha256/2c, 2c/f2
    await store.delete(HELLO_SHA256)


async def test_storing_existing_content_again_redates_it(store: FilesystemBlobStore) -> None:
    """fsck's grace period must cover a deduplicated upload about to reference an old blob."""
    await store.put_bytes(b"hello")
    path = store.local_path(HELLO_SHA256)
    os.utime(path, (1_000_000_000, 1_000_000_000))
    assert [blob.modified async for blob in store.iter_blobs()] == [1_000_000_000]
    assert (await store.put_bytes(b"hello")).created is False
    (listed,) = [blob async for blob in store.iter_blobs()]
    assert listed.modified > time.time() - 60
    await store.delete(HELLO_SHA256)
