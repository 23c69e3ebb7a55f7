"""The conformance suite every :class:`BlobStore` driver runs (distribution's ``testsuites``).

A driver's test module subclasses :class:`BlobStoreSuite` as ``Test<Driver>BlobStore`` and
overrides one fixture, ``blob_store_factory``: a callable that builds a store over backing storage
that is empty and private to the test, each call a new instance over the same storage (as N
server processes share one store)::

    class TestFilesystemBlobStore(BlobStoreSuite):
        @pytest.fixture
        def blob_store_factory(self, tmp_path: Path) -> StoreFactory:
            return lambda: FilesystemBlobStore(tmp_path / "blobs")

Every test cleans up what it stores: the ``store`` fixture's teardown fails if any key or any
temporary upload state is left behind.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import hashlib
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from datetime import timedelta
from typing import ClassVar

import anyio
import pytest

from coffer.storage.blobs import (
    BlobDigestMismatch,
    BlobInfo,
    BlobNotFound,
    BlobStore,
    BlobTooLarge,
    InvalidBlobKey,
    InvalidBlobRange,
)

__all__ = ["BlobStoreSuite", "StoreFactory", "assert_clean", "chunked", "keys", "read_all"]

StoreFactory = Callable[[], BlobStore]

KiB = 1024
MiB = 1024 * KiB
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
RANGE_DATA = bytes(range(256)) * 4  # 1,024 bytes, every offset distinguishable mod 256
BAD_KEYS = [
    pytest.param("../etc/passwd", id="traversal"),
    pytest.param("../../" + "a" * 58, id="traversal-64-chars"),
    pytest.param("/" + "a" * 63, id="absolute-64-chars"),
    pytest.param("ab/cd/" + "a" * 58, id="slashes-64-chars"),
    pytest.param(EMPTY_SHA256.upper(), id="uppercase"),
    pytest.param(EMPTY_SHA256[:-1], id="63-chars"),
    pytest.param(EMPTY_SHA256 + "0", id="65-chars"),
    pytest.param("g" * 64, id="not-hex"),
    pytest.param(EMPTY_SHA256 + "\n", id="trailing-newline"),
    pytest.param(EMPTY_SHA256[:-1] + "\x00", id="nul"),
    pytest.param("", id="empty"),
]


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    """Yield ``data`` in ``size``-byte chunks, as an upload arrives."""
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


async def never_iterated() -> AsyncIterator[bytes]:
    raise AssertionError("the store consumed the upload before validating its arguments")
    yield b""  # pragma: no cover - makes this an async generator


async def keys(store: BlobStore) -> list[str]:
    return [key async for key in store.iter_keys()]


async def read_all(store: BlobStore, sha256: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in await store.open_read(sha256, start=start, end=end)])


async def assert_clean(store: BlobStore) -> None:
    """Fail if the store holds keys or temporary upload state (sweeping the latter)."""
    leftover = await keys(store)
    temporary = await store.sweep_temporary(timedelta(0))
    assert (leftover, temporary) == ([], 0), f"left behind: keys {leftover}, {temporary} temporary"


def pseudo_random(seed: int, size: int) -> bytes:
    """Deterministic, incompressible test content."""
    return hashlib.shake_256(seed.to_bytes(8, "big")).digest(size)


def expected_info(data: bytes, *, created: bool) -> BlobInfo:
    return BlobInfo(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        sha512=hashlib.sha512(data).hexdigest(),
        blake2b_256=hashlib.blake2b(data, digest_size=32).hexdigest(),
        created=created,
    )


def same_prefix_pair(hex_digits: int) -> tuple[bytes, bytes]:
    """Two contents whose sha256 keys share their first ``hex_digits`` (one fan-out leaf)."""
    seen: dict[str, bytes] = {}
    for n in range(1 << 20):  # pragma: no branch - a collision comes after ~300 tries for 4
        data = str(n).encode()
        prefix = hashlib.sha256(data).hexdigest()[:hex_digits]
        if prefix in seen:
            return seen[prefix], data
        seen[prefix] = data
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.mark.anyio
class BlobStoreSuite:
    """Conformance tests; subclasses override the ``blob_store_factory`` fixture."""

    #: Bound on Python allocations while streaming a 20 MiB blob either way. A driver that must
    #: buffer more (S3 multipart parts are at least 5 MiB) may raise it, with a reason.
    streaming_memory_limit: ClassVar[int] = 8 * MiB

    @pytest.fixture
    def blob_store_factory(self) -> StoreFactory:
        raise NotImplementedError("a driver's test class overrides blob_store_factory")

    @pytest.fixture
    async def store(self, blob_store_factory: StoreFactory) -> AsyncIterator[BlobStore]:
        async with blob_store_factory() as store:
            await store.check()
            assert await keys(store) == [], "blob_store_factory must give an empty store"
            yield store
            await assert_clean(store)

    # -- writing -----------------------------------------------------------------------------

    async def test_round_trip(self, store: BlobStore) -> None:
        data = b"hello, coffer"
        info = await store.put_bytes(data)
        assert info == expected_info(data, created=True)
        assert await store.exists(info.sha256)
        assert await store.size(info.sha256) == len(data)
        assert await read_all(store, info.sha256) == data
        assert await keys(store) == [info.sha256]
        await store.delete(info.sha256)
        assert not await store.exists(info.sha256)

    @pytest.mark.parametrize("chunk_size", [1, 7, 4 * KiB, 1 * MiB])
    async def test_digests_match_hashlib(self, store: BlobStore, chunk_size: int) -> None:
        data = pseudo_random(chunk_size, 100 * KiB + 3)
        info = await store.put_stream(chunked(data, chunk_size))
        assert info == expected_info(data, created=True)
        assert await read_all(store, info.sha256) == data
        await store.delete(info.sha256)

    async def test_empty_blob(self, store: BlobStore) -> None:
        info = await store.put_bytes(b"")
        assert info == expected_info(b"", created=True)
        assert (info.sha256, info.md5) == (EMPTY_SHA256, EMPTY_MD5)
        assert await store.size(EMPTY_SHA256) == 0
        assert await read_all(store, EMPTY_SHA256) == b""
        assert await read_all(store, EMPTY_SHA256, start=0, end=0) == b""
        again = await store.put_stream(chunked(b"", 1))  # an upload with no chunks at all
        assert again == expected_info(b"", created=False)
        with pytest.raises(InvalidBlobRange):
            await store.open_read(EMPTY_SHA256, start=1)
        await store.delete(EMPTY_SHA256)

    async def test_empty_chunks_are_harmless(self, store: BlobStore) -> None:
        async def gappy() -> AsyncIterator[bytes]:
            for chunk in (b"", b"ab", b"", b"", b"cd", b""):
                yield chunk

        info = await store.put_stream(gappy())
        assert info == expected_info(b"abcd", created=True)
        await store.delete(info.sha256)

    async def test_large_blob_streams_in_bounded_memory(self, store: BlobStore) -> None:
        chunk_size, count = 64 * KiB, 320  # 20 MiB

        def block(index: int) -> bytes:
            return pseudo_random(index, chunk_size)

        async def upload() -> AsyncIterator[bytes]:
            for index in range(count):
                yield block(index)

        read_digest = hashlib.sha256()
        tracemalloc.start()
        try:
            info = await store.put_stream(upload())
            put_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            async for chunk in await store.open_read(info.sha256):
                read_digest.update(chunk)
            read_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

        expected = hashlib.sha256()
        for index in range(count):
            expected.update(block(index))
        assert (info.sha256, info.size) == (expected.hexdigest(), count * chunk_size)
        assert read_digest.hexdigest() == info.sha256
        assert put_peak < self.streaming_memory_limit, f"put buffered {put_peak} bytes"
        assert read_peak < self.streaming_memory_limit, f"read buffered {read_peak} bytes"
        middle = count // 2 * chunk_size  # a range across the middle block boundary
        window = await read_all(store, info.sha256, start=middle - 1000, end=middle + 1000)
        assert window == block(count // 2 - 1)[-1000:] + block(count // 2)[:1000]
        await store.delete(info.sha256)

    @pytest.mark.parametrize(("size", "max_size"), [(0, 0), (100, 100), (100, 1000)])
    async def test_max_size_admits_up_to_the_limit(
        self, store: BlobStore, size: int, max_size: int
    ) -> None:
        info = await store.put_stream(chunked(b"x" * size, 30), max_size=max_size)
        assert info.size == size
        await store.delete(info.sha256)

    async def test_max_size_exceeded_leaves_nothing(self, store: BlobStore) -> None:
        sent: list[int] = []

        async def huge() -> AsyncIterator[bytes]:
            for index in range(1000):
                sent.append(index)
                yield b"x" * 1000

        with pytest.raises(BlobTooLarge) as caught:
            await store.put_stream(huge(), max_size=10_000)
        assert caught.value.max_size == 10_000
        assert len(sent) == 11, "the store must stop reading as soon as the limit is passed"
        assert await keys(store) == []
        assert await store.sweep_temporary(timedelta(0)) == 0

    async def test_expected_sha256_verifies_the_content(self, store: BlobStore) -> None:
        data = b"verified"
        digest = hashlib.sha256(data).hexdigest()
        info = await store.put_stream(chunked(data, 3), expected_sha256=digest)
        assert info.sha256 == digest
        await store.delete(digest)

    async def test_expected_sha256_mismatch_leaves_nothing(self, store: BlobStore) -> None:
        data, wrong = b"payload", hashlib.sha256(b"something else").hexdigest()
        with pytest.raises(BlobDigestMismatch) as caught:
            await store.put_stream(chunked(data, 3), expected_sha256=wrong)
        assert (caught.value.expected, caught.value.actual) == (
            wrong,
            hashlib.sha256(data).hexdigest(),
        )
        assert await keys(store) == []
        assert await store.sweep_temporary(timedelta(0)) == 0

    async def test_failing_upload_leaves_nothing(self, store: BlobStore) -> None:
        async def disconnecting() -> AsyncIterator[bytes]:
            yield b"partial" * 1000
            raise ConnectionResetError("client went away")

        with pytest.raises(ConnectionResetError):
            await store.put_stream(disconnecting())
        assert await keys(store) == []
        assert await store.sweep_temporary(timedelta(0)) == 0

    async def test_cancelled_upload_leaves_nothing(self, store: BlobStore) -> None:
        started = anyio.Event()

        async def stalled() -> AsyncIterator[bytes]:
            yield b"partial" * 1000
            started.set()
            await anyio.sleep_forever()
            yield b"never"  # pragma: no cover

        async with anyio.create_task_group() as group:
            group.start_soon(store.put_stream, stalled())
            await started.wait()
            group.cancel_scope.cancel()
        assert await keys(store) == []
        assert await store.sweep_temporary(timedelta(0)) == 0

    async def test_put_is_idempotent(self, store: BlobStore) -> None:
        data = b"same bytes, twice"
        first = await store.put_bytes(data)
        second = await store.put_stream(chunked(data, 4))
        assert (first.created, second.created) == (True, False)
        assert dataclasses.replace(second, created=True) == first
        assert await keys(store) == [first.sha256]
        await store.delete(first.sha256)

    async def test_concurrent_puts_of_one_content_create_it_once(self, store: BlobStore) -> None:
        data = pseudo_random(10, 300 * KiB)
        puts = (store.put_stream(chunked(data, 64 * KiB)) for _ in range(10))
        infos = await asyncio.gather(*puts)
        assert sum(info.created for info in infos) == 1
        assert {dataclasses.replace(info, created=False) for info in infos} == {
            expected_info(data, created=False)
        }
        assert await keys(store) == [infos[0].sha256]
        assert await read_all(store, infos[0].sha256) == data
        await store.delete(infos[0].sha256)

    async def test_concurrent_puts_of_distinct_contents(self, store: BlobStore) -> None:
        contents = [f"content {n}".encode() * 1000 for n in range(10)]
        infos = await asyncio.gather(*(store.put_stream(chunked(c, 999)) for c in contents))
        assert all(info.created for info in infos)
        assert await keys(store) == sorted(info.sha256 for info in infos)
        for info, content in zip(infos, contents, strict=True):
            assert await read_all(store, info.sha256) == content
            await store.delete(info.sha256)

    async def test_deleted_blob_can_be_stored_again(self, store: BlobStore) -> None:
        info = await store.put_bytes(b"phoenix")
        await store.delete(info.sha256)
        again = await store.put_bytes(b"phoenix")
        assert again.created
        assert await read_all(store, again.sha256) == b"phoenix"
        await store.delete(again.sha256)

    # -- reading -----------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (0, None),
            (10, None),
            (10, 20),
            (1000, 1024),
            (0, 1024),
            (1023, None),
            (7, 7),
            (0, 0),
            (1024, None),
            (1024, 1024),
        ],
    )
    async def test_range_reads(self, store: BlobStore, start: int, end: int | None) -> None:
        info = await store.put_bytes(RANGE_DATA)
        assert await read_all(store, info.sha256, start, end) == RANGE_DATA[start:end]
        await store.delete(info.sha256)

    @pytest.mark.parametrize(
        ("start", "end"), [(-1, None), (1025, None), (0, 1025), (10, 9), (0, -1), (2000, 3000)]
    )
    async def test_range_outside_the_blob_is_rejected_before_reading(
        self, store: BlobStore, start: int, end: int | None
    ) -> None:
        info = await store.put_bytes(RANGE_DATA)
        with pytest.raises(InvalidBlobRange) as caught:
            await store.open_read(info.sha256, start=start, end=end)
        assert isinstance(caught.value, ValueError)
        assert (caught.value.size, caught.value.start, caught.value.end) == (1024, start, end)
        await store.delete(info.sha256)

    async def test_missing_blob(self, store: BlobStore) -> None:
        missing = hashlib.sha256(b"never stored").hexdigest()
        assert not await store.exists(missing)
        with pytest.raises(BlobNotFound) as caught:
            await store.size(missing)
        assert caught.value.sha256 == missing
        with pytest.raises(BlobNotFound):
            await store.open_read(missing)
        with pytest.raises(BlobNotFound):
            await store.open_read(missing, start=0, end=0)

    async def test_read_generators_may_stop_early(self, store: BlobStore) -> None:
        data = pseudo_random(3, 3 * MiB)
        info = await store.put_bytes(data)
        await store.open_read(info.sha256)  # never iterated: holds nothing
        async with aclosing(await store.open_read(info.sha256)) as reader:
            first = await anext(reader)
        assert data.startswith(first)
        async for chunk in await store.open_read(info.sha256, start=5):  # dropped, not closed
            assert data[5:].startswith(chunk)
            break
        gc.collect()
        await anyio.sleep(0)  # the event loop finalizes the dropped generator
        await store.delete(info.sha256)

    async def test_another_instance_sees_the_same_blobs(
        self, store: BlobStore, blob_store_factory: StoreFactory
    ) -> None:
        info = await store.put_bytes(b"shared")
        async with blob_store_factory() as other:
            assert await read_all(other, info.sha256) == b"shared"
            assert not (await other.put_bytes(b"shared")).created
            await other.delete(info.sha256)
        assert not await store.exists(info.sha256)

    async def test_local_path_when_offered_holds_the_blob(self, store: BlobStore) -> None:
        info = await store.put_bytes(b"sendfile me")
        path = store.local_path(info.sha256)
        assert path is None or path.read_bytes() == b"sendfile me"
        await store.delete(info.sha256)

    async def test_redirect_url_when_offered_is_http(self, store: BlobStore) -> None:
        info = await store.put_bytes(b"redirect me")
        url = await store.redirect_url(info.sha256, filename="demo-1.0.tar.gz", expires_in=60)
        assert url is None or url.startswith(("https://", "http://"))
        await store.delete(info.sha256)

    # -- keys, deletion, housekeeping --------------------------------------------------------

    async def test_delete_is_idempotent(self, store: BlobStore) -> None:
        info = await store.put_bytes(b"short-lived")
        await store.delete(info.sha256)
        await store.delete(info.sha256)
        await store.delete(hashlib.sha256(b"never stored").hexdigest())
        with pytest.raises(BlobNotFound):
            await store.size(info.sha256)

    @pytest.mark.parametrize("key", BAD_KEYS)
    async def test_invalid_keys_are_rejected(self, store: BlobStore, key: str) -> None:
        operations: list[Callable[[str], Awaitable[object]]] = [
            store.size,
            store.exists,
            store.delete,
            store.open_read,
            lambda bad: store.redirect_url(bad, filename="x.whl", expires_in=60),
            lambda bad: store.put_stream(never_iterated(), expected_sha256=bad),
        ]
        for operation in operations:
            with pytest.raises(InvalidBlobKey):
                await operation(key)
        with pytest.raises(InvalidBlobKey):
            store.local_path(key)
        assert issubclass(InvalidBlobKey, ValueError)

    async def test_iter_keys_lists_exactly_what_was_put(self, store: BlobStore) -> None:
        contents = [b"alpha", b"beta", b"gamma", *same_prefix_pair(4)]
        stored = [(await store.put_bytes(content)).sha256 for content in contents]
        assert await keys(store) == sorted(stored)
        await store.delete(stored[0])
        assert await keys(store) == sorted(stored[1:])
        for key in stored[1:]:
            await store.delete(key)

    async def test_iter_blobs_gives_sizes_and_write_times(self, store: BlobStore) -> None:
        before = time.time()
        contents = [b"", b"one", pseudo_random(7, 3 * KiB)]
        stored = {(await store.put_bytes(content)).sha256: content for content in contents}
        after = time.time()
        listed = [blob async for blob in store.iter_blobs()]
        assert [blob.sha256 for blob in listed] == sorted(stored)
        for blob in listed:
            assert blob.size == len(stored[blob.sha256])
            # Object stores keep whole seconds (S3's LastModified); clocks may differ a little.
            assert before - 5 <= blob.modified <= after + 5
        for key in stored:
            await store.delete(key)
        assert [blob async for blob in store.iter_blobs()] == []

    async def test_check_is_repeatable_and_leaves_nothing(self, store: BlobStore) -> None:
        await store.check()
        await store.check()
        assert await keys(store) == []

    async def test_sweep_spares_blobs_and_uploads_in_flight(self, store: BlobStore) -> None:
        kept = await store.put_bytes(b"kept")
        assert await store.sweep_temporary(timedelta(0)) == 0
        assert await store.exists(kept.sha256)

        halfway, resume = anyio.Event(), anyio.Event()
        results: list[BlobInfo] = []

        async def slow() -> AsyncIterator[bytes]:
            yield b"first half, "
            halfway.set()
            await resume.wait()
            yield b"second half"

        async def put() -> None:
            results.append(await store.put_stream(slow()))

        async with anyio.create_task_group() as group:
            group.start_soon(put)
            await halfway.wait()
            assert await store.sweep_temporary(timedelta(hours=1)) == 0
            resume.set()
        assert await read_all(store, results[0].sha256) == b"first half, second half"
        for key in (kept.sha256, results[0].sha256):
            await store.delete(key)

    async def test_close_is_idempotent(self, blob_store_factory: StoreFactory) -> None:
        store = blob_store_factory()
        async with store as entered:
            assert entered is store
        await store.close()
