"""Reading one small file out of an untrusted archive, safely (sans-IO: a local path in, bytes out).

Wheels and legacy sdists are zip files; sdists are gzip-compressed tar streams. Before anything is
read, every member is vetted, because installers will later unpack these archives on users'
machines: no absolute paths, drive letters, ``..`` components or backslashes; no symbolic or hard
links, devices or FIFOs; no duplicate or encrypted members; at most ``max_members`` members.

Decompression bombs: a zip declares its sizes up front, so the declared total is checked before
any byte is inflated (``zipfile`` never yields more than a member's declared size, and checks the
CRC once a member is read to its end). A tar.gz has no such table, so the decompressed stream is
counted as it is read and refused as soon as it crosses a limit: more than
``max_uncompressed_bytes`` in all, or more than ``max_ratio`` times the compressed size once past
``ratio_floor_bytes`` (small archives of zeros are harmless).
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from coffer.formats.pypi.errors import InvalidDistribution

__all__ = [
    "DEFAULT_LIMITS",
    "ArchiveLimits",
    "check_member_name",
    "format_size",
    "open_zip",
    "read_tar_gz",
    "read_zip_member",
]

KiB: Final = 1024
MiB: Final = 1024 * KiB
GiB: Final = 1024 * MiB
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """How much an archive may hold before we refuse it."""

    max_members: int = 100_000
    max_uncompressed_bytes: int = 4 * GiB
    max_ratio: int = 200
    ratio_floor_bytes: int = 10 * MiB
    max_metadata_bytes: int = 10 * MiB


DEFAULT_LIMITS: Final = ArchiveLimits()


def format_size(size: int) -> str:
    """``512 B``, ``16.3 KiB``, ``3.2 GiB``."""
    if size < KiB:
        return f"{size} B"
    value, units = size / KiB, ["KiB", "MiB", "GiB", "TiB"]
    while value >= 1024 and len(units) > 1:
        value, units = value / 1024, units[1:]
    return f"{value:.1f} {units[0]}"


def check_member_name(name: str) -> None:
    """Refuse member names that could land outside the directory an installer unpacks into."""
    if not name:
        raise InvalidDistribution("Archive member has an empty name")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise InvalidDistribution(f"Archive member {name!r} has a control character in its name")
    if "\\" in name:
        raise InvalidDistribution(f"Archive member {name!r} contains a backslash")
    if name.startswith("/") or _DRIVE.match(name):
        raise InvalidDistribution(f"Archive member {name!r} is an absolute path")
    if ".." in name.split("/"):
        raise InvalidDistribution(f"Archive member {name!r} escapes the archive")


def _check_expansion(phrase: str, total: int, compressed: int, limits: ArchiveLimits) -> None:
    if total > limits.max_uncompressed_bytes:
        raise InvalidDistribution(
            f"{phrase} {format_size(total)} of uncompressed data, more than the "
            f"{format_size(limits.max_uncompressed_bytes)} limit; refusing"
        )
    if total > limits.ratio_floor_bytes and total > compressed * limits.max_ratio:
        raise InvalidDistribution(
            f"{phrase} {format_size(total)} uncompressed data for {format_size(compressed)} "
            f"compressed (ratio {total // max(compressed, 1)}:1); refusing"
        )


def _check_count(count: int, limits: ArchiveLimits) -> None:
    if count > limits.max_members:
        raise InvalidDistribution(f"Archive has more than {limits.max_members} members; refusing")


def _too_big(label: str, limits: ArchiveLimits) -> InvalidDistribution:
    return InvalidDistribution(
        f"{label} is larger than {format_size(limits.max_metadata_bytes)}; refusing"
    )


# --- zip ---------------------------------------------------------------------------------------


@contextmanager
def open_zip(path: Path, what: str, limits: ArchiveLimits) -> Iterator[zipfile.ZipFile]:
    """Open ``path`` as a zip and vet every member; ``what`` names the file in messages."""
    with path.open("rb") as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except _ZIP_ERRORS as exc:
            raise InvalidDistribution(f"File is not a valid {what}: {_zip_problem(exc)}") from None
        with archive:
            infos = archive.infolist()
            _check_count(len(infos), limits)
            _check_zip_members(infos)
            total = sum(info.file_size for info in infos)
            _check_expansion("Zip archive declares", total, path.stat().st_size, limits)
            yield archive


# What zipfile raises on crafted or damaged archives (the file itself is already open).
_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, OSError, EOFError)


def _zip_problem(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile) and str(exc) == "File is not a zip file":
        return "not a zip archive"
    return f"damaged zip archive ({exc})"


def _check_zip_members(infos: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        check_member_name(name)
        if name in seen:
            raise InvalidDistribution(f"Archive member {name!r} appears more than once")
        seen.add(name)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise InvalidDistribution(f"Archive member {name!r} is a symbolic link")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise InvalidDistribution(f"Archive member {name!r} is not a regular file")
        if info.flag_bits & 0x1:
            raise InvalidDistribution(f"Archive member {name!r} is encrypted")


def read_zip_member(
    archive: zipfile.ZipFile, name: str, label: str, limits: ArchiveLimits
) -> bytes:
    """Read one member whole (so its CRC is checked), never more than the metadata limit."""
    info = archive.getinfo(name)
    if info.file_size > limits.max_metadata_bytes:
        raise _too_big(label, limits)
    try:
        with archive.open(info) as member:
            data = member.read(limits.max_metadata_bytes + 1)
    except NotImplementedError:
        raise InvalidDistribution(
            f"{label} uses a compression method this server does not support"
        ) from None
    except (*_ZIP_ERRORS, zlib.error) as exc:
        raise InvalidDistribution(f"{label} is corrupt in the archive: {exc}") from None
    if len(data) > limits.max_metadata_bytes:  # pragma: no cover - zipfile stops at file_size
        raise _too_big(label, limits)
    return data


# --- tar.gz ------------------------------------------------------------------------------------


class _CountingReader(io.BufferedIOBase):
    """The decompressed stream, refused as soon as it grows past the limits."""

    def __init__(self, inner: gzip.GzipFile, compressed: int, limits: ArchiveLimits) -> None:
        super().__init__()
        self._inner = inner
        self._compressed = compressed
        self._limits = limits
        self._total = 0

    def read(self, size: int | None = -1, /) -> bytes:
        data = self._inner.read(-1 if size is None else size)
        self._total += len(data)
        _check_expansion(
            "Tar archive expands to at least", self._total, self._compressed, self._limits
        )
        return data


def read_tar_gz(
    path: Path, wanted: Callable[[str], bool], label: str, limits: ArchiveLimits
) -> dict[str, bytes]:
    """Stream through a tar.gz, vetting every member; return the wanted regular files (at most
    one: a second one is an error, since installers and we could disagree about which counts)."""
    with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as inflated:
        reader = _CountingReader(inflated, path.stat().st_size, limits)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:
                return _scan_tar(tar, wanted, label, limits)
        except (gzip.BadGzipFile, tarfile.TarError, EOFError, zlib.error) as exc:
            raise InvalidDistribution(f"File is not a valid sdist: {_describe(exc)}") from None


def _describe(exc: Exception) -> str:
    if isinstance(exc, gzip.BadGzipFile):
        return f"not a valid gzip file ({exc})"
    if isinstance(exc, tarfile.ReadError):
        return f"unreadable tar archive ({exc})"
    return str(exc) or "the archive is truncated"


def _scan_tar(
    tar: tarfile.TarFile, wanted: Callable[[str], bool], label: str, limits: ArchiveLimits
) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    seen: set[str] = set()
    for count, member in enumerate(tar, start=1):
        _check_count(count, limits)
        _check_tar_member(member)
        if member.isdir():
            continue
        if member.name in seen:
            raise InvalidDistribution(f"Archive member {member.name!r} appears more than once")
        seen.add(member.name)
        if wanted(member.name):
            if found:
                raise InvalidDistribution(
                    f"Archive has more than one {label}: {next(iter(found))!r} and {member.name!r}"
                )
            found[member.name] = _read_tar_member(tar, member, label, limits)
    return found


def _check_tar_member(member: tarfile.TarInfo) -> None:
    check_member_name(member.name)
    if member.issym():
        raise InvalidDistribution(f"Archive member {member.name!r} is a symbolic link")
    if member.islnk():
        raise InvalidDistribution(f"Archive member {member.name!r} is a hard link")
    if member.ischr() or member.isblk():
        raise InvalidDistribution(f"Archive member {member.name!r} is a device file")
    if member.isfifo():
        raise InvalidDistribution(f"Archive member {member.name!r} is a FIFO")
    if not (member.isfile() or member.isdir()):
        raise InvalidDistribution(
            f"Archive member {member.name!r} has an unsupported type ({member.type!r})"
        )


def _read_tar_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, label: str, limits: ArchiveLimits
) -> bytes:
    if member.size > limits.max_metadata_bytes:
        raise _too_big(label, limits)
    extracted = tar.extractfile(member)
    if extracted is None:  # pragma: no cover - only regular files get here
        raise InvalidDistribution(f"{label} is not a regular file")
    with extracted:
        return extracted.read(limits.max_metadata_bytes + 1)
