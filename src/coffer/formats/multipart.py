"""Streaming ``multipart/form-data`` uploads: the file part goes to a temporary file on disk while
it is hashed; nothing is held whole in memory, and limits stop oversized input early."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header

from coffer.errors import ValidationError

__all__ = ["PayloadTooLarge", "SpooledUpload", "parse_upload"]

MAX_FIELDS_BYTES = 16 * 1024 * 1024  # all text fields together (READMEs can be long)
MAX_FIELDS = 1000


class PayloadTooLarge(ValidationError):
    """The request body is over a size limit."""


@dataclass
class SpooledUpload:
    """Text fields (repeated ones as lists) and the one file part, spooled to ``path``."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    filename: str | None = None
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    md5: str = ""
    blake2_256: str = ""

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


class _Collector:
    def __init__(self, file_field: str, tmp_dir: Path, max_file_size: int) -> None:
        self.upload = SpooledUpload()
        self.file_field = file_field
        self.tmp_dir = tmp_dir
        self.max_file_size = max_file_size
        self.fields_bytes = 0
        self.headers: dict[bytes, bytes] = {}
        self.header_field = b""
        self.header_value = b""
        self.name: str | None = None
        self.in_file = False
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.hashes = (hashlib.sha256(), hashlib.md5(), hashlib.blake2b(digest_size=32))  # noqa: S324 - md5 is a checksum twine/poetry send

    def on_part_begin(self) -> None:
        self.headers, self.name, self.buffer = {}, None, bytearray()
        self.in_file = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self.header_field.lower()] = self.header_value
        self.header_field, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self.name == self.file_field and filename is not None:
            if self.file is not None:
                raise ValidationError(f"Only one '{self.file_field}' file may be uploaded")
            self.upload.filename = filename.decode("utf-8", "replace")
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, path = tempfile.mkstemp(prefix="upload-", dir=self.tmp_dir)
            self.file = os.fdopen(fd, "wb")
            self.upload.path = Path(path)
            self.in_file = True
        elif len(self.upload.fields) >= MAX_FIELDS:
            raise PayloadTooLarge(f"More than {MAX_FIELDS} form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.in_file and self.file is not None:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_file_size:
                raise PayloadTooLarge(
                    f"The file is larger than this server's limit of {self.max_file_size} bytes"
                )
            for digest in self.hashes:
                digest.update(chunk)
            self.file.write(chunk)
            return
        self.fields_bytes += len(chunk)
        if self.fields_bytes > MAX_FIELDS_BYTES:
            raise PayloadTooLarge("The form's text fields are larger than 16 MiB")
        self.buffer += chunk

    def on_part_end(self) -> None:
        if self.name is None:
            return
        if self.in_file:
            return
        value = bytes(self.buffer).decode("utf-8", "replace")
        self.upload.fields.setdefault(self.name, []).append(value)

    def finish(self) -> SpooledUpload:
        if self.file is not None:
            self.file.close()
            sha256, md5, blake2 = self.hashes
            self.upload.sha256 = sha256.hexdigest()
            self.upload.md5 = md5.hexdigest()
            self.upload.blake2_256 = blake2.hexdigest()
        return self.upload

    def abort(self) -> None:
        if self.file is not None:
            self.file.close()
        self.upload.discard()


def _boundary(content_type: str | None) -> bytes:
    kind, options = parse_options_header(content_type or "")
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ValidationError("Uploads must be multipart/form-data with a boundary")
    return boundary


async def parse_upload(
    content_type: str | None,
    chunks: AsyncIterator[bytes],
    *,
    tmp_dir: Path,
    max_file_size: int,
    file_field: str = "content",
) -> SpooledUpload:
    """Parse a multipart body; the caller must ``discard()`` the result when done with it."""
    collector = _Collector(file_field, tmp_dir, max_file_size)
    callbacks: dict[str, Any] = {
        name: getattr(collector, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(_boundary(content_type), callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except ValidationError:
        collector.abort()
        raise
    except Exception as error:  # python-multipart's own errors: malformed bodies
        collector.abort()
        raise ValidationError(f"Malformed multipart body: {error}") from None
    except BaseException:  # cancelled: the client went away
        collector.abort()
        raise
    return collector.finish()
