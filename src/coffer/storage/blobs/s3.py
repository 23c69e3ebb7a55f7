"""Blob store on Amazon S3 or any S3-compatible service, opened as ``s3://bucket/prefix``.

Layout, under the optional prefix::

    <prefix>/
    ├── sha256/                       published blobs: immutable, named by their sha256
    │   └── 2c/
    │       └── f2/
    │           └── 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
    └── tmp/                          large uploads whose digest was not known in advance
        └── upload-<epoch ms>-<random>

Settings are the standard AWS ones, read by botocore as the aws CLI reads them: credentials from
the usual chain (environment, shared credentials and config files with ``AWS_PROFILE``, SSO, web
identity, container and instance roles), the region from ``AWS_REGION``/``AWS_DEFAULT_REGION`` or
the profile (default ``us-east-1``), and the endpoint from ``AWS_ENDPOINT_URL_S3`` or
``AWS_ENDPOINT_URL`` for MinIO, Ceph RGW, R2 and the like. The profile's ``s3`` section (e.g.
``addressing_style = path``), retry mode and checksum settings apply too.

A put hashes the content as it streams (all five digests) and publishes it in one of three ways,
none of which ever shows a partial blob under a key:

- **Small** (at most ``part_size`` bytes, the common case): the content is held in memory and
  written with one ``PutObject`` straight to its key, with ``If-None-Match: *`` and the content's
  ``x-amz-checksum-sha256`` (S3 verifies the bytes it stores).
- **Large, digest known in advance** (``expected_sha256``): if the key exists, the stream is only
  hashed and verified. Otherwise a multipart upload goes straight to the key, completed with
  ``If-None-Match: *`` once the digest is verified, and aborted on any failure; S3 shows nothing of
  a multipart upload until it is completed.
- **Large, digest unknown**: a multipart upload to ``tmp/``, then, unless the key exists, a
  server-side multipart copy (``UploadPartCopy``) to the key, completed with ``If-None-Match: *``.
  The temporary object is deleted either way.

``created`` is exact because every write to a key is conditional: of concurrent writers, S3 lets
exactly one succeed and answers ``412 Precondition Failed`` to the others (``409`` conflicts
between conditional writes in flight are retried). :meth:`S3BlobStore.check` refuses a service
that ignores ``If-None-Match``: AWS S3 (since August 2024), MinIO, Ceph RGW and R2 honour it. One
corner remains: if a conditional write succeeds but its response is lost, botocore's retry gets
412 and reports ``created=False``, so no caller created the blob; a failed database commit then
leaves an orphan for ``coffer fsck`` rather than deleting a blob someone references.

Temporary state is ``tmp/`` objects and multipart uploads under the prefix; a crash leaves only
those, which :meth:`S3BlobStore.sweep_temporary` removes (the age of a ``tmp/`` upload is read
from its name, so servers with odd ``Initiated`` clocks are swept right too). Incomplete multipart
uploads are also what an S3 lifecycle rule (``AbortIncompleteMultipartUpload``) cleans up.

botocore is synchronous: calls run in worker threads (``anyio.to_thread``), and the client with
its connection pool is created on first use, so opening a store does no I/O.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncGenerator, AsyncIterable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import anyio
from anyio import to_thread
from botocore.exceptions import BotoCoreError, ClientError

from coffer.storage.blobs._s3_bucket import Bucket, default_client, error_code
from coffer.storage.blobs._s3_transfer import RangeReader, Upload
from coffer.storage.blobs.base import (
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

__all__ = ["DEFAULT_PART_SIZE", "MIN_PART_SIZE", "S3BlobStore", "from_url"]

MiB = 1024 * 1024
DEFAULT_PART_SIZE = 8 * MiB  # the aws CLI's multipart chunk size
MIN_PART_SIZE = 5 * MiB  # S3's minimum for every part but the last
DEFAULT_READ_SIZE = 1 * MiB
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")

_T = TypeVar("_T")


def from_url(url: str) -> S3BlobStore:
    """Open ``s3://bucket`` or ``s3://bucket/prefix/path`` (settings come from the AWS ones)."""
    parts = urlsplit(url)
    prefix = unquote(parts.path).strip("/")
    segments = prefix.split("/") if prefix else []
    if (
        parts.scheme != "s3"
        or _BUCKET.fullmatch(parts.netloc) is None
        or ".." in parts.netloc
        or parts.query
        or parts.fragment
        or any(segment in ("", ".", "..") for segment in segments)
        or not prefix.isprintable()
    ):
        raise BlobStoreConfigError(
            f"invalid S3 blob store URL {url!r}: expected s3://bucket or s3://bucket/prefix"
        )
    return S3BlobStore(parts.netloc, prefix)


def content_disposition(filename: str) -> str:
    """``attachment`` naming ``filename``: an ASCII fallback and RFC 6266's ``filename*``."""
    fallback = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else "_"
        for char in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


class S3BlobStore(BlobStore):
    """Blobs as objects in ``bucket`` under ``prefix``; see the module docstring."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        part_size: int = DEFAULT_PART_SIZE,
        read_size: int = DEFAULT_READ_SIZE,
        client_factory: Callable[[], Any] = default_client,
    ) -> None:
        """``client_factory`` builds the botocore S3 client, on first use, in a worker thread."""
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes (S3's minimum)")
        if read_size < 1:
            raise ValueError("read_size must be positive")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._objects = Bucket(bucket, self.prefix, client_factory)
        self._part_size = part_size
        self._read_size = read_size

    def __repr__(self) -> str:
        return f"S3BlobStore({self.bucket!r}, {self.prefix!r})"

    def key(self, sha256: str) -> str:
        """The object key of a blob: ``<prefix>/sha256/ab/cd/<sha256>``."""
        return self._objects.key(sha256)

    async def _run(self, operation: str, call: Callable[[], _T]) -> _T:
        """Run ``call`` in a worker thread; vendor errors become :class:`BlobStoreUnavailable`."""
        try:
            return await to_thread.run_sync(call)
        except ClientError as error:
            code, status = error_code(error)
            raise BlobStoreUnavailable(
                f"S3 {operation} in bucket {self.bucket} failed ({code or status}): {error}"
            ) from error
        except BotoCoreError as error:
            raise BlobStoreUnavailable(
                f"S3 {operation} in bucket {self.bucket} failed: {error}"
            ) from error

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
        upload = Upload(self._objects, expected_sha256)
        try:
            buffer, size = bytearray(), 0
            async for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise BlobTooLarge(max_size)
                buffer += chunk
                if len(buffer) >= self._part_size:
                    await self._run("UploadPart", partial(upload.write_part, buffer))
                    buffer = bytearray()
            created = await self._run("PutObject", partial(upload.finish, buffer))
        except BaseException:
            with anyio.CancelScope(shield=True), contextlib.suppress(BlobStoreUnavailable):
                # What cannot be removed now is left for sweep_temporary.
                await self._run("AbortMultipartUpload", upload.discard)
            raise
        return upload.hasher.info(created=created)

    async def open_read(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        size = await self.size(sha256)
        return self._read_range(sha256, start, resolve_range(size, start, end))

    async def _read_range(self, sha256: str, start: int, stop: int) -> AsyncGenerator[bytes, None]:
        if start == stop:
            return
        reader = RangeReader(self._objects, sha256, start, stop, self._read_size)
        try:
            while data := await self._run("GetObject", reader.read):
                yield data
        finally:
            reader.release()

    async def size(self, sha256: str) -> int:
        size = await self._run("HeadObject", partial(self._objects.head, self.key(sha256)))
        if size is None:
            raise BlobNotFound(sha256)
        return size

    async def exists(self, sha256: str) -> bool:
        key = self.key(sha256)
        return await self._run("HeadObject", partial(self._objects.head, key)) is not None

    async def delete(self, sha256: str) -> None:
        await self._run("DeleteObject", partial(self._objects.delete, self.key(sha256)))

    async def iter_blobs(self) -> AsyncGenerator[StoredBlob, None]:
        pages = await self._run(
            "ListObjectsV2", partial(self._objects.list_pages, self._objects.blobs)
        )
        while (page := await self._run("ListObjectsV2", partial(next, pages, None))) is not None:
            for blob in self._objects.blob_entries(page):
                yield blob

    async def redirect_url(self, sha256: str, *, filename: str, expires_in: int) -> str:
        """A presigned GET that downloads the blob as ``filename`` (for COFFER_BLOB_REDIRECT)."""
        presign = partial(
            self._objects.presign, self.key(sha256), content_disposition(filename), expires_in
        )
        return await self._run("presign", presign)

    async def check(self) -> None:
        """Write and delete a probe; the first time, also prove conditional writes work."""
        await self._run("check", self._objects.probe)

    async def sweep_temporary(self, older_than: timedelta) -> int:
        """Delete ``tmp/`` objects and abort multipart uploads older than ``older_than``."""
        cutoff = time.time() - older_than.total_seconds()
        return await self._run("sweep", partial(self._objects.sweep, cutoff))

    async def close(self) -> None:
        await to_thread.run_sync(self._objects.close)
