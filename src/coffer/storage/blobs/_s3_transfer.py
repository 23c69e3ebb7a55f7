"""The S3 driver's transfers: one put (:class:`Upload`) and one ranged read (:class:`RangeReader`).

Their methods block and run in worker threads, one call at a time per object, so that clean-up
requested from the event loop (after an error or a cancellation) never races a call in flight.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from coffer.storage.blobs._s3_bucket import Bucket, Part, is_not_found
from coffer.storage.blobs.base import BlobDigestMismatch, BlobError, BlobHasher, BlobNotFound

__all__ = ["RangeReader", "Upload"]


class Upload:
    """Hashes a put's content part by part and publishes it (see the s3 module docstring)."""

    def __init__(self, bucket: Bucket, expected_sha256: str | None) -> None:
        self.hasher = BlobHasher()
        self._bucket = bucket
        self._expected = expected_sha256
        self._lock = threading.Lock()
        self._multipart: tuple[str, str] | None = None  # (key, upload id) while in progress
        self._parts: list[Part] = []
        self._already_stored = False
        self._temporary: str | None = None
        self._discarded = False

    def write_part(self, data: bytearray) -> None:
        """Hash and upload one part of at least the minimum part size."""
        with self._lock:
            self._check_open()
            self.hasher.update(data)
            multipart = None if self._already_stored else self._multipart or self._begin()
            if multipart is not None:
                key, upload_id = multipart
                number = len(self._parts) + 1
                self._parts.append(self._bucket.upload_part(key, upload_id, number, data))

    def _begin(self) -> tuple[str, str] | None:
        if self._expected is not None:
            key = self._bucket.key(self._expected)
            if self._bucket.head(key) is not None:
                self._already_stored = True  # only hash and verify the rest
                return None
        else:
            key = self._bucket.temporary_key()
        self._multipart = (key, self._bucket.start_multipart(key))
        return self._multipart

    def finish(self, last: bytearray) -> bool:
        """Hash the rest, verify the digest and publish; True if this call stored the blob."""
        with self._lock:
            self._check_open()
            self.hasher.update(last)
            actual = self.hasher.sha256()
            if self._expected is not None and actual != self._expected:
                raise BlobDigestMismatch(self._expected, actual)
            if self._already_stored:
                return False
            key = self._bucket.key(actual)
            if self._multipart is None:
                return self._bucket.put_new(key, last, actual)
            source, upload_id = self._multipart
            if last:
                self._parts.append(
                    self._bucket.upload_part(source, upload_id, len(self._parts) + 1, last)
                )
            self._multipart = None  # completing or aborting it is up to complete() now
            if source == key:  # the digest was known in advance: completing publishes
                return self._bucket.complete(key, upload_id, self._parts, only_new=True)
            self._temporary = source
            self._bucket.complete(source, upload_id, self._parts, only_new=False)
            created = self._bucket.copy_new(source, key, self.hasher.size)
            self._temporary = None
            with contextlib.suppress(ClientError, BotoCoreError):  # else sweep_temporary will
                self._bucket.delete(source)
            return created

    def discard(self) -> None:
        """Abort the multipart upload and delete the temporary object, if any (idempotent)."""
        with self._lock:
            self._discarded = True
            if self._multipart is not None:
                (key, upload_id), self._multipart = self._multipart, None
                self._bucket.abort(key, upload_id)
            if self._temporary is not None:
                temporary, self._temporary = self._temporary, None
                self._bucket.delete(temporary)

    def _check_open(self) -> None:
        if self._discarded:
            raise BlobError("blob upload used after it was discarded")


class RangeReader:
    """A streaming GET of a blob's bytes ``[start, stop)``, sent by the first :meth:`read`.

    :meth:`release` (from the event loop) closes the response at once or, while a read is in
    flight, lets that read's thread close it as the read returns.
    """

    def __init__(self, bucket: Bucket, sha256: str, start: int, stop: int, read_size: int) -> None:
        self._bucket = bucket
        self._sha256 = sha256
        self._start = start
        self._remaining = stop - start
        self._read_size = read_size
        self._body: Any = None
        self._mutex = threading.Lock()
        self._busy = False
        self._released = False

    def read(self) -> bytes:
        """The next chunk, or ``b""`` at the end of the range."""
        with self._mutex:
            if self._released:
                raise BlobError("blob read used after release")
            self._busy = True
        try:
            return self._read()
        finally:
            with self._mutex:
                self._busy = False
                released = self._released
            if released:
                self._close()

    def _read(self) -> bytes:
        if self._remaining <= 0:
            return b""
        if self._body is None:
            key = self._bucket.key(self._sha256)
            try:
                self._body = self._bucket.get(key, self._start, self._start + self._remaining)
            except ClientError as error:
                if is_not_found(error):
                    raise BlobNotFound(self._sha256) from None
                raise
        data: bytes = self._body.read(min(self._read_size, self._remaining))
        if not data:
            raise BlobError(f"blob {self._sha256} is shorter than its size; run coffer fsck")
        self._remaining -= len(data)
        return data

    def release(self) -> None:
        with self._mutex:
            if self._released:
                return
            self._released = True
            busy = self._busy
        if not busy:
            self._close()

    def _close(self) -> None:
        body, self._body = self._body, None
        if body is not None:
            body.close()
