"""Parsing METADATA / PKG-INFO bytes, and the dependencies they declare."""

from __future__ import annotations

import botocore.session
import pytest

from coffer.formats.pypi import (
    CoreMetadata,
    Dependency,
    InvalidDistribution,
    dependencies,
    parse_core_metadata,
)

BASE = "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Name: pkg\nVersion: 1.0\n", "'metadata-version' is a required field"),
        ("Metadata-Version: 3.0\nName: pkg\nVersion: 1.0\n", "unsupported Metadata-Version '3.0'"),
        ("Metadata-Version: 2.x\nName: pkg\nVersion: 1.0\n", "unsupported Metadata-Version '2.x'"),
        ("Metadata-Version: 2.1\nVersion: 1.0\n", "'name' is a required field"),
        ("Metadata-Version: 2.1\nName: pkg\n", "'version' is a required field"),
        ("Metadata-Version: 2.1\nName: foo bar\nVersion: 1.0\n", "'foo bar' is invalid for 'name'"),
        ("Metadata-Version: 2.1\nName: pkg\nVersion: one\n", "'one' is invalid for 'version'"),
        (BASE + "Requires-Python: >=3.8,<\n", "'>=3.8,<' is invalid for 'requires-python'"),
        (BASE + "Requires-Dist: bar >=\n", "'bar >=' is invalid for 'requires-dist'"),
        (BASE + "Provides-Extra: a b\n", "'a b' is invalid for 'provides-extra'"),
        (
            "Metadata-Version: 2.2\nName: pkg\nVersion: 1.0\nDynamic: Name\n",
            "'name' is not allowed as a dynamic field",
        ),
        (BASE + "Name: other\n", "field 'name' is repeated or malformed"),
        (BASE + "Summary: one\nSummary: two\n", "field 'summary' is repeated or malformed"),
        (BASE + "Metadata-Version: 2.2\n", "field 'metadata-version' is repeated or malformed"),
    ],
)
def test_invalid(text: str, problem: str) -> None:
    with pytest.raises(InvalidDistribution) as caught:
        parse_core_metadata(text.encode(), source="PKG-INFO")
    assert caught.value.message == f"Invalid PKG-INFO: {problem}"


def test_every_problem_is_reported() -> None:
    text = "Metadata-Version: 2.1\nName: foo bar\nVersion: one\nRequires-Dist: x >=\n"
    with pytest.raises(InvalidDistribution) as caught:
        parse_core_metadata(text.encode())
    assert caught.value.message == (
        "Invalid METADATA: 'foo bar' is invalid for 'name'; 'one' is invalid for 'version'; "
        "'x >=' is invalid for 'requires-dist'"
    )


def test_not_utf8() -> None:
    with pytest.raises(InvalidDistribution) as caught:
        parse_core_metadata(BASE.encode() + b"Summary: \xff\n")
    offset = len(BASE) + len("Summary: ")
    assert caught.value.message == f"METADATA is not UTF-8 (byte 0xff at offset {offset})"


@pytest.mark.parametrize(
    "extra",
    [
        "X-Custom-Field: whatever\n",  # unknown fields
        "License-File: LICENSE\n",  # newer than 2.1: setuptools wrote it for years
        "Description-Content-Type: UNKNOWN\n",  # display-only, old setuptools
        "License-Expression: MIT OR\n",  # display-only
    ],
)
def test_tolerated(extra: str) -> None:
    assert parse_core_metadata((BASE + extra).encode()).name == "pkg"


@pytest.mark.parametrize(
    "version", ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.17"]
)
def test_metadata_versions(version: str) -> None:
    text = f"Metadata-Version: {version}\nName: pkg\nVersion: 1.0\n"
    assert parse_core_metadata(text.encode()).metadata_version == version


def test_description_in_the_body() -> None:
    metadata = parse_core_metadata((BASE + "\nThe README.\n\nSecond paragraph.\n").encode())
    assert metadata.description == "The README.\n\nSecond paragraph.\n"


def _requires(*lines: str) -> CoreMetadata:
    return parse_core_metadata((BASE + "".join(f"Requires-Dist: {x}\n" for x in lines)).encode())


def test_dependencies() -> None:
    metadata = _requires(
        "requests>=2.0",
        "Foo_Bar[socks,security] (>=1.0,<2) ; python_version < '3.8'",
        "pysocks; extra == 'socks'",
        "direct @ https://example.com/direct-1.0-py3-none-any.whl",
        "plain",
    )
    assert dependencies(metadata) == [
        Dependency("requests", "Requires-Dist", ">=2.0"),
        Dependency(
            "foo-bar", "Requires-Dist", "<2,>=1.0", ("security", "socks"), 'python_version < "3.8"'
        ),
        Dependency("pysocks", "Requires-Dist", None, (), 'extra == "socks"'),
        Dependency("direct", "Requires-Dist", "https://example.com/direct-1.0-py3-none-any.whl"),
        Dependency("plain", "Requires-Dist", None),
    ]
    assert dependencies(_requires()) == []


def test_dependency_covers_codeartifacts_package_dependency_shape() -> None:
    model = botocore.session.get_session().get_service_model("codeartifact")
    members = set(model.shape_for("PackageDependency").members)
    camel = {"".join(w if i == 0 else w.title() for i, w in enumerate(f.split("_"))) for f in (
        "namespace", "package", "dependency_type", "version_requirement")}  # fmt: skip
    assert members == camel
    assert {"namespace", "package", "dependency_type", "version_requirement"} <= set(
        Dependency.__dataclass_fields__
    )
