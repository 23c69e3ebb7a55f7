"""Hostile and broken archives: every one is refused with a message that says why."""

from __future__ import annotations

import gzip
import io
import re
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from coffer.formats.pypi import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    InvalidDistribution,
    parse_distribution_filename,
    read_metadata,
)
from coffer.formats.pypi.archives import format_size
from support.dists import (
    HOSTILE,
    HOSTILE_SDIST,
    HOSTILE_VERSION,
    HOSTILE_WHEEL,
    build_sdist,
    build_wheel,
    huge_metadata_wheel,
    make_tar_gz,
    make_zip,
    metadata_text,
    mismatched_name_wheel,
    non_utf8_metadata_wheel,
    not_a_zip,
    symlink_sdist,
    symlink_wheel,
    tar_bomb_sdist,
    traversal_wheel,
    wheel_members,
    zip_bomb,
)

Refused = Callable[..., str]
TOP = f"{HOSTILE}-{HOSTILE_VERSION}"
INFO = f"{TOP}.dist-info"
PKG_INFO = metadata_text(HOSTILE, HOSTILE_VERSION).encode()


@pytest.fixture
def refused(tmp_path: Path) -> Refused:
    """Read ``content`` as ``filename``; return the refusal's message."""

    def refused(filename: str, content: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> str:
        path = tmp_path / filename
        path.write_bytes(content)
        with pytest.raises(InvalidDistribution) as caught:
            read_metadata(path, parse_distribution_filename(filename), limits=limits)
        return caught.value.message

    return refused


# --- wheels (and zip sdists) -------------------------------------------------------------------


def test_not_a_zip(refused: Refused) -> None:
    assert refused(HOSTILE_WHEEL, not_a_zip()) == "File is not a valid wheel: not a zip archive"
    assert refused("hostile-1.0.zip", not_a_zip()) == "File is not a valid sdist: not a zip archive"


def test_damaged_zip(refused: Refused) -> None:
    content = bytearray(make_zip(wheel_members(HOSTILE, HOSTILE_VERSION)))
    _patch(content, f"{INFO}/WHEEL", local=4, central=6, value=255)  # version needed: 25.5
    message = refused(HOSTILE_WHEEL, bytes(content))
    assert message == "File is not a valid wheel: damaged zip archive (zip file version 25.5)"


def test_zip_bomb(refused: Refused) -> None:
    message = refused(HOSTILE_WHEEL, zip_bomb())
    assert re.fullmatch(
        r"Zip archive declares 16\.0 MiB uncompressed data for \d+\.\d KiB compressed "
        r"\(ratio \d{3,4}:1\); refusing",
        message,
    ), message


def test_zip_declaring_more_than_the_total_limit(refused: Refused) -> None:
    limits = ArchiveLimits(max_uncompressed_bytes=100)
    message = refused(HOSTILE_WHEEL, build_wheel(HOSTILE, HOSTILE_VERSION), limits)
    assert re.fullmatch(
        r"Zip archive declares \d+ B of uncompressed data, more than the 100 B limit; refusing",
        message,
    )


def test_small_archives_of_zeros_are_not_bombs(tmp_path: Path) -> None:
    path = tmp_path / HOSTILE_WHEEL
    path.write_bytes(zip_bomb(size=DEFAULT_LIMITS.ratio_floor_bytes - 4096))
    assert read_metadata(path, parse_distribution_filename(HOSTILE_WHEEL)).name == HOSTILE


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("../evil", "escapes the archive"),
        (f"{HOSTILE}/../../evil", "escapes the archive"),
        ("..", "escapes the archive"),
        ("/etc/evil", "is an absolute path"),
        ("//server/share/evil", "is an absolute path"),
        ("C:/evil", "is an absolute path"),
        ("c:evil", "is an absolute path"),
        ("a\\..\\..\\evil", "contains a backslash"),
        ("a\x01b", "has a control character in its name"),
    ],
)
def test_member_paths_must_stay_inside(refused: Refused, member: str, reason: str) -> None:
    assert refused(HOSTILE_WHEEL, traversal_wheel(member)) == f"Archive member {member!r} {reason}"


def test_member_with_an_empty_name(refused: Refused) -> None:
    content = make_zip([*wheel_members(HOSTILE, HOSTILE_VERSION).items(), ("", b"x")])
    assert refused(HOSTILE_WHEEL, content) == "Archive member has an empty name"


def test_traversal_wheel_default(refused: Refused) -> None:
    assert (
        refused(HOSTILE_WHEEL, traversal_wheel()) == "Archive member '../evil' escapes the archive"
    )


def test_symlink_wheel(refused: Refused) -> None:
    assert (
        refused(HOSTILE_WHEEL, symlink_wheel())
        == "Archive member 'hostile/link' is a symbolic link"
    )


def test_special_file_in_zip(refused: Refused) -> None:
    fifo = zipfile.ZipInfo(f"{HOSTILE}/fifo")
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    content = make_zip([*wheel_members(HOSTILE, HOSTILE_VERSION).items(), (fifo, b"")])
    assert refused(HOSTILE_WHEEL, content) == "Archive member 'hostile/fifo' is not a regular file"


def test_encrypted_member(refused: Refused) -> None:
    content = bytearray(make_zip(wheel_members(HOSTILE, HOSTILE_VERSION)))
    _patch(content, f"{INFO}/WHEEL", local=6, central=8, value=0x1)  # general purpose flags
    assert refused(HOSTILE_WHEEL, bytes(content)) == f"Archive member '{INFO}/WHEEL' is encrypted"


def test_duplicate_member(refused: Refused) -> None:
    members = wheel_members(HOSTILE, HOSTILE_VERSION)
    content = make_zip(
        [*members.items(), (f"{INFO}/METADATA", metadata_text("other", "6.6").encode())]
    )
    assert (
        refused(HOSTILE_WHEEL, content)
        == f"Archive member '{INFO}/METADATA' appears more than once"
    )


def test_too_many_members(refused: Refused) -> None:
    content = build_wheel(HOSTILE, HOSTILE_VERSION)  # 4 members
    message = refused(HOSTILE_WHEEL, content, ArchiveLimits(max_members=3))
    assert message == "Archive has more than 3 members; refusing"


def test_huge_metadata(refused: Refused) -> None:
    assert (
        refused(HOSTILE_WHEEL, huge_metadata_wheel())
        == "METADATA is larger than 10.0 MiB; refusing"
    )


def test_metadata_must_be_utf8(refused: Refused) -> None:
    message = refused(HOSTILE_WHEEL, non_utf8_metadata_wheel())
    assert re.fullmatch(r"METADATA is not UTF-8 \(byte 0xe9 at offset \d+\)", message)


def test_metadata_name_must_match_the_filename(refused: Refused) -> None:
    message = refused(HOSTILE_WHEEL, mismatched_name_wheel())
    assert message == "Name in METADATA ('other-name') does not match the filename ('hostile')"


def test_metadata_version_must_match_the_filename(refused: Refused) -> None:
    content = build_wheel(HOSTILE, HOSTILE_VERSION, metadata=metadata_text(HOSTILE, "2.0").encode())
    message = refused(HOSTILE_WHEEL, content)
    assert message == "Version in METADATA ('2.0') does not match the filename ('1.0')"


def test_malformed_metadata(refused: Refused) -> None:
    metadata = metadata_text(HOSTILE, HOSTILE_VERSION, extra="Requires-Dist: bar >=\n").encode()
    message = refused(HOSTILE_WHEEL, build_wheel(HOSTILE, HOSTILE_VERSION, metadata=metadata))
    assert message == "Invalid METADATA: 'bar >=' is invalid for 'requires-dist'"


def test_no_dist_info(refused: Refused) -> None:
    content = make_zip({f"{HOSTILE}/__init__.py": b""})
    assert refused(HOSTILE_WHEEL, content) == "Wheel has no .dist-info directory"


def test_two_dist_infos(refused: Refused) -> None:
    content = make_zip(
        {**wheel_members(HOSTILE, HOSTILE_VERSION), "other-1.0.dist-info/METADATA": b""}
    )
    message = refused(HOSTILE_WHEEL, content)
    assert (
        message == f"Wheel has more than one .dist-info directory: '{INFO}', 'other-1.0.dist-info'"
    )


@pytest.mark.parametrize(
    "dist_info",
    ["other-1.0.dist-info", "hostile-2.0.dist-info", "hostile-x.dist-info", "hostile.dist-info"],
)
def test_dist_info_must_match_the_filename(refused: Refused, dist_info: str) -> None:
    content = build_wheel(HOSTILE, HOSTILE_VERSION, dist_info=dist_info)
    message = refused(HOSTILE_WHEEL, content)
    assert (
        message
        == f"Wheel's {dist_info!r} directory does not match the filename ('{HOSTILE_WHEEL}')"
    )


@pytest.mark.parametrize("missing", ["METADATA", "WHEEL"])
def test_required_dist_info_files(refused: Refused, missing: str) -> None:
    members = wheel_members(HOSTILE, HOSTILE_VERSION)
    del members[f"{INFO}/{missing}"]
    assert refused(HOSTILE_WHEEL, make_zip(members)) == f"Wheel has no {INFO}/{missing} file"


def test_metadata_crc_is_checked(refused: Refused) -> None:
    content = make_zip(wheel_members(HOSTILE, HOSTILE_VERSION), compression=zipfile.ZIP_STORED)
    assert content.count(b"Summary: A package") == 1
    message = refused(HOSTILE_WHEEL, content.replace(b"Summary: A package", b"Summary: B package"))
    assert message.startswith("METADATA is corrupt in the archive: Bad CRC-32")


def test_corrupt_compressed_metadata(refused: Refused) -> None:
    members = wheel_members(HOSTILE, HOSTILE_VERSION, metadata=b"\0" * 4096)
    content = bytearray(make_zip(members))
    info = _info(content, f"{INFO}/METADATA")
    start = info.header_offset + 30 + len(info.filename.encode())
    content[start : start + 2] = b"\xff\xff"  # an invalid deflate block type
    assert refused(HOSTILE_WHEEL, bytes(content)).startswith("METADATA is corrupt in the archive")


def test_unsupported_compression(refused: Refused) -> None:
    members = wheel_members(HOSTILE, HOSTILE_VERSION)
    content = bytearray(make_zip(members, compression=zipfile.ZIP_STORED))
    _patch(content, f"{INFO}/METADATA", local=8, central=10, value=99)  # compression method
    message = refused(HOSTILE_WHEEL, bytes(content))
    assert message == "METADATA uses a compression method this server does not support"


def _info(content: bytearray, name: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as archive:
        return archive.getinfo(name)


def _patch(content: bytearray, name: str, *, local: int, central: int, value: int) -> None:
    """Set a 2-byte field of a member's local header and central directory record."""
    field = value.to_bytes(2, "little")
    header = _info(content, name).header_offset
    content[header + local : header + local + 2] = field
    record = content.find(b"PK\x01\x02")
    while record != -1:
        size = int.from_bytes(content[record + 28 : record + 30], "little")
        if content[record + 46 : record + 46 + size] == name.encode():
            content[record + central : record + central + 2] = field
            return
        record = content.find(b"PK\x01\x02", record + 1)
    raise AssertionError(f"no central directory record for {name}")


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        (
            {"other-1.0/PKG-INFO": PKG_INFO},
            "Sdist has no PKG-INFO (expected 'hostile-1.0/PKG-INFO')",
        ),
        (
            {f"{TOP}/PKG-INFO": PKG_INFO, "Hostile-1.0.0/PKG-INFO": PKG_INFO},
            f"Archive has more than one PKG-INFO: '{TOP}/PKG-INFO' and 'Hostile-1.0.0/PKG-INFO'",
        ),
    ],
)
@pytest.mark.parametrize("maker", [make_zip, make_tar_gz])
def test_sdist_pkg_info_must_be_found_once(
    refused: Refused,
    members: dict[str, bytes],
    reason: str,
    maker: Callable[[dict[str, bytes]], bytes],
) -> None:
    filename = HOSTILE_SDIST if maker is make_tar_gz else "hostile-1.0.zip"
    assert refused(filename, maker(members)) == reason


def test_zip_sdist_pkg_info_is_bounded(refused: Refused) -> None:
    content = build_sdist(HOSTILE, HOSTILE_VERSION, zip_format=True)
    message = refused("hostile-1.0.zip", content, ArchiveLimits(max_metadata_bytes=10))
    assert message == "PKG-INFO is larger than 10 B; refusing"


# --- tar.gz sdists -----------------------------------------------------------------------------


def test_symlink_sdist(refused: Refused) -> None:
    assert (
        refused(HOSTILE_SDIST, symlink_sdist()) == f"Archive member '{TOP}/link' is a symbolic link"
    )


def test_hardlink_sdist(refused: Refused) -> None:
    message = refused(HOSTILE_SDIST, symlink_sdist(hardlink=True))
    assert message == f"Archive member '{TOP}/link' is a hard link"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        (tarfile.CHRTYPE, "is a device file"),
        (tarfile.BLKTYPE, "is a device file"),
        (tarfile.FIFOTYPE, "is a FIFO"),
        (b"Z", "has an unsupported type (b'Z')"),
    ],
)
def test_special_files_in_tar(refused: Refused, kind: bytes, reason: str) -> None:
    special = tarfile.TarInfo(f"{TOP}/special")
    special.type = kind
    content = make_tar_gz([(f"{TOP}/PKG-INFO", PKG_INFO), (special, b"")])
    assert refused(HOSTILE_SDIST, content) == f"Archive member '{TOP}/special' {reason}"


@pytest.mark.parametrize(
    ("member", "reason"), [("../evil", "escapes the archive"), ("/etc/evil", "is an absolute path")]
)
def test_tar_member_paths_must_stay_inside(refused: Refused, member: str, reason: str) -> None:
    content = make_tar_gz({f"{TOP}/PKG-INFO": PKG_INFO, member: b"owned"})
    assert refused(HOSTILE_SDIST, content) == f"Archive member {member!r} {reason}"


def test_tar_bomb(refused: Refused) -> None:
    message = refused(HOSTILE_SDIST, tar_bomb_sdist())
    assert re.fullmatch(
        r"Tar archive expands to at least \d+\.\d MiB uncompressed data for \d+\.\d KiB "
        r"compressed \(ratio \d{3,4}:1\); refusing",
        message,
    ), message


def test_tar_expanding_past_the_total_limit(refused: Refused) -> None:
    content = build_sdist(HOSTILE, HOSTILE_VERSION)
    message = refused(HOSTILE_SDIST, content, ArchiveLimits(max_uncompressed_bytes=1024))
    assert re.fullmatch(
        r"Tar archive expands to at least \d+\.\d KiB of uncompressed data, more than the "
        r"1\.0 KiB limit; refusing",
        message,
    ), message


def test_tar_too_many_members(refused: Refused) -> None:
    content = build_sdist(HOSTILE, HOSTILE_VERSION)  # 3 members
    message = refused(HOSTILE_SDIST, content, ArchiveLimits(max_members=2))
    assert message == "Archive has more than 2 members; refusing"


def test_tar_duplicate_member(refused: Refused) -> None:
    content = make_tar_gz(
        [(f"{TOP}/PKG-INFO", PKG_INFO), (f"{TOP}/a.py", b""), (f"{TOP}/a.py", b"")]
    )
    assert refused(HOSTILE_SDIST, content) == f"Archive member '{TOP}/a.py' appears more than once"


def test_tar_directories_may_repeat(tmp_path: Path) -> None:
    directory = tarfile.TarInfo(TOP)
    directory.type = tarfile.DIRTYPE
    content = make_tar_gz([(directory, b""), (directory, b""), (f"{TOP}/PKG-INFO", PKG_INFO)])
    path = tmp_path / HOSTILE_SDIST
    path.write_bytes(content)
    assert read_metadata(path, parse_distribution_filename(HOSTILE_SDIST)).name == HOSTILE


def test_tar_pkg_info_is_bounded(refused: Refused) -> None:
    content = build_sdist(HOSTILE, HOSTILE_VERSION)
    message = refused(HOSTILE_SDIST, content, ArchiveLimits(max_metadata_bytes=10))
    assert message == "PKG-INFO is larger than 10 B; refusing"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (not_a_zip(), "File is not a valid sdist: not a valid gzip file"),
        (
            gzip.compress(b"hello world" * 100, mtime=0),
            "File is not a valid sdist: unreadable tar archive",
        ),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\xff" * 64, "File is not a valid sdist: "),
        (build_sdist(HOSTILE, HOSTILE_VERSION)[:200], "File is not a valid sdist: "),
    ],
    ids=["not-gzip", "not-tar", "corrupt-deflate", "truncated"],
)
def test_broken_tar_gz(refused: Refused, content: bytes, reason: str) -> None:
    assert refused(HOSTILE_SDIST, content).startswith(reason)


def test_sdist_metadata_is_checked_like_wheel_metadata(refused: Refused) -> None:
    content = build_sdist(HOSTILE, HOSTILE_VERSION, pkg_info=metadata_text("other", "1.0").encode())
    assert (
        refused(HOSTILE_SDIST, content)
        == "Name in PKG-INFO ('other') does not match the filename ('hostile')"
    )


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (16 * 1024**2, "16.0 MiB"),
        (int(3.2 * 1024**3), "3.2 GiB"),
        (5 * 1024**5, "5120.0 TiB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text
