"""Core metadata read from real wheels and sdists built by ``support.dists``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from coffer.formats.pypi import (
    DEFAULT_LIMITS,
    ArchiveLimits,
    CoreMetadata,
    parse_distribution_filename,
    read_metadata,
)
from support.dists import (
    build_sdist,
    build_wheel,
    metadata_text,
    sdist_filename,
    wheel_filename,
)

Read = Callable[..., CoreMetadata]

EXTRA = (
    "Requires-Python: >=3.9\n"
    "Requires-Dist: requests>=2.0\n"
    "Requires-Dist: rich; extra == 'cli'\n"
    "Provides-Extra: cli\n"
    "Project-URL: Homepage, https://example.com\n"
    "Project-URL: Source, https://example.com/src\n"
    "Keywords: probe,registry\n"
    "Classifier: Programming Language :: Python :: 3\n"
    "Classifier: Typing :: Typed\n"
    "License-Expression: MIT\n"
    "License-File: LICENSE\n"
    "Author: Ann\n"
    "Author-email: Ann <ann@example.com>\n"
    "Maintainer: Bob\n"
    "Maintainer-email: bob@example.com\n"
    "Home-page: https://example.com/home\n"
    "Download-URL: https://example.com/dl\n"
    "Platform: any\n"
)


@pytest.fixture
def read(tmp_path: Path) -> Read:
    def read(filename: str, content: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> CoreMetadata:
        path = tmp_path / filename
        path.write_bytes(content)
        return read_metadata(path, parse_distribution_filename(filename), limits=limits)

    return read


def test_wheel_metadata_is_parsed_and_kept_verbatim(read: Read) -> None:
    raw = metadata_text("Rich.Pkg", "1.0", extra=EXTRA, description="# Rich\n\nA *README*.\n")
    content = build_wheel("Rich.Pkg", "1.0", metadata=raw.encode())

    metadata = read(wheel_filename("Rich.Pkg", "1.0"), content)

    assert metadata.raw == raw.encode()
    assert metadata.sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert metadata == CoreMetadata(
        raw=raw.encode(),
        sha256=metadata.sha256,
        metadata_version="2.4",
        name="Rich.Pkg",
        version="1.0",
        summary="A package built by the test suite",
        description="# Rich\n\nA *README*.\n",
        description_content_type="text/markdown",
        requires_python=">=3.9",
        requires_dist=("requests>=2.0", "rich; extra == 'cli'"),
        provides_extra=("cli",),
        home_page="https://example.com/home",
        download_url="https://example.com/dl",
        project_urls={"Homepage": "https://example.com", "Source": "https://example.com/src"},
        license_expression="MIT",
        license_files=("LICENSE",),
        author="Ann",
        author_email="Ann <ann@example.com>",
        maintainer="Bob",
        maintainer_email="bob@example.com",
        keywords=("probe", "registry"),
        classifiers=("Programming Language :: Python :: 3", "Typing :: Typed"),
        platforms=("any",),
    )


def test_wheel_with_build_tag_and_platform_tags(read: Read) -> None:
    filename = "demo_pkg-1.0-7-cp311-cp311-manylinux_2_17_x86_64.whl"
    content = build_wheel("demo-pkg", "1.0", tag="cp311-cp311-manylinux_2_17_x86_64")
    assert read(filename, content).name == "demo-pkg"


@pytest.mark.parametrize(
    ("filename_version", "metadata_version"),
    [("1.0", "1.0.0"), ("1.0.0", "1"), ("1.0a1", "1.0.a1")],
)
def test_versions_compare_as_versions(
    read: Read, filename_version: str, metadata_version: str
) -> None:
    content = build_wheel(
        "pkg", filename_version, metadata=metadata_text("pkg", metadata_version).encode()
    )
    assert read(wheel_filename("pkg", filename_version), content).version == metadata_version


def test_dist_info_may_be_spelled_like_the_unnormalised_name(read: Read) -> None:
    content = build_wheel("Foo.Bar", "1.0", dist_info="Foo.Bar-1.0.dist-info")
    assert read("foo_bar-1.0-py3-none-any.whl", content).name == "Foo.Bar"


def test_tar_gz_sdist(read: Read) -> None:
    raw = metadata_text("demo-pkg", "2.0", extra=EXTRA)
    content = build_sdist("demo-pkg", "2.0", pkg_info=raw.encode())
    metadata = read(sdist_filename("demo-pkg", "2.0"), content)
    assert metadata.raw == raw.encode()
    assert (metadata.name, metadata.version, metadata.requires_python) == (
        "demo-pkg",
        "2.0",
        ">=3.9",
    )


def test_zip_sdist(read: Read) -> None:
    content = build_sdist("demo-pkg", "2.0", zip_format=True)
    assert read("demo_pkg-2.0.zip", content).version == "2.0"


@pytest.mark.parametrize(
    ("filename", "prefix"),
    [
        ("Rich-Pkg-1.0.tar.gz", "Rich-Pkg-1.0"),  # legacy setuptools
        ("rich_pkg-1.0.tar.gz", "Rich.Pkg-1.0"),  # prefix spelled differently
        ("rich_pkg-1.0.tar.gz", "rich_pkg-1.0.0"),  # version spelled differently
    ],
)
def test_sdist_prefix_is_matched_by_name_and_version(
    read: Read, filename: str, prefix: str
) -> None:
    content = build_sdist("Rich-Pkg", "1.0", prefix=prefix)
    assert read(filename, content).name == "Rich-Pkg"


def test_sdist_nested_pkg_info_is_not_the_metadata(read: Read) -> None:
    nested = metadata_text("something-else", "9.9").encode()
    content = build_sdist(
        "demo-pkg",
        "1.0",
        files={"src/demo_pkg.egg-info/PKG-INFO": nested, "other-1.0/PKG-INFO": nested},
    )
    assert read("demo_pkg-1.0.tar.gz", content).name == "demo-pkg"


def test_future_metadata_minor_version_and_unknown_fields_are_tolerated(read: Read) -> None:
    raw = metadata_text(
        "pkg",
        "1.0",
        metadata_version="2.99",
        extra="X-Custom: yes\nDescription-Content-Type: UNKNOWN\n",
    )
    content = build_wheel("pkg", "1.0", metadata=raw.encode())
    metadata = read(wheel_filename("pkg", "1.0"), content)
    assert (metadata.metadata_version, metadata.description_content_type) == ("2.99", "UNKNOWN")
