"""The blob store conformance suite on the S3 driver, against a real S3 API server (moto)."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any, ClassVar

import httpx
import pytest
from botocore.exceptions import ClientError

from coffer.storage.blobs import (
    BlobDigestMismatch,
    BlobNotFound,
    BlobStoreConfigError,
    BlobStoreUnavailable,
    BlobTooLarge,
    open_blob_store,
)
from coffer.storage.blobs._s3_bucket import default_client
from coffer.storage.blobs.s3 import MIN_PART_SIZE, S3BlobStore
from support.names import new_name
from support.s3 import S3Server, shared_s3

from .blobstore_suite import (
    BlobStoreSuite,
    KiB,
    MiB,
    StoreFactory,
    assert_clean,
    chunked,
    expected_info,
    keys,
    pseudo_random,
    read_all,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="session")
def s3_server() -> S3Server:
    return shared_s3()


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh bucket, with the standard AWS settings pointing at the server."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = f"t-{new_name()}"
    s3_server.create_bucket(bucket)
    yield bucket
    s3_server.delete_bucket(bucket)


class TestS3BlobStore(BlobStoreSuite):
    #: A put holds one 8 MiB multipart part while it uploads (growing the buffer may briefly
    #: copy it); a range read holds one 1 MiB chunk.
    streaming_memory_limit: ClassVar[int] = 16 * MiB

    @pytest.fixture
    def blob_store_factory(self, s3_bucket: str) -> StoreFactory:
        return lambda: open_blob_store(f"s3://{s3_bucket}/coffer blobs")


# -- what only the S3 driver promises -----------------------------------------------------------

PART = MIN_PART_SIZE
HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


class Recorder:
    """Builds real S3 clients and records the operations they send (botocore's event hooks)."""

    def __init__(self, strip_if_none_match: bool = False) -> None:
        self.operations: list[str] = []
        self._strip = strip_if_none_match

    def __call__(self) -> Any:
        client = default_client()
        client.meta.events.register("before-call.s3", self._record)
        if self._strip:  # a service that ignores conditional writes
            client.meta.events.register("before-sign.s3.PutObject", self._drop_condition)
        return client

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    @staticmethod
    def _drop_condition(request: Any, **_: Any) -> None:
        if "If-None-Match" in request.headers:
            del request.headers["If-None-Match"]

    def take(self) -> list[str]:
        taken, self.operations = self.operations, []
        return taken


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def store(s3_bucket: str, recorder: Recorder) -> AsyncIterator[S3BlobStore]:
    """A store with the smallest parts S3 allows, held to the suite's teardown check."""
    async with S3BlobStore(s3_bucket, "p", part_size=PART, client_factory=recorder) as store:
        yield store
        await assert_clean(store)


def objects(s3_server: S3Server, bucket: str) -> list[str]:
    listed = s3_server.client().list_objects_v2(Bucket=bucket)
    return [entry["Key"] for entry in listed.get("Contents", [])]


async def test_layout_matches_the_module_docstring(
    store: S3BlobStore, s3_server: S3Server, s3_bucket: str
) -> None:
    info = await store.put_bytes(b"hello")
    assert info.sha256 == HELLO_SHA256
    assert objects(s3_server, s3_bucket) == [f"p/sha256/2c/f2/{HELLO_SHA256}"]
    assert store.key(HELLO_SHA256) == f"p/sha256/2c/f2/{HELLO_SHA256}"
    await store.delete(HELLO_SHA256)


async def test_a_small_blob_is_one_conditional_put(store: S3BlobStore, recorder: Recorder) -> None:
    recorder.take()
    assert (await store.put_bytes(b"hello")).created
    assert recorder.take() == ["PutObject"]
    assert not (await store.put_bytes(b"hello")).created
    assert recorder.take() == ["PutObject"]  # answered 412: nothing was written
    await store.delete(HELLO_SHA256)


async def test_a_large_blob_of_unknown_digest_is_copied_from_tmp(
    store: S3BlobStore, recorder: Recorder, s3_server: S3Server, s3_bucket: str
) -> None:
    data = pseudo_random(1, 2 * PART + 123)
    recorder.take()
    info = await store.put_stream(chunked(data, 256 * KiB))
    assert info == expected_info(data, created=True)
    assert recorder.take() == [
        "CreateMultipartUpload", "UploadPart", "UploadPart", "UploadPart",
        "CompleteMultipartUpload", "HeadObject",
        "CreateMultipartUpload", "UploadPartCopy", "CompleteMultipartUpload", "DeleteObject",
    ]  # fmt: skip
    assert objects(s3_server, s3_bucket) == [store.key(info.sha256)]
    assert await read_all(store, info.sha256) == data
    again = await store.put_stream(chunked(data, 1 * MiB))
    assert again == expected_info(data, created=False)
    assert "UploadPartCopy" not in recorder.take()
    await store.delete(info.sha256)


async def test_a_large_blob_of_known_digest_goes_straight_to_its_key(
    store: S3BlobStore, recorder: Recorder
) -> None:
    data = pseudo_random(2, PART + 1)
    digest = hashlib.sha256(data).hexdigest()
    recorder.take()
    info = await store.put_stream(chunked(data, 1 * MiB), expected_sha256=digest)
    assert info.created
    assert recorder.take() == [
        "HeadObject", "CreateMultipartUpload", "UploadPart", "UploadPart",
        "CompleteMultipartUpload",
    ]  # fmt: skip
    again = await store.put_stream(chunked(data, 1 * MiB), expected_sha256=digest)
    assert not again.created
    assert recorder.take() == ["HeadObject"]  # only hashed and verified
    await store.delete(digest)


@pytest.mark.parametrize("known", [False, True], ids=["unknown-digest", "known-digest"])
async def test_concurrent_large_puts_create_once(store: S3BlobStore, known: bool) -> None:
    data = pseudo_random(3, PART + 10)
    digest = hashlib.sha256(data).hexdigest() if known else None
    infos = await asyncio.gather(
        *(store.put_stream(chunked(data, 1 * MiB), expected_sha256=digest) for _ in range(4))
    )
    assert sum(info.created for info in infos) == 1
    assert await keys(store) == [hashlib.sha256(data).hexdigest()]
    await store.delete(infos[0].sha256)


async def test_a_failed_large_put_aborts_its_multipart_upload(store: S3BlobStore) -> None:
    data = pseudo_random(4, 2 * PART)
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(BlobDigestMismatch):
        await store.put_stream(chunked(data, 1 * MiB), expected_sha256=wrong)
    with pytest.raises(BlobTooLarge):
        await store.put_stream(chunked(data, 1 * MiB), max_size=PART + 1)
    # assert_clean (teardown) finds no multipart upload and no tmp/ object.


async def test_sweep_removes_only_stale_temporary_state(
    store: S3BlobStore, s3_server: S3Server, s3_bucket: str
) -> None:
    client = s3_server.client()
    now_ms = int(time.time() * 1000)
    stale, fresh = f"p/tmp/upload-{now_ms - 7_200_000:013d}-aa", f"p/tmp/upload-{now_ms:013d}-bb"
    for key in (stale, fresh):
        client.put_object(Bucket=s3_bucket, Key=key, Body=b"crashed upload")
    crashed = client.create_multipart_upload(Bucket=s3_bucket, Key=store.key(HELLO_SHA256))
    client.put_object(Bucket=s3_bucket, Key="elsewhere/tmp/upload-0000000000000-cc", Body=b"")
    # moto reports every multipart upload as initiated in 2010, so it counts as stale here.
    assert await store.sweep_temporary(timedelta(hours=1)) == 2
    assert objects(s3_server, s3_bucket) == ["elsewhere/tmp/upload-0000000000000-cc", fresh]
    uploads = client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", [])
    assert crashed["UploadId"] not in [upload["UploadId"] for upload in uploads]
    assert await store.sweep_temporary(timedelta(0)) == 1
    client.delete_object(Bucket=s3_bucket, Key="elsewhere/tmp/upload-0000000000000-cc")


async def test_a_blob_deleted_after_open_read_is_not_found(store: S3BlobStore) -> None:
    await store.put_bytes(b"hello")
    reader = await store.open_read(HELLO_SHA256)
    await store.delete(HELLO_SHA256)
    with pytest.raises(BlobNotFound):
        await anext(reader)


async def test_redirect_url_downloads_the_blob_under_its_filename(store: S3BlobStore) -> None:
    await store.put_bytes(b"hello")
    url = await store.redirect_url(HELLO_SHA256, filename="demo 1.0.tar.gz", expires_in=60)
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
    assert (response.status_code, response.content) == (200, b"hello")
    assert "X-Amz-Signature=" in url
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"demo 1.0.tar.gz\"; filename*=UTF-8''demo%201.0.tar.gz"
    )
    await store.delete(HELLO_SHA256)


async def test_check_refuses_a_service_that_ignores_conditional_writes(s3_bucket: str) -> None:
    ignoring = Recorder(strip_if_none_match=True)
    async with S3BlobStore(s3_bucket, "p", client_factory=ignoring) as store:
        with pytest.raises(BlobStoreUnavailable, match="ignores conditional writes"):
            await store.check()
        assert await keys(store) == []
        assert await store.sweep_temporary(timedelta(0)) == 0


async def test_check_fails_on_a_missing_bucket(s3_bucket: str) -> None:
    async with open_blob_store("s3://no-such-bucket-here/p") as store:
        with pytest.raises(BlobStoreUnavailable, match="no-such-bucket-here") as caught:
            await store.check()
    assert isinstance(caught.value.__cause__, ClientError)


async def test_an_unreachable_endpoint_is_unavailable(
    s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    async with open_blob_store(f"s3://{s3_bucket}") as store:
        for operation in (store.check(), store.size(HELLO_SHA256), store.put_bytes(b"x")):
            with pytest.raises(BlobStoreUnavailable):
                await operation


async def test_the_generic_endpoint_setting_works_too(
    s3_bucket: str, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_server.endpoint_url)
    async with open_blob_store(f"s3://{s3_bucket}") as store:
        await store.check()
        info = await store.put_bytes(b"hello")
        assert store.key(info.sha256) == f"sha256/2c/f2/{HELLO_SHA256}"  # no prefix
        await store.delete(info.sha256)


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://bucket", "bucket", ""),
        ("s3://bucket/", "bucket", ""),
        ("s3://my.bucket-1/a/b/", "my.bucket-1", "a/b"),
        ("s3://bucket/coffer%20blobs", "bucket", "coffer blobs"),
    ],
)
def test_urls(url: str, bucket: str, prefix: str) -> None:
    store = open_blob_store(url)
    assert isinstance(store, S3BlobStore)
    assert (store.bucket, store.prefix) == (bucket, prefix)


@pytest.mark.parametrize(
    "url",
    [
        "s3://",
        "s3://ab",
        "s3://Bucket/x",
        "s3://bucket/a//b",
        "s3://bucket/a/../b",
        "s3://bucket/x?region=eu-west-1",
        "s3://key:secret@bucket/x",
        "s3://bucket/x#y",
        "s3://bucket/a%0Ab",
    ],
)
def test_malformed_urls_are_rejected(url: str) -> None:
    with pytest.raises(BlobStoreConfigError):
        open_blob_store(url)


def test_parts_smaller_than_s3_allows_are_refused() -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3BlobStore("bucket", part_size=PART - 1)


def test_the_driver_loads_only_when_an_s3_url_is_opened() -> None:
    script = (
        "import sys\n"
        "from coffer.storage.blobs import open_blob_store\n"
        "open_blob_store('file:///tmp/blobs')\n"
        "assert 'coffer.storage.blobs.s3' not in sys.modules\n"
        "open_blob_store('s3://bucket/prefix')\n"
        "assert 'coffer.storage.blobs.s3' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
