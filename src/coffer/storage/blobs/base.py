"""The blob store contract: content-addressed, immutable, streamed bytes.

A blob is an immutable byte string stored under its own sha256 (64 lowercase hex digits) and
stored once per store, however many assets in however many repositories point at it. Drivers
(filesystem, S3, ...) implement :class:`BlobStore`; ``tests/contract/blobstore_suite.py`` is the
conformance suite every driver runs.

Rules every driver keeps:

- **Keys are validated** by :func:`validate_key` before any I/O, so no raw user input ever
  reaches a path or an object name.
- **Nothing partial is ever visible.** :meth:`BlobStore.put_stream` writes to a temporary
  location while hashing and publishes under the key only once the content is complete, durable
  and (when asked) verified. A failed, oversized or cancelled upload leaves at most temporary
  state, which :meth:`BlobStore.sweep_temporary` removes.
- **``created`` is exact.** Of any number of concurrent writers of the same content, exactly one
  sees ``BlobInfo.created == True``; a service that fails to commit its database transaction
  deletes the blob only if it created it (DESIGN.md section 3: blob first, database second).
- **Errors are typed.** Vendor errors are translated to the tree below; a missing blob is always
  :class:`BlobNotFound`, never ``FileNotFoundError`` or a botocore error.

::

    CofferError
    └── BlobError                    storage-level; services translate them for callers
        ├── BlobNotFound             .sha256 is not in the store
        ├── BlobTooLarge             the upload exceeded .max_size
        ├── BlobDigestMismatch       the content's .actual sha256 is not the .expected one
        ├── BlobStoreUnavailable     check(): the store is unreachable or not writable
        ├── InvalidBlobKey           (also ValueError) not 64 lowercase hex digits
        ├── InvalidBlobRange         (also ValueError) a range outside the blob
        └── BlobStoreConfigError     (also ValueError) an unusable blob store URL
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

from coffer.errors import CofferError

__all__ = [
    "BlobDigestMismatch",
    "BlobError",
    "BlobHasher",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobStoreConfigError",
    "BlobStoreUnavailable",
    "BlobTooLarge",
    "InvalidBlobKey",
    "InvalidBlobRange",
    "StoredBlob",
    "resolve_range",
    "validate_key",
]

_KEY = re.compile(r"[0-9a-f]{64}")


class BlobError(CofferError):
    """Base of the blob store's errors."""


class BlobNotFound(BlobError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"blob {sha256} not found")
        self.sha256 = sha256


class BlobTooLarge(BlobError):
    def __init__(self, max_size: int) -> None:
        super().__init__(f"blob exceeds the limit of {max_size} bytes")
        self.max_size = max_size


class BlobDigestMismatch(BlobError):
    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"blob content has sha256 {actual}, expected {expected}")
        self.expected = expected
        self.actual = actual


class BlobStoreUnavailable(BlobError):
    """The store cannot be reached or written; the cause is chained."""


class InvalidBlobKey(BlobError, ValueError):
    def __init__(self, key: object) -> None:
        shown = repr(key)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"invalid blob key {shown}: expected 64 lowercase hex digits")


class InvalidBlobRange(BlobError, ValueError):
    def __init__(self, size: int, start: int, end: int | None) -> None:
        super().__init__(f"range start={start} end={end} is outside a blob of {size} bytes")
        self.size = size
        self.start = start
        self.end = end


class BlobStoreConfigError(BlobError, ValueError):
    """A blob store URL names no known driver or is malformed for its driver."""


def validate_key(sha256: str) -> str:
    """Return ``sha256`` if it is exactly 64 lowercase hex digits, else raise InvalidBlobKey."""
    if not isinstance(sha256, str) or _KEY.fullmatch(sha256) is None:
        raise InvalidBlobKey(sha256)
    return sha256


def resolve_range(size: int, start: int, end: int | None) -> int:
    """Check ``[start, end)`` against a blob of ``size`` bytes and return the exclusive end.

    Valid ranges satisfy ``0 <= start <= end <= size``; ``end=None`` means ``size``. An empty range
    (``start == end``, including ``start == size``) is valid and reads nothing.
    """
    stop = size if end is None else end
    if not 0 <= start <= stop <= size:
        raise InvalidBlobRange(size, start, end)
    return stop


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What a put learned about the blob. Digests are lowercase hex."""

    sha256: str
    size: int
    md5: str
    sha1: str
    sha512: str
    blake2b_256: str
    created: bool
    """True only for the one call that published the blob; False if it was already stored."""


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A blob as a listing shows it (for fsck and backups)."""

    sha256: str
    size: int
    modified: float
    """When the blob was last written or re-stored, in epoch seconds (file mtime, S3
    LastModified): a blob younger than fsck's grace period may belong to an upload whose
    database row is not committed yet."""


class BlobHasher:
    """Computes every digest an asset lists in one pass over the content (for drivers)."""

    __slots__ = ("_blake2b", "_md5", "_sha1", "_sha256", "_sha512", "size")

    def __init__(self) -> None:
        self.size = 0
        self._sha256 = hashlib.sha256()
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha512 = hashlib.sha512()
        self._blake2b = hashlib.blake2b(digest_size=32)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        self.size += len(data)
        for digest in (self._sha256, self._md5, self._sha1, self._sha512, self._blake2b):
            digest.update(data)

    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def info(self, *, created: bool) -> BlobInfo:
        return BlobInfo(
            sha256=self._sha256.hexdigest(),
            size=self.size,
            md5=self._md5.hexdigest(),
            sha1=self._sha1.hexdigest(),
            sha512=self._sha512.hexdigest(),
            blake2b_256=self._blake2b.hexdigest(),
            created=created,
        )


class BlobStore(ABC):
    """A content-addressed store of immutable blobs. Every method validates its key first.

    Use it as an async context manager, or call :meth:`close` when done.
    """

    @abstractmethod
    async def put_stream(
        self,
        chunks: AsyncIterable[bytes],
        *,
        max_size: int | None = None,
        expected_sha256: str | None = None,
    ) -> BlobInfo:
        """Store the concatenated chunks under their sha256 and return their digests.

        Chunks are consumed as they come and never held all at once. Raises
        :class:`BlobTooLarge` as soon as more than ``max_size`` bytes arrive, and
        :class:`BlobDigestMismatch` if ``expected_sha256`` is given and differs. On any error,
        including one raised by ``chunks`` and cancellation, nothing is published under a key.
        """

    async def put_bytes(self, data: bytes) -> BlobInfo:
        """Store ``data``; see :meth:`put_stream`."""

        async def once() -> AsyncIterator[bytes]:
            yield data

        return await self.put_stream(once())

    @abstractmethod
    async def open_read(
        self, sha256: str, *, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        """Return a generator of the blob's bytes ``[start, end)`` (``end`` is exclusive).

        ``end=None`` reads to the end; an HTTP ``Range: bytes=a-b`` is ``start=a, end=b + 1``.
        Awaiting this raises :class:`BlobNotFound` and :class:`InvalidBlobRange` (see
        :func:`resolve_range`) before any byte is read, so a caller can still choose its status
        code. The generator holds no resources until iterated; one stopped part way should be
        ``aclose()``-d (``contextlib.aclosing``), else the event loop finalizes it. Iterating may
        still raise :class:`BlobNotFound` if the blob is deleted in between.
        """

    @abstractmethod
    async def size(self, sha256: str) -> int:
        """Return the blob's size in bytes, or raise :class:`BlobNotFound`."""

    @abstractmethod
    async def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    async def delete(self, sha256: str) -> None:
        """Remove the blob; deleting a missing blob is not an error.

        Deleting is for compensation and garbage collection: the caller must know that nothing
        references the blob (a concurrent put of the same content may have reported
        ``created=False`` and be about to reference it).
        """

    async def iter_keys(self) -> AsyncIterator[str]:
        """Yield every stored key once, in ascending order (for tests)."""
        async for blob in self.iter_blobs():
            yield blob.sha256

    @abstractmethod
    def iter_blobs(self) -> AsyncIterator[StoredBlob]:
        """Yield every stored blob once, in ascending key order, with its size and age.

        A put that finds its content already stored refreshes ``modified`` where the store
        allows it cheaply (the filesystem), so fsck's grace period also covers a deduplicated
        upload about to reference a blob nothing referenced before.
        """

    def local_path(self, sha256: str) -> Path | None:
        """Return where the blob lives on a local filesystem (for zero-copy sendfile), or None.

        No I/O: the path is returned whether or not the blob exists.
        """
        validate_key(sha256)
        return None

    async def redirect_url(self, sha256: str, *, filename: str, expires_in: int) -> str | None:
        """Return a URL (e.g. presigned) that serves the blob as ``filename``, or None."""
        validate_key(sha256)
        return None

    @abstractmethod
    async def check(self) -> None:
        """Raise :class:`BlobStoreUnavailable` unless the store is reachable and writable."""

    @abstractmethod
    async def sweep_temporary(self, older_than: timedelta) -> int:
        """Remove temporary state of uploads older than ``older_than``; return how many.

        ``older_than`` must exceed the longest upload, or uploads in flight will fail.
        """

    async def close(self) -> None:  # noqa: B027 - a no-op unless the driver holds resources
        """Release the driver's resources (connections, thread pools); idempotent."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
