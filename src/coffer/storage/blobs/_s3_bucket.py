"""The S3 driver's synchronous half: one bucket and prefix, as botocore calls.

Every method blocks and is called from a worker thread. botocore's ``ClientError`` and
``BotoCoreError`` escape from here; :class:`coffer.storage.blobs.s3.S3BlobStore` translates them.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.loaders import create_loader
from botocore.session import get_session

from coffer.storage.blobs.base import BlobError, BlobStoreUnavailable, StoredBlob, validate_key

__all__ = ["MAX_COPY_PART", "Bucket", "default_client", "error_code", "is_not_found"]

MAX_COPY_PART = 5 * 1024**3  # S3's maximum for one UploadPartCopy
_CONFLICT_RETRIES = 8
_BLOB_NAME = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
_TMP_NAME = re.compile(r"upload-([0-9]{13})-[0-9a-f]+")
_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})

Part = dict[str, Any]
"""One entry of CompleteMultipartUpload's ``Parts``."""


_loader_lock = threading.Lock()
_shared_loader: Any = None


def _loader() -> Any:
    """botocore's data loader (parsed service models), shared by the process's clients."""
    global _shared_loader
    with _loader_lock:
        if _shared_loader is None:
            _shared_loader = create_loader()
        return _shared_loader


def default_client() -> Any:
    """An S3 client configured from the standard AWS settings, as the aws CLI would be.

    Each client reads the settings afresh (a new botocore session); only the parsed service
    models are shared, which makes a client cost milliseconds instead of ~0.1 s.
    """
    session = get_session()
    session.register_component("data_loader", _loader())
    region = session.get_config_variable("region") or "us-east-1"
    config = Config(
        signature_version="s3v4",
        max_pool_connections=32,
        user_agent_extra="coffer",
        connect_timeout=10,
        read_timeout=120,
    )
    return session.create_client("s3", region_name=region, config=config)


def error_code(error: ClientError) -> tuple[str, int]:
    """S3's error code and HTTP status of ``error``."""
    response: dict[str, Any] = error.response
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
    return code, status


def is_not_found(error: ClientError) -> bool:
    code, status = error_code(error)
    return code in _NOT_FOUND or status == 404


def _is_precondition_failed(error: ClientError) -> bool:
    code, status = error_code(error)
    return status == 412 or code == "PreconditionFailed"


def _is_conflict(error: ClientError) -> bool:
    code, status = error_code(error)
    return status == 409 and code in ("ConditionalRequestConflict", "OperationAborted")


def part_entry(number: int, result: dict[str, Any]) -> Part:
    """A part for CompleteMultipartUpload: number, ETag and the checksum S3 returned, if any."""
    entry: Part = {"PartNumber": number, "ETag": result["ETag"]}
    entry.update(
        (name, value)
        for name, value in result.items()
        if name.startswith("Checksum") and name != "ChecksumType"
    )
    return entry


def _copy_ranges(size: int) -> list[tuple[int, int]]:
    """Byte ranges ``[start, stop)`` of at most MAX_COPY_PART covering ``size`` (> 0) bytes."""
    return [(start, min(size, start + MAX_COPY_PART)) for start in range(0, size, MAX_COPY_PART)]


class Bucket:
    """Blob operations on ``bucket`` under ``prefix``; the client is created on first use."""

    def __init__(self, bucket: str, prefix: str, client_factory: Callable[[], Any]) -> None:
        self.name = bucket
        self.base = f"{prefix}/" if prefix else ""
        self.blobs = f"{self.base}sha256/"
        self.tmp = f"{self.base}tmp/"
        self._client_factory = client_factory
        self._client_lock = threading.Lock()
        self._client_instance: Any = None
        self._closed = False
        self._conditional_writes_verified = False

    def key(self, sha256: str) -> str:
        """The object key of a blob (validated)."""
        key = validate_key(sha256)
        return f"{self.blobs}{key[:2]}/{key[2:4]}/{key}"

    def client(self) -> Any:
        with self._client_lock:
            if self._closed:
                raise BlobError("the S3 blob store is closed")
            if self._client_instance is None:
                self._client_instance = self._client_factory()
            return self._client_instance

    def close(self) -> None:
        with self._client_lock:
            self._closed = True
            client, self._client_instance = self._client_instance, None
        if client is not None:
            client.close()

    # -- objects -----------------------------------------------------------------------------

    def head(self, key: str) -> int | None:
        """The object's size, or None if there is no such object."""
        try:
            response = self.client().head_object(Bucket=self.name, Key=key)
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        return int(response["ContentLength"])

    def get(self, key: str, start: int, stop: int) -> Any:
        """A streaming body of the object's bytes ``[start, stop)`` (``stop > start``)."""
        response = self.client().get_object(
            Bucket=self.name, Key=key, Range=f"bytes={start}-{stop - 1}"
        )
        return response["Body"]

    def delete(self, key: str) -> None:
        self.client().delete_object(Bucket=self.name, Key=key)

    def put_new(self, key: str, data: bytearray, sha256: str) -> bool:
        """Write ``data`` (whose digest is ``sha256``) unless ``key`` exists; True if written."""
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
        return self._conditionally(
            partial(
                self.client().put_object,
                Bucket=self.name,
                Key=key,
                Body=data,
                IfNoneMatch="*",
                ChecksumSHA256=checksum,
            )
        )

    def _conditionally(self, write: Callable[[], object]) -> bool:
        """Run a write made conditional on ``If-None-Match: *``; False if the key exists."""
        for attempt in range(_CONFLICT_RETRIES):
            try:
                write()
            except ClientError as error:
                if _is_precondition_failed(error):
                    return False
                if not _is_conflict(error) or attempt == _CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)  # another conditional write of the key is in flight
            else:
                return True
        raise AssertionError("unreachable")  # pragma: no cover

    def list_pages(self, prefix: str) -> Iterator[dict[str, Any]]:
        """Pages of ListObjectsV2 under ``prefix`` (lazy: each page is one request)."""
        paginator = self.client().get_paginator("list_objects_v2")
        return iter(paginator.paginate(Bucket=self.name, Prefix=prefix))

    def blob_entries(self, page: dict[str, Any]) -> list[StoredBlob]:
        """The blobs on one page of :meth:`list_pages` of :attr:`blobs`, in order."""
        blobs = []
        for entry in page.get("Contents", []):
            found = _BLOB_NAME.fullmatch(entry["Key"].removeprefix(self.blobs))
            if found and found.group(3).startswith(found.group(1) + found.group(2)):
                modified = entry["LastModified"].timestamp()
                blobs.append(StoredBlob(found.group(3), int(entry["Size"]), modified))
        return blobs

    def presign(self, key: str, content_disposition: str, expires_in: int) -> str:
        params = {
            "Bucket": self.name,
            "Key": key,
            "ResponseContentDisposition": content_disposition,
        }
        url = self.client().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return str(url)

    # -- multipart uploads -------------------------------------------------------------------

    def temporary_key(self) -> str:
        return f"{self.tmp}upload-{int(time.time() * 1000):013d}-{secrets.token_hex(8)}"

    def checksum_options(self) -> dict[str, str]:
        """CRC32 part checksums, as s3transfer sends them, unless checksums are opt-in."""
        config = self.client().meta.config
        if getattr(config, "request_checksum_calculation", None) == "when_required":
            return {}
        return {"ChecksumAlgorithm": "CRC32"}

    def start_multipart(self, key: str) -> str:
        response = self.client().create_multipart_upload(
            Bucket=self.name, Key=key, **self.checksum_options()
        )
        return str(response["UploadId"])

    def upload_part(self, key: str, upload_id: str, number: int, data: bytearray) -> Part:
        response = self.client().upload_part(
            Bucket=self.name,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=data,
            **self.checksum_options(),
        )
        return part_entry(number, response)

    def complete(self, key: str, upload_id: str, parts: list[Part], *, only_new: bool) -> bool:
        """Complete the upload (unless ``key`` exists, with ``only_new``); True if completed.

        The upload is aborted if it is not completed, whatever the reason.
        """
        complete = partial(
            self.client().complete_multipart_upload,
            Bucket=self.name,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": parts},
            **({"IfNoneMatch": "*"} if only_new else {}),
        )
        try:
            if only_new:
                completed = self._conditionally(complete)
            else:
                complete()
                completed = True
        except BaseException:
            self.abort(key, upload_id)
            raise
        if not completed:
            self.abort(key, upload_id)
        return completed

    def abort(self, key: str, upload_id: str) -> None:
        try:
            self.client().abort_multipart_upload(Bucket=self.name, Key=key, UploadId=upload_id)
        except ClientError as error:
            if error_code(error)[0] != "NoSuchUpload":
                raise

    def copy_new(self, source: str, key: str, size: int) -> bool:
        """Copy the object ``source`` of ``size`` bytes to ``key`` unless it exists there."""
        if self.head(key) is not None:
            return False
        upload_id = self.start_multipart(key)
        parts: list[Part] = []
        ranges = _copy_ranges(size)
        try:
            for number, (start, stop) in enumerate(ranges, 1):
                whole = len(ranges) == 1
                response = self.client().upload_part_copy(
                    Bucket=self.name,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource={"Bucket": self.name, "Key": source},
                    **({} if whole else {"CopySourceRange": f"bytes={start}-{stop - 1}"}),
                )
                parts.append(part_entry(number, response["CopyPartResult"]))
        except BaseException:
            self.abort(key, upload_id)
            raise
        return self.complete(key, upload_id, parts, only_new=True)

    # -- housekeeping ------------------------------------------------------------------------

    def probe(self) -> None:
        """Write and delete an object; the first time, prove that conditional writes work."""
        key = f"{self.tmp}check-{secrets.token_hex(8)}"
        client = self.client()
        client.put_object(Bucket=self.name, Key=key, Body=b"coffer", IfNoneMatch="*")
        try:
            if not self._conditional_writes_verified:
                if self._conditionally(
                    partial(client.put_object, Bucket=self.name, Key=key, Body=b"", IfNoneMatch="*")
                ):
                    raise BlobStoreUnavailable(
                        f"the S3 service of bucket {self.name} ignores conditional writes "
                        "(If-None-Match: *), which Coffer needs to store each blob exactly once"
                    )
                self._conditional_writes_verified = True
        finally:
            client.delete_object(Bucket=self.name, Key=key)

    def sweep(self, cutoff: float) -> int:
        """Delete ``tmp/`` objects and abort multipart uploads begun before ``cutoff``."""
        client = self.client()
        removed = 0
        for page in self.list_pages(self.tmp):
            for entry in page.get("Contents", []):
                if self._began(entry["Key"], entry["LastModified"].timestamp()) <= cutoff:
                    client.delete_object(Bucket=self.name, Key=entry["Key"])
                    removed += 1
        paginator = client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.name, Prefix=self.base):
            for upload in page.get("Uploads", []):
                key = upload["Key"]
                began = self._began(key, upload["Initiated"].timestamp())
                if key.startswith((self.blobs, self.tmp)) and began <= cutoff:
                    self.abort(key, upload["UploadId"])
                    removed += 1
        return removed

    def _began(self, key: str, reported: float) -> float:
        """When an upload began: from a ``tmp/`` name if it has one, else what S3 reports."""
        found = _TMP_NAME.fullmatch(key.removeprefix(self.tmp))
        return int(found.group(1)) / 1000 if found else reported
