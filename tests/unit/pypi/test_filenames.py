"""Distribution filenames: what is accepted, what it says, and the reason for every refusal."""

from __future__ import annotations

import pytest
from packaging.version import Version

from coffer.errors import ValidationError
from coffer.formats.pypi import (
    DistributionFile,
    InvalidDistribution,
    filetype_for,
    parse_distribution_filename,
)

VALID = [
    # filename, kind, name, normalized, version, pyversion, build, tags
    (
        "demo_pkg-1.0.0-py3-none-any.whl",
        "bdist_wheel", "demo_pkg", "demo-pkg", "1.0.0", "py3", None, ("py3-none-any",),
    ),
    (
        "Foo.Bar-2.0-1-py2.py3-none-any.whl",
        "bdist_wheel", "Foo.Bar", "foo-bar", "2.0", "py2.py3", "1",
        ("py2-none-any", "py3-none-any"),
    ),
    (
        "numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "bdist_wheel", "numpy", "numpy", "2.1.0", "cp311", None,
        ("cp311-cp311-manylinux2014_x86_64", "cp311-cp311-manylinux_2_17_x86_64"),
    ),
    (
        "torch-2.4.0+cu121-cp311-cp311-linux_x86_64.whl",
        "bdist_wheel", "torch", "torch", "2.4.0+cu121", "cp311", None,
        ("cp311-cp311-linux_x86_64",),
    ),
    (
        "pkg-1!2.0rc1-123abc-py3-none-any.whl",
        "bdist_wheel", "pkg", "pkg", "1!2.0rc1", "py3", "123abc", ("py3-none-any",),
    ),
    ("demo_pkg-1.0.0.tar.gz", "sdist", "demo_pkg", "demo-pkg", "1.0.0", "source", None, ()),
    ("Rich-Pkg-1.0.tar.gz", "sdist", "Rich-Pkg", "rich-pkg", "1.0", "source", None, ()),
    (
        "rich_pkg-1.0.post1.dev2.tar.gz",
        "sdist", "rich_pkg", "rich-pkg", "1.0.post1.dev2", "source", None, (),
    ),
    ("legacy.pkg-0.9.zip", "sdist", "legacy.pkg", "legacy-pkg", "0.9", "source", None, ()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("filename", "kind", "name", "normalized", "version", "pyversion", "build", "tags"), VALID
)
def test_valid(
    filename: str,
    kind: str,
    name: str,
    normalized: str,
    version: str,
    pyversion: str,
    build: str | None,
    tags: tuple[str, ...],
) -> None:
    dist = parse_distribution_filename(filename)
    assert dist == DistributionFile(
        filename=filename,
        kind=kind,  # type: ignore[arg-type]
        name=name,
        normalized_name=normalized,
        version=Version(version),
        version_string=version,
        pyversion=pyversion,
        build=build,
        tags=tags,
    )
    assert filetype_for(filename) == kind
    assert dist.is_wheel is (kind == "bdist_wheel")
    assert dist.is_zip is filename.endswith((".whl", ".zip"))


INVALID = [
    ("", "Invalid distribution filename: the filename is empty"),
    ("x" * 252 + ".whl", "longer than 255 characters"),
    ("dir/pkg-1.0.tar.gz", "a filename must not contain a path"),
    ("..\\pkg-1.0.tar.gz", "a filename must not contain a path"),
    ("pkg-1.0\x00.whl", "contains a control character"),
    ("pkg-1.0\n.tar.gz", "contains a control character"),
    ("pkg-1.0\x7f.tar.gz", "contains a control character"),
    ("pkg 1.0.tar.gz", "the character ' ' is not allowed"),
    ("pkg-1.0;.tar.gz", "the character ';' is not allowed"),
    ("pké-1.0.tar.gz", "the character 'é' is not allowed"),
    ("pkg-1.0-py2.7.egg", "eggs are not supported; upload a wheel (.whl)"),
    ("pkg-1.0.win32.exe", "installers and system packages are not supported"),
    ("pkg-1.0.msi", "installers and system packages are not supported"),
    ("pkg-1.0-1.noarch.rpm", "installers and system packages are not supported"),
    ("pkg-1.0.tar.bz2", "source distributions must be .tar.gz (PEP 625)"),
    ("pkg-1.0.tgz", "source distributions must be .tar.gz (PEP 625)"),
    ("pkg-1.0.tar.xz", "source distributions must be .tar.gz (PEP 625)"),
    ("pkg-1.0.tar", "source distributions must be .tar.gz (PEP 625)"),
    ("pkg-1.0-py3-none-any.WHL", "the extension must be lower case (.whl)"),
    ("pkg-1.0.TAR.GZ", "the extension must be lower case (.tar.gz)"),
    ("pkg-1.0.txt", "not a wheel (.whl) or source distribution (.tar.gz)"),
    ("pkg-1.0", "not a wheel (.whl) or source distribution (.tar.gz)"),
    (
        "pkg-1.0-py3-none.whl",
        "expected '{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl'",
    ),
    ("pkg-1.0-1-2-py3-none-any.whl", "expected '{name}-{version}(-{build})?"),
    ("pkg--1.0-py3-none-any.whl", "expected '{name}-{version}(-{build})?"),
    ("pkg-1.0--none-any.whl", "expected '{name}-{version}(-{build})?"),
    ("pkg-notaversion-py3-none-any.whl", "'notaversion' is not a PEP 440 version"),
    ("_pkg-1.0-py3-none-any.whl", "'_pkg' is not a valid project name"),
    ("pkg_-1.0-py3-none-any.whl", "'pkg_' is not a valid project name"),
    ("pkg-1.0-x1-py3-none-any.whl", "Invalid build number"),
    ("pkg__x-1.0-py3-none-any.whl", "Invalid project name"),
    ("pkg.tar.gz", "expected '{name}-{version}.tar.gz'"),
    ("pkg-.tar.gz", "expected '{name}-{version}.tar.gz'"),
    ("-1.0.tar.gz", "expected '{name}-{version}.tar.gz'"),
    ("pkg-1.0.zip.zip", "'1.0.zip' is not a PEP 440 version"),
    ("pkg-bar.tar.gz", "'bar' is not a PEP 440 version"),
    ("pkg_-1.0.zip", "'pkg_' is not a valid project name"),
]


@pytest.mark.parametrize(("filename", "reason"), INVALID)
def test_invalid(filename: str, reason: str) -> None:
    with pytest.raises(InvalidDistribution) as caught:
        parse_distribution_filename(filename)
    assert isinstance(caught.value, ValidationError)
    assert reason in caught.value.message


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        (
            "pkg-1.0.egg",
            "Invalid distribution filename 'pkg-1.0.egg': eggs are not supported; "
            "upload a wheel (.whl)",
        ),
        (
            "pkg-x-py3-none-any.whl",
            "Invalid wheel filename 'pkg-x-py3-none-any.whl': 'x' is not a PEP 440 version",
        ),
        ("pkg-x.tar.gz", "Invalid sdist filename 'pkg-x.tar.gz': 'x' is not a PEP 440 version"),
    ],
)
def test_messages_name_the_file_and_the_rule(filename: str, message: str) -> None:
    with pytest.raises(InvalidDistribution) as caught:
        parse_distribution_filename(filename)
    assert caught.value.message == message


def test_an_overlong_name_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidDistribution) as caught:
        parse_distribution_filename("a" * 1000 + ".whl")
    assert len(caught.value.message) < 150


@pytest.mark.parametrize(
    ("filename", "kind"),
    [("a-1-py3-none-any.whl", "bdist_wheel"), ("a-1.tar.gz", "sdist"), ("a-1.zip", "sdist")],
)
def test_filetype_for(filename: str, kind: str) -> None:
    assert filetype_for(filename) == kind


def test_filetype_for_refuses_other_files() -> None:
    with pytest.raises(InvalidDistribution, match="eggs are not supported"):
        filetype_for("a-1.egg")
