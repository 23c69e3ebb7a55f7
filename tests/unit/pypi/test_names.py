"""Project names: PEP 503 normalisation and PEP 508 validity."""

from __future__ import annotations

import pytest

from coffer.errors import ValidationError
from coffer.formats.pypi import (
    InvalidProjectName,
    check_project_name,
    is_valid_project_name,
    normalize,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Pigeon_CLI", "pigeon-cli"),
        ("pigeon.cli", "pigeon-cli"),
        ("pigeon-cli", "pigeon-cli"),
        ("a--b__c", "a-b-c"),
        ("A-_.B", "a-b"),
        ("Foo__Bar..Baz", "foo-bar-baz"),
        ("zope.interface", "zope-interface"),
        ("Django", "django"),
        ("Rich_Pkg", "rich-pkg"),
        ("x", "x"),
        ("0", "0"),
    ],
)
def test_normalize(name: str, expected: str) -> None:
    assert normalize(name) == expected
    assert normalize(expected) == expected


@pytest.mark.parametrize(
    "name",
    ["a", "A1", "0", "foo-bar", "foo_bar", "foo.bar", "Foo.Bar-baz_9", "a--b__c", "x" * 200],
)
def test_valid_names(name: str) -> None:
    assert is_valid_project_name(name)
    assert check_project_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-foo",
        "foo-",
        "_foo",
        "foo.",
        ".foo",
        "foo bar",
        "foo/bar",
        "foo!",
        "a@b",
        "foé",
        "\u212a",  # Kelvin sign: [A-Z] with re.IGNORECASE would take it for a K
        "foo\u017f",  # long s, likewise an s
        "foo\n",
        "foo\x00",
    ],
)
def test_invalid_names(name: str) -> None:
    assert not is_valid_project_name(name)
    with pytest.raises(InvalidProjectName) as caught:
        check_project_name(name)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.message.startswith(f"Invalid project name {name!r}: use ASCII letters")
