"""Real distributions built in memory, and hostile ones, for unit, API and end-to-end tests.

``build_wheel`` and ``build_sdist`` return the bytes of archives that pip and uv install (a wheel
has METADATA, WHEEL and a RECORD with real hashes); ``wheel_filename`` / ``sdist_filename`` give
the matching PEP 427 / PEP 625 names. Everything is deterministic: same arguments, same bytes.

The hostile builders make one file each for the project ``hostile`` 1.0, so they pair with
``HOSTILE_WHEEL`` / ``HOSTILE_SDIST``. Bombs stay small on disk (zeros compress ~1000:1).
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import re
import stat
import tarfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from typing import TypeVar

__all__ = [
    "HOSTILE",
    "HOSTILE_SDIST",
    "HOSTILE_VERSION",
    "HOSTILE_WHEEL",
    "build_sdist",
    "build_wheel",
    "huge_metadata_wheel",
    "make_tar_gz",
    "make_zip",
    "metadata_text",
    "mismatched_name_wheel",
    "non_utf8_metadata_wheel",
    "not_a_zip",
    "sdist_filename",
    "symlink_sdist",
    "symlink_wheel",
    "tar_bomb_sdist",
    "traversal_wheel",
    "wheel_filename",
    "wheel_members",
    "zip_bomb",
]

MiB = 1024 * 1024
_E = TypeVar("_E")
_EPOCH = (2020, 1, 1, 0, 0, 0)
_MTIME = 1577836800  # 2020-01-01T00:00:00Z

HOSTILE = "hostile"
HOSTILE_VERSION = "1.0"


def escape(name: str) -> str:
    """The filename form of a project name (binary distribution format spec)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_filename(name: str, version: str, tag: str = "py3-none-any", build: str = "") -> str:
    return "-".join(filter(None, (escape(name), version, build, tag))) + ".whl"


def sdist_filename(name: str, version: str, suffix: str = ".tar.gz") -> str:
    return f"{escape(name)}-{version}{suffix}"


HOSTILE_WHEEL = wheel_filename(HOSTILE, HOSTILE_VERSION)
HOSTILE_SDIST = sdist_filename(HOSTILE, HOSTILE_VERSION)


def metadata_text(
    name: str,
    version: str,
    *,
    metadata_version: str = "2.4",
    summary: str = "A package built by the test suite",
    extra: str = "",
    description: str | None = None,
) -> str:
    """A METADATA / PKG-INFO document; ``extra`` is more header lines, each ending in a newline."""
    text = (
        f"Metadata-Version: {metadata_version}\nName: {name}\nVersion: {version}\n"
        f"Summary: {summary}\n{extra}"
    )
    if description is not None:
        text += f"Description-Content-Type: text/markdown\n\n{description}"
    return text


# --- wheels ------------------------------------------------------------------------------------


def build_wheel(
    name: str = "demo-pkg",
    version: str = "1.0.0",
    *,
    metadata_extra: str = "",
    files: Mapping[str, bytes] | None = None,
    tag: str = "py3-none-any",
    metadata: bytes | None = None,
    description: str | None = None,
    dist_info: str | None = None,
) -> bytes:
    """A pure-Python wheel for ``name`` ``version``.

    ``files`` replaces the default ``{module}/__init__.py``; ``metadata`` replaces the generated
    METADATA bytes; ``dist_info`` renames the ``.dist-info`` directory.
    """
    if metadata is None:
        text = metadata_text(name, version, extra=metadata_extra, description=description)
        metadata = text.encode()
    members = wheel_members(
        name, version, files=files, tag=tag, metadata=metadata, dist_info=dist_info
    )
    return make_zip(members)


def wheel_members(
    name: str,
    version: str,
    *,
    files: Mapping[str, bytes] | None = None,
    tag: str = "py3-none-any",
    metadata: bytes | None = None,
    dist_info: str | None = None,
) -> dict[str, bytes]:
    """A wheel's members by path, RECORD included, for archives that ``build_wheel`` won't make."""
    if metadata is None:
        metadata = metadata_text(name, version).encode()
    module = escape(name)
    info = dist_info or f"{module}-{version}.dist-info"
    members = dict(files if files is not None else {f"{module}/__init__.py": b"VALUE = 1\n"})
    members[f"{info}/METADATA"] = metadata
    members[f"{info}/WHEEL"] = _wheel_file(tag)
    members[f"{info}/RECORD"] = _record(members, f"{info}/RECORD")
    return members


def _wheel_file(tag: str) -> bytes:
    python, abi, platform = tag.split("-")
    tags = [
        f"{p}-{a}-{x}"
        for p in python.split(".")
        for a in abi.split(".")
        for x in platform.split(".")
    ]
    lines = ["Wheel-Version: 1.0", "Generator: coffer-tests", "Root-Is-Purelib: true"]
    return ("\n".join(lines + [f"Tag: {t}" for t in tags]) + "\n").encode()


def _record(members: Mapping[str, bytes], record: str) -> bytes:
    lines = []
    for path, data in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        lines.append(f"{path},sha256={digest},{len(data)}")
    lines.append(f"{record},,")
    return ("\n".join(lines) + "\n").encode()


def make_zip(
    members: Mapping[str, bytes] | Iterable[tuple[str | zipfile.ZipInfo, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of ``members``, in order; duplicates allowed, and a ``ZipInfo`` is written as given
    (links, odd modes, flags)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name" is what we want
        with zipfile.ZipFile(buffer, "w", compression, compresslevel=None) as archive:
            for entry, data in _pairs(members):
                if isinstance(entry, str):
                    info = zipfile.ZipInfo(entry, date_time=_EPOCH)
                    info.external_attr = (stat.S_IFREG | 0o644) << 16
                    info.compress_type = compression
                else:
                    info = entry
                archive.writestr(info, data)
    return buffer.getvalue()


def _pairs(
    members: Mapping[str, bytes] | Iterable[tuple[_E, bytes]],
) -> list[tuple[str | _E, bytes]]:
    if isinstance(members, Mapping):
        return list(members.items())
    return list(members)


# --- sdists ------------------------------------------------------------------------------------


def build_sdist(
    name: str = "demo-pkg",
    version: str = "1.0.0",
    *,
    metadata_extra: str = "",
    files: Mapping[str, bytes] | None = None,
    pkg_info: bytes | None = None,
    prefix: str | None = None,
    description: str | None = None,
    zip_format: bool = False,
) -> bytes:
    """A PEP 625 sdist (``{prefix}/PKG-INFO``, ``pyproject.toml``, sources); a legacy ``.zip``
    one with ``zip_format``. ``files`` are paths relative to the prefix directory."""
    top = prefix or f"{escape(name)}-{version}"
    if pkg_info is None:
        pkg_info = metadata_text(
            name, version, extra=metadata_extra, description=description
        ).encode()
    module = escape(name)
    relative = dict(files if files is not None else {f"src/{module}/__init__.py": b"VALUE = 1\n"})
    relative["PKG-INFO"] = pkg_info
    relative.setdefault("pyproject.toml", _pyproject(name, version))
    members = {f"{top}/{path}": data for path, data in relative.items()}
    return make_zip(members) if zip_format else make_tar_gz(members)


def _pyproject(name: str, version: str) -> bytes:
    return (
        f'[project]\nname = "{name}"\nversion = "{version}"\n\n'
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    ).encode()


def make_tar_gz(
    members: Mapping[str, bytes] | Iterable[tuple[str | tarfile.TarInfo, bytes]],
) -> bytes:
    """A PAX tar.gz of ``members``, in order; duplicates allowed, and a ``TarInfo`` is written as
    given (links, devices, FIFOs) with the paired bytes as its data, if any."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        for entry, data in _pairs(members):
            if isinstance(entry, str):
                info = tarfile.TarInfo(entry)
                info.mode = 0o644
            else:
                info = entry
            info.mtime = _MTIME
            if info.isreg():
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            else:
                archive.addfile(info)
    # Pin the gzip header's mtime too, so equal inputs give equal bytes.
    archive_bytes = bytearray(buffer.getvalue())
    archive_bytes[4:8] = _MTIME.to_bytes(4, "little")
    return bytes(archive_bytes)


# --- hostile -----------------------------------------------------------------------------------


def _hostile_members() -> dict[str, bytes]:
    return {f"{HOSTILE}/__init__.py": b""}


def zip_bomb(size: int = 16 * MiB) -> bytes:
    """A valid wheel plus ``size`` bytes of zeros: about 1000:1."""
    return build_wheel(
        HOSTILE, HOSTILE_VERSION, files={**_hostile_members(), f"{HOSTILE}/zeros.bin": bytes(size)}
    )


def traversal_wheel(member: str = "../evil") -> bytes:
    """A valid wheel plus one member whose name escapes (``../evil``, ``/etc/x``, ``C:/x`` …)."""
    return build_wheel(HOSTILE, HOSTILE_VERSION, files={**_hostile_members(), member: b"owned\n"})


def symlink_wheel(member: str = f"{HOSTILE}/link", target: str = "/etc/passwd") -> bytes:
    """A valid wheel plus a Unix symbolic link member."""
    members = wheel_members(HOSTILE, HOSTILE_VERSION, files=_hostile_members())
    link = zipfile.ZipInfo(member, date_time=_EPOCH)
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return make_zip([*members.items(), (link, target.encode())])


def symlink_sdist(
    member: str = f"{HOSTILE}-{HOSTILE_VERSION}/link",
    *,
    hardlink: bool = False,
    target: str = "/etc/passwd",
) -> bytes:
    """A valid sdist plus a symbolic (or hard) link member."""
    top = f"{HOSTILE}-{HOSTILE_VERSION}"
    link = tarfile.TarInfo(member)
    link.type = tarfile.LNKTYPE if hardlink else tarfile.SYMTYPE
    link.linkname = target
    pkg_info = metadata_text(HOSTILE, HOSTILE_VERSION).encode()
    return make_tar_gz([(f"{top}/PKG-INFO", pkg_info), (link, b"")])


def tar_bomb_sdist(size: int = 16 * MiB) -> bytes:
    """A valid sdist plus ``size`` bytes of zeros."""
    return build_sdist(HOSTILE, HOSTILE_VERSION, files={"zeros.bin": bytes(size)})


def huge_metadata_wheel(size: int = 11 * MiB) -> bytes:
    """A wheel whose METADATA is ``size`` bytes; random padding keeps the ratio under 200:1."""
    padding = random.Random(0).randbytes(96 * 1024)  # noqa: S311 - test data, not crypto
    description = "x" * size
    return build_wheel(
        HOSTILE,
        HOSTILE_VERSION,
        description=description,
        files={**_hostile_members(), f"{HOSTILE}/padding.bin": padding},
    )


def non_utf8_metadata_wheel() -> bytes:
    """A wheel whose METADATA is Latin-1 (``Summary: Café``)."""
    metadata = metadata_text(HOSTILE, HOSTILE_VERSION, summary="Café").encode("latin-1")
    return build_wheel(HOSTILE, HOSTILE_VERSION, metadata=metadata)


def mismatched_name_wheel(metadata_name: str = "other-name") -> bytes:
    """A wheel named ``hostile`` whose METADATA says another name."""
    metadata = metadata_text(metadata_name, HOSTILE_VERSION).encode()
    return build_wheel(HOSTILE, HOSTILE_VERSION, metadata=metadata)


def not_a_zip() -> bytes:
    """Bytes that are no archive at all."""
    return b"This is not a zip archive, whatever the filename says.\n" * 8
